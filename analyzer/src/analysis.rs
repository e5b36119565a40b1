//! The analysis of one input: packets in, messages, TCP channels and flows out.
//!
//! Only flows on the CIR ports (or matched by the heuristic) are tracked; everything else is
//! counted and passed over after a few byte compares, which is what keeps the analyzer fast on
//! captures that are mostly not CIR. All state is bounded (see the `MAX_*` constants and
//! [`LimitsRec`]); whatever is evicted is reported, never dropped silently.
//!
//! | stage | module |
//! |---|---|
//! | capture file to packets | [`crate::capture`] |
//! | packets to UDP/TCP segments | [`crate::packet`], [`crate::defrag`] |
//! | flows: identity, counters, eviction | [`crate::flows`] |
//! | datagram payloads to messages | [`wvcir::payload`] |
//! | TCP connections to lines | [`crate::tcp_channels`] over [`wvcir::tcp`] |
//! | messages to records and sessions | [`crate::messages`], [`crate::sessions`] |
//! | why a flow is suspicious | [`crate::suspicion`] |

use crate::capture::{CaptureError, CaptureReader, link_name};
use crate::defrag::Defrag;
use crate::flows::{Flow, FlowKey, FlowTable};
use crate::messages::{Found, Out};
use crate::packet::{self, L4, Segment, Skipped};
use crate::report::{ErrorRec, FlowRec, InputRec, LimitsRec, MessageRec, SkippedRec, TcpChannelRec, epoch};
use crate::sessions::Sessions;
use crate::smpp::{SmppConn, SmppOut, SmppSegment, SmppShared, SmsAt, SmsIn};
use crate::tcp_channels::{TcpState, nanos, server_is_responder};
use crate::vocab::FlowKind;
use crate::vocab::Name;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wvcir::payload::{self, Scratch};
use wvcir::tcp::Control;
use wvcir::{Channel, Detected, PortMap, Transport};

/// What the analysis looks for.
#[derive(Clone, Debug)]
pub struct Config {
    pub ports: PortMap,
    pub heuristic: bool,
    /// TCP ports of SMPP (SMSC links that may carry SMS CIRs); the heuristic finds it on others.
    pub smpp_ports: Vec<wvcir::PortRange>,
}

impl Default for Config {
    fn default() -> Self {
        Self { ports: PortMap::default(), heuristic: true, smpp_ports: vec![(wvcir::smpp::PORT, wvcir::smpp::PORT)] }
    }
}

impl Config {
    fn is_smpp_port(&self, port: u16) -> bool {
        self.smpp_ports.iter().any(|&(lo, hi)| (lo..=hi).contains(&port))
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

/// One packet as the engine takes it.
#[derive(Clone, Copy, Debug)]
struct Packet<'a> {
    frame: u64,
    ts: Duration,
    seg: Segment<'a>,
}

impl Packet<'_> {
    /// Where an SMS this packet carried was found, in a flow whose initiator is `initiator`.
    fn sms_at(&self, initiator: crate::flows::Endpoint) -> SmsAt {
        let (src, dst) = ((self.seg.src, self.seg.sport), (self.seg.dst, self.seg.dport));
        SmsAt { frame: self.frame, ts: self.ts, src, dst, from_initiator: src == initiator }
    }
}

struct Engine<'a> {
    cfg: &'a Config,
    input: usize,
    /// Messages, finalised flows and TCP channels go here as they are made, not into memory.
    on_record: &'a mut dyn FnMut(Record),
    flows: FlowTable,
    sessions: Sessions,
    limits: LimitsRec,
    scratch: Box<Scratch>,
    smpp: SmppShared,
}

