//! The plugin inside Debian's real tshark: it loads, registers every field, and decodes every
//! sample to exactly the frames, commands, versions and cookies the analyzer reports (the reviewed
//! golden reports), WAP Push through Wireshark's own WSP dissector, anomalies as expert items.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::BTreeMap;
use wvcir_dissector::wireshark::plugin::registered_filters;
use wvcir_tests::{Tshark, plugin_library, root};

fn tshark() -> Option<Tshark> {
    Some(Tshark::find()?.with_plugin(&plugin_library()))
}

#[test]
fn tshark_loads_the_plugin_and_lists_every_field() {
    let Some(t) = tshark() else { return };
    let plugins = String::from_utf8(t.run(&["-G", "plugins"]).stdout).unwrap();
    let line = plugins.lines().find(|l| l.starts_with("wvcir.so")).unwrap_or_else(|| panic!("not loaded:\n{plugins}"));
    assert!(line.contains("0.1.0") && line.contains("dissector"), "{line}");
    let fields = String::from_utf8(t.run(&["-G", "fields"]).stdout).unwrap();
    assert!(fields.lines().any(|l| l == "P\tWireless Village CSP CIR\twvcir"), "protocol not registered");
    for name in registered_filters() {
        assert!(fields.lines().any(|l| l.split('\t').nth(2) == Some(name.as_str())), "{name} is not registered");
    }
}

/// frame -> (commands, versions, cookies, session ids, Android's and Symbian's verdicts), each
/// joined with `|`, as tshark aggregates them.
type Rows = BTreeMap<u64, [String; 6]>;

fn from_golden(sample: &str) -> Rows {
    let text = std::fs::read_to_string(root().join("tests/golden").join(format!("{sample}.json"))).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut rows: BTreeMap<u64, [Vec<String>; 6]> = BTreeMap::new();
    for m in doc["messages"].as_array().unwrap() {
        // A line the capture ended in: the plugin cannot know the capture ends there.
        if m["anomalies"].as_array().unwrap().iter().any(|a| a == "incomplete") {
            continue;
        }
        let r = rows.entry(m["frame"].as_u64().unwrap()).or_default();
        r[0].push(m["command"].as_str().unwrap().to_owned());
        for (i, key) in [(1, "version"), (2, "cookie"), (3, "session_id")] {
            if let Some(v) = m[key].as_str() {
                // The plugin shows what the analyzer escapes in JSON as \xNN text.
                r[i].push(wvcir::Escaped(v.as_bytes()).to_string());
            }
        }
        for (i, client) in [(4, "android"), (5, "symbian")] {
            if let Some(v) = m["clients"][client].as_str() {
                r[i].push(v.to_owned());
            }
        }
    }
    rows.into_iter().map(|(f, r)| (f, r.map(|v| v.join("|")))).collect()
}

fn from_tshark(t: &Tshark, sample: &str, prefs: &[&str]) -> Rows {
    let mut args: Vec<&str> = prefs.iter().flat_map(|p| ["-o", *p]).collect();
    args.extend([
        "-n",
        "-2",
        "-Y",
        "wvcir",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
        "-e",
        "frame.number",
        "-e",
        "wvcir.command",
        "-e",
        "wvcir.version",
        "-e",
        "wvcir.cookie",
        "-e",
        "wvcir.session_id",
        "-e",
        "wvcir.client.android",
        "-e",
        "wvcir.client.symbian",
    ]);
    let out = t.read(&root().join("samples/captures").join(sample), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{sample}: {stderr}");
    // Since 4.2, `-T fields` escapes backslashes in string values; undo that one level.
    let escapes = Tshark::version().is_some_and(|v| v.as_str() >= "4.2");
    let field = |s: &str| if escapes { s.replace("\\\\", "\\") } else { s.to_owned() };
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c[0].parse().unwrap(), [field(c[1]), field(c[2]), field(c[3]), field(c[4]), field(c[5]), field(c[6])])
        })
        .collect()
}

/// The first frame where two row sets differ, for a readable failure.
fn first_difference(a: &Rows, b: &Rows) -> Option<String> {
    let frames: std::collections::BTreeSet<&u64> = a.keys().chain(b.keys()).collect();
    frames.into_iter().find(|f| a.get(f) != b.get(f)).map(|f| format!("frame {f}: {:?} vs {:?}", a.get(f), b.get(f)))
}

