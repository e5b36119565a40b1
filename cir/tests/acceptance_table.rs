//! docs/protocol.md's table of cases, decoded: every row's example, on its channel, gives the
//! anomalies, the malformation and the client verdicts the row says.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use wvcir::clients::{Carrier, TcpRead, verdicts};
use wvcir::payload::{self, Scratch};
use wvcir::sms::Encoding;
use wvcir::{Channel, Message};

/// `\r`, `\n`, `\t`, `\xNN` and `{x*N}` in an example, as bytes.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("\\r") {
            out.push(b'\r');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\n") {
            out.push(b'\n');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\t") {
            out.push(b'\t');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("\\x") {
            out.push(u8::from_str_radix(&r[..2], 16).unwrap());
            rest = &r[2..];
        } else if let Some(r) = rest.strip_prefix("{x*") {
            let (n, r) = r.split_once('}').unwrap();
            out.extend(std::iter::repeat_n(b'x', n.parse().unwrap()));
            rest = r;
        } else {
            out.extend_from_slice(c.to_string().as_bytes());
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn findings(m: &Message<'_>) -> String {
    let names: Vec<&str> = m.anomalies.iter().map(|(a, _)| a.name()).collect();
    if names.is_empty() { "-".to_owned() } else { names.join(", ") }
}

#[test]
fn every_example_of_the_table_decodes_as_the_table_says() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md")).unwrap();
    let table = doc
        .split("<!-- acceptance-examples -->")
        .nth(1)
        .unwrap()
        .split("<!-- /acceptance-examples -->")
        .next()
        .unwrap();
    let at_start = TcpRead { starts_segment: true, cookie_in_first_segment: true, answers_helo: false };
    let mut rows = 0;
    for line in table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| case")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [case, channel, example, _, _, reports, malformed, clients] = cells[..] else { panic!("{line}") };
        let mut bytes = unescape(example.trim_matches('`'));
        let (channel, carrier) = match channel {
            "udp" => (Channel::Udp, Carrier::Udp),
            "tcp" => (Channel::Tcp, Carrier::Tcp(at_start)),
            "sms" => (Channel::Sms, Carrier::Sms(Encoding::Ascii)),
            "sms7" => {
                bytes = wvcir::encode::gsm7(&bytes).unwrap();
                (Channel::Sms, Carrier::Sms(Encoding::Gsm7))
            }
            "push" => {
                bytes = wvcir::encode::wsp_push(1, wvcir::encode::ContentTypeEnc::WellKnown, None, &bytes);
                (Channel::WapPush, Carrier::WapPush)
            }
            other => panic!("{case}: channel {other}"),
        };
        let mut scratch = Scratch::default();
        let d = payload::decode(channel, &bytes, &mut scratch);
        match d.messages.first() {
            None => assert_eq!((reports, d.error.map(|e| e.kind.name())), ("not-cir", Some("not-cir")), "{case}"),
            Some(m) => {
                assert_eq!(findings(m), reports, "{case}: anomalies");
                assert_eq!(m.malformed.map_or("-", |e| e.kind.name()), malformed, "{case}: malformation");
                let v = verdicts(carrier, m).unwrap();
                assert_eq!(format!("{}/{}", v.android, v.symbian), clients, "{case}: clients");
            }
        }
        rows += 1;
    }
    assert!(rows >= 19, "{rows} rows");
}
