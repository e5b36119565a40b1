//! Every flow, TCP channel and message of every sample carries the Community ID that Debian's
//! tshark computes for the same packets (`--enable-protocol communityid`, seed 0, base64).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, sample_paths};
use wvcir_tests::{Tshark, root};

/// A flow's identity whichever way round: protocol and the two endpoints, sorted.
type Key = (String, (String, u16), (String, u16));

fn key(proto: &str, a: (&str, u16), b: (&str, u16)) -> Key {
    let (a, b) = ((a.0.to_owned(), a.1), (b.0.to_owned(), b.1));
    if a <= b { (proto.to_owned(), a, b) } else { (proto.to_owned(), b, a) }
}

/// tshark's Community IDs by flow, for the UDP and TCP packets of one capture (ICMP errors, which
/// quote a UDP or TCP header, are left out: their ID is the ICMP flow's).
fn tshark_ids(t: &Tshark, sample: &str) -> BTreeMap<Key, BTreeSet<String>> {
    let fields = [
        "communityid",
        "ip.src",
        "ipv6.src",
        "ip.dst",
        "ipv6.dst",
        "udp.srcport",
        "udp.dstport",
        "tcp.srcport",
        "tcp.dstport",
    ];
    let mut args = vec!["-n", "--enable-protocol", "communityid", "-Y", "(udp || tcp) && !icmp && !icmpv6"];
    // The last occurrence of each field: the innermost packet of a tunneled frame, whose 5-tuple
    // Wireshark's Community ID (and ours) is computed on.
    args.extend(["-T", "fields", "-E", "occurrence=l"]);
    for f in fields {
        args.extend(["-e", f]);
    }
    let out = t.read(&root().join(sample), &args);
    assert!(out.status.success(), "tshark on {sample}: {}", String::from_utf8_lossy(&out.stderr));
    let mut ids: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let id = c[0];
        // TCP wins: a TCP segment in a tunnel over UDP (VXLAN) has the tunnel's UDP ports too.
        let (proto, sport, dport) = if c[7].is_empty() { ("udp", c[5], c[6]) } else { ("tcp", c[7], c[8]) };
        let (Ok(sport), Ok(dport)) = (sport.parse(), dport.parse()) else { continue };
        if id.is_empty() {
            continue;
        }
        // IPv6 in IPv4 (or the reverse) has both; the pair of the inner family is the one a
        // record can match.
        for (src, dst) in [(c[1], c[3]), (c[2], c[4])] {
            if !src.is_empty() && !dst.is_empty() {
                ids.entry(key(proto, (src, sport), (dst, dport))).or_default().insert(id.to_owned());
            }
        }
    }
    ids
}

#[test]
fn every_record_carries_tsharks_community_id() {
    // Says what to install, or fails in CI, when tshark is missing.
    let Some(t) = Tshark::find() else { return };
    let mut compared = 0;
    for path in sample_paths() {
        let sample = path.display().to_string();
        let ids = tshark_ids(&t, &sample);
        let report: Value = serde_json::from_str(&analyze(&[&sample], OutFormat::Json)).unwrap();
        let records = [
            ("flows", "protocol", "src", "dst"),
            ("tcp_channels", "", "client", "server"),
            ("messages", "", "src", "dst"),
        ];
        for (array, proto_key, a, b) in records {
            for r in report[array].as_array().unwrap() {
                let proto = match (array, proto_key) {
                    ("tcp_channels", _) => "tcp",
                    ("messages", _) => {
                        // An SMS inside SMPP travels on the SMPP connection's TCP.
                        if r["channel"] == "tcp" || r["sms"]["transport"] == "smpp" { "tcp" } else { "udp" }
                    }
                    (_, k) => r[k].as_str().unwrap(),
                };
                let end =
                    |p: &str| (r[format!("{p}_ip")].as_str().unwrap(), r[format!("{p}_port")].as_u64().unwrap() as u16);
                let k = key(proto, end(a), end(b));
                let ours = r["community_id"].as_str().unwrap();
                let theirs = ids.get(&k).unwrap_or_else(|| panic!("{sample}: tshark saw no packet of {k:?} ({array})"));
                assert_eq!(theirs.len(), 1, "{sample}: tshark gives {k:?} several ids: {theirs:?}");
                assert!(theirs.contains(ours), "{sample} {array}: ours {ours}, tshark's {theirs:?} for {k:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "the samples have records to compare ({compared})");
    eprintln!("{compared} records carry tshark's Community ID");
}
