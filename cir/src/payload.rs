//! One payload of a known channel, decoded: the one decoder behind the analyzer's datagrams, the
//! plugin's datagrams, the C API and `wvcir decode`.
//!
//! What a channel's payload is:
//!
//! | channel | payload | messages |
//! |---|---|---|
//! | [`Channel::Udp`] | one datagram | one CIR |
//! | [`Channel::Sms`] | WDP user data: ASCII or GSM 7-bit text (or Android's SMS HELO) | one |
//! | [`Channel::WapPush`] | a WSP Push PDU | the CIR in its body |
//! | [`Channel::Tcp`] | an excerpt of a TCP channel stream that starts at a line | one per line |
//!
//! A TCP *connection* goes through [`crate::tcp::Connection`] instead, which knows segments,
//! order and pairing; this decodes bytes already in order (a pasted excerpt, one C API buffer).

use crate::framer::{Frame, LineFramer};
use crate::sms::{self, Coding, Encoding, SmsText};
use crate::{Channel, DecodeError, Message, Span, wsp};

/// Room a decode may need (the unpacked text of a GSM 7-bit SMS); reuse it across calls.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    sms: SmsText,
}

/// What a payload holds.
#[derive(Clone, Debug)]
pub struct Decoded<'a> {
    /// The channel it was decoded as.
    pub channel: Channel,
    /// How its text was carried.
    pub encoding: Encoding,
    /// For a WAP Push: the PDU around the CIR.
    pub wap_push: Option<wsp::Push<'a>>,
    /// The messages, malformed ones included (see [`Message::malformed`]). Their spans index the
    /// payload, except for GSM 7-bit text: map those with [`Decoded::payload_span`].
    pub messages: Vec<Message<'a>>,
    /// Why the payload (or, for TCP, its first undecodable line) is not a message.
    pub error: Option<DecodeError>,
    /// For GSM 7-bit text: the SMS, whose spans map back to the packed payload.
    sms: Option<sms::Sms<'a>>,
}

impl Decoded<'_> {
    /// The payload bytes that carry `span` of a message.
    pub fn payload_span(&self, span: Span) -> Span {
        self.sms.map_or(span, |s| s.payload_span(span))
    }
}

/// Decodes `payload` as `channel`.
///
/// ```
/// use wvcir::{Channel, Command, payload};
/// let mut scratch = payload::Scratch::default();
/// let d = payload::decode(Channel::Tcp, b"OK\r\nWVCI 1.2 abc\r\n", &mut scratch);
/// let commands: Vec<_> = d.messages.iter().map(|m| m.command).collect();
/// assert_eq!(commands, [Command::Ok, Command::Wvci]);
/// assert_eq!(d.messages[1].cookie.unwrap().span, wvcir::Span::new(13, 3));
/// ```
pub fn decode<'a>(channel: Channel, payload: &'a [u8], scratch: &'a mut Scratch) -> Decoded<'a> {
    let mut d =
        Decoded { channel, encoding: Encoding::Ascii, wap_push: None, messages: Vec::new(), error: None, sms: None };
    let one = |d: &mut Decoded<'a>, r: Result<Message<'a>, DecodeError>| match r {
        Ok(m) => d.messages.push(m),
        Err(e) => d.error = Some(e),
    };
    match channel {
        Channel::Udp => one(&mut d, crate::parse_cir(payload)),
        Channel::Sms => return decode_sms(payload, Coding::Unknown, scratch),
        Channel::WapPush => match wsp::decode_push(payload) {
            Ok(push) => {
                one(&mut d, push.cir);
                d.wap_push = Some(push);
            }
            Err(e) => d.error = Some(e),
        },
        Channel::Tcp => lines(payload, &mut d),
    }
    d
}

