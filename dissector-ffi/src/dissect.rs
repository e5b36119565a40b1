//! What the plugin shows for a payload, written against a small [`Sink`] trait so that it is
//! tested without Wireshark (the Wireshark glue implements the trait over `proto_tree`).

use wvcir::clients::{Carrier, TcpRead, Verdicts, verdicts};
use wvcir::{Anomaly, Channel, DecodeError, ErrorKind, Escaped, Message, Span};

/// The plugin's fields (besides the protocol item). Their filter names are `wvcir.<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Command,
    Version,
    Cookie,
    SessionId,
    Extra,
    Channel,
    Encoding,
    LineEnd,
    ClientAndroid,
    ClientSymbian,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Command,
        Field::Version,
        Field::Cookie,
        Field::SessionId,
        Field::Extra,
        Field::Channel,
        Field::Encoding,
        Field::LineEnd,
        Field::ClientAndroid,
        Field::ClientSymbian,
    ];

    /// (display name, filter name, description)
    pub const fn info(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Field::Command => ("Command", "wvcir.command", "WVCI, HELO, OK or PING"),
            Field::Version => ("CSP version", "wvcir.version", "The CSP version of a CIR"),
            Field::Cookie => ("Session cookie", "wvcir.cookie", "The SessionCookie the client chose at login"),
            Field::SessionId => ("Session ID", "wvcir.session_id", "The SessionID a TCP client sends in HELO"),
            Field::Extra => ("Extra fields", "wvcir.extra", "Fields past those the command takes"),
            Field::Channel => ("CIR channel", "wvcir.channel", "udp, tcp, sms or wap-push"),
            Field::Encoding => ("Text encoding", "wvcir.encoding", "ascii or gsm7"),
            Field::LineEnd => ("Line end", "wvcir.line_end", "none, lf, cr or crlf"),
            Field::ClientAndroid => (
                "Android would",
                "wvcir.client.android",
                "What the Android IM app would do with this CIR or OK: acts, ignores, n/a",
            ),
            Field::ClientSymbian => (
                "Symbian would",
                "wvcir.client.symbian",
                "What the Symbian IMPS engine would do with this CIR or OK: acts, ignores, loses, n/a",
            ),
        }
    }
}

/// An expert item: every anomaly and malformation the core reports, and the plugin's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expert {
    Anomaly(Anomaly),
    Error(ErrorKind),
    /// A panic was caught at the C boundary: a wvcir bug, reported instead of crashing Wireshark.
    InternalError,
}

/// Severity of an expert item, mapped to Wireshark's groups by the glue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// PI_PROTOCOL / PI_WARN: a real client would reject or mishandle it.
    ProtocolWarn,
    /// PI_MALFORMED / PI_ERROR: it cannot be acted on.
    MalformedError,
}

impl Expert {
    /// How many [`Expert::all`] holds.
    pub const COUNT: usize = Anomaly::ALL.len() + 5;

    /// Every expert item the plugin registers.
    pub fn all() -> Vec<Expert> {
        let mut v: Vec<Expert> = Anomaly::ALL.iter().map(|a| Expert::Anomaly(*a)).collect();
        v.extend(
            [ErrorKind::MissingCookie, ErrorKind::MissingSessionId, ErrorKind::UnknownCommand, ErrorKind::TruncatedPdu]
                .map(Expert::Error),
        );
        v.push(Expert::InternalError);
        v
    }

    /// The stable name (`keyword-case`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Expert::Anomaly(a) => a.name(),
            Expert::Error(e) => e.name(),
            Expert::InternalError => "internal-error",
        }
    }

    /// The filter name: `wvcir.` and the name with `_` for `-` (a `-` would read as a minus sign
    /// in display filters).
    pub fn filter_name(self) -> String {
        format!("wvcir.{}", self.name().replace('-', "_"))
    }

    pub const fn severity(self) -> Severity {
        match self {
            Expert::Anomaly(_) | Expert::Error(ErrorKind::UnknownCommand) => Severity::ProtocolWarn,
            _ => Severity::MalformedError,
        }
    }

    pub const fn summary(self) -> &'static str {
        match self {
            Expert::Anomaly(a) => a.description(),
            Expert::Error(ErrorKind::MissingCookie) => "WVCI without a session cookie: malformed",
            Expert::Error(ErrorKind::MissingSessionId) => "HELO without a session id: malformed",
            Expert::Error(ErrorKind::UnknownCommand) => "a TCP channel line that is none of HELO, OK, PING, WVCI",
            Expert::Error(_) => "WAP Push PDU ends inside its headers",
            Expert::InternalError => "wvcir internal error (a caught panic); please report it",
        }
    }
}