impl Engine<'_> {
    fn packet(&mut self, p: Packet<'_>) {
        let (transport, payload) = match p.seg.l4 {
            L4::Udp { payload } => (Transport::Udp, payload),
            L4::Tcp { payload, .. } => (Transport::Tcp, payload),
        };
        let (src, dst) = ((p.seg.src, p.seg.sport), (p.seg.dst, p.seg.dport));
        let key = FlowKey::new(transport, src, dst).in_tunnel(p.seg.tunnel.id());
        if !self.flows.contains(&key) && !self.track(key, transport, &p, payload) {
            return;
        }
        let Some(flow) = self.flows.get_mut(&key) else { return };
        let side = flow.side(src);
        flow.observe(side, p.ts, payload);
        let channel = flow.channel;
        match p.seg.l4 {
            L4::Udp { payload } if flow.sip => self.sip_datagram(key, &p, payload),
            L4::Udp { payload } if !payload.is_empty() => self.datagram(key, &p, channel, payload),
            L4::Udp { .. } => {}
            L4::Tcp { seq, syn, fin, rst, payload, .. } if flow.smpp.is_some() => {
                let control = Control::from_flags(syn, fin, rst);
                self.smpp_segment(key, &p, seq, control, payload);
            }
            L4::Tcp { seq, syn, ack, fin, rst, payload } => {
                let control = Control::from_flags(syn, fin, rst);
                self.tcp(key, &p, seq, (control, syn && !ack), payload);
            }
        }
    }

    /// Starts tracking a flow if it is on a CIR port or its payload looks like CIR; whether it did.
    fn track(&mut self, key: FlowKey, transport: Transport, p: &Packet<'_>, payload: &[u8]) -> bool {
        let by_port = self.cfg.ports.channel(transport, p.seg.sport, p.seg.dport);
        let heuristic = by_port.is_none() && self.cfg.heuristic && !payload.is_empty();
        let by_payload = || match (transport, wvcir::detect(payload)) {
            (Transport::Udp, Some(d)) => Some(d.udp_channel()),
            (Transport::Tcp, Some(Detected::CirText)) => Some(Channel::Tcp),
            _ => None,
        };
        // SMPP (an SMSC link that may carry SMS CIRs): by its port, or its first PDU's header.
        let smpp = transport == Transport::Tcp
            && by_port.is_none()
            && (self.cfg.is_smpp_port(p.seg.sport)
                || self.cfg.is_smpp_port(p.seg.dport)
                || heuristic && wvcir::smpp::looks_like_smpp(payload) && by_payload().is_none());
        let by_smpp = smpp.then_some(Channel::Sms);
        // SMS over SIP: a SIP `MESSAGE` whose body is an SMS.
        let sip = transport == Transport::Udp
            && by_port.is_none()
            && (p.seg.sport == crate::sip_sms::SIP_PORT || p.seg.dport == crate::sip_sms::SIP_PORT)
            && crate::sip_sms::sms_body(payload).is_some();
        let by_smpp = by_smpp.or(sip.then_some(Channel::Sms));
        let Some(channel) = by_port.or(by_smpp).or_else(|| if heuristic { by_payload() } else { None }) else {
            return false;
        };
        if self.flows.is_full() {
            self.evict_flows();
        }
        let (src, dst) = ((p.seg.src, p.seg.sport), (p.seg.dst, p.seg.dport));
        let mut flow = Flow::new(transport, src, dst, channel, p.ts);
        if !p.seg.tunnel.is_empty() {
            flow.names.get_or_insert_default().tunnel =
                p.seg.tunnel.layers().map(crate::report::TunnelRec::from).collect();
        }
        flow.heuristic = heuristic && !(self.cfg.is_smpp_port(p.seg.sport) || self.cfg.is_smpp_port(p.seg.dport));
        if smpp {
            flow.smpp = Some(Box::default());
        }
        flow.sip = sip;
        self.flows.insert(key, flow);
        true
    }

    /// Decodes one datagram of a CIR channel.
    fn datagram(&mut self, key: FlowKey, p: &Packet<'_>, channel: Channel, payload: &[u8]) {
        let Engine { scratch, sessions, on_record, input, flows, cfg, .. } = self;
        let decoded = payload::decode(channel, payload, scratch);
        let found = decoded.messages.first();
        let to_udp_cir = cfg.ports.channel(Transport::Udp, p.seg.dport, p.seg.dport) == Some(Channel::Udp);
        if let Some(flow) = flows.get_mut(&key) {
            if let Some(m) = found {
                flow.tally.messages += 1;
                flow.tally.clean_messages += u64::from(m.malformed.is_none());
            } else {
                flow.tally.other(crate::vocab::FlowKind::from(wvcir::classify(payload, Transport::Udp).kind));
            }
            // Symbian checks exactly `WVCI` at offset 0 of every datagram to its CIR port.
            if to_udp_cir && !payload.starts_with(b"WVCI") {
                flow.foreign_to_cir_port += 1;
                flow.cir_port_owner = Some((p.seg.dst, p.seg.dport));
            }
        }
        let Some(m) = found else { return };
        let (src, dst) = ((p.seg.src, p.seg.sport), (p.seg.dst, p.seg.dport));
        let carrier = crate::messages::datagram_carrier(channel, decoded.encoding);
        let at = Found { frame: p.frame, ts: p.ts, channel, src, dst, encoding: decoded.encoding, carrier };
        let tunnel = flows.get(&key).and_then(|f| f.names.as_deref()).map_or(&[][..], |n| &n.tunnel[..]);
        let mut out = Out { input: *input, sessions, on_record: &mut **on_record, tunnel };
        out.message(&at, m, p.seg.dst, p.seg.src);
    }

    /// Feeds one TCP segment to its connection; a new SYN on a used 4-tuple starts a new one.
    fn tcp(&mut self, key: FlowKey, p: &Packet<'_>, seq: u32, (control, new_syn): (Control, bool), payload: &[u8]) {
        let reused = new_syn && self.flows.get_mut(&key).and_then(|f| f.tcp.as_ref()).is_some_and(|t| t.reusable());
        if reused && let Some(old) = self.flows.get_mut(&key).and_then(|f| f.tcp.take()) {
            self.close_tcp(key, *old);
        }
        let Engine { flows, sessions, on_record, input, cfg, .. } = self;
        let Some(flow) = flows.get_mut(&key) else { return };
        let (initiator, responder) = (flow.initiator, flow.responder);
        let state = flow.tcp.get_or_insert_with(|| {
            let server_is_responder = server_is_responder(&cfg.ports, initiator.1, responder.1);
            let (client, server) = if server_is_responder { (initiator, responder) } else { (responder, initiator) };
            Box::new(TcpState::new(client, server, p.frame, p.ts))
        });
        let seg = wvcir::tcp::Segment {
            frame: p.frame,
            ts: nanos(p.ts),
            dir: wvcir::tcp::Dir::ToServer,
            seq,
            control,
            payload,
        };
        // The flow's tunnel names its messages; it is lent to them while the connection's
        // handshakes may write the rest of the flow's names.
        let tunnel = flow.names.as_deref_mut().map(|n| std::mem::take(&mut n.tunnel)).unwrap_or_default();
        let counts = (&mut flow.tally, &mut flow.names);
        let mut out = Out { input: *input, sessions, on_record: &mut **on_record, tunnel: &tunnel };
        state.segment(seg, (p.seg.src, p.seg.sport), p.ts, counts, &mut out);
        if !tunnel.is_empty() {
            flow.names.get_or_insert_default().tunnel = tunnel;
        }
    }

    /// Feeds one segment to a flow's SMPP connection.
    fn smpp_segment(&mut self, key: FlowKey, p: &Packet<'_>, seq: u32, control: Control, payload: &[u8]) {
        let Some(flow) = self.flows.get_mut(&key) else { return };
        let at = p.sms_at(flow.initiator);
        let seg = SmppSegment { at, seq, control, payload };
        self.sms_out(key, FlowKind::Smpp, |conn, to| {
            if let Some(c) = conn.as_deref_mut() {
                c.segment(&seg, to);
            }
        });
    }

    /// Ends a flow's SMPP connection: what its streams still held is framed.
    fn close_smpp(&mut self, key: FlowKey) {
        let Some(flow) = self.flows.get_mut(&key) else { return };
        let (ts, initiator, responder) = (flow.last_ts, flow.initiator, flow.responder);
        self.sms_out(key, FlowKind::Smpp, |conn, to| {
            if let Some(mut c) = conn.take() {
                c.close(ts, initiator, responder, to);
            }
        });
    }

    /// A SIP `MESSAGE` carrying an SMS: its TPDU's user data goes where an SMPP short message's
    /// does.
    fn sip_datagram(&mut self, key: FlowKey, p: &Packet<'_>, payload: &[u8]) {
        let Some(flow) = self.flows.get_mut(&key) else { return };
        let tpdu = crate::sip_sms::sms_body(payload)
            .and_then(|(user, body)| Some((user, wvcir::tpdu::rp_data(body).and_then(wvcir::tpdu::decode)?)));
        let Some((user, t)) = tpdu else {
            flow.tally.other(FlowKind::Text);
            return;
        };
        let address: String = t.address.digits().collect();
        let (source, destination) = match t.kind {
            wvcir::tpdu::Kind::Deliver => (address, crate::messages::text(user)),
            wvcir::tpdu::Kind::Submit => (String::new(), address),
        };
        let sms = SmsIn {
            transport: crate::vocab::SmsTransport::Sip,
            pdu: t.kind.into(),
            source,
            destination,
            udhi: t.udhi,
            user_data: t.user_data,
            coding: wvcir::sms::Coding::from_tp_dcs(t.dcs),
            ports: None,
            sar: None,
        };
        let at = p.sms_at(flow.initiator);
        self.sms_out(key, FlowKind::Text, |_, to| to.short_message(&sms, &at));
    }

    /// Runs `f` with flow `key`'s SMPP connection and where its SMS findings go (a short message
    /// that is no CIR counts as `other` in the flow's tally).
    fn sms_out(
        &mut self,
        key: FlowKey,
        other: FlowKind,
        f: impl FnOnce(&mut Option<Box<SmppConn>>, &mut SmppOut<'_, '_>),
    ) {
        let Engine { flows, sessions, on_record, input, cfg, smpp, limits, .. } = self;
        let Some(flow) = flows.get_mut(&key) else { return };
        let Flow { tally, names, smpp: conn, .. } = flow;
        let tunnel = names.as_deref().map_or(&[][..], |n| &n.tunnel[..]);
        let mut out = Out { input: *input, sessions, on_record: &mut **on_record, tunnel };
        let mut to =
            SmppOut { ports: &cfg.ports, conn: conn_id(&key), shared: smpp, limits, tally, other, out: &mut out };
        f(conn, &mut to);
    }

    /// Ends a flow's TCP connection; its record goes out if it spoke the protocol.
    fn close_tcp(&mut self, key: FlowKey, state: TcpState) {
        let Engine { flows, sessions, on_record, input, limits, .. } = self;
        let mut unused = crate::flows::Tally::default();
        let (counts, tunnel) = match flows.get_mut(&key) {
            Some(f) => (&mut f.tally, f.names.as_deref().map_or(&[][..], |n| &n.tunnel[..])),
            None => (&mut unused, &[][..]),
        };
        let mut out = Out { input: *input, sessions, on_record: &mut **on_record, tunnel };
        if let Some(rec) = state.close(*input, counts, &mut out, limits) {
            (self.on_record)(Record::TcpChannel(rec));
        }
    }

    /// Ends a flow (its TCP connection first) and hands its record out.
    fn finish_flow(&mut self, key: FlowKey) {
        if let Some(state) = self.flows.get_mut(&key).and_then(|f| f.tcp.take()) {
            self.close_tcp(key, *state);
        }
        self.close_smpp(key);
        let Some(flow) = self.flows.remove(&key) else { return };
        self.limits.http_cut += flow.tally.http.cut();
        self.limits.handshake_cut += flow.names.as_ref().map_or(0, |n| n.cut);
        let rec = flow.record(self.input, &self.cfg.ports);
        (self.on_record)(Record::Flow(rec));
    }

    /// Finalises the least recently active eighth of the tracked flows.
    fn evict_flows(&mut self) {
        for key in self.flows.idlest() {
            self.limits.flows_evicted += 1;
            self.finish_flow(key);
        }
    }

    /// The end of the input: every flow is finalised, in first-seen order.
    fn finish(mut self, defrag: &Defrag) -> (LimitsRec, Sessions) {
        for key in self.flows.in_first_seen_order() {
            self.finish_flow(key);
        }
        self.limits.fragments_dropped = defrag.dropped + defrag.pending() as u64;
        self.smpp.finish(&mut self.limits);
        self.limits.untracked_cirs = self.sessions.untracked();
        (self.limits, self.sessions)
    }
}