/// Wireshark's TCP preferences that change which segments reach a subdissector: the plugin reads
/// every segment itself, so none of them may change what it finds.
const TCP_PREFS: [&[&str]; 5] = [
    &[],
    &["tcp.analyze_sequence_numbers:FALSE"],
    &["tcp.desegment_tcp_streams:FALSE", "tcp.no_subdissector_on_error:FALSE"],
    &["tcp.reassemble_out_of_order:TRUE", "tcp.relative_sequence_numbers:FALSE"],
    &["tcp.check_checksum:TRUE", "tcp.try_heuristic_first:TRUE"],
];

#[test]
fn the_plugin_and_the_analyzer_agree_on_every_line_of_every_sample_whatever_tcps_preferences() {
    let Some(t) = tshark() else { return };
    // Before 4.0, Wireshark's SMPP hands user data to its SMS dissectors (and so to the plugin)
    // only when `esm_class` says it starts with a header: an SMS addressed by SMPP's port TLVs
    // alone never reaches the plugin there (docs/sms-transports.md).
    let tlvs_reach_the_plugin = Tshark::version().is_none_or(|v| v.as_str() >= "4.0");
    for s in wvcir_samples::samples() {
        let mut want = from_golden(s.name);
        if !tlvs_reach_the_plugin {
            for (frame, _) in s.notes().filter(|(_, n)| n.contains("TLVs")) {
                want.remove(&(frame as u64));
            }
        }
        // The plugin reads every segment of a CIR channel itself, so TCP's preferences must not
        // change what it finds; an SMS inside SMPP reaches it through Wireshark's own SMPP and
        // TCP reassembly, which those preferences do change (without desegmentation, a PDU split
        // over two segments is not decoded at all).
        let tcp = s.name != "smpp.pcap"
            && s.capture.packets.iter().any(|p| p.note.contains("SYN") || p.note.contains("Mid-stream"));
        for prefs in if tcp { &TCP_PREFS[..] } else { &TCP_PREFS[..1] } {
            let got = from_tshark(&t, s.name, prefs);
            assert!(
                got == want,
                "{} with {prefs:?}: tshark with the plugin vs the analyzer differ at {}",
                s.name,
                first_difference(&got, &want).unwrap_or_default()
            );
        }
    }
}