/// Where a dissector writes what it found. Spans are offsets in the buffer it was given (see
/// [`Sink::source`]).
pub trait Sink {
    /// Starts one message: the protocol item over `span`, with a one-line `summary`.
    fn message(&mut self, span: Span, summary: &str);
    /// A text field of the current message.
    fn field(&mut self, field: Field, span: Span, value: &str);
    /// An expert item of the current message.
    fn expert(&mut self, expert: Expert, span: Span);
    /// What the spans of the messages that follow index: the frame's payload from an offset on,
    /// or a TCP line assembled from several segments (its own data source).
    fn source(&mut self, source: Source<'_>);
    /// A request/response pairing of the current message: derived, not bytes of the frame.
    fn response(&mut self, response: Response, span: Span);
    /// What the statistics count of the current message (a decoded one: not a line that is no
    /// message, nor a tail). An OK's answer follows as a [`Response::To`].
    fn tally(&mut self, _tally: &crate::stats::Tally) {}
}

/// What a [`Sink`]'s spans index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// The payload the dissector was given, spans shifted by this many bytes.
    Payload { shift: usize },
    /// A line assembled from several segments.
    Reassembled(&'a [u8]),
}

/// A request/response pairing on the TCP channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// This OK answers the HELO or PING (`request`) in `frame`, `nanos` later.
    To { frame: u32, nanos: i64, request: wvcir::Command },
    /// This HELO or PING is answered by the OK in `frame`.
    In { frame: u32 },
}

/// Writes the TCP channel lines a frame completes (see [`crate::tcp`]); `payload` is the frame's
/// TCP payload. Returns how many it wrote.
pub fn tcp_lines(sink: &mut dyn Sink, lines: &[crate::tcp::Shown], payload: &[u8]) -> usize {
    use wvcir::tcp::LineKind;
    for line in lines {
        let bytes = line.bytes(payload);
        match line.at() {
            Some(shift) => sink.source(Source::Payload { shift }),
            None if !bytes.is_empty() => sink.source(Source::Reassembled(bytes)),
            None => sink.source(Source::Payload { shift: 0 }),
        }
        let whole = Span::new(0, if bytes.is_empty() { payload.len() } else { bytes.len() });
        if line.kind == LineKind::Tail {
            sink.message(whole, "[tail of a line whose start was not captured]");
            continue;
        }
        match wvcir::parse_line(bytes) {
            Ok(mut m) => {
                match line.kind {
                    LineKind::Incomplete => m.anomalies.add(Anomaly::Incomplete, m.span),
                    LineKind::TooLong => m.anomalies.add(Anomaly::LineTooLong, m.span),
                    _ => {}
                }
                let clients = verdicts(Carrier::Tcp(line.read), &m);
                emit_message(sink, &m, Channel::Tcp, "ascii", clients, &|s| s);
                if let Some((frame, nanos, request)) = line.response_to {
                    sink.response(Response::To { frame, nanos, request }, m.span);
                }
                if let Some(frame) = line.response_in {
                    sink.response(Response::In { frame }, m.span);
                }
            }
            Err(e) => {
                sink.message(whole, "[not a CIR channel line]");
                sink.expert(Expert::Error(e.kind), whole);
            }
        }
    }
    lines.len()
}

/// Text safe to show: UTF-8 as is with control characters escaped, other bytes as `\xNN`.
pub fn display(bytes: &[u8]) -> String {
    Escaped(bytes).to_string()
}

/// The one-line summary of a message, for the Info column: `WVCI 1.3 wv:nokia.1804289383`.
pub fn summary(m: &Message<'_>) -> String {
    let mut s = m.command.as_str().to_owned();
    for f in [m.version.map(|v| v.text), m.cookie, m.session_id].into_iter().flatten() {
        s.push(' ');
        s.push_str(&display(f.bytes));
    }
    if let Some(e) = m.malformed {
        s.push_str(&format!(" [{}]", e.kind.name()));
    }
    s
}

