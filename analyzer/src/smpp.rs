//! SMS CIRs inside SMPP: an IM server hands an SMS CIR to an SMSC as a `submit_sm` (or
//! `data_sm`, `submit_multi`; a `deliver_sm` the other way) addressed to WDP port 3716, or 2948 for
//! a WAP Push. Each direction of an SMPP connection is reassembled by the core's TCP engine
//! ([`wvcir::tcp::Reassembler`]), cut into PDUs by [`wvcir::smpp::Framer`], and each short message
//! addressed to a CIR port is decoded with the SMS decoder the UDP path uses. Concatenated SMS (UDH
//! IE 0x00 and 0x08, SMPP's `sar_*` TLVs) are reassembled here, within [`MAX_PENDING_SMS`] messages
//! and [`MAX_PENDING_SMS_BYTES`] bytes per input.

use crate::flows::{Endpoint, Tally};
use crate::messages::{Found, Out, datagram_carrier};
use crate::report::{LimitsRec, SmsRec};
use crate::vocab::{FlowKind, Name, SmsPdu, SmsTransport};
use std::collections::HashMap;
use std::time::Duration;
use wvcir::smpp::{Framed, Framer, ShortMessage};
use wvcir::sms::{Coding, Encoding};
use wvcir::tcp::{Chunk, Control, Reassembler};
use wvcir::udh::{Concat, Ports};
use wvcir::{Channel, PortMap, wsp};

/// Concatenated SMS CIRs waiting for parts, per input; the oldest is given up beyond it.
pub const MAX_PENDING_SMS: usize = 1024;
/// Bytes of their parts held, per input.
pub const MAX_PENDING_SMS_BYTES: usize = 4 * 1024 * 1024;

/// One SMPP connection: each direction's stream and framing (initiator's first).
#[derive(Debug, Default)]
pub struct SmppConn {
    streams: [Reassembler; 2],
    framers: [Framer; 2],
    /// The frame of its last segment: where PDUs completed only when it ends are reported.
    last_frame: u64,
}

/// What one input's SMPP connections share: the parts of concatenated SMS, room for an unpacked
/// text, and where findings go.
#[derive(Debug, Default)]
pub struct SmppShared {
    pending: Pending,
    scratch: Box<wvcir::payload::Scratch>,
}

/// A segment of an SMPP connection, with where it came from.
#[derive(Clone, Copy, Debug)]
pub struct SmppSegment<'a> {
    pub at: SmsAt,
    pub seq: u32,
    pub control: Control,
    pub payload: &'a [u8],
}

/// Where an SMS transport's findings go (an SMPP connection's, or an SMS-over-SIP flow's).
#[derive(Debug)]
pub struct SmppOut<'a, 'o> {
    pub ports: &'a PortMap,
    /// Identifies the connection among the input's (its flow key's hash): parts of a concatenated
    /// SMS are joined only within one connection and direction.
    pub conn: u64,
    pub shared: &'a mut SmppShared,
    pub limits: &'a mut LimitsRec,
    pub tally: &'a mut Tally,
    /// What a short message that is no CIR counts as in the flow's tally.
    pub other: FlowKind,
    pub out: &'a mut Out<'o>,
}

impl SmppConn {
    /// Takes one segment; the PDUs it completes are decoded.
    pub fn segment(&mut self, seg: &SmppSegment<'_>, to: &mut SmppOut<'_, '_>) {
        self.last_frame = seg.at.frame;
        let i = usize::from(!seg.at.from_initiator);
        let (Some(stream), Some(framer)) = (self.streams.get_mut(i), self.framers.get_mut(i)) else { return };
        stream.segment(seg.seq, seg.control, seg.payload, &mut |chunk| feed(framer, chunk, &seg.at, to));
    }

