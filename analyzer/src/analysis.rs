//! The analysis of one input: packets in, messages, TCP channels and flows out.
//!
//! Only flows on the CIR ports (or matched by the heuristic) are tracked; everything else is
//! counted and passed over after a few byte compares, which is what keeps the analyzer fast on
//! captures that are mostly not CIR. All state is bounded (see the `MAX_*` constants and
//! [`LimitsRec`]); whatever is evicted is reported, never dropped silently.

use crate::capture::{CaptureError, CaptureReader, link_name};
use crate::defrag::Defrag;
use crate::packet::{self, L4, Segment};
use crate::report::{
    ClassRec, ErrorRec, FlowRec, InputRec, LimitsRec, MessageRec, ReasonRec, TcpChannelRec, epoch, micros, rfc3339,
};
use crate::sessions::{SeenCir, Sessions};
use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wvcir::payload::{self, Scratch};
use wvcir::tcp::{Connection, Control, Dir, LineKind};
use wvcir::{Anomaly, Channel, Classification, Command, Detected, LineEnd, Message, PayloadKind, PortMap, Transport};

/// Flows tracked at once per input; past it the least recently active eighth is finalised early.
pub const MAX_FLOWS: usize = 100_000;
/// PING round trips kept per TCP channel (the count is exact beyond it).
pub const MAX_PING_RTTS: usize = 1024;
/// Seconds within which an OK must answer a HELO (transport binding 1.3, section 8.1.3).
pub const HELO_TIMEOUT: f64 = 30.0;
/// Payloads shorter than this say little about entropy.
const ENTROPY_MIN_LEN: usize = 16;

/// What the analysis looks for.
#[derive(Clone, Debug)]
pub struct Config {
    pub ports: PortMap,
    pub heuristic: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self { ports: PortMap::default(), heuristic: true }
    }
}

/// Counters a progress display reads while inputs are analysed.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub packets: AtomicU64,
}

/// What an input streams out as it is read, so that memory does not grow with it.
#[derive(Debug)]
pub enum Record {
    /// A decoded message, when it is found.
    Message(MessageRec),
    /// A flow, when it is finalised: evicted early (in the order flows went idle), or at the end
    /// of the input (in first-seen order).
    Flow(FlowRec),
    /// A TCP CIR channel (a connection that spoke the protocol), when its connection is
    /// finalised: its 4-tuple reused by a new SYN, its flow evicted, or the input ended.
    TcpChannel(TcpChannelRec),
}

/// What one input leaves once read (its records went to the caller's sink as they were made).
#[derive(Debug)]
pub struct InputResult {
    pub input: InputRec,
    pub sessions: Sessions,
}

type Endpoint = (IpAddr, u16);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct FlowKey {
    tcp: bool,
    a: Endpoint,
    b: Endpoint,
}

impl FlowKey {
    fn new(tcp: bool, x: Endpoint, y: Endpoint) -> Self {
        if x <= y { Self { tcp, a: x, b: y } } else { Self { tcp, a: y, b: x } }
    }
}

/// Running mean and variance (Welford): inter-arrival times in O(1) memory.
#[derive(Debug, Default)]
struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    fn std(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).sqrt() }
    }
}

#[derive(Debug)]
struct Flow {
    initiator: Endpoint,
    responder: Endpoint,
    tcp: bool,
    channel: Channel,
    heuristic: bool,
    packets: u64,
    bytes: u64,
    first_ts: f64,
    last_ts: f64,
    /// First payload's classification from each side: initiator, responder.
    first: [Option<Classification>; 2],
    entropy_sum: f64,
    entropy_n: u64,
    last_from_initiator: Option<f64>,
    gaps: Welford,
    messages: u64,
    other_payloads: u64,
    tcp_state: Option<Box<TcpState>>,
}

/// One TCP CIR connection: the core's engine, and what the channel record says of it.
#[derive(Debug)]
struct TcpState {
    client: Endpoint,
    server: Endpoint,
    conn: Connection,
    info: ChannelInfo,
}

/// What a TCP channel's lines said, gathered for its record.
#[derive(Debug)]
struct ChannelInfo {
    first_frame: u64,
    last_frame: u64,
    last_ts: Duration,
    session_id: Option<String>,
    helo: Option<(u64, Duration)>,
    ok_latency: Option<f64>,
    ping_count: u64,
    ping_rtts: Vec<f64>,
    cir_count: u64,
    lines: u64,
    protocol_errors: u64,
    fin: bool,
    rst: bool,
}

