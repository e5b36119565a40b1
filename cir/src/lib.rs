//! # wvcir: the Wireless Village CSP CIR protocol, decoded
//!
//! Wireless Village (2001), later OMA IMPS 1.x, was a mobile instant-messaging protocol. A client
//! that is not polling learns that the server has something for it through a **CIR**, a
//! Communication Initiation Request: a tiny text line from server to client meaning "contact me
//! now". The CIR carries no payload; the client answers by polling on its normal data channel.
//!
//! This crate decodes every channel a CIR travels on, borrowing from the input (no allocation on
//! the UDP path), giving every value its byte [`Span`], and reporting what real clients would
//! reject as [`Anomaly`] names or [`DecodeError`]s. It does no I/O and knows nothing of Wireshark
//! or JSON: the plugin and the analyzer build on it.
//!
//! ## The CIR line (every channel)
//!
//! ```text
//! cir      = "WVCI" SP version SP cookie [eol]
//! version  = 1*DIGIT "." 1*DIGIT        ; CSP version: 1.1, 1.2, 1.3 (1.0 plausible)
//! cookie   = 1*VCHAR                    ; the client's SessionCookie, printable ASCII, no space
//! eol      = CRLF / LF / CR             ; optional on UDP and SMS
//! ```
//!
//! ```
//! let m = wvcir::decode_cir(b"WVCI 1.3 wv:nokia.1804289383").unwrap();
//! assert_eq!(m.version.unwrap().text.bytes, b"1.3");
//! assert_eq!(m.cookie.unwrap().span, wvcir::Span::new(9, 19));
//! ```
//!
//! What real clients accept decides what is an anomaly (still decoded) and what is an error:
//!
//! | input | result |
//! |---|---|
//! | `wvci 1.2 c` | decoded, [`Anomaly::KeywordCase`] |
//! | `WVCI 2.0 c` | decoded, [`Anomaly::UnknownVersion`] |
//! | `WVCI 1.2 c x` | decoded, [`Anomaly::ExtraFields`] |
//! | `WVCI 1.2  c`, tab | decoded, [`Anomaly::BadSeparator`] |
//! | a control byte before the line end | decoded, [`Anomaly::NonPrintable`] |
//! | a datagram over 512 bytes | decoded, [`Anomaly::Oversize`] |
//! | `WVCI 1.2 c\r\nmore` | decoded, [`Anomaly::TrailingData`] |
//! | `WVCI` | error `missing-version` |
//! | `WVCI 1.2` | error `missing-cookie` |
//! | anything not starting with `WVCI` | error `not-cir` |
//!
//! ```
//! use wvcir::{decode_cir, Anomaly, Span};
//! let m = decode_cir(b"wvci 1.2  abc").unwrap();
//! assert_eq!(m.anomalies.span(Anomaly::KeywordCase), Some(Span::new(0, 4)));
//! assert_eq!(m.anomalies.span(Anomaly::BadSeparator), Some(Span::new(8, 2)));
//! ```
//!
//! ## Channels
//!
//! | channel | module | transport |
//! |---|---|---|
//! | UDP/IP CIR (`SUDP`) | [`decode_cir`] | one UDP datagram to port 3717 |
//! | TCP CIR channel (`STCP`) | [`tcp`] (over [`decode_line`], [`framer`], [`pairing`]) | a line protocol on TCP 3717: HELO, OK, PING, WVCI |
//! | SMS CIR (`SSMS`) | [`sms`] | WDP port 3716: ASCII or GSM 7-bit packed text |
//! | WAP Push CIR | [`wsp`] | a WSP Push PDU on WDP port 2948 |
//!
//! The TCP channel, as the Android and Symbian clients speak it:
//!
//! ```text
//! C->S  "HELO" SP session-id eol        ; session-id from the Login-Response
//! S->C  "OK" eol                        ; accepts the HELO
//! C->S  "PING" [SP] eol                 ; keep-alive
//! S->C  "OK" eol                        ; answers the PING
//! S->C  cir eol                         ; a CIR, at any time
//! ```
//!
//! ```
//! use wvcir::framer::{Frame, LineFramer};
//! let mut framer = LineFramer::default();
//! let mut lines = Vec::new();
//! for segment in [&b"OK\r\nWV"[..], b"CI 1.2 abc\r", b"\n"] {
//!     framer.push(segment, |f| if let Frame::Line { offset, line, .. } = f {
//!         lines.push((offset, wvcir::decode_line(line).unwrap().command));
//!     });
//! }
//! assert_eq!(lines, [(0, wvcir::Command::Ok), (4, wvcir::Command::Wvci)]);
//! ```
//!
//! ## Not CIR
//!
//! Traffic on ports 3716/3717 is usually something else. [`detect`] says cheaply whether bytes
//! look like CIR on any port; [`classify`] says what a payload is when it is not (TLS, HTTP, SSH,
//! DNS, text, or binary with its entropy).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

mod anomaly;
mod channel;
mod classify;
pub mod clients;
pub mod der;
pub mod encode;
pub mod framer;
pub mod gsm7;
pub mod http;
mod message;
pub mod pairing;
pub mod payload;
pub mod smpp;
pub mod sms;
mod span;
pub mod ssh;
pub mod tcp;
pub mod tls;
pub mod tpdu;
pub mod udh;
pub mod wsp;

pub use anomaly::{Anomalies, Anomaly, DecodeError, ErrorKind};
pub use channel::{
    Channel, Detected, PORT_SMS_CIR, PORT_UDP_CIR, PORT_WAP_PUSH, PortMap, PortRange, Transport, detect,
    parse_port_ranges,
};
pub use classify::{
    Classification, DnsQuestion, PayloadKind, TEXT_PRINTABLE_RATIO, byte_stats, classify, dns_question,
};
pub use message::{Command, LineEnd, Message, Version, decode_cir, decode_line, parse_cir, parse_line};
pub use span::{Escaped, Field, Span};

/// The largest CIR datagram a Symbian client receives whole (its receive buffer); longer ones
/// carry [`Anomaly::Oversize`].
pub const MAX_CIR_DATAGRAM: usize = 512;

/// CSP versions a count by version names (the analyzer's `summary.by_version`, the plugin's stats
/// tree); the CIRs of the others are counted under [`OTHER_VERSIONS`]. CSP has four versions: a
/// flood of made-up ones must not grow a table without bound (Wireshark's stats tree slows down
/// quadratically with a node's children).
pub const MAX_VERSION_NAMES: usize = 256;

/// The name the CIRs of versions past [`MAX_VERSION_NAMES`] are counted under (no version is named
/// so: a version is digits, a dot, digits).
pub const OTHER_VERSIONS: &str = "other";
