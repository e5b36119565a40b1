//! What a payload on a CIR port really is, when it is not CIR.
//!
//! Traffic on 3716/3717 is almost never Wireless Village: a custom application, a dev server,
//! internal tooling, or malware on a registered-but-dead port. The classifier recognises common
//! protocols by their first bytes and, for everything else, measures the bytes: Shannon entropy
//! near 8 bits/byte with few printable bytes is what encrypted or compressed beacons look like.

use crate::{Detected, Transport, detect};
use core::fmt;

/// What a payload looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    /// This protocol.
    Cir(Detected),
    /// A TLS (or SSL 3.0) record.
    Tls {
        /// Record content type: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data.
        content_type: u8,
        /// Record version, e.g. 0x0303.
        version: u16,
    },
    /// An HTTP/1.x request line.
    HttpRequest,
    /// An HTTP/1.x status line.
    HttpResponse,
    /// An SSH identification banner (`SSH-2.0-...`).
    Ssh,
    /// A DNS message (with the 2-byte length prefix on TCP).
    Dns,
    /// An SMPP PDU (on TCP): an SMSC link, which may carry SMS CIRs.
    Smpp,
    /// Mostly printable text of no known protocol.
    Text,
    /// Binary data of no known protocol.
    Binary,
    /// No payload.
    Empty,
}

impl PayloadKind {
    /// A stable short name: `cir`, `tls`, `http-request`, `http-response`, `ssh`, `dns`, `smpp`,
    /// `text`, `binary`, `empty`.
    pub const fn name(self) -> &'static str {
        match self {
            PayloadKind::Cir(_) => "cir",
            PayloadKind::Tls { .. } => "tls",
            PayloadKind::HttpRequest => "http-request",
            PayloadKind::HttpResponse => "http-response",
            PayloadKind::Ssh => "ssh",
            PayloadKind::Dns => "dns",
            PayloadKind::Smpp => "smpp",
            PayloadKind::Text => "text",
            PayloadKind::Binary => "binary",
            PayloadKind::Empty => "empty",
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A payload's kind and byte statistics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Classification {
    /// What it looks like.
    pub kind: PayloadKind,
    /// Shannon entropy of the bytes, 0 to 8 bits per byte. Short payloads cannot reach 8: a
    /// payload of n distinct bytes has at most log2(n).
    pub entropy: f64,
    /// Share of bytes that are printable ASCII or TAB/CR/LF, 0 to 1.
    pub printable_ratio: f64,
}

/// Share of printable bytes above which an unknown payload counts as text.
pub const TEXT_PRINTABLE_RATIO: f64 = 0.95;

/// Classifies one payload (a datagram, or the first bytes of one direction of a TCP stream).
///
/// ```
/// use wvcir::{classify, PayloadKind, Transport};
/// assert_eq!(classify(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Transport::Tcp).kind, PayloadKind::HttpRequest);
/// assert_eq!(classify(b"SSH-2.0-OpenSSH_9.2p1\r\n", Transport::Tcp).kind, PayloadKind::Ssh);
/// ```
pub fn classify(payload: &[u8], transport: Transport) -> Classification {
    let (entropy, printable_ratio) = byte_stats(payload);
    let kind = if payload.is_empty() {
        PayloadKind::Empty
    } else if let Some(d) = detect(payload) {
        PayloadKind::Cir(d)
    } else if let Some(kind) = tls(payload) {
        kind
    } else if payload.starts_with(b"SSH-2.0-") || payload.starts_with(b"SSH-1.") {
        PayloadKind::Ssh
    } else if payload.starts_with(b"HTTP/1.") || payload.starts_with(b"HTTP/2 ") {
        PayloadKind::HttpResponse
    } else if is_http_request(payload) {
        PayloadKind::HttpRequest
    } else if transport == Transport::Tcp && crate::smpp::looks_like_smpp(payload) {
        PayloadKind::Smpp
    } else if is_dns(payload, transport) {
        PayloadKind::Dns
    } else if printable_ratio >= TEXT_PRINTABLE_RATIO {
        PayloadKind::Text
    } else {
        PayloadKind::Binary
    };
    Classification { kind, entropy, printable_ratio }
}

/// Shannon entropy (bits per byte) and printable share of `bytes`.
pub fn byte_stats(bytes: &[u8]) -> (f64, f64) {
    if bytes.is_empty() {
        return (0.0, 0.0);
    }
    let mut counts = [0u32; 256];
    let mut printable = 0usize;
    for &b in bytes {
        #[allow(clippy::indexing_slicing)] // a u8 always indexes a 256-entry table
        {
            counts[usize::from(b)] += 1;
        }
        printable += usize::from(matches!(b, 0x20..=0x7E | b'\t' | b'\r' | b'\n'));
    }
    let n = bytes.len() as f64;
    let entropy = counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum::<f64>();
    (entropy.max(0.0), printable as f64 / n)
}

fn tls(p: &[u8]) -> Option<PayloadKind> {
    let [content_type @ 20..=23, 3, minor @ 0..=4, hi, lo, ..] = *p else { return None };
    // A record holds at most 2^14 bytes plus 2048 of expansion.
    (u16::from_be_bytes([hi, lo]) <= 16384 + 2048)
        .then_some(PayloadKind::Tls { content_type, version: u16::from_be_bytes([3, minor]) })
}

const HTTP_METHODS: [&[u8]; 9] =
    [b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"CONNECT ", b"PATCH ", b"TRACE "];

fn is_http_request(p: &[u8]) -> bool {
    let line_end = p.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(p.len());
    let line = p.get(..line_end).unwrap_or_default();
    HTTP_METHODS.iter().any(|m| line.starts_with(m)) && line.windows(7).any(|w| w == b" HTTP/1" || w == b" HTTP/2")
}

/// A DNS header whose counts are sane and whose first question name parses.
fn is_dns(p: &[u8], transport: Transport) -> bool {
    dns_question(p, transport).is_some()
}

/// The first question of a DNS message (what names a DNS exchange on a CIR port).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsQuestion<'a> {
    /// The name in wire format: length-prefixed labels, without the root label (a first
    /// question never needs compression, and one that uses it is not taken for DNS).
    pub labels: &'a [u8],
    /// QTYPE (1 A, 28 AAAA, ...).
    pub qtype: u16,
}