    /// The connection ends (at `ts`, between `initiator` and `responder`): what was held behind
    /// gaps is framed, in its last frame, and what each direction lost is counted.
    pub fn close(&mut self, ts: Duration, initiator: Endpoint, responder: Endpoint, to: &mut SmppOut<'_, '_>) {
        let frame = self.last_frame;
        for (i, (stream, framer)) in self.streams.iter_mut().zip(self.framers.iter_mut()).enumerate() {
            let (src, dst) = if i == 0 { (initiator, responder) } else { (responder, initiator) };
            let at = SmsAt { frame, ts, src, dst, from_initiator: i == 0 };
            stream.flush(&mut |chunk| feed(framer, chunk, &at, to));
            framer.finish(&mut |f| take(f, &at, to));
            let stats = stream.stats();
            to.limits.tcp_gap_bytes += stats.gap_bytes;
            to.limits.tcp_bytes_dropped += stats.after_end;
        }
    }
}

fn feed(framer: &mut Framer, chunk: Chunk<'_>, at: &SmsAt, to: &mut SmppOut<'_, '_>) {
    match chunk {
        Chunk::Data { bytes, .. } => framer.push(bytes, &mut |f| take(f, at, to)),
        Chunk::Gap { .. } => framer.gap(),
        Chunk::End { .. } => framer.finish(&mut |f| take(f, at, to)),
    }
}

fn take(f: Framed<'_>, at: &SmsAt, to: &mut SmppOut<'_, '_>) {
    match f {
        Framed::Pdu { pdu, .. } => match wvcir::smpp::decode(pdu) {
            Ok(Some(sm)) => to.short_message(&SmsIn::from_smpp(&sm), at),
            Ok(None) => {}
            Err(_) => to.limits.smpp_bad_pdus += 1,
        },
        Framed::Skipped { len } => to.limits.smpp_skipped_bytes += len,
    }
}

/// A short message as an SMS transport carried it, read up to its user data.
#[derive(Clone, Debug)]
pub struct SmsIn<'a> {
    pub transport: SmsTransport,
    pub pdu: SmsPdu,
    /// Sender and receiver, as the transport names them (phone numbers, short codes).
    pub source: String,
    pub destination: String,
    /// Whether the user data starts with a user-data header.
    pub udhi: bool,
    pub user_data: &'a [u8],
    /// How the user data is coded (from SMPP's `data_coding`, or the TPDU's TP-DCS).
    pub coding: Coding,
    /// Ports and concatenation given outside the user data (SMPP's TLVs).
    pub ports: Option<Ports>,
    pub sar: Option<Concat>,
}

impl<'a> SmsIn<'a> {
    /// An SMPP short message.
    pub fn from_smpp(sm: &ShortMessage<'a>) -> Self {
        SmsIn {
            transport: SmsTransport::Smpp,
            pdu: SmsPdu::from(sm.pdu),
            source: crate::messages::text(sm.source_addr),
            destination: crate::messages::text(sm.destination_addr),
            udhi: sm.udhi(),
            user_data: sm.user_data,
            coding: Coding::from_smpp(sm.data_coding),
            ports: sm.dest_port.map(|dst| Ports { dst, src: sm.source_port.unwrap_or(0) }),
            sar: sm.sar,
        }
    }
}

/// Where and when a short message was found.
#[derive(Clone, Copy, Debug)]
pub struct SmsAt {
    pub frame: u64,
    pub ts: Duration,
    /// The carrying connection's or datagram's sender and receiver.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub from_initiator: bool,
}

