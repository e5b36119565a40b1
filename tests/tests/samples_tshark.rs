//! Every sample checked with a real outside tool: Debian's tshark reads each good capture without
//! error and sees the frames, times and protocols the samples README says; it rejects the damaged
//! files as the README says.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use wvcir_samples::{Sample, samples};
use wvcir_tests::{Tshark, root};

/// A sample by name: `bad/x.pcap` for the damaged files, else a capture under `captures/`.
fn path(name: &str) -> PathBuf {
    let samples = root().join("samples");
    if name.starts_with("bad/") { samples.join(name) } else { samples.join("captures").join(name) }
}

/// `tshark -T fields` rows, split into columns.
fn fields(t: &Tshark, name: &str, extra: &[&str], fields: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["-n"];
    args.extend_from_slice(extra);
    args.extend(["-T", "fields", "-E", "occurrence=f"]);
    for f in fields {
        args.extend(["-e", f]);
    }
    let out = t.read(&path(name), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tshark failed on {name}: {stderr}");
    assert!(stderr.trim().is_empty(), "tshark complained about {name}: {stderr}");
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('\t').map(str::to_owned).collect()).collect()
}

/// The protocol tshark must show for an annotated frame. Every CIR-protocol frame is plain "data"
/// today: Wireshark has no dissector for it, which is why this project exists.
fn expected_protocol(note: &str) -> &'static str {
    match note {
        n if n.starts_with("DNS") => ":dns",
        n if n.contains("from 5353") => ":mdns",
        n if n.starts_with("HTTP") => ":http",
        n if n.starts_with("TLS") => ":tls",
        n if n.starts_with("WSP Push") => ":wsp:media",
        // Wireshark's TCP withholds these from subdissectors by default (so the plugin reads every
        // segment itself, from a postdissector).
        n if n.contains("retransmission") || n.contains("out of order") => ":tcp",
        n if n.starts_with("IPv4 fragment") && n.contains("completes the datagram") => ":udp",
        n if n.starts_with("IPv4 fragment") => ":ip:data",
        n if n.starts_with("IPv6 fragment") && n.contains("completes the datagram") => ":ipv6.fraghdr:udp",
        n if n.starts_with("IPv6 fragment") => ":ipv6.fraghdr:data",
        n if ["FIN", "SYN", "ACK", "Duplicate ACK", "RST", "Window update"].iter().any(|p| n.starts_with(p)) => ":tcp",
        // SMPP: a PDU's first segment waits for TCP reassembly; an SMS with a port or a part
        // number goes on to Wireshark's SMS user-data dissector (and a WAP Push on to WSP).
        n if n.contains("its first 30 bytes") => ":tcp",
        // SMS over SIP: SIP hands the body to Wireshark's RP and TPDU dissectors.
        n if n.starts_with("SIP") => ":sip",
        n if n.starts_with("SMS-DELIVER WAP Push") => ":sip:gsm_a.rp:gsm_sms:wsp:media",
        n if n.starts_with("SMS-") => ":sip:gsm_a.rp:gsm_sms",
        n if n.starts_with("WAP Push part 3") => ":smpp:gsm_sms_ud:wsp:media",
        n if n.starts_with("SMPP") && n.contains(" part ") => ":smpp:gsm_sms_ud",
        n if n.starts_with("SMPP") => ":smpp",
        n if ["submit_sm", "data_sm", "submit_multi", "deliver_sm", "sar part 2", "IE 0x08 part 2"]
            .iter()
            .any(|p| n.contains(p)) =>
        {
            ":smpp:gsm_sms_ud"
        }
        _ => ":data",
    }
}

/// Epoch time as tshark prints it, from the generator's timestamp truncated to the file's resolution.
fn epoch(s: &Sample, frame: usize) -> String {
    let ts = s.capture.packets[frame - 1].ts;
    let nanos_resolution = match &s.capture.format {
        wvcir_samples::capture::Format::Pcap { nanos, .. } => *nanos,
        wvcir_samples::capture::Format::PcapNg { interfaces } => interfaces[0].2 == 9,
    };
    let sub = if nanos_resolution { ts.subsec_nanos() } else { ts.subsec_micros() * 1000 };
    format!("{}.{sub:09}", ts.as_secs())
}

#[test]
fn tshark_sees_every_sample_as_the_readme_says() {
    let Some(t) = Tshark::find() else { return };
    for s in samples() {
        let rows = fields(
            &t,
            s.name,
            &[],
            &["frame.number", "frame.protocols", "frame.time_epoch", "tcp.analysis.retransmission"],
        );
        assert_eq!(rows.len(), s.capture.packets.len(), "{}: frame count", s.name);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[0], (i + 1).to_string());
            assert_eq!(row[2], epoch(&s, i + 1), "{} frame {}: timestamp", s.name, i + 1);
        }
        for (frame, note) in s.notes() {
            let row = &rows[frame - 1];
            let want = expected_protocol(note);
            assert!(
                row[1].contains(want),
                "{} frame {frame} ({note}): tshark shows {}, expected {want}",
                s.name,
                row[1]
            );
            if note.contains("retransmission") && !note.starts_with("ACK") {
                assert_eq!(row[3], "1", "{} frame {frame}: tshark must flag the retransmission", s.name);
            }
        }
    }
}

