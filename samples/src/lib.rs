//! The wvcir sample captures: built deterministically (fixed seeds, fixed times), so running the
//! generator reproduces the committed files byte for byte.
//!
//! Every frame that carries something is annotated; the annotations become the frame tables of
//! `samples/README.md`, so the README and the captures cannot drift apart.
//!
//! This crate builds trusted data of its own making, so it indexes freely; the parsers' rule
//! against indexing (workspace lint) is for code that reads untrusted bytes.
#![forbid(unsafe_code)]
#![allow(clippy::indexing_slicing, unreachable_pub)]

pub mod capture;
pub mod hostile;
pub mod net;
pub mod scenarios;
pub mod smpp;
pub mod sms_sip;
pub mod synth;
pub mod tcp;

use capture::Capture;
use net::Link;
use std::fmt::Write as _;
use std::path::Path;

/// One committed capture.
#[derive(Debug)]
pub struct Sample {
    /// File name under `samples/captures/`.
    pub name: &'static str,
    /// What it shows, one line.
    pub shows: &'static str,
    /// The capture.
    pub capture: Capture,
}

impl Sample {
    /// `(frame number as Wireshark shows it, note)` for every annotated frame.
    pub fn notes(&self) -> impl Iterator<Item = (usize, &str)> {
        self.capture
            .packets
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.note.is_empty())
            .map(|(i, p)| (i + 1, p.note.as_str()))
    }
}

/// Every good sample, in README order.
pub fn samples() -> Vec<Sample> {
    use scenarios as s;
    let sample = |name, shows, capture| Sample { name, shows, capture };
    vec![
        sample(
            "udp-cir.pcap",
            "UDP/IP CIR session (CSP 1.3, CRLF, LF, no line end) among DNS and HTTP on 80",
            s::udp_cir(),
        ),
        sample(
            "tcp-cir.pcapng",
            "Standalone TCP CIR channel: HELO/OK, PING/OK, CIRs split, shared and retransmitted; an unanswered HELO re-opened after 30 s",
            s::tcp_cir(),
        ),
        sample(
            "tcp-real-shapes.pcap",
            "TCP shapes of real stacks on the 3717 line channel: mid-stream start, reordering, a lost segment and its fast retransmission, overlapping and contradicting retransmissions, keep-alives, zero-window probes, TSO segments over 8 KB, FIN with data, RST, a line cut by the capture end",
            s::tcp_real_shapes(),
        ),
        sample(
            "sms-cir.pcap",
            "SMS CIR on UDP 3716, ASCII and GSM 7-bit; Android's SMS HELO (big-endian, nanosecond pcap)",
            s::sms_cir(),
        ),
        sample("wap-push.pcap", "WAP Push CIR on UDP 2948: short-integer and text content type", s::wap_push()),
        sample("vlan-qinq.pcap", "CIR in an 802.1Q-tagged and a QinQ-tagged Ethernet frame", s::vlan()),
        sample(
            "tunnels.pcap",
            "CIRs in tunnels: GTP-U, VLAN in VXLAN, that in GTP-U, Geneve, GRE (key, Ethernet), MPLS, PPPoE, 4in4, 6in4, 4in6; a TCP CIR channel in VXLAN; ERSPAN II and III, PPP in PPTP's GRE",
            s::tunnels(),
        ),
        sample("linux-sll.pcap", "Linux cooked capture v1 (tcpdump -i any)", s::single_link(Link::Sll)),
        sample("linux-sll2.pcap", "Linux cooked capture v2", s::single_link(Link::Sll2 { ifindex: 2 })),
        sample("raw-ip.pcap", "Raw IP link type", s::single_link(Link::RawIp)),
        sample(
            "ppp.pcap",
            "PPP link type: HDLC-like framing, compressed address, control and protocol, IPv6",
            s::ppp(),
        ),
        sample(
            "wifi-radiotap.pcap",
            "802.11 with radiotap: a CIR in a QoS data frame, a protected frame skipped, a CIR in a four-address frame with HT control",
            s::wifi(),
        ),
        sample(
            "loopback-null.pcap",
            "BSD loopback (lo0, link type NULL): a developer's CIR test server on 127.0.0.1",
            s::loopback(),
        ),
        sample(
            "smpp.pcap",
            "SMS CIRs inside SMPP on TCP 2775: submit_sm, data_sm, submit_multi, deliver_sm; GSM 7-bit packed and unpacked, 8-bit, Latin-1, IA5; UDH and TLV ports; concatenated (IE 0x00, 0x08, sar TLVs), a three-part WAP Push",
            smpp::smpp(),
        ),
        sample(
            "sms-over-sip.pcap",
            "SMS over IMS: SIP MESSAGEs whose RP-DATA bodies hold TPDUs: an SMS CIR and a WAP Push CIR delivered, Android's SMS HELO submitted, a text SMS",
            sms_sip::sms_over_sip(),
        ),
        sample("ipv6.pcapng", "IPv6: a UDP CIR, a short TCP CIR channel, a CIR in two IPv6 fragments", s::ipv6()),
        sample("ipv4-fragments.pcap", "One CIR in three IPv4 fragments, last fragment first", s::ipv4_fragments()),
        sample(
            "two-interfaces.pcapng",
            "pcapng with two interfaces of different link types (Ethernet, raw IP)",
            s::two_interfaces(),
        ),
        sample("nanosecond.pcapng", "pcapng with nanosecond timestamps (if_tsresol 9)", s::nanosecond()),
        sample("tls-3717.pcapng", "Not CIR: a TLS session on TCP 3717", s::tls_3717()),
        sample(
            "beacons-3717.pcap",
            "Not CIR: periodic 48-byte high-entropy UDP beacons to 3717, about every 60 s",
            s::beacons_3717(),
        ),
        sample("http-3716.pcap", "Not CIR: an HTTP exchange on TCP 3716", s::http_3716()),
        sample(
            "malformed-cir.pcap",
            "Every malformed and anomalous case of the acceptance table, one datagram each",
            s::malformed(),
        ),
        sample(
            "client-verdicts.pcap",
            "What the real clients would do: Android and Symbian verdicts, GSM 7-bit extension characters, a glued keyword, a 5,000-byte TCP line, foreign datagrams to UDP 3717",
            s::client_verdicts(),
        ),
    ]
}

