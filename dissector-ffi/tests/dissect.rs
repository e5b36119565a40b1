//! The dissection logic without Wireshark: a recording `Sink` stands where `proto_tree` would.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use wvcir::{Anomaly, Channel, ErrorKind, PortMap, Span};
use wvcir_dissector::dissect::{self, Expert, Field, Response, Sink, Source};
use wvcir_dissector::stats::{Branch, Tally};
use wvcir_dissector::tcp::{SegmentIn, Tracker};

#[derive(Default, Debug)]
struct Rec {
    messages: Vec<(Span, String)>,
    fields: Vec<(Field, Span, String)>,
    experts: Vec<(Expert, Span)>,
    sources: Vec<String>,
    responses: Vec<Response>,
    tallies: Vec<Tally>,
}

impl Sink for Rec {
    fn message(&mut self, span: Span, summary: &str) {
        self.messages.push((span, summary.to_owned()));
    }
    fn field(&mut self, field: Field, span: Span, value: &str) {
        self.fields.push((field, span, value.to_owned()));
    }
    fn expert(&mut self, expert: Expert, span: Span) {
        self.experts.push((expert, span));
    }
    fn source(&mut self, source: Source<'_>) {
        self.sources.push(match source {
            Source::Payload { shift } => format!("payload+{shift}"),
            Source::Reassembled(b) => format!("reassembled {}", String::from_utf8_lossy(b).trim_end()),
        });
    }
    fn response(&mut self, response: Response, _: Span) {
        self.responses.push(response);
    }
    fn tally(&mut self, tally: &Tally) {
        self.tallies.push(*tally);
    }
}

impl Rec {
    fn get(&self, f: Field) -> Option<(Span, &str)> {
        self.fields.iter().find(|(x, ..)| *x == f).map(|(_, s, v)| (*s, v.as_str()))
    }
}

#[test]
fn a_udp_cir_gives_every_field_with_its_bytes() {
    let mut r = Rec::default();
    assert_eq!(dissect::datagram(&mut r, Channel::Udp, b"WVCI 1.3 wv:nokia.1804289383\r\n"), 1);
    assert_eq!(r.messages, [(Span::new(0, 30), "WVCI 1.3 wv:nokia.1804289383".to_owned())]);
    assert_eq!(r.get(Field::Command), Some((Span::new(0, 4), "WVCI")));
    assert_eq!(r.get(Field::Version), Some((Span::new(5, 3), "1.3")));
    assert_eq!(r.get(Field::Cookie), Some((Span::new(9, 19), "wv:nokia.1804289383")));
    assert_eq!(r.get(Field::Channel).unwrap().1, "udp");
    assert_eq!(r.get(Field::LineEnd), Some((Span::new(28, 2), "crlf")));
    assert!(r.experts.is_empty());
}

#[test]
fn not_cir_writes_nothing_so_other_dissectors_can_try() {
    let mut r = Rec::default();
    assert_eq!(dissect::datagram(&mut r, Channel::Udp, b"\x16\x03\x01\x00\x05hello"), 0);
    assert_eq!(dissect::datagram(&mut r, Channel::Sms, b"HELO mail.example.org\r\n"), 0);
    assert!(r.messages.is_empty() && r.fields.is_empty());
}

#[test]
fn anomalies_and_malformations_become_expert_items_on_their_bytes() {
    let mut r = Rec::default();
    dissect::datagram(&mut r, Channel::Udp, b"wvci 1.2  ab\x1bc\r\n");
    let experts: Vec<(&str, Span)> = r.experts.iter().map(|(e, s)| (e.name(), *s)).collect();
    // The cookie ends at the first byte that is not a VCHAR: `ab`; `c` is an extra field.
    assert_eq!(
        experts,
        [
            ("keyword-case", Span::new(0, 4)),
            ("extra-fields", Span::new(13, 1)),
            ("bad-separator", Span::new(8, 2)),
            ("non-printable", Span::new(12, 1))
        ]
    );
    assert_eq!(r.get(Field::Cookie).unwrap().1, "ab");
    assert_eq!(r.get(Field::ClientSymbian).unwrap().1, "ignores", "Symbian compares the keyword exactly");
    let mut r = Rec::default();
    dissect::datagram(&mut r, Channel::Udp, b"WVCI 1.2\r\n");
    assert_eq!(r.experts, [(Expert::Error(ErrorKind::MissingCookie), Span::new(8, 1))]);
    assert!(r.messages[0].1.ends_with("[missing-cookie]"));
}

