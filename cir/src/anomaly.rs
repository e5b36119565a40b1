//! The names a decoder reports: anomalies (the message decodes) and malformations (it does not).
//!
//! The names are those of `docs/protocol.md` (the acceptance table), plus the few the TCP channel needs
//! (`unknown-command`, `missing-session-id`, `line-too-long`) and those of the WAP Push wrapper.
//! They are stable: the analyzer's JSON and the Wireshark expert items use them verbatim.

use crate::Span;
use core::fmt;

/// Something a real client would reject or mishandle, in a message that still decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Anomaly {
    /// The keyword matched only case-insensitively (`wvci`, `Helo`).
    KeywordCase = 0,
    /// A version outside 1.0-1.3, or one not of the form `digits.digits`.
    UnknownVersion,
    /// More space-separated fields than the command takes.
    ExtraFields,
    /// Fields separated by something other than one space (two spaces, a tab, none).
    BadSeparator,
    /// Bytes outside 0x20-0x7E before the line end.
    NonPrintable,
    /// A UDP datagram over 512 bytes: Symbian's receive buffer cannot hold it whole.
    Oversize,
    /// Bytes after the line end.
    TrailingData,
    /// A TCP line still open when the capture ended: what came of it is not known, so it is not
    /// a whole message.
    Incomplete,
    /// A cookie with no version before it (`WVCI wv:nokia.1`, `WVCIwv:nokia.1`): every client
    /// acts on it.
    MissingVersion,
    /// A TCP line longer than the framer's bound: decoded from its bounded prefix, the rest
    /// skipped (Symbian acts on its first 512-byte read, Android has no limit).
    LineTooLong,
    /// A plain ASCII CIR on the SMS port: no real SMS CIR client reads ASCII user data.
    AsciiSms,
    /// An SMS text longer than the decoder unpacks: the rest was not read.
    Truncated,
    /// A final `@` or CR septet on an 8-septet boundary was taken as padding: it may have been
    /// text.
    AmbiguousPadding,
}

impl Anomaly {
    /// Every anomaly, in a fixed order.
    pub const ALL: [Anomaly; 13] = [
        Anomaly::KeywordCase,
        Anomaly::UnknownVersion,
        Anomaly::ExtraFields,
        Anomaly::BadSeparator,
        Anomaly::NonPrintable,
        Anomaly::Oversize,
        Anomaly::TrailingData,
        Anomaly::Incomplete,
        Anomaly::MissingVersion,
        Anomaly::LineTooLong,
        Anomaly::AsciiSms,
        Anomaly::Truncated,
        Anomaly::AmbiguousPadding,
    ];

    /// The stable kebab-case name (`keyword-case`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Anomaly::KeywordCase => "keyword-case",
            Anomaly::UnknownVersion => "unknown-version",
            Anomaly::ExtraFields => "extra-fields",
            Anomaly::BadSeparator => "bad-separator",
            Anomaly::NonPrintable => "non-printable",
            Anomaly::Oversize => "oversize",
            Anomaly::TrailingData => "trailing-data",
            Anomaly::Incomplete => "incomplete",
            Anomaly::MissingVersion => "missing-version",
            Anomaly::LineTooLong => "line-too-long",
            Anomaly::AsciiSms => "ascii-sms",
            Anomaly::Truncated => "truncated",
            Anomaly::AmbiguousPadding => "ambiguous-padding",
        }
    }

    /// One sentence for a human: what is wrong and why it matters.
    pub const fn description(self) -> &'static str {
        match self {
            Anomaly::KeywordCase => "keyword not in upper case; real clients compare it exactly",
            Anomaly::UnknownVersion => "CSP version outside 1.0-1.3",
            Anomaly::ExtraFields => "more fields than the command takes",
            Anomaly::BadSeparator => "fields not separated by exactly one space",
            Anomaly::NonPrintable => "bytes outside printable ASCII before the line end",
            Anomaly::Oversize => "datagram over 512 bytes, larger than Symbian's receive buffer",
            Anomaly::TrailingData => "bytes after the line end",
            Anomaly::Incomplete => "TCP line still open when the capture ended: not a whole message",
            Anomaly::MissingVersion => "no CSP version before the cookie (every client still acts on it)",
            Anomaly::LineTooLong => "TCP line longer than the line bound: decoded from its first bytes",
            Anomaly::AsciiSms => "ASCII CIR on the SMS port: no real SMS CIR client reads ASCII",
            Anomaly::Truncated => "SMS text longer than the decoder unpacks: the rest was not read",
            Anomaly::AmbiguousPadding => "a final @ or CR septet was taken as padding: it may have been text",
        }
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The anomalies of one message, each with the span of the first place it occurs.
///
/// A fixed array, not a `Vec`: decoding a datagram allocates nothing.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Anomalies {
    spans: [Option<Span>; Anomaly::ALL.len()],
}