/// A connection's identity among the input's, for joining its concatenated SMS.
fn conn_id(key: &FlowKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Reads packets until the end of the capture or the first damage; the input record counts them.
fn read_packets<R: Read>(
    src: R,
    input: &mut InputRec,
    progress: &Progress,
    mut on_packet: impl FnMut(u64, Duration, pcap_file::DataLink, &[u8]),
) -> Result<(), CaptureError> {
    let mut reader = CaptureReader::open(src)?;
    input.format = Some(Name(reader.format()));
    let mut reported = (0u64, 0u64);
    let mut last = Duration::ZERO;
    let outcome = loop {
        let packet = match reader.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        };
        input.packets += 1;
        if input.packets == 1 {
            input.first_ts = Some(epoch(packet.ts));
        }
        last = packet.ts;
        on_packet(input.packets, packet.ts, packet.link, packet.data);
        if input.packets.is_multiple_of(4096) {
            let off = reader.offset();
            progress.bytes.fetch_add(off - reported.0, Ordering::Relaxed);
            progress.packets.fetch_add(input.packets - reported.1, Ordering::Relaxed);
            reported = (off, input.packets);
        }
    };
    input.bytes = reader.offset();
    if input.packets > 0 {
        input.last_ts = Some(epoch(last));
    }
    for name in reader.link_types().into_iter().map(link_name) {
        if !input.link_types.contains(&name) {
            input.link_types.push(name);
        }
    }
    progress.bytes.fetch_add(input.bytes.saturating_sub(reported.0), Ordering::Relaxed);
    progress.packets.fetch_add(input.packets - reported.1, Ordering::Relaxed);
    outcome
}

