//! Why a flow on the CIR ports deserves a look: a protocol that is not CIR, a steady beacon, or
//! payloads that look encrypted. Each heuristic's thresholds are named here.

use crate::flows::Flow;
use crate::report::{ReasonRec, micros};
use crate::vocab::{FlowKind, ReasonKind, Vocabulary};
use wvcir::PortMap;

/// Periodic traffic: at least this many gaps between packets from the initiator...
pub const PERIODIC_MIN_GAPS: u64 = 4;
/// ...at least this many seconds apart on average...
pub const PERIODIC_MIN_PERIOD: f64 = 1.0;
/// ...varying by at most this fraction of the period (coefficient of variation).
pub const PERIODIC_MAX_CV: f64 = 0.1;
/// A beacon seen this many times (gaps) with no jitter is reported with confidence 1.
pub const PERIODIC_CONFIDENT_GAPS: u64 = 20;
/// Mean payload entropy, as a share of the most a payload of its length can have, above which a
/// binary flow counts as encrypted or compressed.
pub const HIGH_ENTROPY_SHARE: f64 = 0.9;

/// Every reason the flow is suspicious, in a fixed order; empty when it is not.
pub fn reasons(f: &Flow, ports: &PortMap) -> Vec<ReasonRec> {
    [non_cir_protocol(f, ports), periodic(f), high_entropy(f), breaks_symbian_cir(f)].into_iter().flatten().collect()
}

/// MITRE ATT&CK T1571, Non-Standard Port: a known protocol on a port registered to another.
pub const ATTACK_NON_STANDARD_PORT: &str = "T1571";
/// MITRE ATT&CK T1573, Encrypted Channel.
pub const ATTACK_ENCRYPTED_CHANNEL: &str = "T1573";
/// MITRE ATT&CK T1071, Application Layer Protocol (the technique C2 beacons use).
pub const ATTACK_APPLICATION_LAYER: &str = "T1071";

fn reason(kind: ReasonKind, detail: String) -> ReasonRec {
    let attack = match kind {
        ReasonKind::NonCirProtocol => vec![ATTACK_NON_STANDARD_PORT],
        ReasonKind::Periodic => vec![ATTACK_APPLICATION_LAYER],
        ReasonKind::HighEntropy => vec![ATTACK_ENCRYPTED_CHANNEL],
        // Tearing phones' CIR channels down is no technique of ATT&CK's.
        ReasonKind::BreaksSymbianCir => vec![],
    };
    ReasonRec { kind, detail, attack, period: None, jitter: None, confidence: None, entropy: None, count: None }
}

/// How sure the periodic detector is: 1 for a perfectly steady beacon seen at least
/// [`PERIODIC_CONFIDENT_GAPS`] times, less as the jitter nears [`PERIODIC_MAX_CV`] of the period
/// or the beacon was seen fewer times.
pub fn periodic_confidence(gaps: u64, mean: f64, std: f64) -> f64 {
    let cv = if mean > 0.0 { std / mean } else { 1.0 };
    let steadiness = (1.0 - cv / PERIODIC_MAX_CV).clamp(0.0, 1.0);
    let seen = (gaps as f64 / PERIODIC_CONFIDENT_GAPS as f64).min(1.0);
    ((steadiness * seen) * 1000.0).round() / 1000.0
}

/// Something other than CIR (and not nothing) on a CIR port.
fn non_cir_protocol(f: &Flow, ports: &PortMap) -> Option<ReasonRec> {
    let kind = f.kind();
    let on_responder = ports.is_cir_port(f.transport, f.responder.1);
    let on_cir_port = on_responder || ports.is_cir_port(f.transport, f.initiator.1);
    if !on_cir_port || matches!(kind, FlowKind::Cir | FlowKind::Empty) {
        return None;
    }
    let port = if on_responder { f.responder.1 } else { f.initiator.1 };
    let t = &f.tally;
    let payloads = t.messages + t.other_payloads;
    let mut detail = format!("{} on CIR port {port}", kind.name());
    if let Some(h) = t.http.record() {
        detail += &http_detail(&h);
    }
    if let Some(d) = f.names.as_ref().and_then(|n| n.dns.as_ref()) {
        detail += &format!(": query {} (type {})", d.query, d.qtype);
    }
    if let Some(h) = &f.names {
        if let Some(t) = &h.tls {
            detail += &tls_detail(t);
        }
        if let Some(s) = &h.ssh {
            detail += &ssh_detail(s);
        }
    }
    if t.messages > 0 {
        detail += &format!(" ({} of its {payloads} payloads decode as CIR, {} cleanly)", t.messages, t.clean_messages);
    }
    let mut r = reason(ReasonKind::NonCirProtocol, detail);
    if matches!(kind, FlowKind::Tls | FlowKind::Ssh) {
        r.attack.push(ATTACK_ENCRYPTED_CHANNEL);
    }
    Some(r)
}

