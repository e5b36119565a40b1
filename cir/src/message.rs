//! The text grammar every channel carries: the CIR line and the TCP channel's lines.
//!
//! ```text
//! cir      = "WVCI" SP version SP cookie [eol]
//! helo     = "HELO" SP session-id [eol]          ; TCP, client to server
//! ok       = "OK" [eol]                          ; TCP, server to client
//! ping     = "PING" [SP] [eol]                   ; TCP, client to server
//! version  = 1*DIGIT "." 1*DIGIT
//! cookie   = 1*VCHAR ; session-id = 1*VCHAR      ; printable ASCII 0x21-0x7E
//! eol      = CRLF / LF / CR
//! ```
//!
//! One tokenizer serves all four commands. The decoder is liberal where real clients are (see the
//! acceptance table in `docs/protocol.md`): it decodes what a client might still act on and
//! records an [`Anomaly`] with the bytes at fault, and it refuses, with a [`DecodeError`] naming
//! the byte, only what no client could act on.

use crate::{Anomalies, Anomaly, DecodeError, ErrorKind, Field, MAX_CIR_DATAGRAM, Span};
use core::fmt;

/// The command of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    /// A Communication Initiation Request: "contact me now".
    Wvci,
    /// The TCP client's greeting, carrying its SessionID.
    Helo,
    /// The TCP server's answer to HELO or PING.
    Ok,
    /// The TCP client's keep-alive.
    Ping,
}

impl Command {
    /// The keyword as it stands on the wire (`WVCI`, `HELO`, `OK`, `PING`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Command::Wvci => "WVCI",
            Command::Helo => "HELO",
            Command::Ok => "OK",
            Command::Ping => "PING",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a line ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineEnd {
    /// No line end: the input stopped (allowed on UDP and SMS).
    #[default]
    None,
    /// `\n`
    Lf,
    /// `\r`
    Cr,
    /// `\r\n`, what the clients send.
    CrLf,
}

impl LineEnd {
    /// The bytes of this line end.
    pub const fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnd::None => b"",
            LineEnd::Lf => b"\n",
            LineEnd::Cr => b"\r",
            LineEnd::CrLf => b"\r\n",
        }
    }

    /// A short name: `none`, `lf`, `cr`, `crlf`.
    pub const fn name(self) -> &'static str {
        match self {
            LineEnd::None => "none",
            LineEnd::Lf => "lf",
            LineEnd::Cr => "cr",
            LineEnd::CrLf => "crlf",
        }
    }

    /// The line end that starts `rest`, if any.
    pub(crate) fn at(rest: &[u8]) -> LineEnd {
        match rest {
            [b'\r', b'\n', ..] => LineEnd::CrLf,
            [b'\r', ..] => LineEnd::Cr,
            [b'\n', ..] => LineEnd::Lf,
            _ => LineEnd::None,
        }
    }
}

/// A CSP version as written (`1.3`) and, when it is `digits.digits`, as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Version<'a> {
    /// The text of the version field.
    pub text: Field<'a>,
    /// `(major, minor)` when the text is `digits.digits` and each fits in a `u16`.
    pub number: Option<(u16, u16)>,
}

impl Version<'_> {
    /// Whether this is a CSP version that was published: 1.0 to 1.3.
    pub fn is_known(&self) -> bool {
        matches!(self.number, Some((1, 0..=3)))
    }

    fn parse(text: Field<'_>) -> Version<'_> {
        fn num(d: &[u8]) -> Option<u16> {
            if d.is_empty() || d.len() > 5 || !d.iter().all(u8::is_ascii_digit) {
                return None;
            }
            d.iter().try_fold(0u16, |n, &c| n.checked_mul(10)?.checked_add(u16::from(c - b'0')))
        }
        let mut parts = text.bytes.splitn(2, |&b| b == b'.');
        let number = match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) => num(major).zip(num(minor)),
            _ => None,
        };
        Version { text, number }
    }
}

/// One decoded line of any channel, borrowed from the input.
///
/// Which fields are set depends on the command: `version` and `cookie` for WVCI, `session_id` for
/// HELO, neither for OK and PING. A message that is recognisable but malformed (`WVCI 1.2` with no
/// cookie) is still returned by the lenient [`parse_cir`]/[`parse_line`] with
/// [`malformed`](Self::malformed) set, so tools can show what is there; the strict
/// [`decode_cir`]/[`decode_line`] turn that into an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// The command.
    pub command: Command,
    /// The keyword bytes as sent (may differ in case from [`Command::as_str`]).
    pub keyword: Field<'a>,
    /// WVCI: the CSP version.
    pub version: Option<Version<'a>>,
    /// WVCI: the SessionCookie the client chose at login.
    pub cookie: Option<Field<'a>>,
    /// HELO: the SessionID from the Login-Response.
    pub session_id: Option<Field<'a>>,
    /// Fields past the last one the command takes, from the first to the last of them.
    pub extra: Option<Field<'a>>,
    /// How the line ended, and where.
    pub line_end: LineEnd,
    /// The span of the line end (empty when there is none).
    pub eol: Span,
    /// The whole message: keyword to line end, without trailing data.
    pub span: Span,
    /// What a real client would reject or mishandle.
    pub anomalies: Anomalies,
    /// Set when the message cannot be acted on: why, and at which byte.
    pub malformed: Option<DecodeError>,
}