impl TcpState {
    fn new(client: Endpoint, server: Endpoint, frame: u64, ts: Duration) -> Self {
        Self {
            client,
            server,
            conn: Connection::default(),
            info: ChannelInfo {
                first_frame: frame,
                last_frame: frame,
                last_ts: ts,
                session_id: None,
                helo: None,
                ok_latency: None,
                ping_count: 0,
                ping_rtts: Vec::new(),
                cir_count: 0,
                lines: 0,
                protocol_errors: 0,
                fin: false,
                rst: false,
            },
        }
    }
}

/// Where a TCP line's record and counts go.
struct LineSink<'a> {
    input: usize,
    client: Endpoint,
    server: Endpoint,
    info: &'a mut ChannelInfo,
    flow_messages: &'a mut u64,
    flow_other: &'a mut u64,
    sessions: &'a mut Sessions,
    on_record: &'a mut dyn FnMut(Record),
}

impl LineSink<'_> {
    fn line(&mut self, line: &wvcir::tcp::Line<'_>) {
        let info = &mut *self.info;
        if line.kind == LineKind::TooLong {
            info.protocol_errors += 1;
            return;
        }
        if line.is_blank() {
            return;
        }
        info.lines += 1;
        let Ok(m) = &line.message else {
            info.protocol_errors += 1;
            *self.flow_other += 1;
            return;
        };
        *self.flow_messages += 1;
        let ts = Duration::from_nanos(u64::try_from(line.ts).unwrap_or(0));
        match m.command {
            Command::Helo if info.helo.is_none() => {
                info.helo = Some((line.frame, ts));
                info.session_id = m.session_id.map(|f| text(f.bytes));
            }
            Command::Ping => info.ping_count += 1,
            Command::Ok => {
                if let Some(req) = line.answers {
                    let secs = (line.ts - req.ts) as f64 / 1e9;
                    match req.command {
                        Command::Helo => info.ok_latency = info.ok_latency.or(Some(micros(secs))),
                        _ if info.ping_rtts.len() < MAX_PING_RTTS => info.ping_rtts.push(micros(secs)),
                        _ => {}
                    }
                }
            }
            Command::Wvci => info.cir_count += 1,
            Command::Helo => {}
        }
        let (from, to) = match line.dir {
            Dir::ToServer => (self.client, self.server),
            Dir::ToClient => (self.server, self.client),
        };
        let rec = message_rec(self.input, line.frame, ts, Channel::Tcp, from, to, m, "ascii");
        emit(self.sessions, self.on_record, rec, m, Channel::Tcp, self.client.0, self.server.0);
    }
}

struct Engine<'a> {
    cfg: &'a Config,
    input: usize,
    /// Messages, finalised flows and TCP channels go here as they are made, not into memory.
    on_record: &'a mut dyn FnMut(Record),
    flows: HashMap<FlowKey, Flow>,
    sessions: Sessions,
    limits: LimitsRec,
    scratch: Box<Scratch>,
}

fn ip_text(ip: IpAddr) -> String {
    ip.to_string()
}

fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => wvcir::Escaped(bytes).to_string(),
    }
}