impl SmppOut<'_, '_> {
    /// A short message: decoded if it is addressed to a CIR port (once whole, if concatenated);
    /// any other counts as a payload of its flow of kind [`SmppOut::other`].
    pub fn short_message(&mut self, sm: &SmsIn<'_>, at: &SmsAt) {
        let udh = if sm.udhi { wvcir::udh::parse(sm.user_data) } else { None };
        if sm.udhi && udh.is_none() {
            self.tally.other(self.other); // a damaged header: nothing in it can be trusted
            return;
        }
        let text = sm.user_data.get(udh.map_or(0, |h| h.len)..).unwrap_or_default();
        let ports = udh.and_then(|h| h.ports).or(sm.ports);
        let Some((ports, channel)) = ports.and_then(|p| Some((p, self.ports.wdp_channel(p.dst)?))) else {
            self.tally.other(self.other);
            return;
        };
        let concat = udh.and_then(|h| h.concat).or(sm.sar).filter(|c| c.is_valid() && c.total > 1);
        let whole;
        let (text, parts) = match concat {
            None => (text, 1),
            Some(c) => {
                let key = PartKey {
                    conn: self.conn,
                    from_initiator: at.from_initiator,
                    source: sm.source.clone(),
                    destination: sm.destination.clone(),
                    reference: c.reference,
                    total: c.total,
                };
                let Some(w) = self.shared.pending.add(key, c, text, self.limits) else { return };
                whole = w;
                (&whole[..], u16::from(c.total))
            }
        };
        let rec = SmsRec {
            transport: Name(sm.transport),
            pdu: Name(sm.pdu),
            source_addr: sm.source.clone(),
            destination_addr: sm.destination.clone(),
            dest_port: ports.dst,
            source_port: Some(ports.src).filter(|&p| p != 0 || sm.ports.is_some()),
            data_coding: Name(sm.coding),
            parts,
        };
        let SmppOut { shared, tally, out, other, .. } = self;
        let decoded = match channel {
            Channel::WapPush => wsp::decode_push(text).and_then(|p| p.cir).ok().map(|m| (m, Encoding::Ascii)),
            _ => {
                let d = wvcir::payload::decode_sms(text, sm.coding, &mut shared.scratch);
                let encoding = d.encoding;
                d.messages.into_iter().next().map(|m| (m, encoding))
            }
        };
        let Some((m, encoding)) = decoded else {
            tally.other(*other);
            return;
        };
        tally.messages += 1;
        tally.clean_messages += u64::from(m.malformed.is_none());
        let carrier = datagram_carrier(channel, encoding);
        let found = Found { frame: at.frame, ts: at.ts, channel, src: at.src, dst: at.dst, encoding, carrier };
        // The phone is past the receiving end: the SMSC for a submit, the server's gateway for a
        // deliver.
        out.message_with_sms(&found, &m, at.dst.0, at.src.0, Some(rec));
    }
}

/// The parts of one concatenated SMS: same connection, direction, addresses, reference and count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct PartKey {
    conn: u64,
    from_initiator: bool,
    source: String,
    destination: String,
    reference: u16,
    total: u8,
}

#[derive(Debug)]
struct Held {
    parts: Vec<Option<Vec<u8>>>,
    have: u64,
    bytes: usize,
    /// When it was first seen, for giving up the oldest.
    order: u64,
}

/// Concatenated SMS waiting for parts.
#[derive(Debug, Default)]
struct Pending {
    held: HashMap<PartKey, Held>,
    bytes: usize,
    next_order: u64,
}

impl Pending {
    /// Adds a part; the message's text when this part completes it. A part seen twice keeps its
    /// first copy.
    fn add(&mut self, key: PartKey, c: Concat, text: &[u8], limits: &mut LimitsRec) -> Option<Vec<u8>> {
        if !self.held.contains_key(&key) {
            while !self.held.is_empty()
                && (self.held.len() >= MAX_PENDING_SMS || self.bytes + text.len() > MAX_PENDING_SMS_BYTES)
            {
                self.give_up_oldest(limits);
            }
            let order = self.next_order;
            self.next_order += 1;
            let held = Held { parts: vec![None; usize::from(c.total)], have: 0, bytes: 0, order };
            self.held.insert(key.clone(), held);
        }
        let held = self.held.get_mut(&key)?;
        let slot = held.parts.get_mut(usize::from(c.seq) - 1)?;
        if slot.is_some() {
            return None;
        }
        *slot = Some(text.to_vec());
        held.have += 1;
        held.bytes += text.len();
        self.bytes += text.len();
        if held.have < u64::from(c.total) {
            return None;
        }
        let done = self.held.remove(&key)?;
        self.bytes -= done.bytes;
        Some(done.parts.into_iter().flatten().flatten().collect())
    }

    fn give_up_oldest(&mut self, limits: &mut LimitsRec) {
        let Some(key) = self.held.iter().min_by_key(|(_, h)| h.order).map(|(k, _)| k.clone()) else { return };
        if let Some(h) = self.held.remove(&key) {
            self.bytes -= h.bytes;
            limits.sms_parts_dropped += h.have;
        }
    }
}