#[test]
fn gsm7_fields_point_at_the_packed_bytes() {
    let packed = [0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64, 0xA0, 0x98, 0x6C, 0x46, 0xAB, 0x01];
    let mut r = Rec::default();
    assert_eq!(dissect::datagram(&mut r, Channel::Sms, &packed), 1);
    assert_eq!(r.get(Field::Cookie), Some((Span::new(7, 6), "12345")));
    assert_eq!(r.get(Field::Encoding).unwrap().1, "gsm7");
}

#[test]
fn wap_push_by_port_and_as_a_media_type_body() {
    let pdu = b"\x00\x06\x03\xC6\xAF\x8AWVCI 1.2 abc";
    let mut r = Rec::default();
    assert_eq!(dissect::datagram(&mut r, Channel::WapPush, pdu), 1);
    assert_eq!(r.get(Field::Cookie), Some((Span::new(15, 3), "abc")));
    let mut r = Rec::default();
    assert_eq!(dissect::media_body(&mut r, b"WVCI 1.2 abc"), 1);
    assert_eq!(r.get(Field::Cookie), Some((Span::new(9, 3), "abc")));
    assert_eq!(r.get(Field::Channel).unwrap().1, "wap-push");
}

#[test]
fn every_expert_has_a_wvcir_filter_name_without_minus_signs() {
    let all = Expert::all();
    assert_eq!(all.len(), Anomaly::ALL.len() + 5, "every anomaly, four malformations, the internal error");
    for e in all {
        let f = e.filter_name();
        assert!(f.starts_with("wvcir.") && !f.contains('-'), "{f}");
    }
}

#[test]
fn the_c_header_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include/wvcir.h");
    let want = wvcir_dissector::capi::c_header();
    if std::env::var_os("WVCIR_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "include/wvcir.h is stale: run WVCIR_UPDATE_HEADER=1 cargo test -p wvcir-dissector --test dissect"
    );
}

/// One TCP connection through the plugin's tracker and renderer, as the postdissector drives
/// them: (frame, from the client, seq, payload) in capture order.
fn tcp_frames(segments: &[(u32, bool, u32, &[u8])]) -> Vec<(u32, Rec)> {
    let ports = PortMap::default();
    let mut t = Tracker::default();
    let mut conn = 0;
    let mut out = Vec::new();
    for &(frame, from_client, seq, payload) in segments {
        let (src_port, dst_port) = if from_client { (49201, 3717) } else { (3717, 49201) };
        let control = wvcir::tcp::Control::None;
        let s = SegmentIn { conn, frame, ts: i64::from(frame) * 1_000_000, src_port, dst_port, seq, control, payload };
        let (c, f) = t.segment(&ports, &s);
        conn = c;
        out.push((frame, f, payload));
    }
    out.into_iter()
        .map(|(frame, f, payload)| {
            let mut r = Rec::default();
            let (lines, _) = t.shown(f).unwrap();
            dissect::tcp_lines(&mut r, lines, payload);
            (frame, r)
        })
        .collect()
}

