//! The report: one JSON document (or NDJSON events) that jq and pipelines consume.
//!
//! Keys never repeat, numbers are JSON numbers, times are epoch seconds (microsecond precision)
//! plus RFC 3339 text with nanoseconds. `wvcir schema` prints the JSON Schema these records follow.

use crate::capture::Format;
use crate::vocab::{ConnectionEnd, Finding, FlowKind, InputErrorKind, Name, ReasonKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use wvcir::clients::{Client, Loss, Verdict};
use wvcir::sms::Encoding;
use wvcir::{Channel, Command, LineEnd, Transport};

/// Version of the report's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema (draft 2020-12) of the report, printed by `wvcir schema`.
pub const SCHEMA: &str = include_str!("schema.json");

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub inputs: Vec<InputRec>,
    pub summary: Summary,
    pub messages: Vec<MessageRec>,
    pub sessions: Vec<SessionRec>,
    pub tcp_channels: Vec<TcpChannelRec>,
    pub flows: Vec<FlowRec>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ErrorRec {
    pub kind: InputErrorKind,
    pub message: String,
    pub offset: u64,
}

/// Limits hit and state given up while reading an input: nothing is dropped silently.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LimitsRec {
    /// IPv4 datagrams whose fragments were dropped (timeout, bounds) or never completed.
    pub fragments_dropped: u64,
    /// Tracked flows evicted early to keep memory bounded (their counts are kept in `flows`).
    pub flows_evicted: u64,
    /// Captured TCP bytes never framed: held behind a gap when the input ended, or sent after the
    /// stream's FIN or RST.
    pub tcp_bytes_dropped: u64,
    /// TCP channel lines longer than the framer's bound (reported, not buffered).
    pub long_lines: u64,
    /// TCP channel HELOs and PINGs forgotten unanswered: more than `wvcir::pairing::MAX_PENDING`
    /// were waiting for an OK one way.
    pub requests_dropped: u64,
    /// Well-formed CIRs that joined no session: `sessions::MAX_SESSIONS` were tracked already
    /// (each is still in `messages`).
    pub untracked_cirs: u64,
    /// TCP bytes the capture never had: gaps given up on (the hold was full, or a RST).
    pub tcp_gap_bytes: u64,
    /// TCP bytes skipped as the tail of a line whose start was not captured.
    pub tcp_resync_bytes: u64,
    /// Partial TCP channel lines thrown away because a gap cut them.
    pub tcp_cut_lines: u64,
    /// HTTP head fields cut at `http::MAX_FIELD` bytes, and heads given up after
    /// `wvcir::http::MAX_HEAD_LINES` header lines (`flows[].http` keeps what was read).
    pub http_cut: u64,
    /// TLS and SSH handshakes given up: a hello or first certificate over
    /// `wvcir::tls::MAX_HANDSHAKE_BYTES`, an SSH banner over 255 bytes (`flows[].tls` and
    /// `flows[].ssh` keep what was read).
    pub handshake_cut: u64,
    /// SMPP PDUs whose fields lie about their lengths (the framing went on with the next PDU).
    pub smpp_bad_pdus: u64,
    /// SMPP stream bytes passed over: after a header that lies or a gap, up to the next plausible
    /// header; a PDU the capture ended in.
    pub smpp_skipped_bytes: u64,
    /// Parts of concatenated SMS CIRs never completed: given up over `smpp::MAX_PENDING_SMS`
    /// messages or `smpp::MAX_PENDING_SMS_BYTES` held, or still waiting when the input ended.
    pub sms_parts_dropped: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputRec {
    pub path: String,
    pub format: Option<Name<Format>>,
    pub link_types: Vec<String>,
    pub packets: u64,
    pub bytes: u64,
    pub first_ts: Option<f64>,
    pub last_ts: Option<f64>,
    pub complete: bool,
    pub error: Option<ErrorRec>,
    pub limits: LimitsRec,
    pub skipped: SkippedRec,
}

/// Frames that carried no UDP or TCP segment, by why: every frame is either analysed or counted.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct SkippedRec {
    /// Not IP (ARP, LLDP, ...), or a link layer wvcir does not read.
    pub not_ip: u64,
    /// IP carrying neither UDP nor TCP (ICMP, ESP, ...).
    pub other_protocol: u64,
    /// Headers cut short or invalid.
    pub undecodable: u64,
    /// IPv4 and IPv6 fragments held for reassembly (the datagram counts in the frame that
    /// completes it).
    pub fragments: u64,
    /// Nested in more than `carriers::MAX_TUNNEL_DEPTH` tunnels: counted, not followed.
    pub tunnel_too_deep: u64,
}

