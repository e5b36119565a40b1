//! The plugin's statistics inside the real tshark: `-z wvcir,tree` counts every sample's messages
//! exactly as the analyzer's summary does (by channel, command, CSP version, anomaly and client
//! verdict), and `-z wvcir,srt` gives the HELO and PING response times the analyzer reports
//! (`tcp_channels[].ok_latency`, `ping_rtts`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::BTreeMap;
use wvcir_dissector::stats::Branch;
use wvcir_tests::{Tshark, plugin_library, root};

/// (branch title, leaf or "" for the branch's own total) -> count.
type Tree = BTreeMap<(String, String), u64>;

/// The branch of each summary key, and the leaves under it.
fn expected_tree(report: &Value, excluded: &[&Value]) -> Tree {
    let mut tree = Tree::new();
    let summary = &report["summary"];
    for branch in Branch::ALL {
        let title = branch.title().to_str().unwrap().to_owned();
        let counts = branch.summary_key().split('.').fold(summary, |v, k| &v[k]);
        let mut total = 0;
        // A client with no verdicts has no key.
        for (leaf, n) in counts.as_object().into_iter().flatten() {
            let n = n.as_u64().unwrap();
            total += n;
            *tree.entry((title.clone(), leaf.clone())).or_default() += n;
        }
        tree.insert((title, String::new()), total);
    }
    // What the plugin cannot see (see plugin_tshark.rs), taken out of the analyzer's counts.
    for m in excluded {
        let command = m["command"].as_str().unwrap();
        let mut leaves = vec![(Branch::Channel, m["channel"].as_str().unwrap()), (Branch::Command, command)];
        if let (Some(v), "WVCI") = (m["version"].as_str(), command) {
            leaves.push((Branch::Version, v));
        }
        leaves.extend(m["anomalies"].as_array().unwrap().iter().map(|a| (Branch::Finding, a.as_str().unwrap())));
        for (branch, client) in [(Branch::Android, "android"), (Branch::Symbian, "symbian")] {
            if let Some(v) = m["clients"][client].as_str() {
                leaves.push((branch, v));
            }
        }
        for (branch, leaf) in leaves {
            let title = branch.title().to_str().unwrap().to_owned();
            for key in [(title.clone(), leaf.to_owned()), (title, String::new())] {
                let n = tree.get_mut(&key).unwrap();
                *n -= 1;
            }
        }
    }
    tree.retain(|(_, leaf), n| *n > 0 || leaf.is_empty());
    tree
}

/// The tree tshark prints: top-level rows at column 0, leaves indented by one space; the name is
/// separated from the count by two spaces or more.
fn parse_tree(text: &str) -> Tree {
    let mut tree = Tree::new();
    let mut branch = String::new();
    let body = text.split("\nWV-CIR:\n").nth(1).unwrap_or_else(|| panic!("no WV-CIR tree in:\n{text}"));
    for line in body.lines().skip(2).take_while(|l| !l.starts_with("---")) {
        if line.trim().is_empty() {
            continue;
        }
        let leaf = line.starts_with(' ');
        let line = line.trim_start();
        let (name, rest) = line.split_once("  ").unwrap_or_else(|| panic!("row {line:?}"));
        let count: u64 = rest.split_whitespace().next().unwrap().parse().unwrap();
        if leaf {
            tree.insert((branch.clone(), name.to_owned()), count);
        } else {
            branch = name.to_owned();
            tree.insert((branch.clone(), String::new()), count);
        }
    }
    tree
}

/// request -> (calls, min, max, sum) in microseconds, as tshark prints them (6 decimals).
type Srt = BTreeMap<String, (u64, i64, i64, i64)>;

fn expected_srt(report: &Value) -> Srt {
    let mut srt = Srt::new();
    let micros = |v: &Value| (v.as_f64().unwrap() * 1e6).round() as i64;
    let mut add = |request: &str, us: i64| {
        let e = srt.entry(request.to_owned()).or_insert((0, i64::MAX, i64::MIN, 0));
        *e = (e.0 + 1, e.1.min(us), e.2.max(us), e.3 + us);
    };
    for c in report["tcp_channels"].as_array().unwrap() {
        if !c["ok_latency"].is_null() {
            add("HELO", micros(&c["ok_latency"]));
        }
        for rtt in c["ping_rtts"].as_array().unwrap() {
            add("PING", micros(rtt));
        }
    }
    srt
}

fn parse_srt(text: &str) -> Srt {
    let body = text.split("WV-CIR SRT Statistics:\n").nth(1).unwrap_or_else(|| panic!("no SRT table in:\n{text}"));
    let micros = |s: &str| (s.parse::<f64>().unwrap() * 1e6).round() as i64;
    body.lines()
        .skip(2)
        .take_while(|l| !l.starts_with("==="))
        .filter_map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            let calls: u64 = c[2].parse().unwrap();
            (calls > 0).then(|| (c[1].to_owned(), (calls, micros(c[3]), micros(c[4]), micros(c[6]))))
        })
        .collect()
}