impl Anomalies {
    /// Records `anomaly` at `span` unless it was already recorded (the first place wins).
    pub fn add(&mut self, anomaly: Anomaly, span: Span) {
        if let Some(slot @ None) = self.spans.get_mut(anomaly as usize) {
            *slot = Some(span);
        }
    }

    /// Records `anomaly`, or widens its span to cover `span` too.
    pub(crate) fn widen(&mut self, anomaly: Anomaly, span: Span) {
        if let Some(slot) = self.spans.get_mut(anomaly as usize) {
            *slot = Some(slot.map_or(span, |s| s.cover(span)));
        }
    }

    /// Whether `anomaly` was found.
    pub fn contains(&self, anomaly: Anomaly) -> bool {
        self.span(anomaly).is_some()
    }

    /// Where `anomaly` was found.
    pub fn span(&self, anomaly: Anomaly) -> Option<Span> {
        self.spans.get(anomaly as usize).copied().flatten()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(Option::is_none)
    }

    /// How many kinds were found.
    pub fn len(&self) -> usize {
        self.spans.iter().filter(|s| s.is_some()).count()
    }

    /// The anomalies found with their spans, in [`Anomaly::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Anomaly, Span)> + '_ {
        Anomaly::ALL.iter().zip(self.spans.iter()).filter_map(|(a, s)| s.map(|s| (*a, s)))
    }

    /// Moves every span `by` bytes later.
    #[must_use]
    pub fn shifted(mut self, by: usize) -> Self {
        for s in self.spans.iter_mut().flatten() {
            *s = s.shifted(by);
        }
        self
    }
}

impl fmt::Debug for Anomalies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter().map(|(a, s)| (a.name(), s))).finish()
    }
}

/// Why bytes could not be decoded as a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Not this protocol: no `WVCI` (or TCP command) keyword where one must be.
    NotCir,
    /// `WVCI <version>` with no cookie after it.
    MissingCookie,
    /// `HELO` with no session id after it.
    MissingSessionId,
    /// A TCP channel line that is none of HELO, OK, PING, WVCI.
    UnknownCommand,
    /// A WSP PDU that ends inside a length, header or content type.
    TruncatedPdu,
    /// A WSP PDU that is not a Push (type 0x06).
    NotPush,
    /// A WSP Push whose content type is not `application/vnd.wv.csp.cir`.
    NotCirContentType,
}

impl ErrorKind {
    /// The stable kebab-case name.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::NotCir => "not-cir",
            ErrorKind::MissingCookie => "missing-cookie",
            ErrorKind::MissingSessionId => "missing-session-id",
            ErrorKind::UnknownCommand => "unknown-command",
            ErrorKind::TruncatedPdu => "truncated-pdu",
            ErrorKind::NotPush => "not-push",
            ErrorKind::NotCirContentType => "not-cir-content-type",
        }
    }

    /// Whether the input is this protocol but malformed (as opposed to not this protocol at all).
    pub const fn is_malformed(self) -> bool {
        matches!(
            self,
            ErrorKind::MissingCookie
                | ErrorKind::MissingSessionId
                | ErrorKind::UnknownCommand
                | ErrorKind::TruncatedPdu
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A decoding failure: what is wrong, at which byte of the input, in a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The kind, with its stable name.
    pub kind: ErrorKind,
    /// Offset of the byte where decoding stopped.
    pub offset: usize,
    /// A sentence for the user; never contains input bytes.
    pub detail: &'static str,
}

impl DecodeError {
    pub(crate) const fn new(kind: ErrorKind, offset: usize, detail: &'static str) -> Self {
        Self { kind, offset, detail }
    }

    /// The same error `by` bytes later.
    #[must_use]
    pub const fn shifted(self, by: usize) -> Self {
        Self { offset: self.offset + by, ..self }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.kind, self.offset, self.detail)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_place_wins_and_widen_covers() {
        let mut a = Anomalies::default();
        a.add(Anomaly::BadSeparator, Span::new(4, 2));
        a.add(Anomaly::BadSeparator, Span::new(9, 1));
        assert_eq!(a.span(Anomaly::BadSeparator), Some(Span::new(4, 2)));
        a.widen(Anomaly::NonPrintable, Span::new(3, 1));
        a.widen(Anomaly::NonPrintable, Span::new(8, 1));
        assert_eq!(a.span(Anomaly::NonPrintable), Some(Span::new(3, 6)));
        assert_eq!(a.len(), 2);
        let names: Vec<_> = a.iter().map(|(x, _)| x.name()).collect();
        assert_eq!(names, ["bad-separator", "non-printable"]);
    }
}