#[test]
fn tcp_lines_render_pairing_reassembly_and_out_of_order_completion() {
    let frames = tcp_frames(&[
        (4, true, 1, b"HELO 3a9f0c1e\r\n"),
        (6, false, 1, b"OK\r\n"),
        // The second half of a CIR captured before the first: it completes in frame 9.
        (8, false, 16, b"1.1 1234\r\nbogus line\r\n"),
        (9, false, 5, b"WVCI 1.1 12"),
    ]);
    let [(_, helo), (_, ok), (_, early), (_, late)] = &frames[..] else { panic!() };
    assert_eq!(helo.messages[0].1, "HELO 3a9f0c1e");
    assert_eq!(helo.responses, [Response::In { frame: 6 }], "the HELO shows the OK that answers it");
    assert_eq!(ok.responses, [Response::To { frame: 4, nanos: 2_000_000, request: wvcir::Command::Helo }]);
    assert!(early.messages.is_empty(), "frame 8 waits behind the gap");
    // Frame 9 fills the gap: the CIR (assembled from 9 and 8, shown as its own buffer) and the
    // line after it, which lies whole in frame 8's payload, not 9's: also shown reassembled.
    let summaries: Vec<&str> = late.messages.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(summaries, ["WVCI 1.1 121.1", "[not a CIR channel line]"]);
    assert_eq!(late.sources, ["reassembled WVCI 1.1 121.1 1234", "reassembled bogus line"]);
    assert_eq!(
        late.experts,
        [
            (Expert::Anomaly(Anomaly::ExtraFields), Span::new(15, 4)),
            (Expert::Error(ErrorKind::UnknownCommand), Span::new(0, 12))
        ]
    );
}

#[test]
fn tcp_lines_in_place_too_long_and_tails() {
    let long = [b"WVCI 1.2 ".as_slice(), &[b'x'; 5000], b"\r\nOK\r\n"].concat();
    let frames = tcp_frames(&[(1, false, 1000, b"ail of a line\r\nOK\r\nWVCI 1.2 c\r\n"), (2, false, 1031, &long)]);
    let [(_, first), (_, second)] = &frames[..] else { panic!() };
    // Joined mid-stream: the tail is named, not decoded; the whole lines lie in the payload.
    let summaries: Vec<&str> = first.messages.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(summaries, ["[tail of a line whose start was not captured]", "OK", "WVCI 1.2 c"]);
    assert_eq!(first.sources, ["payload+0", "payload+15", "payload+19"]);
    // A line past the 4 KiB bound is decoded from its first 4,096 bytes, flagged, not dropped.
    let summaries: Vec<&str> = second.messages.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!((summaries[0].len(), &summaries[0][..12], summaries[1]), (4096, "WVCI 1.2 xxx", "OK"));
    assert_eq!(second.experts, [(Expert::Anomaly(Anomaly::LineTooLong), Span::new(0, 4096))]);
    let clients: Vec<&str> = second
        .fields
        .iter()
        .filter(|(f, ..)| matches!(f, Field::ClientAndroid | Field::ClientSymbian))
        .map(|(_, _, v)| v.as_str())
        .collect();
    assert_eq!(clients, ["acts", "acts", "acts", "acts"], "the CIR, then the OK");
}

#[test]
fn every_decoded_message_and_nothing_else_is_tallied_for_the_statistics() {
    let frames = tcp_frames(&[(4, true, 1, b"HELO 3a9f0c1e\r\nbogus line\r\n"), (6, false, 1, b"OK\r\n")]);
    let [(_, helo), (_, ok)] = &frames[..] else { panic!() };
    // The bogus line is shown (as not a CIR channel line) but is no message: not counted.
    assert_eq!(helo.messages.len(), 2);
    assert_eq!(helo.tallies.len(), 1);
    assert_eq!(
        helo.tallies[0].ticks()[..2],
        [(Branch::Channel, "tcp".to_owned()), (Branch::Command, "HELO".to_owned())]
    );
    assert_eq!(ok.tallies.len(), 1);
    let mut r = Rec::default();
    dissect::datagram(&mut r, Channel::Udp, b"wvci 1.3 wv:a\r\n");
    assert_eq!(r.tallies.len(), 1);
    assert_eq!(r.tallies[0].version(), Some("1.3"));
    assert_eq!(r.tallies[0].findings().map(|e| e.name()).collect::<Vec<_>>(), ["keyword-case"]);
}