impl InputRec {
    /// An input not read yet: nothing counted, not complete, no error.
    pub fn new(path: String) -> Self {
        InputRec {
            path,
            format: None,
            link_types: Vec::new(),
            packets: 0,
            bytes: 0,
            first_ts: None,
            last_ts: None,
            complete: false,
            error: None,
            limits: LimitsRec::default(),
            skipped: SkippedRec::default(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageRec {
    pub input: usize,
    pub frame: u64,
    pub ts: f64,
    pub time: String,
    pub channel: Name<Channel>,
    pub src_ip: String,
    pub src_port: u16,
    pub dst_ip: String,
    pub dst_port: u16,
    /// Community ID v1 of the message's flow (seed 0).
    pub community_id: String,
    /// The tunnels that carried its flow, outermost first; empty when none.
    pub tunnel: Vec<TunnelRec>,
    pub command: Name<Command>,
    pub version: Option<String>,
    pub cookie: Option<String>,
    pub session_id: Option<String>,
    pub encoding: Name<Encoding>,
    pub line_end: Name<LineEnd>,
    pub malformed: bool,
    pub anomalies: Vec<Name<Finding>>,
    /// What each real client would do with a CIR or an OK; `None` for HELO and PING.
    pub clients: Option<ClientsRec>,
    /// For a CIR carried in an SMS (inside SMPP): the SMS around it; `None` otherwise.
    pub sms: Option<SmsRec>,
}

/// The SMS that carried a message, as its SMS transport showed it.
#[derive(Clone, Debug, Serialize)]
pub struct SmsRec {
    /// The SMS transport: `smpp` or `sip`.
    pub transport: Name<crate::vocab::SmsTransport>,
    /// The PDU of the last part (`submit_sm`, `deliver_sm`, `data_sm`, `submit_multi`;
    /// `sms-deliver`, `sms-submit`).
    pub pdu: Name<crate::vocab::SmsPdu>,
    /// The sender (the IM server's short code for a CIR) and the phone it went to.
    pub source_addr: String,
    pub destination_addr: String,
    /// The application port the SMS was addressed to (3716, or 2948 for WAP Push), and its
    /// source port when given.
    pub dest_port: u16,
    pub source_port: Option<u16>,
    /// The data coding the text was read with.
    pub data_coding: Name<wvcir::sms::Coding>,
    /// Parts it was reassembled from (1 for a single SMS).
    pub parts: u16,
}

/// Both clients' verdicts on a message.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ClientsRec {
    pub android: Name<Verdict>,
    pub symbian: Name<Verdict>,
    /// When Symbian loses it, why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbian_loss: Option<Name<Loss>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Interval {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionRec {
    pub cookie: String,
    pub client_ip: String,
    /// The phone the session's first CIR went to, when it came in an SMS transport (whose
    /// `client_ip` is then the transport's receiving end, such as the SMSC); `None` otherwise.
    pub client_phone: Option<String>,
    pub server_ip: String,
    /// The tunnel of the session's first CIR (see `sessions`), outermost first; empty when none.
    pub tunnel: Vec<TunnelRec>,
    pub channels: Vec<Name<Channel>>,
    pub versions: Vec<String>,
    pub cir_count: u64,
    pub first_ts: f64,
    pub last_ts: f64,
    pub interval: Option<Interval>,
    pub inputs: Vec<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TcpChannelRec {
    pub input: usize,
    pub client_ip: String,
    pub client_port: u16,
    pub server_ip: String,
    pub server_port: u16,
    /// Community ID v1 of the connection (seed 0).
    pub community_id: String,
    pub first_frame: u64,
    pub last_frame: u64,
    pub session_id: Option<String>,
    pub helo_frame: Option<u64>,
    pub helo_ts: Option<f64>,
    pub helo_time: Option<String>,
    pub ok_latency: Option<f64>,
    pub unanswered_helo: bool,
    pub ping_count: u64,
    pub ping_rtts: Vec<f64>,
    pub cir_count: u64,
    pub lines: u64,
    pub protocol_errors: u64,
    pub end: ConnectionEnd,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClassRec {
    pub kind: FlowKind,
    pub entropy: f64,
    pub printable_ratio: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReasonRec {
    pub kind: ReasonKind,
    pub detail: String,
    /// The MITRE ATT&CK techniques the reason matches (`T1571` non-standard port, `T1573`
    /// encrypted channel, `T1071` application-layer protocol, as C2 beacons use it); empty when
    /// none does.
    pub attack: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    /// For `periodic`: how sure the detector is, 0 to 1 (see `suspicion::periodic_confidence`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// For `breaks-symbian-cir`: how many such datagrams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// One tunnel layer a flow came through, outermost first. Ordered (kind by name, then outer
/// addresses as text, then id) so that a session can pick its first CIR's tunnel whatever the
/// order CIRs were read in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TunnelRec {
    pub kind: Name<crate::carriers::CarrierKind>,
    /// The outer packet's addresses, for the layers carried in IP (not MPLS, PPPoE).
    pub outer_src: Option<String>,
    pub outer_dst: Option<String>,
    /// TEID (GTP-U), VNI (VXLAN, Geneve), key (GRE, PPP in GRE version 0), session (ERSPAN
    /// types II and III), call id (PPTP), top label (MPLS), session (PPPoE).
    pub id: Option<u32>,
}

impl From<&crate::carriers::Layer> for TunnelRec {
    fn from(l: &crate::carriers::Layer) -> Self {
        TunnelRec {
            kind: Name(l.kind),
            outer_src: l.outer.map(|o| o.0.to_string()),
            outer_dst: l.outer.map(|o| o.1.to_string()),
            id: l.id,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FlowRec {
    pub input: usize,
    pub protocol: Name<Transport>,
    pub src_ip: String,
    pub src_port: u16,
    pub dst_ip: String,
    pub dst_port: u16,
    /// Community ID v1 of the flow (seed 0), of its innermost 5-tuple.
    pub community_id: String,
    /// The tunnels that carried it, outermost first; empty when none.
    pub tunnel: Vec<TunnelRec>,
    pub channel: Option<Name<Channel>>,
    pub heuristic: bool,
    pub packets: u64,
    pub bytes: u64,
    pub first_ts: f64,
    pub last_ts: f64,
    pub classification: ClassRec,
    pub messages: u64,
    pub other_payloads: u64,
    /// What those were, by kind: datagrams or TCP lines classified one by one (lines of a TLS or
    /// SSH stream are `tls` or `ssh`).
    pub other_kinds: BTreeMap<Name<FlowKind>, u64>,
    /// The first HTTP request and response heads, when its TCP lines were HTTP.
    pub http: Option<crate::http::HttpRec>,
    /// The first DNS question, when a first payload was DNS.
    pub dns: Option<crate::flows::DnsRec>,
    /// The first TLS hellos and certificate, when its TCP connections spoke TLS.
    pub tls: Option<Box<crate::handshakes::TlsRec>>,
    /// The SSH banners and HASSHes, when its TCP connections spoke SSH.
    pub ssh: Option<Box<crate::handshakes::SshRec>>,
    pub suspicious: bool,
    pub reasons: Vec<ReasonRec>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub complete_inputs: usize,
    pub packets: u64,
    pub bytes: u64,
    pub messages: u64,
    pub cir: u64,
    pub malformed: u64,
    pub anomalies: u64,
    pub sessions: usize,
    pub tcp_channels: usize,
    pub flows: usize,
    pub suspicious_flows: usize,
    pub by_channel: BTreeMap<Name<Channel>, u64>,
    pub by_version: BTreeMap<String, u64>,
    pub by_command: BTreeMap<Name<Command>, u64>,
    pub by_anomaly: BTreeMap<Name<Finding>, u64>,
    /// Per client, how many CIRs and OKs get each verdict.
    pub by_client_verdict: BTreeMap<Name<Client>, BTreeMap<Name<Verdict>, u64>>,
}

/// Epoch seconds with microsecond precision, as a JSON number.
pub fn epoch(ts: Duration) -> f64 {
    ts.as_secs() as f64 + f64::from(ts.subsec_micros()) / 1e6
}

/// Rounds seconds to the microsecond (for durations between two timestamps).
pub fn micros(secs: f64) -> f64 {
    (secs * 1e6).round() / 1e6
}

/// RFC 3339 UTC with nanoseconds: `2009-03-14T10:00:12.417000000Z`.
pub fn rfc3339(ts: Duration) -> String {
    let secs = ts.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z", rem / 3600, rem / 60 % 60, rem % 60, ts.subsec_nanos())
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// min / median / max of a sample, `None` when empty.
pub fn interval(mut v: Vec<f64>) -> Option<Interval> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let at = |i: usize| v.get(i).copied().unwrap_or_default();
    let median = if n % 2 == 1 { at(n / 2) } else { (at(n / 2 - 1) + at(n / 2)) / 2.0 };
    Some(Interval { min: micros(at(0)), median: micros(median), max: micros(at(n - 1)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let ts = Duration::new(1_237_024_812, 417_000_123);
        assert_eq!(rfc3339(ts), "2009-03-14T10:00:12.417000123Z");
        assert_eq!(epoch(ts), 1_237_024_812.417);
        assert_eq!(rfc3339(Duration::new(951_782_400, 0)), "2000-02-29T00:00:00.000000000Z");
        assert_eq!(rfc3339(Duration::ZERO), "1970-01-01T00:00:00.000000000Z");
    }

    #[test]
    fn intervals() {
        assert!(interval(vec![]).is_none());
        let i = interval(vec![3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((i.min, i.median, i.max), (1.0, 2.5, 10.0));
    }
}
