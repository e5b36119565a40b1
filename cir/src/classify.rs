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
    /// Mostly printable text of no known protocol.
    Text,
    /// Binary data of no known protocol.
    Binary,
    /// No payload.
    Empty,
}

impl PayloadKind {
    /// A stable short name: `cir`, `tls`, `http-request`, `http-response`, `ssh`, `dns`, `text`,
    /// `binary`, `empty`.
    pub const fn name(self) -> &'static str {
        match self {
            PayloadKind::Cir(_) => "cir",
            PayloadKind::Tls { .. } => "tls",
            PayloadKind::HttpRequest => "http-request",
            PayloadKind::HttpResponse => "http-response",
            PayloadKind::Ssh => "ssh",
            PayloadKind::Dns => "dns",
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
    let msg = match transport {
        Transport::Udp => p,
        Transport::Tcp => match p {
            [hi, lo, rest @ ..] if usize::from(u16::from_be_bytes([*hi, *lo])) >= rest.len().min(12) => rest,
            _ => return false,
        },
    };
    let Some(header) = msg.get(..12) else { return false };
    let count =
        |i: usize| u16::from_be_bytes([header.get(i).copied().unwrap_or(0), header.get(i + 1).copied().unwrap_or(0)]);
    let flags = count(2);
    let opcode = (flags >> 11) & 0xF;
    let (qd, an, ns, ar) = (count(4), count(6), count(8), count(10));
    if opcode > 6 || qd == 0 || qd > 4 || an > 256 || ns > 256 || ar > 256 || flags & 0x0040 != 0 {
        return false;
    }
    // The first question: labels of 1-63 bytes, at most 255 in all, a root label, QTYPE and QCLASS.
    let mut i = 12;
    let mut name_len = 0;
    loop {
        let Some(&len) = msg.get(i) else { return false };
        if len == 0 {
            break;
        }
        if len > 63 || name_len + usize::from(len) + 1 > 255 {
            return false;
        }
        name_len += usize::from(len) + 1;
        i += usize::from(len) + 1;
    }
    let qclass = u16::from_be_bytes([msg.get(i + 3).copied().unwrap_or(0), msg.get(i + 4).copied().unwrap_or(0)]);
    msg.len() >= i + 5 && matches!(qclass, 1 | 3 | 4 | 255 | 0x8001)
}