#[test]
fn wap_push_goes_through_wiresharks_wsp_and_tcp_requests_get_their_answers() {
    let Some(t) = tshark() else { return };
    let capture = |name: &str| root().join("samples/captures").join(name);
    let out =
        t.read(&capture("wap-push.pcap"), &["-n", "-T", "fields", "-e", "frame.protocols", "-e", "wvcir.channel"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "eth:ethertype:ip:udp:wsp:wvcir\twap-push\n".repeat(2));
    let out = t.read(
        &capture("tcp-cir.pcapng"),
        &[
            "-n",
            "-2",
            "-Y",
            "wvcir.response_to || wvcir.response_in",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "wvcir.response_to",
            "-e",
            "wvcir.response_in",
            "-e",
            "wvcir.response_time",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "4\t\t6\t\n6\t4\t\t0.060000000\n16\t\t18\t\n18\t16\t\t0.050000000\n20\t\t22\t\n22\t20\t\t0.060000000\n38\t\t40\t\n40\t38\t\t0.050000000\n"
    );
    // Derived, not bytes of the frame: shown as generated fields, in brackets, as Wireshark's own.
    let out = t.read(&capture("tcp-cir.pcapng"), &["-n", "-2", "-V", "-Y", "frame.number == 6"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // (4.6 prints the time as "60.000000 milliseconds", earlier releases as "0.060000000 seconds".)
    for line in ["    [Response to: 4]\n", "    [Response time: "] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    // The column a user sees.
    let out = t.read(
        &capture("udp-cir.pcap"),
        &["-n", "-Y", "frame.number == 3", "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"],
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "WV-CIR\tWVCI 1.3 wv:nokia.1804289383\n");
}

#[test]
fn malformed_input_shows_expert_items_on_the_right_frames() {
    let Some(t) = tshark() else { return };
    let capture = root().join("samples/captures/malformed-cir.pcap");
    for (filter, frame) in [
        ("wvcir.keyword_case", "1"),
        ("wvcir.unknown_version", "2"),
        ("wvcir.missing_version", "3"),
        ("wvcir.missing_cookie", "4"),
        ("wvcir.extra_fields", "5\n8"),
        ("wvcir.bad_separator", "6\n7\n8"),
        ("wvcir.non_printable", "7\n8"),
        ("wvcir.oversize", "9"),
        ("wvcir.trailing_data", "10"),
    ] {
        let out = t.read(&capture, &["-n", "-Y", filter, "-T", "fields", "-e", "frame.number"]);
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), frame, "{filter}");
    }
    // Not CIR: frame 11 ('WVCX') stays Data.
    let out = t.read(&capture, &["-n", "-Y", "frame.number == 11", "-T", "fields", "-e", "frame.protocols"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "eth:ethertype:ip:udp:data");
}

/// A panic inside the dissector is caught at the C boundary: tshark neither aborts nor loses the
/// frames around it, and the frame shows a `wvcir.internal_error` expert item. The plugin is
/// built with the `panic-probe` feature, whose dissector panics on one payload.
#[test]
fn a_panic_in_the_dissector_is_an_expert_item_and_tshark_carries_on() {
    use wvcir_samples::capture::{Capture, Format};
    use wvcir_samples::net::{Link, Transport, ip_packet};
    let Some(t) = Tshark::find() else { return };
    let t = t.with_plugin(&wvcir_tests::panic_probe_library());
    let (server, phone) = ("192.0.2.10".parse().unwrap(), "198.51.100.23".parse().unwrap());
    let mut cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    let payloads: [&[u8]; 3] =
        [b"WVCI 1.3 wv:before\r\n", wvcir_dissector::dissect::PANIC_PROBE, b"WVCI 1.3 wv:after\r\n"];
    for (i, p) in payloads.into_iter().enumerate() {
        let ip = ip_packet((server, 40_000), (phone, 3717), i as u16, &Transport::Udp, p);
        cap.push_ip(i as f64, Link::Ethernet, 0, &ip, false, "");
    }
    let path = std::env::temp_dir().join(format!("wvcir-panic-probe-{}.pcap", std::process::id()));
    std::fs::write(&path, cap.to_bytes()).unwrap();
    let fields = ["-T", "fields", "-e", "frame.number", "-e", "wvcir.cookie", "-e", "_ws.col.Info"];
    let out = t.read(&path, &[&["-n"][..], &fields].concat());
    let caught = t.read(&path, &["-n", "-Y", "wvcir.internal_error", "-T", "fields", "-e", "frame.number"]);
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "tshark failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wvcir panic probe"), "the probe did not fire, so nothing was tested: {stderr}");
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    assert!(rows[0].starts_with("1\twv:before\t"), "{stdout}");
    // 3.6 hands the datagram on to another dissector after ours gives up, which rewrites the Info
    // column; the expert item (below) is the evidence on every version.
    let info_kept = Tshark::version().is_some_and(|v| v.as_str() >= "4.0");
    assert!(rows[1].starts_with("2\t\t") && (!info_kept || rows[1].contains("[wvcir internal error]")), "{stdout}");
    assert!(rows[2].starts_with("3\twv:after\t"), "the frame after the panic is dissected: {stdout}");
    assert_eq!(String::from_utf8_lossy(&caught.stdout).trim(), "2", "the expert item is on the panicking frame");
}

#[test]
fn a_panic_while_the_tcp_state_is_held_does_not_stop_tcp_dissection() {
    use wvcir_samples::capture::{Capture, Format};
    use wvcir_samples::net::{Flags, Link, Transport, ip_packet};
    let Some(t) = Tshark::find() else { return };
    let t = t.with_plugin(&wvcir_tests::panic_probe_library());
    let (server, phone) = ("192.0.2.10".parse().unwrap(), "198.51.100.23".parse().unwrap());
    let mut cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    let probe = [wvcir_dissector::dissect::PANIC_PROBE, b"\r\n"].concat();
    let payloads: [&[u8]; 3] = [b"WVCI 1.3 wv:before\r\n", &probe, b"WVCI 1.3 wv:after\r\n"];
    let mut seq = 1000u32;
    for (i, p) in payloads.into_iter().enumerate() {
        let flags = Flags { ack: true, psh: true, ..Flags::default() };
        let tcp = Transport::Tcp { seq, ack: 1, flags, window: 65535 };
        let ip = ip_packet((server, 3717), (phone, 49_201), i as u16, &tcp, p);
        cap.push_ip(i as f64, Link::Ethernet, 0, &ip, false, "");
        seq += p.len() as u32;
    }
    let path = std::env::temp_dir().join(format!("wvcir-panic-probe-tcp-{}.pcap", std::process::id()));
    std::fs::write(&path, cap.to_bytes()).unwrap();
    let out = t.read(&path, &["-n", "-T", "fields", "-e", "frame.number", "-e", "wvcir.cookie"]);
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wvcir panic probe, with the state lock held"), "the probe did not fire: {stderr}");
    // Before the fix, the poisoned lock made every later TCP frame come out empty.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\twv:before\n2\t\n3\twv:after\n");
}