/// Decodes the user data (after its header) of an SMS addressed to the SMS CIR port, whose data
/// coding scheme says `coding` (an SMS transport such as SMPP tells it; a WDP datagram does not:
/// [`Coding::Unknown`]).
pub fn decode_sms<'a>(user_data: &'a [u8], coding: Coding, scratch: &'a mut Scratch) -> Decoded<'a> {
    let mut d = Decoded {
        channel: Channel::Sms,
        encoding: Encoding::Ascii,
        wap_push: None,
        messages: Vec::new(),
        error: None,
        sms: None,
    };
    match sms::decode_coded(user_data, coding, &mut scratch.sms) {
        Ok(s) => {
            d.encoding = s.encoding;
            d.messages.push(s.message);
            d.sms = Some(s);
        }
        Err(e) => d.error = Some(e),
    }
    d
}

/// Frames an in-order excerpt of the TCP channel and decodes each line, line end included.
fn lines<'a>(payload: &'a [u8], d: &mut Decoded<'a>) {
    let mut framer = LineFramer::default();
    // (start, length, too long): lines as offsets into the payload.
    let mut found: Vec<(usize, usize, bool)> = Vec::new();
    let mut on = |f: Frame<'_>| match f {
        Frame::Line { line: [], .. } => {} // a bare line end carries nothing
        Frame::Line { offset, line, line_end } => {
            found.push((offset as usize, line.len() + line_end.as_bytes().len(), false));
        }
        Frame::TooLong { offset, prefix } => found.push((offset as usize, prefix.len(), true)),
        Frame::Skipped { .. } => {} // only after a gap, and an excerpt has none
    };
    framer.push(payload, &mut on);
    framer.finish(&mut on);
    for (start, len, too_long) in found {
        let line = payload.get(start..start.saturating_add(len)).unwrap_or_default();
        match crate::parse_line(line) {
            Ok(mut m) => {
                if too_long {
                    // Decoded from its bounded prefix, as the engine does.
                    m.anomalies.add(crate::Anomaly::LineTooLong, Span::new(0, len));
                }
                d.messages.push(m.shifted(start));
            }
            Err(e) => d.error = d.error.or(Some(e.shifted(start))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_channel() {
        let mut s = Scratch::default();
        let udp = decode(Channel::Udp, b"WVCI 1.3 wv:nokia.1", &mut s);
        assert_eq!((udp.messages.len(), udp.error), (1, None));
        let push = decode(Channel::WapPush, b"\x00\x06\x03\xC6\xAF\x8AWVCI 1.2 x", &mut s);
        assert_eq!(push.messages[0].cookie.unwrap().span, Span::new(15, 1));
        assert!(push.wap_push.is_some());
        let packed = crate::encode::gsm7(b"WVCI 1.2 12345").unwrap();
        let sms = decode(Channel::Sms, &packed, &mut s);
        assert_eq!(sms.encoding, Encoding::Gsm7);
        let cookie = sms.messages[0].cookie.unwrap().span;
        assert_eq!(sms.payload_span(cookie), Span::new(7, 6));
        // A cookie with brackets: each is ESC and a code, two septets, one byte of text.
        let packed = crate::encode::gsm7(b"WVCI 1.2 wv:[7]").unwrap();
        let sms = decode(Channel::Sms, &packed, &mut s);
        let cookie = sms.messages[0].cookie.unwrap();
        assert_eq!(cookie.bytes, b"wv:[7]");
        assert_eq!(sms.payload_span(cookie.span), Span::new(7, 8), "septets 9..17 of 17");
        let not = decode(Channel::Udp, b"GET / HTTP/1.1", &mut s);
        assert_eq!(not.error.map(|e| e.kind), Some(ErrorKind::NotCir));
    }

    #[test]
    fn a_tcp_excerpt_is_lines_with_the_first_error_kept() {
        let mut s = Scratch::default();
        let d = decode(Channel::Tcp, b"OK\r\n\r\nbogus\r\nWVCI 1.2 abc\r\nHELO", &mut s);
        let commands: Vec<_> = d.messages.iter().map(|m| m.command.as_str()).collect();
        assert_eq!(commands, ["OK", "WVCI", "HELO"], "blank lines carry nothing; the last line has no end");
        assert_eq!(d.error.map(|e| (e.kind, e.offset)), Some((ErrorKind::UnknownCommand, 6)));
        assert!(d.messages[2].malformed.is_some(), "HELO without a session id");
    }
}