/// Writes a decoded message: its fields with their spans (mapped by `map`, identity except for
/// GSM 7-bit text), its anomalies and malformation.
pub fn emit_message(
    sink: &mut dyn Sink,
    m: &Message<'_>,
    channel: Channel,
    encoding: &str,
    clients: Option<Verdicts>,
    map: &dyn Fn(Span) -> Span,
) {
    sink.message(map(m.span), &summary(m));
    sink.field(Field::Command, map(m.keyword.span), m.command.as_str());
    sink.field(Field::Channel, map(m.span), channel.name());
    sink.field(Field::Encoding, map(m.span), encoding);
    for (field, value) in [
        (Field::Version, m.version.map(|v| v.text)),
        (Field::Cookie, m.cookie),
        (Field::SessionId, m.session_id),
        (Field::Extra, m.extra),
    ] {
        if let Some(v) = value {
            sink.field(field, map(v.span), &display(v.bytes));
        }
    }
    sink.field(Field::LineEnd, map(m.eol), m.line_end.name());
    if let Some(v) = clients {
        sink.field(Field::ClientAndroid, map(m.span), v.android.name());
        sink.field(Field::ClientSymbian, map(m.span), v.symbian.name());
    }
    for (a, span) in m.anomalies.iter() {
        sink.expert(Expert::Anomaly(a), map(span));
    }
    if let Some(e) = m.malformed {
        let span = if e.offset >= m.span.end() { m.span } else { Span::new(e.offset, 1) };
        sink.expert(Expert::Error(e.kind), map(span));
    }
    sink.tally(&crate::stats::Tally::of(m, channel, clients));
}

/// The payload the dissector panics on when built with the `panic-probe` feature (tests only):
/// the one way to show that the boundary around every entry point catches a panic inside a real
/// Wireshark.
pub const PANIC_PROBE: &[u8] = b"WVCI-PANIC-PROBE";

/// Dissects one datagram of `channel` (the core's payload decoder). Returns how many messages
/// it wrote; 0 means "not this protocol" (the caller then lets other dissectors try).
pub fn datagram(sink: &mut dyn Sink, channel: Channel, payload: &[u8]) -> usize {
    if cfg!(feature = "panic-probe") && payload == PANIC_PROBE {
        panic!("wvcir panic probe");
    }
    let mut scratch = wvcir::payload::Scratch::default();
    let d = wvcir::payload::decode(channel, payload, &mut scratch);
    decoded(sink, channel, &d)
}

/// Dissects the user data of an SMS addressed to the SMS CIR port, handed over by Wireshark's SMS
/// dissectors (their `udh.port` tables), whose data coding is `coding` when the SMS transport
/// showed it.
pub fn sms(sink: &mut dyn Sink, user_data: &[u8], coding: wvcir::sms::Coding) -> usize {
    let mut scratch = wvcir::payload::Scratch::default();
    let d = wvcir::payload::decode_sms(user_data, coding, &mut scratch);
    decoded(sink, Channel::Sms, &d)
}

fn decoded(sink: &mut dyn Sink, channel: Channel, d: &wvcir::payload::Decoded<'_>) -> usize {
    for m in &d.messages {
        let carrier = match channel {
            Channel::Udp => Carrier::Udp,
            Channel::Sms => Carrier::Sms(d.encoding),
            Channel::WapPush => Carrier::WapPush,
            Channel::Tcp => {
                Carrier::Tcp(TcpRead { starts_segment: true, cookie_in_first_segment: true, answers_helo: false })
            }
        };
        emit_message(sink, m, channel, d.encoding.name(), verdicts(carrier, m), &|span| d.payload_span(span));
    }
    d.messages.len()
}

/// Dissects a WAP Push body handed over by Wireshark's own WSP dissector (the `media_type`
/// table): the body alone, spans relative to it.
pub fn media_body(sink: &mut dyn Sink, body: &[u8]) -> usize {
    push_body(sink, wvcir::parse_cir(body))
}

fn push_body(sink: &mut dyn Sink, cir: Result<Message<'_>, DecodeError>) -> usize {
    match cir {
        Ok(m) => {
            emit_message(sink, &m, Channel::WapPush, "ascii", verdicts(Carrier::WapPush, &m), &|s| s);
            1
        }
        Err(_) => 0,
    }
}