/// What an HTTP exchange's heads said, for a reason's detail: `: GET /c2 (Host x, UA y) -> 200
/// (Server z)`.
fn http_detail(h: &crate::http::HttpRec) -> String {
    let mut d = String::new();
    if let (Some(m), Some(u)) = (&h.method, &h.uri) {
        d += &format!(": {m} {u}");
        let extra: Vec<String> = [("Host", &h.host), ("UA", &h.user_agent)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
            .collect();
        if !extra.is_empty() {
            d += &format!(" ({})", extra.join(", "));
        }
    }
    if let Some(code) = h.status {
        d += &format!("{} {code}", if d.is_empty() { ": status" } else { " -> " }.trim_end());
        if let Some(s) = &h.server {
            d += &format!(" (Server {s})");
        }
    }
    d
}

/// What a TLS handshake said, for a reason's detail: `: to c2.example (ALPN h2), TLS 1.3,
/// JA3 x, JA4 y, self-signed certificate CN=...`.
fn tls_detail(t: &crate::handshakes::TlsRec) -> String {
    let mut parts = Vec::new();
    let mut to = match &t.sni {
        Some(sni) => format!("to {sni}"),
        None => "no SNI".to_owned(),
    };
    if !t.alpn.is_empty() {
        to += &format!(" (ALPN {})", t.alpn.join(","));
    }
    parts.push(to);
    if let Some(v) = t.version.as_ref().or(t.client_version.as_ref()) {
        parts.push(v.clone());
    }
    parts.extend(t.ja3.as_ref().map(|j| format!("JA3 {j}")));
    parts.extend(t.ja4.as_ref().map(|j| format!("JA4 {j}")));
    if let Some(subject) = &t.cert_subject {
        let signed = if t.self_signed == Some(true) { "self-signed " } else { "" };
        parts.push(format!("{signed}certificate {subject}"));
    }
    format!(": {}", parts.join(", "))
}

/// What an SSH connection said, for a reason's detail: `: client X, server Y, HASSH h`.
fn ssh_detail(s: &crate::handshakes::SshRec) -> String {
    let parts: Vec<String> =
        [("client", &s.client), ("server", &s.server), ("HASSH", &s.hassh), ("HASSH-server", &s.hassh_server)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
            .collect();
    if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) }
}

/// Packets from the initiator at a steady period, like a beacon (CIR flows excepted).
fn periodic(f: &Flow) -> Option<ReasonRec> {
    let g = &f.gaps;
    let steady = g.n >= PERIODIC_MIN_GAPS && g.mean >= PERIODIC_MIN_PERIOD && g.std() <= PERIODIC_MAX_CV * g.mean;
    if f.kind() == FlowKind::Cir || !steady {
        return None;
    }
    let detail = format!("{} packets from {} about every {:.1} s", g.n + 1, f.initiator.0, g.mean);
    Some(ReasonRec {
        period: Some(micros(g.mean)),
        jitter: Some(micros(g.std())),
        confidence: Some(periodic_confidence(g.n, g.mean, g.std())),
        ..reason(ReasonKind::Periodic, detail)
    })
}

/// Binary payloads close to the most entropy their length allows.
fn high_entropy(f: &Flow) -> Option<ReasonRec> {
    let share = f.entropy_share();
    if f.kind() != FlowKind::Binary || share < HIGH_ENTROPY_SHARE {
        return None;
    }
    let bits = f.class().map_or(0.0, |c| c.entropy);
    let detail = format!("payloads look encrypted or compressed ({:.0}% of the maximum entropy)", share * 100.0);
    Some(ReasonRec { entropy: Some((bits * 1000.0).round() / 1000.0), ..reason(ReasonKind::HighEntropy, detail) })
}

