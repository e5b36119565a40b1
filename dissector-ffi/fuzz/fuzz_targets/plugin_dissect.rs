//! The plugin's dissection logic, as Wireshark drives it, without Wireshark: datagrams of every
//! channel and WAP Push bodies through `dissect`, and a TCP connection's segments (random
//! directions, sizes, retransmissions and overlaps) through `tcp::Connection`. Every span a
//! dissector writes must lie inside the buffer it was given (else the plugin would highlight the
//! wrong bytes), a line located in a segment must be exactly those bytes of it and must come back
//! whole from what the plugin keeps of it between passes, and every OK is paired with an earlier
//! request, both ways.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::{Channel, Span};
use wvcir_dissector::dissect::{self, Expert, Field, Sink};
use wvcir_dissector::tcp::Connection;

/// A Sink that checks every span against the buffer length.
struct Bounded(usize);

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
}

fn tcp(data: &[u8]) {
    let mut conn = Connection::default();
    let mut seqs = [1000u32, 9000u32];
    let mut rest = data;
    let mut frame = 0u32;
    // Each segment: a control byte (direction, retransmit, sequence known), a length, the bytes.
    while let [ctl, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        frame += 1;
        let dir = usize::from(ctl & 1);
        let back = u32::from(ctl >> 2 & 0x7); // 0: in order; else that many bytes already seen
        let seq = (ctl & 2 == 0).then(|| seqs[dir].wrapping_sub(back));
        let lines = conn.segment(frame, i64::from(frame) * 1_000_000, dir, seq, payload);
        if let Some(s) = seq {
            seqs[dir] = seqs[dir].max(s.wrapping_add(payload.len() as u32));
        }
        for l in &lines {
            if let Some(at) = l.at {
                assert_eq!(payload.get(at..at + l.bytes.len()), Some(l.bytes.as_slice()), "line located at {at}");
            }
            // What the plugin keeps between passes gives back exactly this line.
            assert_eq!(&l.kept().restore(payload), l);
            let mut sink = Bounded(l.bytes.len());
            if let Ok(m) = wvcir::parse_line(&l.bytes) {
                dissect::emit_message(&mut sink, &m, Channel::Tcp, "ascii", &|s| s);
            }
        }
    }
    // An OK answers a request sent the other way, so in an earlier segment; both sides agree.
    for (ok, a) in &conn.response_to {
        assert!(a.request.0 < ok.0 && a.nanos > 0, "OK {ok:?} answers {a:?}");
        assert_eq!(conn.response_in.get(&a.request), Some(ok));
    }
    assert_eq!(conn.response_in.len(), conn.response_to.len());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 5 {
        0 => drop(dissect::datagram(&mut Bounded(rest.len()), Channel::Udp, rest)),
        1 => drop(dissect::datagram(&mut Bounded(rest.len()), Channel::Sms, rest)),
        2 => drop(dissect::datagram(&mut Bounded(rest.len()), Channel::WapPush, rest)),
        3 => drop(dissect::media_body(&mut Bounded(rest.len()), rest)),
        _ => tcp(rest),
    }
});
