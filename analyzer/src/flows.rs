//! Flows: their identity (transport and both endpoints, either way round), their counters, and
//! the bounded table that holds them while an input is read.

use crate::report::{ClassRec, FlowRec, epoch};
use crate::suspicion;
use crate::tcp_channels::TcpState;
use crate::vocab::{FlowKind, Name};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::Duration;
use wvcir::{Channel, Classification, PayloadKind, PortMap, Transport};

/// Flows tracked at once per input; past it the least recently active eighth is finalised early.
pub const MAX_FLOWS: usize = 100_000;
/// Payloads shorter than this say little about entropy.
const ENTROPY_MIN_LEN: usize = 16;

/// An address and port.
pub type Endpoint = (IpAddr, u16);

/// A flow's identity, the same whichever way a packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    transport: TransportKey,
    a: Endpoint,
    b: Endpoint,
    /// The tunnel's id (`carriers::Tunnel::id`), 0 outside tunnels. 32 bits keep the key at
    /// 48 bytes: a million-flow capture holds 100,000 of them.
    tunnel: u32,
}

/// `Transport` with an order, for deterministic tie-breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum TransportKey {
    Udp,
    Tcp,
}

impl FlowKey {
    /// The key of a packet from `x` to `y`.
    pub fn new(transport: Transport, x: Endpoint, y: Endpoint) -> Self {
        let transport = match transport {
            Transport::Udp => TransportKey::Udp,
            Transport::Tcp => TransportKey::Tcp,
        };
        if x <= y { Self { transport, a: x, b: y, tunnel: 0 } } else { Self { transport, a: y, b: x, tunnel: 0 } }
    }

    /// The same 5-tuple inside the tunnel with id `tunnel`: another flow.
    pub fn in_tunnel(self, tunnel: u32) -> Self {
        Self { tunnel, ..self }
    }
}

/// Which side of a flow sent a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The sender of the flow's first packet.
    Initiator,
    /// The other one.
    Responder,
}

/// Running mean and variance (Welford): inter-arrival times in O(1) memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Welford {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl Welford {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn std(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).sqrt() }
    }
}

/// One flow's state and counters.
#[derive(Debug)]
pub struct Flow {
    pub transport: Transport,
    pub initiator: Endpoint,
    pub responder: Endpoint,
    pub channel: Channel,
    /// Found by the payload heuristic rather than by port.
    pub heuristic: bool,
    pub packets: u64,
    pub bytes: u64,
    pub first_ts: Duration,
    pub last_ts: Duration,
    /// The first payload's classification from each side: initiator, responder.
    pub first: [Option<Classification>; 2],
    /// What names its peers: DNS question, TLS, SSH (boxed: most flows have none).
    pub names: Option<Box<Names>>,
    pub entropy_sum: f64,
    pub entropy_n: u64,
    last_from_initiator: Option<Duration>,
    /// Seconds between the initiator's packets.
    pub gaps: Welford,
    /// What its payloads were.
    pub tally: Tally,
    /// Datagrams to a UDP CIR port that are not CIRs (each would break a Symbian phone's CIR
    /// channel), and the endpoint they went to.
    pub foreign_to_cir_port: u64,
    pub cir_port_owner: Option<Endpoint>,
    /// The TCP CIR channel state, for a TCP flow.
    pub tcp: Option<Box<TcpState>>,
    /// The SMPP connection state, for a flow of an SMSC link (instead of `tcp`).
    pub smpp: Option<Box<crate::smpp::SmppConn>>,
    /// A flow of SIP `MESSAGE`s carrying SMS (see `sip_sms`).
    pub sip: bool,
}

/// What names a flow beyond its 5-tuple and kind: the tunnels that carried it, and what its
/// payloads showed of its peers.
#[derive(Debug, Default)]
pub struct Names {
    /// The tunnels its first packet came through, outermost first.
    pub tunnel: Vec<crate::report::TunnelRec>,
    /// The first DNS question of a first payload.
    pub dns: Option<DnsRec>,
    /// The first TLS hellos and certificate of its TCP connections.
    pub tls: Option<Box<crate::handshakes::TlsRec>>,
    /// The SSH banners and KEXINITs of its TCP connections.
    pub ssh: Option<Box<crate::handshakes::SshRec>>,
    /// Handshakes given up over a bound (`limits.handshake_cut`).
    pub cut: u64,
}