#[test]
fn the_stats_tree_and_response_times_match_the_analyzers_summary_on_every_sample() {
    let Some(t) = Tshark::find() else { return };
    let t = t.with_plugin(&plugin_library());
    let tlvs_reach_the_plugin = Tshark::version().is_none_or(|v| v.as_str() >= "4.0");
    let mut checked = 0;
    for s in wvcir_samples::samples() {
        let text = std::fs::read_to_string(root().join("tests/golden").join(format!("{}.json", s.name))).unwrap();
        let report: Value = serde_json::from_str(&text).unwrap();
        let tlv_frames: Vec<u64> = if tlvs_reach_the_plugin {
            Vec::new()
        } else {
            s.notes().filter(|(_, n)| n.contains("TLVs")).map(|(f, _)| f as u64).collect()
        };
        // A line the capture ends in (the plugin cannot know the capture ends there), and before
        // 4.0 an SMS that SMPP addresses by TLVs alone (Wireshark does not hand it over).
        let excluded: Vec<&Value> = report["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| {
                m["anomalies"].as_array().unwrap().iter().any(|a| a == "incomplete")
                    || tlv_frames.contains(&m["frame"].as_u64().unwrap())
            })
            .collect();
        let out =
            t.read(&root().join("samples/captures").join(s.name), &["-q", "-n", "-z", "wvcir,tree", "-z", "wvcir,srt"]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.trim().is_empty(), "{}: {stderr}", s.name);
        let (got, want) = (parse_tree(&stdout), expected_tree(&report, &excluded));
        assert_eq!(got, want, "{}: the stats tree vs the analyzer's summary:\n{stdout}", s.name);
        let (got, want) = (parse_srt(&stdout), expected_srt(&report));
        assert_eq!(got, want, "{}: the SRT table vs the analyzer's latencies:\n{stdout}", s.name);
        checked += usize::from(report["summary"]["messages"].as_u64().unwrap() > 0);
    }
    assert!(checked >= 15, "only {checked} samples had messages to count");
}

#[test]
fn the_parsers_read_what_tshark_prints() {
    // A row of each kind, as tshark 4.0 prints them; the end-to-end test above depends on these.
    let tree = "\nWV-CIR:\nTopic / Item   Count  Average\n----\nMessages by channel  14  0.0000\n tcp  14  0.0000\nAndroid would  0  0.0000\n\n----\n";
    let t = parse_tree(tree);
    assert_eq!(t.len(), 3);
    assert_eq!(t[&("Messages by channel".to_owned(), "tcp".to_owned())], 14);
    let srt = "WV-CIR SRT Statistics:\nFilter: \nIndex  Request  Calls  Min SRT  Max SRT  Avg SRT  Sum SRT\n    0  HELO  2   0.050000   0.060000   0.055000   0.110000\n    1  PING  0   0.000000   0.000000   0.000000   0.000000\n====\n";
    assert_eq!(parse_srt(srt), Srt::from([("HELO".to_owned(), (2, 50_000, 60_000, 110_000))]));
}

/// A flood of made-up versions: the tree names at most as many as the analyzer's summary and
/// counts the rest as `other`, as the summary does (without the bound, 200,000 distinct versions
/// kept tshark busy for minutes: its stats tree slows down with a node's children).
#[test]
fn a_flood_of_versions_is_bounded_as_in_the_analyzers_summary() {
    use wvcir_samples::capture::{Capture, Format};
    use wvcir_samples::net::{Link, Transport, ip_packet};
    let Some(t) = Tshark::find() else { return };
    let t = t.with_plugin(&plugin_library());
    let n = wvcir::MAX_VERSION_NAMES + 44;
    let (server, phone) = ("192.0.2.10".parse().unwrap(), "198.51.100.23".parse().unwrap());
    let mut cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    for i in 0..n {
        let payload = format!("WVCI 1.{i} wv:x\r\n");
        let ip = ip_packet((server, 40_000), (phone, 3717), i as u16, &Transport::Udp, payload.as_bytes());
        cap.push_ip(i as f64, Link::Ethernet, 0, &ip, false, "");
    }
    let path = std::env::temp_dir().join(format!("wvcir-version-flood-{}.pcap", std::process::id()));
    std::fs::write(&path, cap.to_bytes()).unwrap();
    let out = t.read(&path, &["-q", "-n", "-z", "wvcir,tree"]);
    let report = wvcir_tests::report::analyze(&[path.to_str().unwrap()], wvcir_analyzer::run::OutFormat::Json);
    let _ = std::fs::remove_file(&path);
    let tree = parse_tree(&String::from_utf8(out.stdout).unwrap());
    let title = Branch::Version.title().to_str().unwrap().to_owned();
    let leaves: Vec<(&String, &u64)> =
        tree.iter().filter(|((b, leaf), _)| *b == title && !leaf.is_empty()).map(|((_, l), c)| (l, c)).collect();
    assert_eq!(leaves.len(), wvcir::MAX_VERSION_NAMES + 1, "named versions and other");
    assert_eq!(tree[&(title.clone(), "other".to_owned())], 44);
    assert_eq!(tree[&(title, String::new())], n as u64);
    let summary: Value = serde_json::from_str(&report).unwrap();
    let by_version = summary["summary"]["by_version"].as_object().unwrap();
    assert_eq!(by_version.len(), wvcir::MAX_VERSION_NAMES + 1);
    assert_eq!(by_version["other"], 44, "the analyzer counts as many under other");
}
