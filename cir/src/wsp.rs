//! WAP Push CIR (CIR methods `WAPSMS`, `WAPUDP`): a WSP connectionless Push PDU on WDP port 2948
//! whose content type is `application/vnd.wv.csp.cir` and whose body is the CIR text.
//!
//! ```text
//! TID(1) | PDU type 0x06 (Push) | HeadersLen (uintvar) | ContentType | Headers | Body
//! ```
//!
//! The content type comes as the short integer `0xC6` (well-known 0x46), as NUL-terminated text,
//! or in the value-length form with parameters. `X-Wap-Application-Id` (0x2F, sent `0xAF`) is
//! `0x8A` (`x-wap-application:wv.ua`) or text.
//!
//! ```
//! let pdu = b"\x00\x06\x03\xC6\xAF\x8AWVCI 1.2 abc";
//! let push = wvcir::wsp::decode_push(pdu).unwrap();
//! assert_eq!(push.content_type.form, wvcir::wsp::ContentTypeForm::WellKnown);
//! assert_eq!(push.app_id.unwrap().form, wvcir::wsp::AppIdForm::WellKnown);
//! let cir = push.cir.unwrap();
//! assert_eq!((cir.cookie.unwrap().bytes, cir.cookie.unwrap().span.offset), (&b"abc"[..], 15));
//! ```

use crate::{DecodeError, ErrorKind, Field, Message, Span, message};

/// WSP PDU type of a Push.
pub const PDU_PUSH: u8 = 0x06;
/// The CIR media type, well-known value 0x46.
pub const CIR_CONTENT_TYPE: &str = "application/vnd.wv.csp.cir";
/// Well-known content type number of [`CIR_CONTENT_TYPE`].
pub const CIR_CONTENT_TYPE_CODE: u8 = 0x46;
/// WSP header field code of `X-Wap-Application-Id`.
pub const HEADER_APP_ID: u8 = 0x2F;
/// The application id of a Wireless Village client, `x-wap-application:wv.ua`.
pub const WV_UA_APP_ID: &str = "x-wap-application:wv.ua";
/// Well-known application id number of [`WV_UA_APP_ID`].
pub const WV_UA_APP_ID_CODE: u8 = 0x0A;

/// How the content type was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContentTypeForm {
    /// A short integer (`0xC6`).
    WellKnown,
    /// NUL-terminated text.
    Text,
    /// Value-length form (`len, media type, parameters`).
    ValueLength,
}

/// The content type of the push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentType<'a> {
    /// How it was encoded.
    pub form: ContentTypeForm,
    /// The well-known number, when it was a number.
    pub code: Option<u32>,
    /// The text, when it was text.
    pub text: Option<Field<'a>>,
    /// The encoded value's bytes.
    pub span: Span,
}

impl ContentType<'_> {
    /// Whether this names the CIR media type.
    pub fn is_cir(&self) -> bool {
        self.code == Some(u32::from(CIR_CONTENT_TYPE_CODE))
            || self.text.is_some_and(|t| t.bytes.eq_ignore_ascii_case(CIR_CONTENT_TYPE.as_bytes()))
    }
}

/// How the application id was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppIdForm {
    /// A short or long integer (`0x8A`).
    WellKnown,
    /// Text (`x-wap-application:wv.ua`).
    Text,
}

/// The `X-Wap-Application-Id` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppId<'a> {
    /// How it was encoded.
    pub form: AppIdForm,
    /// The number, when it was a number.
    pub code: Option<u32>,
    /// The text, when it was text.
    pub text: Option<Field<'a>>,
    /// The header (name and value) bytes.
    pub span: Span,
}

impl AppId<'_> {
    /// Whether this names the Wireless Village user agent.
    pub fn is_wv_ua(&self) -> bool {
        self.code == Some(u32::from(WV_UA_APP_ID_CODE))
            || self.text.is_some_and(|t| t.bytes.eq_ignore_ascii_case(WV_UA_APP_ID.as_bytes()))
    }
}

/// A WSP Push PDU carrying a CIR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Push<'a> {
    /// Transaction id.
    pub tid: u8,
    /// The content type.
    pub content_type: ContentType<'a>,
    /// The application id header, if present.
    pub app_id: Option<AppId<'a>>,
    /// The headers block (content type included).
    pub headers: Span,
    /// The body.
    pub body: Field<'a>,
    /// The body decoded as a CIR, spans relative to the PDU. A malformed CIR has
    /// [`Message::malformed`] set; `Err` if the body is not a CIR at all.
    pub cir: Result<Message<'a>, DecodeError>,
}

