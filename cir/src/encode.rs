//! Encoders: the sample generator builds its captures with these, and the round-trip tests check
//! that every encoded message decodes back to what was encoded.

use crate::{Command, LineEnd, Message, gsm7, wsp};

/// A line's content, the inverse of a decoded [`Message`] (smoltcp's `Repr` pattern).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRepr<'a> {
    /// `WVCI <version> <cookie>`
    Cir {
        /// e.g. `1.3`
        version: &'a [u8],
        /// the SessionCookie
        cookie: &'a [u8],
    },
    /// `HELO <session-id>`
    Helo {
        /// the SessionID
        session_id: &'a [u8],
    },
    /// `OK`
    Ok,
    /// `PING`, with Android's trailing space or without (Symbian).
    Ping {
        /// Android sends `PING \r\n`.
        trailing_space: bool,
    },
}

impl<'a> LineRepr<'a> {
    /// Appends the line and its line end to `out`.
    pub fn emit(&self, line_end: LineEnd, out: &mut Vec<u8>) {
        match *self {
            LineRepr::Cir { version, cookie } => {
                out.extend_from_slice(b"WVCI ");
                out.extend_from_slice(version);
                out.push(b' ');
                out.extend_from_slice(cookie);
            }
            LineRepr::Helo { session_id } => {
                out.extend_from_slice(b"HELO ");
                out.extend_from_slice(session_id);
            }
            LineRepr::Ok => out.extend_from_slice(b"OK"),
            LineRepr::Ping { trailing_space } => {
                out.extend_from_slice(if trailing_space { b"PING " } else { b"PING" });
            }
        }
        out.extend_from_slice(line_end.as_bytes());
    }

    /// The line as a new buffer.
    pub fn to_vec(&self, line_end: LineEnd) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        self.emit(line_end, &mut v);
        v
    }

    /// The repr of a decoded message (`None` if it is malformed).
    pub fn from_message(m: &Message<'a>) -> Option<Self> {
        if m.malformed.is_some() {
            return None;
        }
        Some(match m.command {
            Command::Wvci => LineRepr::Cir { version: m.version?.text.bytes, cookie: m.cookie?.bytes },
            Command::Helo => LineRepr::Helo { session_id: m.session_id?.bytes },
            Command::Ok => LineRepr::Ok,
            Command::Ping => LineRepr::Ping { trailing_space: m.span.len > 4 + m.line_end.as_bytes().len() },
        })
    }
}

/// Packs ASCII text as GSM 7-bit septets, the SMS encoding; `None` if a byte has no GSM equal.
pub fn gsm7(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    gsm7::pack_ascii(text, &mut out)?;
    Some(out)
}

/// Android's SMS HELO: a septet-count byte, then `HELO <session-id>` 7-bit packed, no line end.
pub fn sms_helo(session_id: &[u8]) -> Option<Vec<u8>> {
    let text = LineRepr::Helo { session_id }.to_vec(LineEnd::None);
    let mut out = vec![u8::try_from(text.len()).ok()?];
    gsm7::pack_ascii(&text, &mut out)?;
    Some(out)
}

/// How to encode a push's content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentTypeEnc<'a> {
    /// `0xC6`, the well-known short integer.
    WellKnown,
    /// `application/vnd.wv.csp.cir` NUL-terminated.
    Text,
    /// Value-length form: the well-known value followed by these raw parameter bytes.
    ValueLength(&'a [u8]),
    /// Any other content type, as text (an MMS notification, for a non-CIR push).
    Other(&'a str),
}

/// How to encode `X-Wap-Application-Id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppIdEnc {
    /// `0xAF 0x8A`
    WellKnown,
    /// `0xAF` then `x-wap-application:wv.ua` NUL-terminated.
    Text,
}

/// A WSP connectionless Push PDU: TID, type 0x06, uintvar headers length, content type, the
/// optional application id, body.
pub fn wsp_push(tid: u8, content_type: ContentTypeEnc<'_>, app_id: Option<AppIdEnc>, body: &[u8]) -> Vec<u8> {
    let mut headers = Vec::with_capacity(32);
    match content_type {
        ContentTypeEnc::WellKnown => headers.push(0x80 | wsp::CIR_CONTENT_TYPE_CODE),
        ContentTypeEnc::Text => push_text(&mut headers, wsp::CIR_CONTENT_TYPE.as_bytes()),
        ContentTypeEnc::ValueLength(params) => {
            // A short length covers the media type byte and the parameters; longer ones use 31 + uintvar.
            let len = 1 + params.len();
            if len <= 30 {
                headers.push(len as u8);
            } else {
                headers.push(31);
                push_uintvar(&mut headers, len as u32);
            }
            headers.push(0x80 | wsp::CIR_CONTENT_TYPE_CODE);
            headers.extend_from_slice(params);
        }
        ContentTypeEnc::Other(text) => push_text(&mut headers, text.as_bytes()),
    }
    match app_id {
        Some(AppIdEnc::WellKnown) => {
            headers.extend_from_slice(&[0x80 | wsp::HEADER_APP_ID, 0x80 | wsp::WV_UA_APP_ID_CODE])
        }
        Some(AppIdEnc::Text) => {
            headers.push(0x80 | wsp::HEADER_APP_ID);
            push_text(&mut headers, wsp::WV_UA_APP_ID.as_bytes());
        }
        None => {}
    }
    let mut pdu = vec![tid, wsp::PDU_PUSH];
    push_uintvar(&mut pdu, headers.len() as u32);
    pdu.extend_from_slice(&headers);
    pdu.extend_from_slice(body);
    pdu
}

fn push_text(out: &mut Vec<u8>, text: &[u8]) {
    out.extend_from_slice(text);
    out.push(0);
}

/// Appends a WSP uintvar: 7 bits a byte, most significant first, high bit on all but the last.
pub fn push_uintvar(out: &mut Vec<u8>, v: u32) {
    let groups = (1..5).rev().filter(|&g| v >> (7 * g) != 0);
    for g in groups {
        out.push(0x80 | ((v >> (7 * g)) & 0x7F) as u8);
    }
    out.push((v & 0x7F) as u8);
}
