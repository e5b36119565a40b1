//! The dissection logic without Wireshark: a recording `Sink` stands where `proto_tree` would.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use wvcir::{Anomaly, Channel, ErrorKind, Span};
use wvcir_dissector::dissect::{self, Expert, Field, Sink};

#[derive(Default, Debug)]
struct Rec {
    messages: Vec<(Span, String)>,
    fields: Vec<(Field, Span, String)>,
    experts: Vec<(Expert, Span)>,
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
    assert_eq!(
        experts,
        [("keyword-case", Span::new(0, 4)), ("bad-separator", Span::new(8, 2)), ("non-printable", Span::new(12, 1))]
    );
    assert_eq!(r.get(Field::Cookie).unwrap().1, "ab\\x1bc", "escaped, never raw");
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
    assert_eq!(all.len(), Anomaly::ALL.len() + 7);
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
