//! `wvcir decode`: one payload in, its messages as JSON out.

use crate::render;
use serde_json::{Value, json};
use wvcir::clients::{Carrier, TcpRead, verdicts};
use wvcir::payload::{self, Scratch};
use wvcir::{Channel, DecodeError, Detected, Span, detect};

/// Parses hex text: pairs of hex digits, with any whitespace, `:` or `-` between bytes and an
/// optional `0x` prefix. The error names the offending character's position.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let text = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || c == ':' || c == '-' {
            if high.is_some() {
                return Err(format!("hex digit pair split by a separator at character {i}"));
            }
            continue;
        }
        let d = c.to_digit(16).ok_or_else(|| format!("not a hex digit at character {i}"))? as u8;
        match high.take() {
            Some(h) => out.push(h << 4 | d),
            None => high = Some(d),
        }
    }
    if high.is_some() {
        return Err("odd number of hex digits".to_owned());
    }
    Ok(out)
}

/// The channel to decode a payload as: the caller's choice, else what [`detect`] sees, else the
/// TCP line grammar (a lone HELO, OK or PING is not detected on purpose: SMTP says HELO too).
pub fn guess_channel(payload: &[u8]) -> Channel {
    match detect(payload) {
        Some(Detected::WapPush) => Channel::WapPush,
        Some(Detected::CirGsm7) => Channel::Sms,
        Some(Detected::CirText) if !has_inner_line_end(payload) => Channel::Udp,
        _ => Channel::Tcp,
    }
}

/// Whether a line end is followed by more bytes: a TCP stream excerpt rather than one datagram.
fn has_inner_line_end(p: &[u8]) -> bool {
    let trimmed =
        p.strip_suffix(b"\r\n").or_else(|| p.strip_suffix(b"\n")).or_else(|| p.strip_suffix(b"\r")).unwrap_or(p);
    trimmed.iter().any(|&b| b == b'\r' || b == b'\n')
}

fn error(e: DecodeError) -> Value {
    json!({"kind": e.kind.name(), "offset": e.offset, "message": e.detail})
}

/// Decodes `payload` as `channel` (the core's one payload decoder):
/// `{"channel", "encoding", "messages": [...], "error"}`. Returns the document and whether
/// anything decoded.
pub fn decode(payload: &[u8], channel: Channel) -> (Value, bool) {
    let mut scratch = Scratch::default();
    let d = payload::decode(channel, payload, &mut scratch);
    let map = |span: Span| d.payload_span(span);
    let messages: Vec<Value> = d
        .messages
        .iter()
        .map(|m| {
            // A pasted TCP excerpt reads as one segment: only its first line starts it.
            let carrier = match crate::messages::datagram_carrier(channel, d.encoding) {
                Carrier::Tcp(read) => Carrier::Tcp(TcpRead { starts_segment: m.span.offset == 0, ..read }),
                other => other,
            };
            render::message(m, verdicts(carrier, m), &map)
        })
        .collect();
    let mut doc = json!({
        "channel": channel.name(),
        "encoding": d.encoding.name(),
        "bytes": payload.len(),
        "messages": messages,
        "error": d.error.map_or(Value::Null, error),
    });
    if let (Some(p), Some(obj)) = (&d.wap_push, doc.as_object_mut()) {
        let code = |c: Option<u32>| Value::from(c.map_or(String::new(), |c| format!("0x{c:02x}")));
        let push = json!({
            "tid": p.tid,
            "content_type": p.content_type.text.map_or_else(|| code(p.content_type.code), |t| render::text(t.bytes)),
            "app_id": p.app_id.map_or(Value::Null, |a| a.text.map_or_else(|| code(a.code), |t| render::text(t.bytes))),
            "body": render::span(p.body.span, &|s| s),
        });
        obj.insert("wap_push".to_owned(), push);
    }
    (doc, !d.messages.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(parse_hex("57 56:43-49").unwrap(), b"WVCI");
        assert_eq!(parse_hex("0x4f4b").unwrap(), b"OK");
        assert!(parse_hex("4").unwrap_err().contains("odd"));
        assert!(parse_hex("zz").unwrap_err().contains("character 0"));
    }

    #[test]
    fn guesses() {
        assert_eq!(guess_channel(b"WVCI 1.2 a\r\n"), Channel::Udp);
        assert_eq!(guess_channel(b"OK\r\nWVCI 1.2 a\r\n"), Channel::Tcp);
        assert_eq!(guess_channel(b"HELO x\r\n"), Channel::Tcp);
        assert_eq!(guess_channel(&[0, 6, 1, 0xC6, b'W']), Channel::WapPush);
    }

    #[test]
    fn tcp_excerpt_spans_are_stream_offsets() {
        let (doc, ok) = decode(b"OK\r\nWVCI 1.2 abc\r\n", Channel::Tcp);
        assert!(ok);
        assert_eq!(doc["messages"][1]["spans"]["cookie"], json!({"offset": 13, "len": 3}));
        assert_eq!(doc["messages"][1]["line_end"], "crlf");
    }
}