/// The first question of a DNS message on a CIR port: what names the exchange.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DnsRec {
    /// The name, labels joined by dots (bytes that are not UTF-8 as `\xNN`).
    pub query: String,
    /// QTYPE (1 A, 28 AAAA, ...).
    pub qtype: u16,
}

impl From<wvcir::DnsQuestion<'_>> for DnsRec {
    fn from(q: wvcir::DnsQuestion<'_>) -> Self {
        let labels: Vec<String> = q.labels().map(crate::messages::text).collect();
        DnsRec { query: labels.join("."), qtype: q.qtype }
    }
}

/// The kinds a payload that is not CIR can be.
pub const OTHER_KINDS: [FlowKind; 9] = [
    FlowKind::Tls,
    FlowKind::HttpRequest,
    FlowKind::HttpResponse,
    FlowKind::Ssh,
    FlowKind::Dns,
    FlowKind::Smpp,
    FlowKind::Text,
    FlowKind::Binary,
    FlowKind::Empty,
];

/// What a flow's payloads were: messages (those that decode cleanly apart), payloads that are
/// not CIR, and the HTTP heads among its TCP lines. A flow's TCP connections add to it.
#[derive(Debug, Default)]
pub struct Tally {
    pub messages: u64,
    /// Messages that decoded cleanly (not malformed).
    pub clean_messages: u64,
    pub other_payloads: u64,
    /// What the payloads that are not CIR were: counts by [`OTHER_KINDS`] (boxed: most flows
    /// have none; an array, not a map: a million beacon flows hold 100,000 of them at once).
    pub other_kinds: Option<Box<[u64; OTHER_KINDS.len()]>>,
    pub http: crate::http::HttpSeen,
}

impl Tally {
    /// Counts a payload (datagram or TCP line) that is not CIR, of kind `kind`.
    pub fn other(&mut self, kind: FlowKind) {
        self.other_payloads += 1;
        // A payload that looked like CIR but did not decode is text of no known protocol.
        let kind = if kind == FlowKind::Cir { FlowKind::Text } else { kind };
        let i = OTHER_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        if let Some(n) = self.other_kinds.get_or_insert_default().get_mut(i) {
            *n = n.saturating_add(1);
        }
    }

    /// [`Tally::other_kinds`] as the report writes it: the kinds seen, by name.
    pub fn other_kinds(&self) -> BTreeMap<Name<FlowKind>, u64> {
        let counts = self.other_kinds.as_deref().into_iter().flat_map(|c| OTHER_KINDS.iter().zip(c.iter()));
        counts.filter(|(_, n)| **n > 0).map(|(k, n)| (Name(*k), *n)).collect()
    }
}

impl Flow {
    pub fn new(transport: Transport, initiator: Endpoint, responder: Endpoint, channel: Channel, ts: Duration) -> Self {
        Flow {
            transport,
            initiator,
            responder,
            channel,
            heuristic: false,
            packets: 0,
            bytes: 0,
            first_ts: ts,
            last_ts: ts,
            first: [None, None],
            entropy_sum: 0.0,
            entropy_n: 0,
            last_from_initiator: None,
            gaps: Welford::default(),
            tally: Tally::default(),
            names: None,
            foreign_to_cir_port: 0,
            cir_port_owner: None,
            tcp: None,
            smpp: None,
            sip: false,
        }
    }

    /// Which side sent a packet from `src`.
    pub fn side(&self, src: Endpoint) -> Side {
        if src == self.initiator { Side::Initiator } else { Side::Responder }
    }

    /// Counts one packet: its size, its time, and what its payload looks like.
    pub fn observe(&mut self, side: Side, ts: Duration, payload: &[u8]) {
        self.packets += 1;
        self.bytes += payload.len() as u64;
        self.last_ts = ts;
        if side == Side::Initiator {
            if let Some(prev) = self.last_from_initiator {
                self.gaps.add(ts.saturating_sub(prev).as_secs_f64());
            }
            self.last_from_initiator = Some(ts);
        }
        if payload.is_empty() {
            return;
        }
        let [initiator, responder] = &mut self.first;
        let slot = if side == Side::Initiator { initiator } else { responder };
        if slot.is_none() {
            let class = wvcir::classify(payload, self.transport);
            *slot = Some(class);
            if class.kind == PayloadKind::Dns
                && self.names.as_ref().is_none_or(|n| n.dns.is_none())
                && let Some(q) = wvcir::dns_question(payload, self.transport)
            {
                self.names.get_or_insert_default().dns = Some(DnsRec::from(q));
            }
        }
        if payload.len() >= ENTROPY_MIN_LEN {
            let (h, _) = wvcir::byte_stats(payload);
            self.entropy_sum += h / (payload.len().min(256) as f64).log2();
            self.entropy_n += 1;
        }
    }

