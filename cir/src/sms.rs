//! SMS CIR (CIR method `SSMS`), WDP port 3716: a CIR as the user data of a port-addressed SMS, or
//! over an IP bearer as a UDP datagram to port 3716.
//!
//! The text is plain ASCII or GSM 7-bit packed. The decoder tries ASCII first (`WVCI` at offset
//! 0), then 7-bit unpacking from offset 0, then 7-bit after a leading septet-count byte (the form
//! Android uses for its own `HELO <SessionID>` to the server), and says which it found.
//!
//! ```
//! use wvcir::sms::{decode, Encoding, SmsText};
//! let packed = [0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64, 0xA0, 0x98, 0x6C, 0x46, 0xAB, 0x01];
//! let mut text = SmsText::new();
//! let sms = decode(&packed, &mut text).unwrap();
//! assert_eq!(sms.encoding, Encoding::Gsm7);
//! assert_eq!(sms.message.cookie.unwrap().bytes, b"12345");
//! // The cookie is septets 9..14, which sit in payload bytes 7..13.
//! assert_eq!(sms.payload_span(sms.message.cookie.unwrap().span), wvcir::Span::new(7, 6));
//! ```

use crate::{Anomaly, DecodeError, ErrorKind, Message, Span, gsm7, message};

/// The longest SMS text unpacked: a datagram at the 512-byte CIR bound holds 585 septets.
pub const MAX_SMS_SEPTETS: usize = 640;

/// How the text was carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Plain ASCII bytes.
    Ascii,
    /// GSM 7-bit packed septets.
    Gsm7,
}

impl Encoding {
    /// `ascii` or `gsm7`.
    pub const fn name(self) -> &'static str {
        match self {
            Encoding::Ascii => "ascii",
            Encoding::Gsm7 => "gsm7",
        }
    }
}

/// Room for an unpacked text, on the stack: decoding an SMS allocates nothing. With the text, the
/// septet each of its bytes starts at (an extension character takes two septets), so that spans
/// of the text map back to the packed bytes.
#[derive(Clone, Debug)]
pub struct SmsText {
    buf: [u8; MAX_SMS_SEPTETS],
    septet_of: [u16; MAX_SMS_SEPTETS + 1],
}

impl Default for SmsText {
    fn default() -> Self {
        Self::new()
    }
}

impl SmsText {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self { buf: [0; MAX_SMS_SEPTETS], septet_of: [0; MAX_SMS_SEPTETS + 1] }
    }
}

/// A decoded SMS CIR (or Android's SMS HELO).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sms<'a> {
    /// ASCII or GSM 7-bit.
    pub encoding: Encoding,
    /// The message. For GSM 7-bit its spans count septets of the unpacked text; map them with
    /// [`payload_span`](Self::payload_span).
    pub message: Message<'a>,
    /// Payload bytes before the packed text (the septet-count byte of Android's HELO), else 0.
    pub text_offset: usize,
    /// Bytes of text: unpacked (an extension character is one), or the payload for ASCII.
    pub text_len: usize,
    /// For GSM 7-bit: the septet each text byte starts at, and one past the last.
    septet_of: &'a [u16],
}

impl Sms<'_> {
    /// The payload bytes that carry `span` of the message.
    pub fn payload_span(&self, span: Span) -> Span {
        match self.encoding {
            Encoding::Ascii => span,
            Encoding::Gsm7 => {
                let at = |i: usize| self.septet_of.get(i).map_or(i, |&s| usize::from(s));
                let first = at(span.offset);
                let (o, l) = gsm7::septets_to_bytes(first, at(span.end()).saturating_sub(first));
                Span::new(o + self.text_offset, l)
            }
        }
    }
}

/// Decodes an SMS CIR payload, unpacking 7-bit text into `text` when it is not plain ASCII.
/// Malformed messages come back with [`Message::malformed`] set; `Err` means it is not a CIR in
/// either encoding.
pub fn decode<'a>(payload: &'a [u8], text: &'a mut SmsText) -> Result<Sms<'a>, DecodeError> {
    if let Ok(mut message) = message::parse_cir(payload) {
        // No real SMS CIR client reads plain ASCII user data (docs/protocol.md, section 6).
        message.anomalies.add(Anomaly::AsciiSms, message.keyword.span);
        return Ok(Sms { encoding: Encoding::Ascii, message, text_offset: 0, text_len: payload.len(), septet_of: &[] });
    }
    // Which 7-bit form it is, decided on the first septets before unpacking the whole text.
    let starts_with = |packed: &[u8], word: &[u8]| {
        word.iter().enumerate().all(|(i, &c)| gsm7::septet_to_ascii(gsm7::septet(packed, i)).eq_ignore_ascii_case(&c))
            && gsm7::septet_count(packed) >= word.len()
    };
    let helo = payload.get(1..).filter(|p| starts_with(p, b"HELO"));
    let (text_offset, packed) = if starts_with(payload, b"WVCI") {
        (0, payload)
    } else if let Some(p) = helo {
        (1, p)
    } else {
        return Err(DecodeError::new(ErrorKind::NotCir, 0, "neither ASCII nor GSM 7-bit text starting with WVCI"));
    };
    let unpacked = gsm7::unpack(packed, &mut text.buf, Some(&mut text.septet_of));
    let text: &'a SmsText = text;
    let n = unpacked.written;
    let text_bytes = text.buf.get(..n).unwrap_or_default();
    let mut message = if text_offset == 0 { message::parse_cir(text_bytes) } else { message::parse_line(text_bytes) }?;
    let end = Span::new(n, 0);
    if unpacked.left > 0 {
        message.anomalies.add(Anomaly::Truncated, end);
    }
    if unpacked.dropped_padding {
        message.anomalies.add(Anomaly::AmbiguousPadding, end);
    }
    let septet_of = text.septet_of.get(..=n).unwrap_or_default();
    Ok(Sms { encoding: Encoding::Gsm7, message, text_offset, text_len: n, septet_of })
}