/// Datagrams to a phone's UDP CIR port that do not start with exactly `WVCI`: Symbian raises
/// KErrCorrupt on each and tears its CIR channels down (docs/protocol.md, section 4).
fn breaks_symbian_cir(f: &Flow) -> Option<ReasonRec> {
    let n = f.foreign_to_cir_port;
    if n == 0 {
        return None;
    }
    let (ip, port) = f.cir_port_owner?;
    let detail =
        format!("{n} datagrams to UDP {port} of {ip} that are not CIRs: each tears a Symbian phone's CIR channel down");
    Some(ReasonRec { count: Some(n), ..reason(ReasonKind::BreaksSymbianCir, detail) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;
    use wvcir::{Channel, Transport};

    fn flow(port: u16) -> Flow {
        let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
        Flow::new(Transport::Udp, (ip, 50_000), (ip, port), Channel::Udp, Duration::ZERO)
    }

    fn kinds(f: &Flow) -> Vec<&'static str> {
        reasons(f, &PortMap::default()).iter().map(|r| r.kind.name()).collect()
    }

    #[test]
    fn a_steady_high_entropy_binary_beacon_on_3717_gets_all_three() {
        let mut f = flow(3717);
        let noise: Vec<u8> = (0..=255u8).map(|b| b.wrapping_mul(167)).collect();
        for i in 0..6 {
            f.observe(crate::flows::Side::Initiator, Duration::from_secs(60 * i), &noise[..64]);
        }
        assert_eq!(kinds(&f), ["non-cir-protocol", "periodic", "high-entropy"]);
        let r = reasons(&f, &PortMap::default());
        assert_eq!((r[1].period, r[1].jitter), (Some(60.0), Some(0.0)));
    }

    #[test]
    fn cir_flows_and_other_ports_are_not_suspicious() {
        let mut f = flow(3717);
        f.observe(crate::flows::Side::Initiator, Duration::ZERO, b"WVCI 1.2 abc");
        f.tally.messages = 1;
        assert!(kinds(&f).is_empty());
        let mut g = flow(443);
        g.observe(crate::flows::Side::Initiator, Duration::ZERO, b"GET / HTTP/1.1\r\n");
        assert!(kinds(&g).is_empty(), "HTTP on another port is not this project's business");
        let mut jittery = flow(3717);
        for (i, t) in [0, 10, 35, 40, 90].into_iter().enumerate() {
            let _ = i;
            jittery.observe(crate::flows::Side::Initiator, Duration::from_secs(t), b"ping");
        }
        assert_eq!(kinds(&jittery), ["non-cir-protocol"], "irregular gaps are no beacon");
    }

    #[test]
    fn a_cir_looking_line_inside_an_http_exchange_does_not_hide_the_flow() {
        let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
        let mut f = Flow::new(Transport::Tcp, (ip, 50_000), (ip, 3716), Channel::Tcp, Duration::ZERO);
        f.observe(crate::flows::Side::Initiator, Duration::ZERO, b"GET /c2/checkin HTTP/1.1\r\n");
        // The request line and six header lines are not CIR; one body line reads `OK`.
        (f.tally.messages, f.tally.clean_messages, f.tally.other_payloads) = (1, 1, 7);
        assert_eq!(f.kind(), FlowKind::HttpRequest);
        let r = reasons(&f, &PortMap::default());
        assert_eq!(r[0].kind.name(), "non-cir-protocol");
        assert_eq!(r[0].detail, "http-request on CIR port 3716 (1 of its 8 payloads decode as CIR, 1 cleanly)");
        assert_eq!(r[0].attack, [ATTACK_NON_STANDARD_PORT]);
        // Mostly CIR (malformed ones weigh on neither side): a CIR flow.
        (f.tally.messages, f.tally.clean_messages, f.tally.other_payloads) = (9, 4, 4);
        assert_eq!(f.kind(), FlowKind::Cir);
        (f.tally.messages, f.tally.clean_messages, f.tally.other_payloads) = (9, 3, 4);
        assert_eq!(f.kind(), FlowKind::HttpRequest);
    }

    #[test]
    fn every_reason_names_its_attack_technique_and_beacons_their_confidence() {
        let mut f = flow(3717);
        let noise: Vec<u8> = (0..=255u8).map(|b| b.wrapping_mul(167)).collect();
        for i in 0..=PERIODIC_CONFIDENT_GAPS {
            f.observe(crate::flows::Side::Initiator, Duration::from_secs(30 * i), &noise[..64]);
        }
        let r = reasons(&f, &PortMap::default());
        let attack: Vec<Vec<&str>> = r.iter().map(|r| r.attack.clone()).collect();
        assert_eq!(attack, [vec!["T1571"], vec!["T1071"], vec!["T1573"]]);
        assert_eq!(r[1].confidence, Some(1.0), "steady and seen 20 times");
        assert_eq!(periodic_confidence(10, 60.0, 3.0), 0.25, "half the jitter allowed, half the sightings");
        assert_eq!(periodic_confidence(4, 60.0, 7.0), 0.0, "jitter past the threshold");
    }
}