    /// The first classified payload (the initiator's, else the responder's).
    pub fn class(&self) -> Option<Classification> {
        self.first.iter().flatten().next().copied()
    }

    /// What the flow carried, weighing all its payloads (datagrams, or TCP lines): CIR when it
    /// has messages and those that decode cleanly are at least as many as the payloads that are
    /// not CIR at all (malformed messages weigh on neither side: they are the protocol, badly
    /// formed); otherwise what its first payload was. So a line that happens to read like CIR
    /// inside an HTTP exchange, or a few CIRs among a custom protocol's datagrams, never hide the
    /// flow as CIR.
    pub fn kind(&self) -> FlowKind {
        let t = &self.tally;
        if t.messages > 0 && t.clean_messages >= t.other_payloads {
            return FlowKind::Cir;
        }
        // A handshake read from the reassembled stream names the flow even when its first
        // segment alone did not (a hello sent one byte at a time).
        if let Some(h) = self.names.as_deref() {
            if h.tls.is_some() {
                return FlowKind::Tls;
            }
            if h.ssh.is_some() {
                return FlowKind::Ssh;
            }
        }
        match self.class().map(|c| FlowKind::from(c.kind)) {
            // A flow whose first payload reads like CIR but whose payloads mostly do not is text
            // (or binary) of no known protocol, not CIR.
            Some(FlowKind::Cir) => self.first_other_kind(),
            Some(k) => k,
            None => FlowKind::Empty,
        }
    }

    /// The kind of the flow's first payload that was not CIR, when the first payload was.
    fn first_other_kind(&self) -> FlowKind {
        self.first
            .iter()
            .flatten()
            .map(|c| FlowKind::from(c.kind))
            .find(|k| *k != FlowKind::Cir)
            .unwrap_or(FlowKind::Text)
    }

    /// Mean payload entropy as a share of the most a payload of its length can have.
    pub fn entropy_share(&self) -> f64 {
        if self.entropy_n > 0 { self.entropy_sum / self.entropy_n as f64 } else { 0.0 }
    }

    /// The flow's record, suspicion reasons included.
    pub fn record(&self, input: usize, ports: &PortMap) -> FlowRec {
        let class = self.class();
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        let reasons = suspicion::reasons(self, ports);
        FlowRec {
            input,
            protocol: Name(self.transport),
            src_ip: self.initiator.0.to_string(),
            src_port: self.initiator.1,
            dst_ip: self.responder.0.to_string(),
            dst_port: self.responder.1,
            community_id: crate::community_id::community_id(self.transport, self.initiator, self.responder),
            tunnel: self.names.as_ref().map(|n| n.tunnel.clone()).unwrap_or_default(),
            channel: Some(Name(self.channel)),
            heuristic: self.heuristic,
            packets: self.packets,
            bytes: self.bytes,
            first_ts: epoch(self.first_ts),
            last_ts: epoch(self.last_ts),
            classification: ClassRec {
                kind: self.kind(),
                entropy: class.map_or(0.0, |c| round(c.entropy)),
                printable_ratio: class.map_or(0.0, |c| round(c.printable_ratio)),
            },
            messages: self.tally.messages,
            other_payloads: self.tally.other_payloads,
            other_kinds: self.tally.other_kinds(),
            http: self.tally.http.record(),
            dns: self.names.as_ref().and_then(|n| n.dns.clone()),
            tls: self.names.as_ref().and_then(|n| n.tls.clone()),
            ssh: self.names.as_ref().and_then(|n| n.ssh.clone()),
            suspicious: !reasons.is_empty(),
            reasons,
        }
    }
}

/// The flows of one input, bounded by [`MAX_FLOWS`].
#[derive(Debug, Default)]
pub struct FlowTable {
    flows: HashMap<FlowKey, Flow>,
}

impl FlowTable {
    pub fn get(&self, key: &FlowKey) -> Option<&Flow> {
        self.flows.get(key)
    }

    pub fn get_mut(&mut self, key: &FlowKey) -> Option<&mut Flow> {
        self.flows.get_mut(key)
    }