impl<'a> DnsQuestion<'a> {
    /// The labels, in order.
    pub fn labels(&self) -> impl Iterator<Item = &'a [u8]> {
        let mut rest = self.labels;
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (label, after) = tail.split_at_checked(usize::from(len))?;
            rest = after;
            Some(label)
        })
    }
}

/// The first question of a DNS message whose header counts are sane: labels of 1-63 bytes, at
/// most 255 in all, a root label, QTYPE and a known QCLASS. On TCP, after the 2-byte length.
pub fn dns_question(p: &[u8], transport: Transport) -> Option<DnsQuestion<'_>> {
    let msg = match transport {
        Transport::Udp => p,
        Transport::Tcp => match p {
            [hi, lo, rest @ ..] if usize::from(u16::from_be_bytes([*hi, *lo])) >= rest.len().min(12) => rest,
            _ => return None,
        },
    };
    let header = msg.get(..12)?;
    let count =
        |i: usize| u16::from_be_bytes([header.get(i).copied().unwrap_or(0), header.get(i + 1).copied().unwrap_or(0)]);
    let flags = count(2);
    let opcode = (flags >> 11) & 0xF;
    let (qd, an, ns, ar) = (count(4), count(6), count(8), count(10));
    if opcode > 6 || qd == 0 || qd > 4 || an > 256 || ns > 256 || ar > 256 || flags & 0x0040 != 0 {
        return None;
    }
    let mut i = 12;
    let mut name_len = 0;
    loop {
        let &len = msg.get(i)?;
        if len == 0 {
            break;
        }
        if len > 63 || name_len + usize::from(len) + 1 > 255 {
            return None;
        }
        name_len += usize::from(len) + 1;
        i += usize::from(len) + 1;
    }
    let field = |at: usize| Some(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]));
    let (qtype, qclass) = (field(i + 1)?, field(i + 3)?);
    matches!(qclass, 1 | 3 | 4 | 255 | 0x8001).then_some(DnsQuestion { labels: msg.get(12..i)?, qtype })
}

#[cfg(test)]
mod dns_tests {
    use super::*;

    #[test]
    fn the_first_question_its_labels_and_what_is_not_one() {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x04wpad\x05local\x00\x00\x01\x00\x01");
        let d = dns_question(&q, Transport::Udp).unwrap();
        assert_eq!((d.labels().collect::<Vec<_>>(), d.qtype), (vec![&b"wpad"[..], b"local"], 1));
        let mut tcp = vec![0, q.len() as u8];
        tcp.extend_from_slice(&q);
        assert_eq!(dns_question(&tcp, Transport::Tcp), Some(d));
        let compressed = [&q[..12], b"\xC0\x0C\x00\x01\x00\x01"].concat();
        assert_eq!(dns_question(&compressed, Transport::Udp), None, "a first question never needs a pointer");
        assert_eq!(dns_question(&q[..q.len() - 1], Transport::Udp), None, "QCLASS cut short");
    }
}