/// The damaged files: `(name under bad/, bytes, what is wrong)`.
pub fn bad_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    scenarios::bad_files()
}

/// Every file the generator writes, as `(path relative to samples/, bytes)`, README included.
pub fn all_files(readme_template: &str) -> Vec<(String, Vec<u8>)> {
    let samples = samples();
    let mut files: Vec<(String, Vec<u8>)> =
        samples.iter().map(|s| (format!("captures/{}", s.name), s.capture.to_bytes())).collect();
    files.extend(bad_files().into_iter().map(|(n, b, _)| (format!("bad/{n}"), b)));
    files.push(("README.md".to_owned(), render_readme(readme_template, &samples).into_bytes()));
    files
}

const BEGIN: &str = "<!-- generated: begin -->";
const END: &str = "<!-- generated: end -->";

/// The README with its generated section (between the markers) rewritten from the samples.
pub fn render_readme(template: &str, samples: &[Sample]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}");
    let _ = writeln!(out, "\n| file | frames | bytes | what it shows |\n|---|---|---|---|");
    for s in samples {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            s.name,
            s.capture.packets.len(),
            s.capture.to_bytes().len(),
            s.shows
        );
    }
    for (name, bytes, what) in bad_files() {
        let _ = writeln!(out, "| `../bad/{name}` | - | {} | damaged: {what} |", bytes.len());
    }
    for s in samples {
        let _ = writeln!(out, "\n### `{}`\n\n{}\n\n| frame | carries |\n|---|---|", s.name, s.shows);
        for (frame, note) in s.notes() {
            let _ = writeln!(out, "| {frame} | {} |", note.replace('|', "\\|"));
        }
    }
    let _ = write!(out, "\n{END}");
    match (template.find(BEGIN), template.find(END)) {
        (Some(b), Some(e)) if b < e => format!("{}{out}{}", &template[..b], &template[e + END.len()..]),
        _ => format!("{template}\n{out}\n"),
    }
}

/// Writes every file under `dir` (the `samples/` folder).
pub fn write_all(dir: &Path) -> std::io::Result<Vec<String>> {
    let template = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    let mut written = Vec::new();
    for (rel, bytes) in all_files(&template) {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &bytes)?;
        written.push(format!("{rel} ({} bytes)", bytes.len()));
    }
    Ok(written)
}