    pub fn contains(&self, key: &FlowKey) -> bool {
        self.flows.contains_key(key)
    }

    pub fn insert(&mut self, key: FlowKey, flow: Flow) {
        self.flows.insert(key, flow);
    }

    pub fn remove(&mut self, key: &FlowKey) -> Option<Flow> {
        self.flows.remove(key)
    }

    pub fn is_full(&self) -> bool {
        self.flows.len() >= MAX_FLOWS
    }

    /// The least recently active eighth of [`MAX_FLOWS`], oldest first, to be finalised early.
    /// Ties in time are broken by the key, so which flows go never depends on the hash map's
    /// order; the eighth is found in linear time and only it is sorted.
    pub fn idlest(&self) -> Vec<FlowKey> {
        let mut by_age: Vec<(Duration, FlowKey)> = self.flows.iter().map(|(k, f)| (f.last_ts, *k)).collect();
        let n = (MAX_FLOWS / 8).min(by_age.len());
        if n < by_age.len() {
            by_age.select_nth_unstable(n);
        }
        by_age.truncate(n);
        by_age.sort_unstable();
        by_age.into_iter().map(|(_, k)| k).collect()
    }

    /// Every flow's key in first-seen order (ties by key), for the end of an input.
    pub fn in_first_seen_order(&self) -> Vec<FlowKey> {
        let mut keys: Vec<(Duration, FlowKey)> = self.flows.iter().map(|(k, f)| (f.first_ts, *k)).collect();
        keys.sort_unstable();
        keys.into_iter().map(|(_, k)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ep(last: u8, port: u16) -> Endpoint {
        (IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)), port)
    }

    #[test]
    fn a_key_is_the_same_both_ways_and_transports_differ() {
        let (x, y) = (ep(1, 40000), ep(2, 3717));
        assert_eq!(FlowKey::new(Transport::Udp, x, y), FlowKey::new(Transport::Udp, y, x));
        assert_ne!(FlowKey::new(Transport::Udp, x, y), FlowKey::new(Transport::Tcp, x, y));
    }

    #[test]
    fn counters_gaps_and_first_payloads_per_side() {
        let mut f = Flow::new(Transport::Udp, ep(1, 1), ep(2, 3717), Channel::Udp, Duration::from_secs(10));
        for t in [10, 70, 130] {
            f.observe(Side::Initiator, Duration::from_secs(t), b"\x16\x03\x01\x00\x10hello, world....");
        }
        f.observe(Side::Responder, Duration::from_secs(131), b"HTTP/1.1 200 OK\r\n");
        assert_eq!((f.packets, f.gaps.n, f.gaps.mean, f.gaps.std()), (4, 2, 60.0, 0.0));
        assert_eq!(f.kind(), FlowKind::Tls, "the initiator's first payload decides");
        assert_eq!(f.first[1].map(|c| c.kind.name()), Some("http-response"));
        f.tally.messages = 1;
        assert_eq!(f.kind(), FlowKind::Cir);
    }

    #[test]
    fn the_idlest_eighth_goes_first_ties_broken_by_key() {
        let mut t = FlowTable::default();
        for i in 0..MAX_FLOWS as u32 {
            let (a, b) = (ep(1, (i % 60000) as u16), ep((i / 60000) as u8 + 2, 3717));
            let ts = Duration::from_secs(u64::from(i % 1000));
            t.insert(FlowKey::new(Transport::Udp, a, b), Flow::new(Transport::Udp, a, b, Channel::Udp, ts));
        }
        assert!(t.is_full());
        let idle = t.idlest();
        assert_eq!(idle.len(), MAX_FLOWS / 8);
        let ages: Vec<Duration> = idle.iter().map(|k| t.flows[k].last_ts).collect();
        assert!(ages.windows(2).all(|w| w[0] <= w[1]) && ages.last() < Some(&Duration::from_secs(126)));
        assert_eq!(idle, t.idlest(), "the same flows every time");
    }
}
#[cfg(test)]
#[test]
fn tmp_sizes() {
    eprintln!(
        "Flow {} TcpState {} Conn {} Tally {} HttpSeen {}",
        std::mem::size_of::<Flow>(),
        std::mem::size_of::<TcpState>(),
        std::mem::size_of::<wvcir::tcp::Connection>(),
        std::mem::size_of::<Tally>(),
        std::mem::size_of::<crate::http::HttpSeen>()
    );
}
