//! Every vocabulary of the report: enums, each with a stable `name()`, serialized through one
//! helper ([`Vocabulary`]); never a string compared against a string.
//!
//! The core's own vocabularies (channel, command, line end, encoding, payload kind, anomaly,
//! malformation) get their names from the core; the report's (capture error kinds, connection
//! ends, reason kinds, flow kinds, protocols, formats, events) are defined here. A test checks that
//! every name is in the schema's enums and in the README.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use wvcir::sms::Encoding;
use wvcir::{Anomaly, Channel, Command, ErrorKind, LineEnd, PayloadKind, Transport};

/// A closed set of names: each value has one stable name, which is what the report writes.
pub trait Vocabulary: Copy + 'static {
    /// Every value, in a fixed order.
    const ALL: &'static [Self];
    /// The stable name.
    fn name(self) -> &'static str;
}

/// A vocabulary value as the report writes it: its name. Ordered by name, so that maps keyed by
/// it (`summary.by_anomaly`) list their keys as sorted text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Name<T>(pub T);

impl<T: Vocabulary> Serialize for Name<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}

/// Read back by name (partial reports carry the summary's counts keyed by name).
impl<'de, T: Vocabulary> Deserialize<'de> for Name<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        T::ALL
            .iter()
            .find(|v| v.name() == text)
            .map(|v| Name(*v))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown name '{text}'")))
    }
}

impl<T: Vocabulary + Eq> Ord for Name<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.name().cmp(other.0.name())
    }
}

impl<T: Vocabulary + Eq> PartialOrd for Name<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Defines a report vocabulary: the enum, its names, and its serialization through [`Name`].
macro_rules! vocabulary {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* $variant,)* }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                Name(*self).serialize(s)
            }
        }
    };
}

vocabulary! {
    /// Why an input could not be read (further).
    pub enum InputErrorKind {
        /// The path does not exist.
        NotFound => "not-found",
        /// The operating system refused a read.
        Io => "io",
        /// A file of zero bytes.
        Empty => "empty",
        /// No pcap or pcapng magic number.
        NotACapture => "not-a-capture",
        /// The file ends inside a header or record.
        Truncated => "truncated",
        /// A record or block claims more than the bound.
        AbsurdLength => "absurd-length",
        /// A record or block that is not valid.
        Malformed => "malformed",
        /// A directory with no capture in it.
        NoCaptures => "no-captures",
        /// The analyzer itself failed on this input (a caught panic: a bug to report).
        InternalError => "internal-error",
        /// A path to a file already analysed under another path (the same device and inode).
        Duplicate => "duplicate",
        /// A symbolic link that loops back to a directory being walked.
        Loop => "loop",
    }
}

impl InputErrorKind {
    /// Whether the input counts against a complete run (exit status 1): a duplicate path does
    /// not, its file was read under its first path.
    pub fn is_failure(self) -> bool {
        self != InputErrorKind::Duplicate
    }

    /// Whether the error is about the file as a whole, so that no byte of it counts as read.
    pub fn before_any_record(self) -> bool {
        matches!(self, InputErrorKind::NotACapture | InputErrorKind::Empty)
    }
}

vocabulary! {
    /// The SMS transport a CIR came in (`messages[].sms.transport`).
    pub enum SmsTransport {
        /// SMPP, between an SMS application and an SMSC.
        Smpp => "smpp",
        /// SIP `MESSAGE` with an RP-DATA body (SMS over IMS).
        Sip => "sip",
    }
}

vocabulary! {
    /// The PDU that carried an SMS (`messages[].sms.pdu`).
    pub enum SmsPdu {
        /// SMPP `submit_sm`.
        SubmitSm => "submit_sm",
        /// SMPP `deliver_sm`.
        DeliverSm => "deliver_sm",
        /// SMPP `data_sm`.
        DataSm => "data_sm",
        /// SMPP `submit_multi`.
        SubmitMulti => "submit_multi",
        /// A TPDU SMS-DELIVER (the SMSC to the phone).
        SmsDeliver => "sms-deliver",
        /// A TPDU SMS-SUBMIT (the phone to the SMSC).
        SmsSubmit => "sms-submit",
    }
}