impl Message<'_> {
    /// The same message with every span moved `by` bytes later (for a line inside a stream or a
    /// body inside a PDU).
    #[must_use]
    pub fn shifted(mut self, by: usize) -> Self {
        let shift = |f: &mut Field<'_>| f.span = f.span.shifted(by);
        shift(&mut self.keyword);
        if let Some(v) = self.version.as_mut() {
            shift(&mut v.text);
        }
        self.cookie.as_mut().map(shift);
        self.session_id.as_mut().map(shift);
        self.extra.as_mut().map(shift);
        self.eol = self.eol.shifted(by);
        self.span = self.span.shifted(by);
        self.anomalies = self.anomalies.shifted(by);
        self.malformed = self.malformed.map(|e| e.shifted(by));
        self
    }
}

/// Decodes a CIR (`WVCI version cookie [eol]`): a UDP datagram, an SMS text, a WAP Push body.
///
/// ```
/// let m = wvcir::decode_cir(b"WVCI 1.3 wv:nokia.1804289383").unwrap();
/// assert_eq!(m.cookie.unwrap().bytes, b"wv:nokia.1804289383");
/// assert_eq!(m.version.unwrap().number, Some((1, 3)));
/// assert!(m.anomalies.is_empty());
///
/// let err = wvcir::decode_cir(b"WVCI 1.2").unwrap_err();
/// assert_eq!((err.kind.name(), err.offset), ("missing-cookie", 8));
/// ```
pub fn decode_cir(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    strict(parse_cir(input))
}

/// Decodes one TCP channel line (HELO, OK, PING or WVCI), with or without its line end.
///
/// ```
/// let m = wvcir::decode_line(b"HELO 3a9f0c1e\r\n").unwrap();
/// assert_eq!(m.command, wvcir::Command::Helo);
/// assert_eq!(m.session_id.unwrap().bytes, b"3a9f0c1e");
/// ```
pub fn decode_line(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    strict(parse_line(input))
}