/// A cursor over the PDU that never reads past its end.
struct Reader<'a> {
    pdu: &'a [u8],
    pos: usize,
}

const TRUNCATED: &str = "WSP push ends inside its headers";

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    fn peek(&self) -> Result<u8, DecodeError> {
        self.pdu.get(self.pos).copied().ok_or(DecodeError::new(ErrorKind::TruncatedPdu, self.pos, TRUNCATED))
    }

    /// A uintvar: 7 bits a byte, high bit set on all but the last, at most 5 bytes (32 bits).
    fn uintvar(&mut self) -> Result<u32, DecodeError> {
        let start = self.pos;
        let mut v: u32 = 0;
        for _ in 0..5 {
            let b = self.byte()?;
            v = (v << 7) | u32::from(b & 0x7F);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::new(ErrorKind::TruncatedPdu, start, "WSP uintvar longer than 5 bytes"))
    }

    /// Text up to and including a NUL; an initial Quote (0x7F) is dropped. Returns the text.
    fn text(&mut self, end: usize) -> Result<Field<'a>, DecodeError> {
        if self.peek()? == 0x7F {
            self.pos += 1;
        }
        let start = self.pos;
        let window = self.pdu.get(start..end).unwrap_or_default();
        let len = window.iter().position(|&b| b == 0).ok_or(DecodeError::new(
            ErrorKind::TruncatedPdu,
            start,
            "WSP text without its NUL",
        ))?;
        self.pos = start + len + 1;
        Ok(Field::slice(self.pdu, start, start + len))
    }

    /// The length of a value-length form: a short length (0-30) or 31 then a uintvar.
    fn value_length(&mut self) -> Result<usize, DecodeError> {
        match self.byte()? {
            n @ 0..=30 => Ok(usize::from(n)),
            31 => Ok(self.uintvar()? as usize),
            _ => Err(DecodeError::new(ErrorKind::TruncatedPdu, self.pos - 1, "not a WSP value length")),
        }
    }

    /// A multi-octet integer of `len` bytes (at most 4 kept).
    fn long_integer(&mut self, len: usize, end: usize) -> Result<u32, DecodeError> {
        let bytes = self
            .pdu
            .get(self.pos..self.pos + len)
            .filter(|_| self.pos + len <= end)
            .ok_or(DecodeError::new(ErrorKind::TruncatedPdu, self.pos, TRUNCATED))?;
        self.pos += len;
        Ok(bytes.iter().fold(0u32, |v, &b| (v << 8) | u32::from(b)))
    }

    /// Skips one header value of any form.
    fn skip_value(&mut self, end: usize) -> Result<(), DecodeError> {
        match self.peek()? {
            0..=31 => {
                let len = self.value_length()?;
                self.skip(len, end)
            }
            32..=127 => self.text(end).map(drop),
            _ => self.skip(1, end),
        }
    }

    fn skip(&mut self, len: usize, end: usize) -> Result<(), DecodeError> {
        let to = self.pos.checked_add(len).filter(|&to| to <= end);
        self.pos = to.ok_or(DecodeError::new(ErrorKind::TruncatedPdu, self.pos, TRUNCATED))?;
        Ok(())
    }
}