impl From<wvcir::smpp::Pdu> for SmsPdu {
    fn from(p: wvcir::smpp::Pdu) -> Self {
        match p {
            wvcir::smpp::Pdu::SubmitSm => SmsPdu::SubmitSm,
            wvcir::smpp::Pdu::DeliverSm => SmsPdu::DeliverSm,
            wvcir::smpp::Pdu::DataSm => SmsPdu::DataSm,
            wvcir::smpp::Pdu::SubmitMulti => SmsPdu::SubmitMulti,
        }
    }
}

impl From<wvcir::tpdu::Kind> for SmsPdu {
    fn from(k: wvcir::tpdu::Kind) -> Self {
        match k {
            wvcir::tpdu::Kind::Deliver => SmsPdu::SmsDeliver,
            wvcir::tpdu::Kind::Submit => SmsPdu::SmsSubmit,
        }
    }
}

vocabulary! {
    /// How a TCP connection ended, as far as the capture shows.
    pub enum ConnectionEnd {
        /// A FIN was seen.
        Fin => "fin",
        /// A RST was seen.
        Rst => "rst",
        /// Neither: the capture (or the flow's tracking) ended first.
        CaptureEnd => "capture-end",
    }
}

vocabulary! {
    /// Why a flow is suspicious.
    pub enum ReasonKind {
        /// Something other than CIR on a CIR port.
        NonCirProtocol => "non-cir-protocol",
        /// Packets at a steady period, like a beacon.
        Periodic => "periodic",
        /// Payloads that look encrypted or compressed.
        HighEntropy => "high-entropy",
        /// Datagrams to a phone's UDP CIR port that are not CIRs: each one tears a Symbian
        /// phone's CIR channel down.
        BreaksSymbianCir => "breaks-symbian-cir",
    }
}

vocabulary! {
    /// What a flow carried: the protocol's own messages, or what its first payload looked like.
    pub enum FlowKind {
        /// CIR protocol messages.
        Cir => "cir",
        /// A TLS record.
        Tls => "tls",
        /// An HTTP/1.x request.
        HttpRequest => "http-request",
        /// An HTTP/1.x response.
        HttpResponse => "http-response",
        /// An SSH banner.
        Ssh => "ssh",
        /// A DNS message.
        Dns => "dns",
        /// An SMPP PDU.
        Smpp => "smpp",
        /// Text of no known protocol.
        Text => "text",
        /// Binary data of no known protocol.
        Binary => "binary",
        /// No payload at all.
        Empty => "empty",
    }
}

impl From<PayloadKind> for FlowKind {
    fn from(k: PayloadKind) -> Self {
        match k {
            PayloadKind::Cir(_) => FlowKind::Cir,
            PayloadKind::Tls { .. } => FlowKind::Tls,
            PayloadKind::HttpRequest => FlowKind::HttpRequest,
            PayloadKind::HttpResponse => FlowKind::HttpResponse,
            PayloadKind::Ssh => FlowKind::Ssh,
            PayloadKind::Dns => FlowKind::Dns,
            PayloadKind::Smpp => FlowKind::Smpp,
            PayloadKind::Text => FlowKind::Text,
            PayloadKind::Binary => FlowKind::Binary,
            PayloadKind::Empty => FlowKind::Empty,
        }
    }
}

/// What a message's `anomalies` list holds: an anomaly, or the malformation that keeps it from
/// being acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Finding {
    /// The message decodes; a real client would reject or mishandle it.
    Anomaly(Anomaly),
    /// The message is malformed.
    Malformed(ErrorKind),
}

