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
    /// GSM 7-bit, one septet per octet: how SMPP usually carries the default alphabet. The SMSC
    /// packs it for the air, so the phone reads it as [`Encoding::Gsm7`].
    Gsm7Unpacked,
    /// Latin-1 (or IA5, its ASCII part) text handed to an SMSC, which sends it as GSM 7-bit.
    Latin1,
}

impl Encoding {
    /// `ascii` or `gsm7`.
    pub const fn name(self) -> &'static str {
        match self {
            Encoding::Ascii => "ascii",
            Encoding::Gsm7 => "gsm7",
            Encoding::Gsm7Unpacked => "gsm7-unpacked",
            Encoding::Latin1 => "latin1",
        }
    }

    /// Whether the phone receives the text as GSM 7-bit (what SMS CIR clients read).
    pub const fn reaches_phone_as_gsm7(self) -> bool {
        !matches!(self, Encoding::Ascii)
    }
}

/// How an SMS's user data is coded, from its data coding scheme (SMPP's `data_coding`, or the
/// TPDU's TP-DCS), as far as a CIR decoder cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Not known (a WDP datagram over IP): ASCII or 7-bit packed, told apart by the text.
    Unknown,
    /// GSM 7-bit default alphabet, one septet per octet (SMPP's form).
    Gsm7Unpacked,
    /// GSM 7-bit packed (a TPDU's form; rare in SMPP).
    Gsm7Packed,
    /// 8-bit data: the bytes reach the phone as they are.
    Octets,
    /// IA5 or Latin-1 text.
    Latin1,
    /// UCS-2: no CIR client reads it.
    Ucs2,
    /// Another alphabet (JIS, Cyrillic, Hebrew, KS C 5601, a reserved value): read as bytes.
    Other,
}

impl Coding {
    /// The coding an SMPP `data_coding` value names (SMPP 3.4 section 5.2.19; from 0xC0 on, the
    /// GSM data coding scheme groups of 3GPP TS 23.038). Value 0, "SMSC default alphabet", is GSM
    /// 7-bit unpacked, as SMSCs and Wireshark take it.
    pub const fn from_smpp(data_coding: u8) -> Coding {
        match data_coding {
            0x00 => Coding::Gsm7Unpacked,
            0x01 | 0x03 => Coding::Latin1,
            0x02 | 0x04 => Coding::Octets,
            0x08 => Coding::Ucs2,
            0x05..=0x0F => Coding::Other,
            0xC0..=0xDF => Coding::Gsm7Unpacked,
            0xE0..=0xEF => Coding::Ucs2,
            0xF0..=0xFF if data_coding & 0x04 == 0 => Coding::Gsm7Unpacked,
            0xF0..=0xFF => Coding::Octets,
            // GSM general data coding (00xx xxxx) and its compressed and reserved groups.
            _ => match (data_coding >> 2) & 0x03 {
                0 => Coding::Gsm7Unpacked,
                1 => Coding::Octets,
                2 => Coding::Ucs2,
                _ => Coding::Other,
            },
        }
    }