impl Engine<'_> {
    fn segment(&mut self, frame: u64, ts: Duration, seg: Segment<'_>) {
        let tsf = epoch(ts);
        let (tcp, payload) = match seg.l4 {
            L4::Udp { payload } => (false, payload),
            L4::Tcp { payload, .. } => (true, payload),
        };
        let src = (seg.src, seg.sport);
        let dst = (seg.dst, seg.dport);
        let key = FlowKey::new(tcp, src, dst);
        if !self.flows.contains_key(&key) {
            let transport = if tcp { Transport::Tcp } else { Transport::Udp };
            let mut channel = self.cfg.ports.channel(transport, seg.sport, seg.dport);
            let heuristic = channel.is_none() && self.cfg.heuristic && !payload.is_empty();
            if heuristic {
                channel = match (tcp, wvcir::detect(payload)) {
                    (false, Some(d)) => Some(d.udp_channel()),
                    (true, Some(Detected::CirText)) => Some(Channel::Tcp),
                    _ => None,
                };
            }
            let Some(channel) = channel else { return };
            if self.flows.len() >= MAX_FLOWS {
                self.evict_flows();
            }
            let flow = Flow {
                initiator: src,
                responder: dst,
                tcp,
                channel,
                heuristic,
                packets: 0,
                bytes: 0,
                first_ts: tsf,
                last_ts: tsf,
                first: [None, None],
                entropy_sum: 0.0,
                entropy_n: 0,
                last_from_initiator: None,
                gaps: Welford::default(),
                messages: 0,
                other_payloads: 0,
                tcp_state: None,
            };
            self.flows.insert(key, flow);
        }
        let Some(flow) = self.flows.get_mut(&key) else { return };
        let from_initiator = flow.initiator == src;
        flow.packets += 1;
        flow.bytes += payload.len() as u64;
        flow.last_ts = tsf;
        if from_initiator {
            if let Some(prev) = flow.last_from_initiator {
                flow.gaps.add(tsf - prev);
            }
            flow.last_from_initiator = Some(tsf);
        }
        if !payload.is_empty() {
            let side = usize::from(!from_initiator);
            if flow.first.get(side).is_some_and(Option::is_none) {
                let transport = if tcp { Transport::Tcp } else { Transport::Udp };
                if let Some(slot) = flow.first.get_mut(side) {
                    *slot = Some(wvcir::classify(payload, transport));
                }
            }
            if payload.len() >= ENTROPY_MIN_LEN {
                let (h, _) = wvcir::byte_stats(payload);
                flow.entropy_sum += h / (payload.len().min(256) as f64).log2();
                flow.entropy_n += 1;
            }
        }
        let channel = flow.channel;
        match seg.l4 {
            L4::Udp { payload } => {
                if payload.is_empty() {
                    return;
                }
                let found = self.datagram(frame, ts, &seg, channel, payload);
                if let Some(flow) = self.flows.get_mut(&key) {
                    if found { flow.messages += 1 } else { flow.other_payloads += 1 }
                }
            }
            L4::Tcp { seq, syn, ack, fin, rst, payload } => {
                self.tcp_segment(key, frame, ts, src, seq, (syn, ack, fin, rst), payload);
            }
        }
    }

    /// Decodes one datagram of a CIR channel; whether it held a message.
    fn datagram(&mut self, frame: u64, ts: Duration, seg: &Segment<'_>, channel: Channel, payload: &[u8]) -> bool {
        let Engine { scratch, sessions, on_record, input, .. } = self;
        let decoded = payload::decode(channel, payload, scratch);
        let Some(m) = decoded.messages.first() else { return false };
        let (src, dst) = ((seg.src, seg.sport), (seg.dst, seg.dport));
        let rec = message_rec(*input, frame, ts, channel, src, dst, m, decoded.encoding.name());
        emit(sessions, *on_record, rec, m, channel, seg.dst, seg.src);
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn tcp_segment(
        &mut self,
        key: FlowKey,
        frame: u64,
        ts: Duration,
        src: Endpoint,
        seq: u32,
        (syn, ack, fin, rst): (bool, bool, bool, bool),
        payload: &[u8],
    ) {
        let Some(flow) = self.flows.get_mut(&key) else { return };
        // A new SYN on a connection that already ended or carried data: the 4-tuple is reused.
        let reused =
            syn && !ack && flow.tcp_state.as_ref().is_some_and(|s| s.info.fin || s.info.rst || s.info.lines > 0);
        if reused && let Some(old) = flow.tcp_state.take() {
            self.close_tcp(key, old);
        }
        let Engine { flows, sessions, on_record, input, cfg, .. } = self;
        let Some(flow) = flows.get_mut(&key) else { return };
        let (initiator, responder) = (flow.initiator, flow.responder);
        let state = flow.tcp_state.get_or_insert_with(|| {
            let (client, server) = if server_is_responder(&cfg.ports, initiator.1, responder.1) {
                (initiator, responder)
            } else {
                (responder, initiator)
            };
            Box::new(TcpState::new(client, server, frame, ts))
        });
        state.info.last_frame = frame;
        state.info.last_ts = ts;
        state.info.rst |= rst;
        state.info.fin |= fin;
        let dir = if src == state.client { Dir::ToServer } else { Dir::ToClient };
        let control = Control::from_flags(syn, fin, rst);
        let seg = wvcir::tcp::Segment { frame, ts: nanos(ts), dir, seq, control, payload };
        let TcpState { client, server, conn, info } = &mut **state;
        let mut sink = LineSink {
            input: *input,
            client: *client,
            server: *server,
            info,
            flow_messages: &mut flow.messages,
            flow_other: &mut flow.other_payloads,
            sessions,
            on_record: &mut **on_record,
        };
        conn.segment(&seg, &mut |line| sink.line(line));
    }

    /// Ends a flow's TCP connection: lines still open are reported incomplete, its counts go to
    /// the input's limits, and its channel record out if it spoke the protocol.
    fn close_tcp(&mut self, key: FlowKey, mut state: Box<TcpState>) {
        let Engine { flows, sessions, on_record, input, limits, .. } = self;
        let mut unused = (0, 0);
        let (flow_messages, flow_other) = match flows.get_mut(&key) {
            Some(f) => (&mut f.messages, &mut f.other_payloads),
            None => (&mut unused.0, &mut unused.1),
        };
        let TcpState { client, server, conn, info } = &mut *state;
        let (frame, ts) = (info.last_frame, nanos(info.last_ts));
        let mut sink = LineSink {
            input: *input,
            client: *client,
            server: *server,
            info,
            flow_messages,
            flow_other,
            sessions,
            on_record: &mut **on_record,
        };
        conn.end_of_capture(frame, ts, &mut |line| sink.line(line));
        let stats = conn.stats();
        for s in stats.streams {
            limits.tcp_gap_bytes += s.gap_bytes;
            limits.tcp_bytes_dropped += s.after_end;
        }
        limits.tcp_bytes_dropped += stats.held_at_end;
        limits.tcp_resync_bytes += stats.resync_bytes;
        limits.tcp_cut_lines += stats.cut_lines;
        limits.long_lines += stats.long_lines;
        limits.requests_dropped += stats.requests_dropped;
        let rec = channel_rec(*input, &state);
        // Only connections that spoke the protocol are CIR channels; TLS or HTTP on the port is
        // told by its flow record.
        if rec.lines > rec.protocol_errors {
            (self.on_record)(Record::TcpChannel(rec));
        }
    }

    /// Ends a flow (its TCP connection first) and hands its record out.
    fn finish_flow(&mut self, key: FlowKey) {
        if let Some(state) = self.flows.get_mut(&key).and_then(|f| f.tcp_state.take()) {
            self.close_tcp(key, state);
        }
        let Some(flow) = self.flows.remove(&key) else { return };
        let rec = flow_rec(self.input, &self.cfg.ports, &flow);
        (self.on_record)(Record::Flow(rec));
    }

    /// Finalises the least recently active eighth of the flows, keeping their records.
    /// Finalises the least recently active eighth of the tracked flows. Ties in time are broken
    /// by the flow's addresses, so which flows go (and the report) never depends on the hash
    /// map's random order; the eighth is found in linear time and only it is sorted.
    fn evict_flows(&mut self) {
        let mut by_age: Vec<(f64, FlowKey)> = self.flows.iter().map(|(k, f)| (f.last_ts, *k)).collect();
        let order = |a: &(f64, FlowKey), b: &(f64, FlowKey)| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1));
        let n = (MAX_FLOWS / 8).min(by_age.len());
        if n < by_age.len() {
            by_age.select_nth_unstable_by(n, order);
        }
        by_age.truncate(n);
        by_age.sort_unstable_by(order);
        for (_, key) in by_age {
            self.limits.flows_evicted += 1;
            self.finish_flow(key);
        }
    }
}