#[test]
fn tshark_sees_links_streams_and_reassembly() {
    let Some(t) = Tshark::find() else { return };
    let first = |name: &str, f: &str| fields(&t, name, &[], &[f]).into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    // Link layers.
    assert!(first("linux-sll.pcap", "frame.protocols").iter().all(|p| p.starts_with("sll:")));
    assert!(first("linux-sll2.pcap", "frame.protocols").iter().all(|p| p.starts_with("sll:")));
    assert_eq!(first("linux-sll2.pcap", "sll.ifindex")[0], "2", "SLL2 carries the interface index");
    assert!(first("raw-ip.pcap", "frame.protocols").iter().all(|p| p.starts_with("raw:ip:")));
    assert!(first("loopback-null.pcap", "frame.protocols").iter().all(|p| p.starts_with("null:ip:")));
    let vlan = first("vlan-qinq.pcap", "frame.protocols");
    assert_eq!(
        vlan,
        ["eth:ethertype:vlan:ethertype:ip:udp:data", "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:udp:data"]
    );
    assert!(first("ipv6.pcapng", "frame.protocols").iter().all(|p| p.starts_with("eth:ethertype:ipv6:")));
    let two = fields(&t, "two-interfaces.pcapng", &[], &["frame.interface_id", "frame.protocols"]);
    assert_eq!((two[0][0].as_str(), two[1][0].as_str()), ("0", "1"));
    assert!(two[0][1].starts_with("eth:") && two[1][1].starts_with("raw:"), "{two:?}");
    // TCP: the CIR channel sample has three connections; the TLS and HTTP ones one each.
    let streams = |name: &str| {
        let mut s = first(name, "tcp.stream");
        s.retain(|x| !x.is_empty());
        s.dedup();
        s
    };
    assert_eq!(streams("tcp-cir.pcapng"), ["0", "1", "2"]);
    assert_eq!(streams("tls-3717.pcapng"), ["0"]);
    assert_eq!(streams("http-3716.pcap"), ["0"]);
    // IPv4 reassembly (two passes so the earlier fragments learn where they were reassembled).
    let frag =
        fields(&t, "ipv4-fragments.pcap", &["-2"], &["frame.number", "ip.reassembled_in", "udp.length", "udp.dstport"]);
    assert_eq!(frag[0][1], "3");
    assert_eq!(frag[1][1], "3");
    assert_eq!((frag[2][2].as_str(), frag[2][3].as_str()), ("45", "3717"));
    // WAP Push: Wireshark's own WSP dissector agrees on both content-type forms.
    let wsp = fields(
        &t,
        "wap-push.pcap",
        &[],
        &["wsp.pdu_type", "wsp.header.content_type", "wsp.header.x_wap_application_id"],
    );
    for row in &wsp {
        assert_eq!(row, &["0x06", "application/vnd.wv.csp.cir", "x-wap-application:wv.ua"]);
    }
    assert_eq!(wsp.len(), 2);
    // TLS on the CIR port: a ClientHello is a ClientHello.
    let hs = fields(&t, "tls-3717.pcapng", &["-Y", "tls.handshake.type == 1"], &["frame.number", "tcp.dstport"]);
    assert_eq!(hs, [["4", "3717"]]);
}

#[test]
fn tshark_rejects_the_damaged_files() {
    let Some(t) = Tshark::find() else { return };
    let udp_frames = samples().into_iter().find(|s| s.name == "udp-cir.pcap").unwrap().capture.packets.len();
    for (name, frames_before, says) in [
        ("truncated.pcap", Some(udp_frames - 1), "cut short in the middle of a packet"),
        ("absurd-length.pcap", Some(3), "4294967280-byte packet"),
        ("not-a-capture.pcap", Some(0), "isn't a capture file"),
    ] {
        let out = t.read(&path(&format!("bad/{name}")), &["-n", "-T", "fields", "-e", "frame.number"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "tshark accepted bad/{name}");
        assert!(stderr.contains(says), "bad/{name}: {stderr}");
        assert_eq!(
            Some(String::from_utf8_lossy(&out.stdout).lines().count()),
            frames_before,
            "bad/{name}: frames read before the damage"
        );
    }
    // An empty file: Debian 12's tshark 4.0 reads it as a capture with no packets and exits 0
    // (no magic number to reject). It must at least see no frame.
    let out = t.read(&path("bad/empty.pcap"), &["-n", "-T", "fields", "-e", "frame.number"]);
    assert!(out.stdout.is_empty(), "tshark saw frames in an empty file");
}