    /// `unknown`, `gsm7-unpacked`, `gsm7-packed`, `8bit`, `latin1`, `ucs2` or `other`.
    pub const fn name(self) -> &'static str {
        match self {
            Coding::Unknown => "unknown",
            Coding::Gsm7Unpacked => "gsm7-unpacked",
            Coding::Gsm7Packed => "gsm7-packed",
            Coding::Octets => "8bit",
            Coding::Latin1 => "latin1",
            Coding::Ucs2 => "ucs2",
            Coding::Other => "other",
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
            Encoding::Ascii | Encoding::Latin1 => span,
            Encoding::Gsm7Unpacked => {
                // One septet per byte: the septet a text byte starts at is its payload offset.
                let at = |i: usize| self.septet_of.get(i).map_or(i, |&s| usize::from(s));
                let first = at(span.offset);
                Span::new(first + self.text_offset, at(span.end()).saturating_sub(first))
            }
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

/// Decodes SMS user data (after its user-data header) whose coding is `coding`. Text codings are
/// read as text (GSM 7-bit septets mapped to ASCII, extension characters included); 8-bit and
/// unknown data as [`decode`] reads a WDP payload.
///
/// ```
/// use wvcir::sms::{decode_coded, Coding, Encoding, SmsText};
/// let mut text = SmsText::new();
/// // `_` is septet 0x11 in the GSM alphabet.
/// let sms = decode_coded(b"WVCI 1.2 wv\x11c", Coding::Gsm7Unpacked, &mut text).unwrap();
/// assert_eq!((sms.encoding, sms.message.cookie.unwrap().bytes), (Encoding::Gsm7Unpacked, &b"wv_c"[..]));
/// ```
pub fn decode_coded<'a>(ud: &'a [u8], coding: Coding, text: &'a mut SmsText) -> Result<Sms<'a>, DecodeError> {
    match coding {
        Coding::Unknown | Coding::Octets | Coding::Gsm7Packed | Coding::Other => decode(ud, text),
        // Some servers send packed septets under SMPP's data_coding 0: a byte over 0x7F is no
        // septet, so the text is read packed (as Wireshark does with its `gsm7-packed` setting).
        Coding::Gsm7Unpacked if ud.iter().any(|&b| b > 0x7F) => decode(ud, text),
        Coding::Latin1 => {
            let message = message::parse_cir(ud)?;
            Ok(Sms { encoding: Encoding::Latin1, message, text_offset: 0, text_len: ud.len(), septet_of: &[] })
        }
        Coding::Gsm7Unpacked => {
            let (mut i, mut n) = (0, 0);
            while let (Some(&s), Some(slot)) = (ud.get(i), text.buf.get_mut(n)) {
                let next = ud.get(i + 1).copied();
                let (byte, used) = match next {
                    Some(code) if s & 0x7F == gsm7::ESC => (gsm7::extension_to_ascii(code & 0x7F), 2),
                    _ => (gsm7::septet_to_ascii(s & 0x7F), 1),
                };
                *slot = byte;
                if let Some(at) = text.septet_of.get_mut(n) {
                    *at = u16::try_from(i).unwrap_or(u16::MAX);
                }
                n += 1;
                i += used;
            }
            if let Some(at) = text.septet_of.get_mut(n) {
                *at = u16::try_from(i).unwrap_or(u16::MAX);
            }
            let text: &'a SmsText = text;
            let mut message = message::parse_cir(text.buf.get(..n).unwrap_or_default())?;
            if i < ud.len() {
                message.anomalies.add(Anomaly::Truncated, Span::new(n, 0));
            }
            let septet_of = text.septet_of.get(..=n).unwrap_or_default();
            Ok(Sms { encoding: Encoding::Gsm7Unpacked, message, text_offset: 0, text_len: n, septet_of })
        }
        Coding::Ucs2 => Err(DecodeError::new(ErrorKind::NotCir, 0, "UCS-2 text, which no CIR client reads")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codings_are_read_as_the_phone_would_receive_them() {
        let mut t = SmsText::new();
        let s = decode_coded(b"WVCI 1.2 ab\x1B\x3Cc", Coding::Gsm7Unpacked, &mut t).unwrap();
        let cookie = s.message.cookie.unwrap();
        assert_eq!(cookie.bytes, b"ab[c");
        assert_eq!(s.payload_span(cookie.span), Span::new(9, 5), "ESC and its code are two bytes");
        assert!(s.message.anomalies.is_empty());
        let s = decode_coded(b"WVCI 1.2 abc", Coding::Latin1, &mut t).unwrap();
        assert_eq!((s.encoding, s.message.anomalies.is_empty()), (Encoding::Latin1, true));
        let s = decode_coded(b"WVCI 1.2 abc", Coding::Octets, &mut t).unwrap();
        assert_eq!(s.encoding, Encoding::Ascii, "8-bit ASCII reaches the phone as ASCII");
        assert!(decode_coded(b"\0W\0V\0C\0I", Coding::Ucs2, &mut t).is_err());
        let long = [b'a'; MAX_SMS_SEPTETS + 10];
        let mut ud = b"WVCI 1.2 ".to_vec();
        ud.extend_from_slice(&long);
        let s = decode_coded(&ud, Coding::Gsm7Unpacked, &mut t).unwrap();
        assert!(s.message.anomalies.contains(Anomaly::Truncated));
        let packed = crate::encode::gsm7(b"WVCI 1.2 packed").unwrap();
        let s = decode_coded(&packed, Coding::Gsm7Unpacked, &mut t).unwrap();
        assert_eq!((s.encoding, s.message.cookie.unwrap().bytes), (Encoding::Gsm7, &b"packed"[..]));
        assert_eq!(Coding::from_smpp(0xF5), Coding::Octets);
        assert_eq!(Coding::from_smpp(0xF1), Coding::Gsm7Unpacked);
        assert_eq!(Coding::from_smpp(0x04), Coding::Octets);
        assert_eq!(Coding::from_smpp(0x18), Coding::Ucs2);
    }
}