/// Hands a message to the sink, and counts a well-formed CIR in its session.
fn emit(
    sessions: &mut Sessions,
    on_record: &mut dyn FnMut(Record),
    rec: MessageRec,
    m: &Message<'_>,
    channel: Channel,
    client: IpAddr,
    server: IpAddr,
) {
    if let (Command::Wvci, None, Some(cookie)) = (m.command, m.malformed, &rec.cookie)
        && !m.anomalies.contains(Anomaly::Incomplete)
    {
        let version = rec.version.as_deref();
        sessions.add(SeenCir { client, server, cookie, channel, version, ts: rec.ts, input: rec.input });
    }
    on_record(Record::Message(rec));
}

/// Whether the responder of a TCP flow is the CIR channel's server: the side on a CIR TCP port,
/// failing that whoever was contacted.
fn server_is_responder(ports: &PortMap, initiator_port: u16, responder_port: u16) -> bool {
    ports.is_cir_port(Transport::Tcp, responder_port) || !ports.is_cir_port(Transport::Tcp, initiator_port)
}

fn nanos(ts: Duration) -> i64 {
    i64::try_from(ts.as_nanos()).unwrap_or(i64::MAX)
}

fn channel_rec(input: usize, s: &TcpState) -> TcpChannelRec {
    let i = &s.info;
    let unanswered = i.helo.is_some() && i.ok_latency.is_none_or(|l| l > HELO_TIMEOUT);
    TcpChannelRec {
        input,
        client_ip: ip_text(s.client.0),
        client_port: s.client.1,
        server_ip: ip_text(s.server.0),
        server_port: s.server.1,
        first_frame: i.first_frame,
        last_frame: i.last_frame,
        session_id: i.session_id.clone(),
        helo_frame: i.helo.map(|h| h.0),
        helo_ts: i.helo.map(|h| epoch(h.1)),
        helo_time: i.helo.map(|h| rfc3339(h.1)),
        ok_latency: i.ok_latency,
        unanswered_helo: unanswered,
        ping_count: i.ping_count,
        ping_rtts: i.ping_rtts.clone(),
        cir_count: i.cir_count,
        lines: i.lines,
        protocol_errors: i.protocol_errors,
        end: if i.rst {
            "rst"
        } else if i.fin {
            "fin"
        } else {
            "capture-end"
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn message_rec(
    input: usize,
    frame: u64,
    ts: Duration,
    channel: Channel,
    src: Endpoint,
    dst: Endpoint,
    m: &Message<'_>,
    encoding: &'static str,
) -> MessageRec {
    let mut anomalies: Vec<&'static str> = m.anomalies.iter().map(|(a, _)| a.name()).collect();
    if let Some(e) = m.malformed {
        anomalies.push(e.kind.name());
    }
    MessageRec {
        input,
        frame,
        ts: epoch(ts),
        time: rfc3339(ts),
        channel: channel.name(),
        src_ip: ip_text(src.0),
        src_port: src.1,
        dst_ip: ip_text(dst.0),
        dst_port: dst.1,
        command: m.command.as_str(),
        version: m.version.map(|v| text(v.text.bytes)),
        cookie: m.cookie.map(|c| text(c.bytes)),
        session_id: m.session_id.map(|s| text(s.bytes)),
        encoding,
        line_end: if m.line_end == LineEnd::None { "none" } else { m.line_end.name() },
        malformed: m.malformed.is_some(),
        anomalies,
    }
}

/// Periodic traffic: at least this many gaps between packets from the initiator...
const PERIODIC_MIN_GAPS: u64 = 4;
/// ...at least this many seconds apart on average...
const PERIODIC_MIN_PERIOD: f64 = 1.0;
/// ...varying by at most this fraction of the period (coefficient of variation).
const PERIODIC_MAX_CV: f64 = 0.1;
/// Mean payload entropy, as a share of the most a payload of its length can have, above which a
/// binary flow counts as encrypted or compressed.
const HIGH_ENTROPY_SHARE: f64 = 0.9;

fn flow_rec(input: usize, ports: &PortMap, f: &Flow) -> FlowRec {
    let transport = if f.tcp { Transport::Tcp } else { Transport::Udp };
    let class = f.first.iter().flatten().next().copied();
    let kind = if f.messages > 0 { "cir" } else { class.map_or(PayloadKind::Empty.name(), |c| c.kind.name()) };
    let on_cir_port = ports.is_cir_port(transport, f.initiator.1) || ports.is_cir_port(transport, f.responder.1);
    let mean_entropy_share = if f.entropy_n > 0 { f.entropy_sum / f.entropy_n as f64 } else { 0.0 };
    let mut reasons = Vec::new();
    if on_cir_port && !matches!(kind, "cir" | "empty") {
        reasons.push(ReasonRec {
            kind: "non-cir-protocol",
            detail: format!(
                "{kind} on CIR port {}",
                if ports.is_cir_port(transport, f.responder.1) { f.responder.1 } else { f.initiator.1 }
            ),
            period: None,
            jitter: None,
            entropy: None,
        });
    }
    if kind != "cir"
        && f.gaps.n >= PERIODIC_MIN_GAPS
        && f.gaps.mean >= PERIODIC_MIN_PERIOD
        && f.gaps.std() <= PERIODIC_MAX_CV * f.gaps.mean
    {
        reasons.push(ReasonRec {
            kind: "periodic",
            detail: format!("{} packets from {} about every {:.1} s", f.gaps.n + 1, f.initiator.0, f.gaps.mean),
            period: Some(micros(f.gaps.mean)),
            jitter: Some(micros(f.gaps.std())),
            entropy: None,
        });
    }
    if kind == "binary" && mean_entropy_share >= HIGH_ENTROPY_SHARE {
        let bits = class.map_or(0.0, |c| c.entropy);
        reasons.push(ReasonRec {
            kind: "high-entropy",
            detail: format!(
                "payloads look encrypted or compressed ({:.0}% of the maximum entropy)",
                mean_entropy_share * 100.0
            ),
            period: None,
            jitter: None,
            entropy: Some((bits * 1000.0).round() / 1000.0),
        });
    }
    FlowRec {
        input,
        protocol: if f.tcp { "tcp" } else { "udp" },
        src_ip: ip_text(f.initiator.0),
        src_port: f.initiator.1,
        dst_ip: ip_text(f.responder.0),
        dst_port: f.responder.1,
        channel: Some(f.channel.name()),
        heuristic: f.heuristic,
        packets: f.packets,
        bytes: f.bytes,
        first_ts: f.first_ts,
        last_ts: f.last_ts,
        classification: ClassRec {
            kind,
            entropy: class.map_or(0.0, |c| (c.entropy * 1000.0).round() / 1000.0),
            printable_ratio: class.map_or(0.0, |c| (c.printable_ratio * 1000.0).round() / 1000.0),
        },
        messages: f.messages,
        other_payloads: f.other_payloads,
        suspicious: !reasons.is_empty(),
        reasons,
    }
}

/// Analyses one capture. Messages, flows and TCP channels go to `on_record` as they are made (see
/// [`Record`]); the input's record and its sessions come back.
/// A damaged capture still yields everything read before the damage, with `complete: false`.
pub fn analyze<R: Read>(
    index: usize,
    path: &str,
    src: R,
    cfg: &Config,
    progress: &Progress,
    on_record: &mut dyn FnMut(Record),
) -> InputResult {
    let mut input = InputRec::new(path.to_owned());
    let mut engine = Engine {
        cfg,
        input: index,
        on_record,
        flows: HashMap::new(),
        sessions: Sessions::default(),
        limits: LimitsRec::default(),
        scratch: Box::default(),
    };
    let mut defrag = Defrag::default();
    let mut reported = (0u64, 0u64);
    let mut last_ts = Duration::ZERO;
    let result = (|| -> Result<(), CaptureError> {
        let mut reader = CaptureReader::open(src)?;
        input.format = Some(reader.format().name());
        let outcome = loop {
            let packet = match reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            input.packets += 1;
            let frame = input.packets;
            if input.first_ts.is_none() {
                input.first_ts = Some(epoch(packet.ts));
            }
            last_ts = packet.ts;
            let _ = packet::decode(packet.link, packet.data, epoch(packet.ts), &mut defrag, |seg| {
                engine.segment(frame, packet.ts, seg);
            });
            if input.packets.is_multiple_of(4096) {
                let off = reader.offset();
                progress.bytes.fetch_add(off - reported.0, Ordering::Relaxed);
                progress.packets.fetch_add(input.packets - reported.1, Ordering::Relaxed);
                reported = (off, input.packets);
            }
        };
        input.bytes = reader.offset();
        let mut names: Vec<String> = Vec::new();
        for l in reader.link_types() {
            let n = link_name(l);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        input.link_types = names;
        outcome
    })();
    progress.bytes.fetch_add(input.bytes.saturating_sub(reported.0), Ordering::Relaxed);
    progress.packets.fetch_add(input.packets - reported.1, Ordering::Relaxed);
    if input.packets > 0 {
        input.last_ts = Some(epoch(last_ts));
    }
    match result {
        Ok(()) => input.complete = true,
        Err(e) => {
            if e.kind != "not-a-capture" && e.kind != "empty" {
                input.bytes = input.bytes.max(e.offset);
            }
            input.error = Some(ErrorRec { kind: e.kind, message: e.message, offset: e.offset });
        }
    }
    // End of input: every flow is finalised, in first-seen order for a stable report.
    let mut keys: Vec<(f64, FlowKey)> = engine.flows.iter().map(|(k, f)| (f.first_ts, *k)).collect();
    keys.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| format!("{:?}", a.1).cmp(&format!("{:?}", b.1))));
    for (_, key) in keys {
        engine.finish_flow(key);
    }
    engine.limits.fragments_dropped = defrag.dropped + defrag.pending() as u64;
    engine.limits.untracked_cirs = engine.sessions.untracked();
    input.limits = engine.limits.clone();
    InputResult { input, sessions: engine.sessions }
}