impl SmppShared {
    /// The input ended: parts still waiting are counted as dropped.
    pub fn finish(&mut self, limits: &mut LimitsRec) {
        limits.sms_parts_dropped += self.pending.held.values().map(|h| h.have).sum::<u64>();
        self.pending = Pending::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(reference: u16) -> PartKey {
        PartKey { conn: 1, from_initiator: true, source: "1".into(), destination: "2".into(), reference, total: 3 }
    }

    #[test]
    fn a_pdu_completed_only_when_the_connection_ends_is_reported_in_its_last_frame_and_direction() {
        use crate::analysis::Record;
        use std::net::{IpAddr, Ipv4Addr};
        let (esme, smsc) =
            ((IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)), 41_000), (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), 2775));
        let mut ud = vec![0x06, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
        ud.extend(wvcir::encode::gsm7(b"WVCI 1.2 wv:late").unwrap());
        let mut deliver = wvcir::smpp::submit_sm_for_tests(b"4477", b"72466", 0x40, 0x04, &ud, &[]);
        deliver[4..8].copy_from_slice(&wvcir::smpp::DELIVER_SM.to_be_bytes());
        let enquire_link = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
        let (ports, mut shared, mut limits, mut tally) =
            (PortMap::default(), SmppShared::default(), LimitsRec::default(), Tally::default());
        let mut sessions = crate::sessions::Sessions::default();
        let found = std::cell::RefCell::new(Vec::new());
        let mut on_record = |r: Record| {
            if let Record::Message(m) = r {
                found.borrow_mut().push((m.frame, m.src_ip, m.src_port, m.cookie));
            }
        };
        let mut out = Out { input: 0, sessions: &mut sessions, on_record: &mut on_record, tunnel: &[] };
        let mut to = SmppOut {
            ports: &ports,
            conn: 1,
            shared: &mut shared,
            limits: &mut limits,
            tally: &mut tally,
            other: FlowKind::Smpp,
            out: &mut out,
        };
        let mut conn = SmppConn::default();
        // From the SMSC: an enquire_link, then (50 bytes never captured) the deliver_sm.
        let at = |frame| SmsAt { frame, ts: Duration::ZERO, src: smsc, dst: esme, from_initiator: false };
        conn.segment(&SmppSegment { at: at(4), seq: 1, control: Control::None, payload: &enquire_link }, &mut to);
        conn.segment(&SmppSegment { at: at(7), seq: 1 + 16 + 50, control: Control::None, payload: &deliver }, &mut to);
        conn.segment(
            &SmppSegment {
                at: SmsAt { frame: 9, src: esme, dst: smsc, from_initiator: true, ..at(9) },
                seq: 1,
                control: Control::None,
                payload: &[],
            },
            &mut to,
        );
        assert!(found.borrow().is_empty(), "held behind the gap");
        conn.close(Duration::ZERO, esme, smsc, &mut to);
        assert_eq!(
            *found.borrow(),
            [(9, "10.0.0.9".to_owned(), 2775, Some("wv:late".to_owned()))],
            "its last frame, from the SMSC"
        );
    }

    #[test]
    fn parts_join_in_order_whatever_order_they_come_in_and_the_oldest_is_given_up() {
        let mut p = Pending::default();
        let mut limits = LimitsRec::default();
        let c = |seq| Concat { reference: 7, total: 3, seq };
        assert_eq!(p.add(key(7), c(3), b"ghi", &mut limits), None);
        assert_eq!(p.add(key(7), c(1), b"abc", &mut limits), None);
        assert_eq!(p.add(key(7), c(1), b"xxx", &mut limits), None, "a repeat keeps the first copy");
        assert_eq!(p.add(key(7), c(2), b"def", &mut limits).as_deref(), Some(&b"abcdefghi"[..]));
        assert_eq!((p.held.len(), p.bytes), (0, 0));
        for r in 0..(MAX_PENDING_SMS as u16 + 10) {
            p.add(key(r), Concat { reference: r, total: 3, seq: 1 }, b"part", &mut limits);
        }
        assert_eq!((p.held.len(), limits.sms_parts_dropped), (MAX_PENDING_SMS, 10));
        assert!(!p.held.contains_key(&key(0)), "the oldest went first");
    }
}