/// Decodes a WSP connectionless Push PDU and, if it carries a CIR, the CIR in its body.
///
/// `Err` when the bytes are not a Push, are truncated, or carry another content type (an MMS
/// notification, a Service Indication); a Push of the CIR type whose body is not a CIR comes back
/// `Ok` with the body's error in [`Push::cir`].
pub fn decode_push(pdu: &[u8]) -> Result<Push<'_>, DecodeError> {
    let mut r = Reader { pdu, pos: 0 };
    let tid = r.byte()?;
    if r.byte()? != PDU_PUSH {
        return Err(DecodeError::new(ErrorKind::NotPush, 1, "WSP PDU type is not Push (0x06)"));
    }
    let headers_len = r.uintvar()? as usize;
    let headers_start = r.pos;
    let headers_end = headers_start.checked_add(headers_len).filter(|&e| e <= pdu.len()).ok_or(DecodeError::new(
        ErrorKind::TruncatedPdu,
        headers_start,
        "WSP headers length runs past the PDU",
    ))?;
    if headers_len == 0 {
        return Err(DecodeError::new(ErrorKind::TruncatedPdu, headers_start, "WSP push has no content type"));
    }

    let ct_start = r.pos;
    let content_type = match r.peek()? {
        b @ 0x80.. => {
            r.pos += 1;
            ContentType {
                form: ContentTypeForm::WellKnown,
                code: Some(u32::from(b & 0x7F)),
                text: None,
                span: Span::default(),
            }
        }
        0x20..=0x7F => {
            let text = r.text(headers_end)?;
            ContentType { form: ContentTypeForm::Text, code: None, text: Some(text), span: Span::default() }
        }
        _ => {
            let len = r.value_length()?;
            let value_end = r.pos.saturating_add(len);
            let mut ct =
                ContentType { form: ContentTypeForm::ValueLength, code: None, text: None, span: Span::default() };
            match r.peek()? {
                b @ 0x80.. => {
                    r.pos += 1;
                    ct.code = Some(u32::from(b & 0x7F));
                }
                n @ 1..=30 => {
                    r.pos += 1;
                    ct.code = Some(r.long_integer(usize::from(n), value_end)?);
                }
                _ => ct.text = Some(r.text(value_end.min(headers_end))?),
            }
            // Parameters (charset, ...) are skipped by the value length.
            r.pos = ct_start;
            r.skip(value_end - ct_start, headers_end)?;
            ct
        }
    };
    let content_type = ContentType { span: Span::new(ct_start, r.pos - ct_start), ..content_type };
    if !content_type.is_cir() {
        return Err(DecodeError::new(
            ErrorKind::NotCirContentType,
            ct_start,
            "WSP push content type is not application/vnd.wv.csp.cir",
        ));
    }

    let mut app_id = None;
    while r.pos < headers_end {
        let header_start = r.pos;
        let name = r.byte()?;
        match name {
            // Shift sequences to another code page: a shift byte and the page, or a short cut.
            0x7F => r.skip(1, headers_end)?,
            0x01..=0x1F => {}
            0x80.. if name & 0x7F == HEADER_APP_ID => {
                let (form, code, text) = match r.peek()? {
                    b @ 0x80.. => {
                        r.pos += 1;
                        (AppIdForm::WellKnown, Some(u32::from(b & 0x7F)), None)
                    }
                    n @ 1..=30 => {
                        r.pos += 1;
                        (AppIdForm::WellKnown, Some(r.long_integer(usize::from(n), headers_end)?), None)
                    }
                    _ => (AppIdForm::Text, None, Some(r.text(headers_end)?)),
                };
                app_id.get_or_insert(AppId { form, code, text, span: Span::new(header_start, r.pos - header_start) });
            }
            0x80.. => r.skip_value(headers_end)?,
            _ => {
                // A textual header name, then its value.
                r.pos = header_start;
                r.text(headers_end)?;
                r.skip_value(headers_end)?;
            }
        }
    }

    let body = Field::slice(pdu, headers_end, pdu.len());
    let cir = message::parse_cir(body.bytes).map(|m| m.shifted(headers_end)).map_err(|e| e.shifted(headers_end));
    Ok(Push { tid, content_type, app_id, headers: Span::new(headers_start, headers_len), body, cir })
}

/// WDP application ports from an SMS user-data header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WdpPorts {
    /// Destination port (2948 for WAP Push, 3716 for SMS CIR).
    pub dst: u16,
    /// Source port.
    pub src: u16,
    /// Length of the whole header, UDHL byte included: the text starts here.
    pub header_len: usize,
}

/// Reads the application port addressing of an SMS user-data header (`06 05 04 0B 84 23 F0`:
/// IEI 0x05, 16-bit ports 2948 from 9200; IEI 0x04 for 8-bit ports). `None` when the user data
/// has no such header.
pub fn wdp_ports(user_data: &[u8]) -> Option<WdpPorts> {
    let udh = crate::udh::parse(user_data)?;
    let ports = udh.ports?;
    Some(WdpPorts { dst: ports.dst, src: ports.src, header_len: udh.len })
}
