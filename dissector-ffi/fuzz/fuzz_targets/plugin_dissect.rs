//! The plugin's dissection logic, as Wireshark drives it, without Wireshark: datagrams of every
//! channel, SMS user data in any SMPP data coding and WAP Push bodies through `dissect`, and a TCP connection's segments (random
//! directions, sizes, retransmissions, overlaps and reordering) through `tcp::Tracker` and
//! `dissect::tcp_lines`. Every span a dissector writes must lie inside the buffer it is writing
//! to (the payload, or a reassembled line), a line kept in place must be those bytes of its frame,
//! and every OK is paired with an earlier request, whose frame shows the OK back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::{Channel, Span};
use std::collections::HashMap;
use wvcir::PortMap;
use wvcir::tcp::Control;
use wvcir_dissector::dissect::{self, Expert, Field, Response, Sink, Source};
use wvcir_dissector::tcp::{SegmentIn, Tracker};

/// A Sink that checks every span against the length of the buffer it writes to: the payload
/// (`.1` bytes), from a line's offset in it, or a reassembled line.
struct Bounded(usize, usize);

impl Bounded {
    fn check(&self, s: Span) {
        assert!(s.end() <= self.0, "span {s:?} past the {}-byte buffer", self.0);
    }
}

impl Sink for Bounded {
    fn message(&mut self, span: Span, _: &str) {
        self.check(span);
    }
    fn field(&mut self, _: Field, span: Span, _: &str) {
        self.check(span);
    }
    fn expert(&mut self, _: Expert, span: Span) {
        self.check(span);
    }
    fn source(&mut self, source: Source<'_>) {
        self.0 = match source {
            Source::Payload { shift } => self.1.checked_sub(shift).expect("a line placed past the payload"),
            Source::Reassembled(b) => b.len(),
        };
    }
    fn response(&mut self, _: Response, span: Span) {
        self.check(span);
    }
    fn tally(&mut self, t: &wvcir_dissector::stats::Tally) {
        // Every node the statistics would tick has a name, and a version fits its bound.
        assert!(t.ticks().iter().all(|(_, leaf)| !leaf.is_empty()));
        assert!(t.version().is_none_or(|v| v.len() <= wvcir_dissector::stats::MAX_VERSION));
    }
}

fn tcp(data: &[u8]) {
    let ports = PortMap::default();
    let mut t = Tracker::default();
    let mut conn = 0;
    let mut seqs = [1000u32, 9000u32];
    let mut rest = data;
    let mut frame = 0u32;
    let mut seen: Vec<(u32, usize, &[u8])> = Vec::new();
    // Each segment: a control byte (direction, how far back or ahead, FIN/RST), a length, the bytes.
    while let [ctl, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        frame += 1;
        let to_server = ctl & 1 == 0;
        let dir = usize::from(!to_server);
        let shift = i64::from(ctl >> 2 & 0x7) * if ctl & 2 == 0 { -1 } else { 3 }; // back (retransmit) or ahead
        let seq = seqs[dir].wrapping_add(shift as u32);
        let control = match ctl >> 5 {
            6 => Control::Fin,
            7 => Control::Rst,
            _ => Control::None,
        };
        let (src_port, dst_port) = if to_server { (49201, 3717) } else { (3717, 49201) };
        let s = SegmentIn { conn, frame, ts: i64::from(frame) * 1_000_000, src_port, dst_port, seq, control, payload };
        let (c, f) = t.segment(&ports, &s);
        conn = c;
        if shift >= 0 {
            seqs[dir] = seq.wrapping_add(payload.len() as u32);
        }
        seen.push((frame, f, payload));
    }
    let frames: HashMap<u32, usize> = seen.iter().map(|(fr, f, _)| (*fr, *f)).collect();
    for &(fr, f, payload) in &seen {
        let (lines, _) = t.shown(f).unwrap();
        for l in lines {
            if let Some(at) = l.at() {
                assert!(at + l.bytes(payload).len() <= payload.len(), "line placed past its frame's payload");
            }
            if let Some((req, nanos, request)) = l.response_to {
                assert!(req < fr && nanos > 0, "frame {fr}'s OK answers frame {req}");
                assert!(matches!(request, wvcir::Command::Helo | wvcir::Command::Ping), "an OK answers {request:?}");
                let shown = t.shown(frames[&req]).unwrap().0;
                assert!(shown.iter().any(|r| r.response_in == Some(fr)), "frame {req} does not show its OK in {fr}");
            }
        }
        dissect::tcp_lines(&mut Bounded(payload.len(), payload.len()), lines, payload);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 6 {
        0 => drop(dissect::datagram(&mut Bounded(rest.len(), rest.len()), Channel::Udp, rest)),
        1 => drop(dissect::datagram(&mut Bounded(rest.len(), rest.len()), Channel::Sms, rest)),
        2 => drop(dissect::datagram(&mut Bounded(rest.len(), rest.len()), Channel::WapPush, rest)),
        3 => drop(dissect::media_body(&mut Bounded(rest.len(), rest.len()), rest)),
        4 => tcp(rest),
        // An SMS's user data from Wireshark's SMS tables, in the SMPP data coding the next byte names.
        _ => {
            let Some((&data_coding, ud)) = rest.split_first() else { return };
            let coding = wvcir::sms::Coding::from_smpp(data_coding);
            let _ = dissect::sms(&mut Bounded(ud.len(), ud.len()), ud, coding);
        }
    }
});