impl Vocabulary for Finding {
    const ALL: &'static [Self] = &[
        Finding::Anomaly(Anomaly::KeywordCase),
        Finding::Anomaly(Anomaly::UnknownVersion),
        Finding::Anomaly(Anomaly::ExtraFields),
        Finding::Anomaly(Anomaly::BadSeparator),
        Finding::Anomaly(Anomaly::NonPrintable),
        Finding::Anomaly(Anomaly::Oversize),
        Finding::Anomaly(Anomaly::TrailingData),
        Finding::Anomaly(Anomaly::Incomplete),
        Finding::Anomaly(Anomaly::MissingVersion),
        Finding::Anomaly(Anomaly::LineTooLong),
        Finding::Anomaly(Anomaly::AsciiSms),
        Finding::Anomaly(Anomaly::Truncated),
        Finding::Anomaly(Anomaly::AmbiguousPadding),
        Finding::Malformed(ErrorKind::MissingCookie),
        Finding::Malformed(ErrorKind::MissingSessionId),
        Finding::Malformed(ErrorKind::TruncatedPdu),
    ];
    fn name(self) -> &'static str {
        match self {
            Finding::Anomaly(a) => a.name(),
            Finding::Malformed(e) => e.name(),
        }
    }
}

/// Implements [`Vocabulary`] for a core enum from its own `name()`.
macro_rules! core_vocabulary {
    ($t:ty: $($v:expr),* $(,)?) => {
        core_vocabulary!($t = [$($v,)*]);
    };
    ($t:ty = $all:expr) => {
        impl Vocabulary for $t {
            const ALL: &'static [Self] = &$all;
            fn name(self) -> &'static str {
                <$t>::name(self)
            }
        }
    };
}

core_vocabulary!(Channel: Channel::Udp, Channel::Tcp, Channel::Sms, Channel::WapPush);
core_vocabulary!(LineEnd: LineEnd::None, LineEnd::Lf, LineEnd::Cr, LineEnd::CrLf);
core_vocabulary!(Encoding: Encoding::Ascii, Encoding::Gsm7, Encoding::Gsm7Unpacked, Encoding::Latin1);
impl Vocabulary for crate::capture::Format {
    const ALL: &'static [Self] = &[crate::capture::Format::Pcap, crate::capture::Format::PcapNg];
    fn name(self) -> &'static str {
        crate::capture::Format::name(self)
    }
}

core_vocabulary!(
    wvcir::sms::Coding: wvcir::sms::Coding::Unknown,
    wvcir::sms::Coding::Gsm7Unpacked,
    wvcir::sms::Coding::Gsm7Packed,
    wvcir::sms::Coding::Octets,
    wvcir::sms::Coding::Latin1,
    wvcir::sms::Coding::Ucs2,
    wvcir::sms::Coding::Other,
);
core_vocabulary!(wvcir::clients::Client = wvcir::clients::Client::ALL);
core_vocabulary!(wvcir::clients::Verdict = wvcir::clients::Verdict::ALL);
core_vocabulary!(wvcir::clients::Loss = wvcir::clients::Loss::ALL);

impl Vocabulary for crate::carriers::CarrierKind {
    const ALL: &'static [Self] = {
        use crate::carriers::CarrierKind as C;
        &[C::GtpU, C::Vxlan, C::Geneve, C::Gre, C::Mpls, C::Pppoe, C::IpInIp, C::Erspan, C::Ppp]
    };
    fn name(self) -> &'static str {
        crate::carriers::CarrierKind::name(self)
    }
}

impl Vocabulary for Command {
    const ALL: &'static [Self] = &[Command::Wvci, Command::Helo, Command::Ok, Command::Ping];
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Vocabulary for Transport {
    const ALL: &'static [Self] = &[Transport::Udp, Transport::Tcp];
    fn name(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

/// Every name of a vocabulary, for the schema and README checks.
pub fn names<T: Vocabulary>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_order_by_text() {
        let all = names::<Finding>();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
        let mut keys: Vec<Name<Finding>> = Finding::ALL.iter().map(|f| Name(*f)).collect();
        keys.sort();
        assert_eq!(keys.iter().map(|k| k.0.name()).collect::<Vec<_>>(), sorted);
        assert_eq!(serde_json::to_string(&ConnectionEnd::CaptureEnd).unwrap(), "\"capture-end\"");
        assert_eq!(serde_json::to_string(&Name(Channel::WapPush)).unwrap(), "\"wap-push\"");
    }
}