/// Counts a frame that carried no UDP or TCP segment.
fn count_skipped(s: &mut SkippedRec, why: Skipped) {
    match why {
        Skipped::NotIp => s.not_ip += 1,
        Skipped::OtherProtocol => s.other_protocol += 1,
        Skipped::Undecodable => s.undecodable += 1,
        Skipped::Fragment => s.fragments += 1,
        Skipped::TooDeep => s.tunnel_too_deep += 1,
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
        flows: FlowTable::default(),
        sessions: Sessions::default(),
        limits: LimitsRec::default(),
        scratch: Box::default(),
        smpp: SmppShared::default(),
    };
    let mut defrag = Defrag::default();
    let mut skipped = SkippedRec::default();
    let result = read_packets(src, &mut input, progress, |frame, ts, link, data| {
        let decoded = packet::decode(link, data, ts, &mut defrag, |seg| engine.packet(Packet { frame, ts, seg }));
        if let Err(why) = decoded {
            count_skipped(&mut skipped, why);
        }
    });
    match result {
        Ok(()) => input.complete = true,
        Err(e) => {
            if !e.kind.before_any_record() {
                input.bytes = input.bytes.max(e.offset);
            }
            input.error = Some(ErrorRec { kind: e.kind, message: e.message, offset: e.offset });
        }
    }
    let (limits, sessions) = engine.finish(&defrag);
    input.limits = limits;
    input.skipped = skipped;
    InputResult { input, sessions }
}