fn strict(parsed: Result<Message<'_>, DecodeError>) -> Result<Message<'_>, DecodeError> {
    let m = parsed?;
    m.malformed.map_or(Ok(m), Err)
}

/// Like [`decode_cir`], but a recognisable malformed CIR comes back as a message with
/// [`Message::malformed`] set. `Err` means the bytes are not a CIR at all.
pub fn parse_cir(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    parse(input, false)
}

/// Like [`decode_line`], but a recognisable malformed line comes back as a message with
/// [`Message::malformed`] set. `Err` means no command was recognised.
pub fn parse_line(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    parse(input, true)
}

/// A byte a field is made of: printable ASCII but space (VCHAR, 0x21-0x7E). Anything else between
/// fields is a separator, as the clients read them (docs/protocol.md, section 3): the cookie ends
/// at the first byte that is not a VCHAR.
const fn is_vchar(b: u8) -> bool {
    matches!(b, 0x21..=0x7E)
}

/// The command a line starts with. WVCI is matched on its first four bytes alone, as the clients
/// do (`startsWith("WVCI")`); the TCP commands must be a whole field, so `HELOX` is not HELO.
fn command_at(content: &[u8], tcp: bool) -> Option<(Command, usize)> {
    if content.get(..4).is_some_and(|k| k.eq_ignore_ascii_case(b"WVCI")) {
        return Some((Command::Wvci, 4));
    }
    if !tcp {
        return None;
    }
    let word_len = content.iter().position(|&b| !is_vchar(b)).unwrap_or(content.len());
    let word = content.get(..word_len)?;
    [Command::Helo, Command::Ok, Command::Ping]
        .into_iter()
        .find(|c| word.eq_ignore_ascii_case(c.as_str().as_bytes()))
        .map(|c| (c, word_len))
}

/// The fields after the keyword, without allocating: the first two, and the extent of the rest.
#[derive(Default)]
struct Fields {
    count: usize,
    first: Option<Span>,
    second: Option<Span>,
    rest: Option<Span>,
    /// Separator bytes after the last field (Android's `PING \r\n` has one space there).
    trailing: Option<Span>,
}

impl Fields {
    fn push(&mut self, span: Span) {
        match self.count {
            0 => self.first = Some(span),
            1 => self.second = Some(span),
            _ => self.rest = Some(self.rest.map_or(span, |r| r.cover(span))),
        }
        self.count += 1;
    }
}

/// Splits `content[start..]` into fields (maximal runs of VCHAR), recording separator and
/// printability anomalies.
fn tokenize(content: &[u8], start: usize, anomalies: &mut Anomalies) -> Fields {
    let mut fields = Fields::default();
    let mut i = start;
    // The keyword must be followed by a separator; `WVCI1.2` glues the version to it.
    if content.get(i).is_some_and(|&b| is_vchar(b)) {
        anomalies.add(Anomaly::BadSeparator, Span::new(i, 1));
    }
    while i < content.len() {
        let rest = content.get(i..).unwrap_or_default();
        let sep_len = rest.iter().take_while(|&&b| !is_vchar(b)).count();
        if sep_len > 0 {
            // Exactly one space between fields, and as the last byte (judged by the caller).
            if i + sep_len >= content.len() {
                fields.trailing = Some(Span::new(i, sep_len));
            } else if rest.get(..sep_len) != Some(b" ") {
                anomalies.add(Anomaly::BadSeparator, Span::new(i, sep_len));
            }
            i += sep_len;
            continue;
        }
        let len = rest.iter().take_while(|&&b| is_vchar(b)).count();
        fields.push(Span::new(i, len));
        i += len;
    }
    for (pos, b) in content.iter().enumerate() {
        if !(0x20..=0x7E).contains(b) {
            anomalies.widen(Anomaly::NonPrintable, Span::new(pos, 1));
        }
    }
    fields
}

fn parse(input: &[u8], tcp: bool) -> Result<Message<'_>, DecodeError> {
    let content_len = input.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(input.len());
    let content = input.get(..content_len).unwrap_or_default();
    let Some((command, kw_len)) = command_at(content, tcp) else {
        return Err(if tcp && !content.is_empty() {
            DecodeError::new(ErrorKind::UnknownCommand, 0, "line is none of HELO, OK, PING, WVCI")
        } else {
            DecodeError::new(ErrorKind::NotCir, 0, "input does not start with the keyword WVCI")
        });
    };

    let mut anomalies = Anomalies::default();
    let keyword = Field::slice(input, 0, kw_len);
    if keyword.bytes != command.as_str().as_bytes() {
        anomalies.add(Anomaly::KeywordCase, keyword.span);
    }

    let line_end = LineEnd::at(input.get(content_len..).unwrap_or_default());
    let eol = Span::new(content_len, line_end.as_bytes().len());
    if eol.end() < input.len() {
        anomalies.add(Anomaly::TrailingData, Span::new(eol.end(), input.len() - eol.end()));
    }
    // Symbian's 512-byte buffer is a datagram's bound; a TCP line has its own (line-too-long).
    if !tcp && input.len() > MAX_CIR_DATAGRAM {
        anomalies.add(Anomaly::Oversize, Span::new(MAX_CIR_DATAGRAM, input.len() - MAX_CIR_DATAGRAM));
    }

    let fields = tokenize(content, kw_len, &mut anomalies);
    let field = |s: Option<Span>| s.map(|s| Field::slice(input, s.offset, s.end()));
    let mut message = Message {
        command,
        keyword,
        version: None,
        cookie: None,
        session_id: None,
        extra: None,
        line_end,
        eol,
        span: Span::new(0, eol.end()),
        anomalies,
        malformed: None,
    };
    let missing = |kind, detail| Some(DecodeError::new(kind, content_len, detail));
    // A trailing separator: one space is what Android's `PING ` has; an OK with one is not an OK to
    // Android (it compares the whole line), and anything but one space is flagged anywhere.
    if let Some(t) = fields.trailing
        && (command == Command::Ok || input.get(t.offset..t.end()) != Some(b" "))
    {
        message.anomalies.add(Anomaly::BadSeparator, t);
    }
    match command {
        Command::Wvci => {
            let first = field(fields.first).map(Version::parse);
            match (first, field(fields.second)) {
                (None, _) => {
                    message.malformed = missing(ErrorKind::MissingCookie, "WVCI is not followed by a cookie");
                }
                // A lone field that is not a version is the cookie with the version left out:
                // every client acts on it.
                (Some(v), None) if v.number.is_none() => {
                    message.cookie = Some(v.text);
                    message.anomalies.add(Anomaly::MissingVersion, Span::new(v.text.span.offset, 0));
                }
                (Some(v), cookie) => {
                    message.version = Some(v);
                    message.cookie = cookie;
                    if cookie.is_none() {
                        message.malformed =
                            missing(ErrorKind::MissingCookie, "WVCI version is not followed by a cookie");
                    }
                    if !v.is_known() {
                        message.anomalies.add(Anomaly::UnknownVersion, v.text.span);
                    }
                }
            }
            message.extra = field(fields.rest);
        }
        Command::Helo => {
            message.session_id = field(fields.first);
            if message.session_id.is_none() {
                message.malformed = missing(ErrorKind::MissingSessionId, "HELO is not followed by a session id");
            }
            message.extra = field(fields.second.map(|s| fields.rest.map_or(s, |r| s.cover(r))));
        }
        Command::Ok | Command::Ping => {
            let all = fields.first.map(|f| [fields.second, fields.rest].into_iter().flatten().fold(f, Span::cover));
            message.extra = field(all);
        }
    }
    if let Some(extra) = message.extra {
        message.anomalies.add(Anomaly::ExtraFields, extra.span);
    }
    Ok(message)
}
