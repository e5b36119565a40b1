//! The sample scenarios: one function per committed file.
//!
//! Addresses are from the documentation ranges (192.0.2.0/24 servers, 198.51.100.0/24 clients,
//! 203.0.113.0/24 elsewhere, 2001:db8::/32). Time 0 is 2009-03-14T10:00:00Z.

use crate::capture::{Capture, Format};
use crate::net::{Link, Transport, fragment_ipv4, ip_packet};
use crate::tcp::{Dir, TcpConn};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use wvcir::LineEnd;
use wvcir::encode::{self, AppIdEnc, ContentTypeEnc, LineRepr};

/// splitmix64: a fixed-seed generator, so every run writes the same bytes.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// The IMPS server.
pub const SERVER: IpAddr = v4(192, 0, 2, 10);
/// The phone.
pub const CLIENT: IpAddr = v4(198, 51, 100, 23);
/// Its resolver.
pub const RESOLVER: IpAddr = v4(198, 51, 100, 1);

fn cir(version: &str, cookie: &str, eol: LineEnd) -> Vec<u8> {
    LineRepr::Cir { version: version.as_bytes(), cookie: cookie.as_bytes() }.to_vec(eol)
}

/// Adds one UDP datagram.
#[allow(clippy::too_many_arguments)]
fn udp(
    cap: &mut Capture,
    t: f64,
    link: Link,
    src: (IpAddr, u16),
    dst: (IpAddr, u16),
    id: u16,
    payload: &[u8],
    note: &str,
) {
    let ip = ip_packet(src, dst, id, &Transport::Udp, payload);
    cap.push_ip(t, link, 0, &ip, src.0 == CLIENT, note);
}

/// A DNS A query and its answer.
fn dns(cap: &mut Capture, t: f64, link: Link, name: &str, answer: [u8; 4], txid: u16) {
    let mut q = txid.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let mut r = q.clone();
    r[2] = 0x81;
    r[3] = 0x80;
    r[7] = 1;
    r.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4]);
    r.extend_from_slice(&answer);
    let note = format!("DNS query {name} A");
    udp(cap, t, link, (CLIENT, 53_211), (RESOLVER, 53), txid, &q, &note);
    udp(cap, t + 0.021, link, (RESOLVER, 53), (CLIENT, 53_211), txid ^ 0x5555, &r, &format!("DNS answer {name} A"));
}

/// The CSP data channel's answer to a CIR: the client polls over HTTP on port 80.
fn http_poll(cap: &mut Capture, t: f64, link: Link, port: u16, isn: [u32; 2]) {
    let mut c = TcpConn::new((CLIENT, port), (SERVER, 80), link, isn, t);
    c.handshake(cap, t);
    let body = "<WV-CSP-Message xmlns=\"http://www.openmobilealliance.org/DTD/IMPS-CSP1.3\"><Session><SessionDescriptor><SessionType>Inband</SessionType><SessionID>3a9f0c1e</SessionID></SessionDescriptor><Transaction><TransactionDescriptor><TransactionMode>Request</TransactionMode><TransactionID>17</TransactionID></TransactionDescriptor><TransactionContent><Polling-Request/></TransactionContent></Transaction></Session></WV-CSP-Message>";
    let req = format!(
        "POST /imps HTTP/1.1\r\nHost: imps.example.net\r\nContent-Type: application/vnd.wv.csp.xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.send_acked(
        cap,
        t + 0.1,
        Dir::C2S,
        req.as_bytes(),
        "HTTP POST /imps: the client's PollingRequest (background, port 80)",
    );
    let resp = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.wv.csp.xml\r\nContent-Length: 0\r\n\r\n";
    c.send_acked(cap, t + 0.25, Dir::S2C, resp.as_bytes(), "HTTP 200 OK (background, port 80)");
    c.close(cap, t + 0.4, Dir::C2S);
}

/// Sample 1: UDP/IP CIR session: one server sending CIRs to the client's port 3717 over four minutes,
/// CSP 1.3, with a CRLF, an LF and no line end, among DNS and HTTP background traffic.
pub fn udp_cir() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    dns(&mut cap, 0.0, link, "imps.example.net", [192, 0, 2, 10], 0x1c2d);
    let cookie = "wv:nokia.1804289383";
    let cirs = [
        (12.417, LineEnd::CrLf, "CRLF"),
        (95.003, LineEnd::Lf, "LF"),
        (170.860, LineEnd::None, "no line end"),
        (241.532, LineEnd::CrLf, "CRLF"),
    ];
    for (i, (t, eol, eol_name)) in cirs.into_iter().enumerate() {
        let note = format!("CIR: WVCI 1.3 {cookie} ({eol_name})");
        udp(&mut cap, t, link, (SERVER, 40_112), (CLIENT, 3717), 0x4100 + i as u16, &cir("1.3", cookie, eol), &note);
        if i == 0 {
            http_poll(&mut cap, t + 0.35, link, 50_210, [0x1000_0000, 0x7000_0000]);
        }
    }
    cap.sort();
    cap
}

/// Sample 2: Standalone TCP CIR channel with a full TCP life, and an unanswered HELO re-opened after 30 s.
pub fn tcp_cir() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::PcapNg { interfaces: vec![(link, "eth0", 6)] });
    let sid = "3a9f0c1e";
    let cookie = "1237024800123-1804289383-1";
    let helo = LineRepr::Helo { session_id: sid.as_bytes() }.to_vec(LineEnd::CrLf);
    let ok = LineRepr::Ok.to_vec(LineEnd::CrLf);
    let ping = LineRepr::Ping { trailing_space: true }.to_vec(LineEnd::CrLf);

    let mut c = TcpConn::new((CLIENT, 49_201), (SERVER, 3717), link, [0x2A00_0000, 0x5B00_0000], 0.0);
    c.handshake(&mut cap, 0.0);
    c.send_acked(&mut cap, 0.06, Dir::C2S, &helo, "HELO 3a9f0c1e");
    c.send_acked(&mut cap, 0.12, Dir::S2C, &ok, "OK (answers the HELO)");
    c.send_acked(&mut cap, 42.5, Dir::S2C, &cir("1.1", cookie, LineEnd::CrLf), "CIR: WVCI 1.1 (one segment)");
    // A CIR split across two segments: decoded in the frame that completes it.
    let split = cir("1.1", cookie, LineEnd::CrLf);
    let (a, b) = split.split_at(11);
    c.send(&mut cap, 97.2, Dir::S2C, a, "CIR part 1 of 2: 'WVCI 1.1 12' (no line end yet)");
    c.send_acked(&mut cap, 97.25, Dir::S2C, b, "CIR part 2 of 2: completes the split CIR");
    // A retransmitted CIR segment (the first copy's ACK was lost).
    let rt = cir("1.1", cookie, LineEnd::CrLf);
    let seq = c.send(&mut cap, 150.0, Dir::S2C, &rt, "CIR: WVCI 1.1 (first copy)");
    c.retransmit(&mut cap, 150.3, Dir::S2C, seq, &rt, "CIR retransmission (same bytes, same sequence number)");
    c.ack(&mut cap, 150.33, Dir::C2S);
    c.send_acked(&mut cap, 1200.06, Dir::C2S, &ping, "PING (Android form, 'PING ' + CRLF)");
    c.send_acked(&mut cap, 1200.11, Dir::S2C, &ok, "OK (answers the PING)");
    c.send_acked(&mut cap, 2400.06, Dir::C2S, &ping, "PING");
    // Two lines in one segment: the OK answering the PING and a CIR (the read Symbian mishandles).
    let mut two = ok.clone();
    two.extend_from_slice(&cir("1.1", cookie, LineEnd::CrLf));
    c.send_acked(&mut cap, 2400.12, Dir::S2C, &two, "OK + CIR in one segment (two lines)");
    c.close(&mut cap, 2460.0, Dir::C2S);

    // A second connection whose HELO is never answered; after 30 s the client opens a new one.
    let mut d = TcpConn::new((CLIENT, 49_202), (SERVER, 3717), link, [0x2B00_0000, 0x5C00_0000], 2500.0);
    d.handshake(&mut cap, 2500.0);
    d.send_acked(&mut cap, 2500.06, Dir::C2S, &helo, "HELO 3a9f0c1e (never answered)");
    d.close(&mut cap, 2530.06, Dir::C2S);
    let mut e = TcpConn::new((CLIENT, 49_203), (SERVER, 3717), link, [0x2C00_0000, 0x5D00_0000], 2530.2);
    e.handshake(&mut cap, 2530.2);
    e.send_acked(&mut cap, 2530.26, Dir::C2S, &helo, "HELO 3a9f0c1e (re-sent on a new connection 30 s later)");
    e.send_acked(&mut cap, 2530.31, Dir::S2C, &ok, "OK (answers the new HELO)");
    e.send_acked(&mut cap, 2601.0, Dir::S2C, &cir("1.1", cookie, LineEnd::CrLf), "CIR: WVCI 1.1 on the new connection");
    e.close(&mut cap, 2650.0, Dir::S2C);
    cap.sort();
    cap
}

/// Sample 3: SMS CIR over an IP bearer (UDP 3716): ASCII, then GSM 7-bit packed; and Android's SMS HELO.
/// Big-endian nanosecond pcap.
pub fn sms_cir() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: true, nanos: true });
    let gw = (v4(203, 0, 113, 5), 3716);
    let phone = (v4(198, 51, 100, 40), 3716);
    let cookie = "MTK20090314095958alice";
    udp(
        &mut cap,
        1.000_000_001,
        link,
        phone,
        (gw.0, 3716),
        1,
        &encode::sms_helo(b"7f3e22c1").expect("GSM text"),
        "Android SMS HELO 7f3e22c1 (septet count + GSM 7-bit, client to server)",
    );
    udp(
        &mut cap,
        63.250_000_750,
        link,
        gw,
        phone,
        0x0100,
        &cir("1.2", cookie, LineEnd::None),
        "SMS CIR, ASCII: WVCI 1.2 MTK20090314095958alice",
    );
    let packed = encode::gsm7(&cir("1.2", cookie, LineEnd::None)).expect("GSM text");
    udp(
        &mut cap,
        128.999_999_999,
        link,
        gw,
        phone,
        0x0101,
        &packed,
        "SMS CIR, GSM 7-bit packed: WVCI 1.2 MTK20090314095958alice",
    );
    cap
}

/// Sample 4: WAP Push CIR on UDP 2948, with the short-integer and the text content type.
pub fn wap_push() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let ppg = (v4(192, 0, 2, 20), 9200);
    let phone = (v4(198, 51, 100, 41), 2948);
    let body = cir("1.2", "wv:nokia.846930886", LineEnd::CrLf);
    let p1 = encode::wsp_push(0x01, ContentTypeEnc::WellKnown, Some(AppIdEnc::WellKnown), &body);
    udp(
        &mut cap,
        5.0,
        link,
        ppg,
        phone,
        0x0200,
        &p1,
        "WSP Push, content type 0xC6, app id 0x8A: WVCI 1.2 wv:nokia.846930886",
    );
    let p2 = encode::wsp_push(0x02, ContentTypeEnc::Text, Some(AppIdEnc::Text), &body);
    udp(
        &mut cap,
        65.0,
        link,
        ppg,
        phone,
        0x0201,
        &p2,
        "WSP Push, text content type and app id: WVCI 1.2 wv:nokia.846930886",
    );
    cap
}

/// Sample 5a: Ethernet with an 802.1Q tag and with QinQ.
pub fn vlan() -> Capture {
    let mut cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    let payload = cir("1.3", "wv:nokia.1681692777", LineEnd::CrLf);
    udp(&mut cap, 1.0, Link::Vlan(100), (SERVER, 40_113), (CLIENT, 3717), 0x0300, &payload, "CIR in 802.1Q VLAN 100");
    udp(
        &mut cap,
        2.0,
        Link::QinQ(200, 100),
        (SERVER, 40_113),
        (CLIENT, 3717),
        0x0301,
        &payload,
        "CIR in QinQ: S-tag 200, C-tag 100",
    );
    cap
}

/// Sample 5b/c/d: One link type per file: Linux cooked v1, v2, raw IP.
pub fn single_link(link: Link) -> Capture {
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let what = match link {
        Link::Sll => "Linux cooked v1",
        Link::Sll2 { .. } => "Linux cooked v2",
        _ => "raw IP",
    };
    let payload = cir("1.2", "wv:nokia.1714636915", LineEnd::CrLf);
    udp(&mut cap, 1.0, link, (SERVER, 40_114), (CLIENT, 3717), 0x0400, &payload, &format!("CIR over {what} (inbound)"));
    dns(&mut cap, 1.5, link, "imps.example.net", [192, 0, 2, 10], 0x2e3f);
    cap
}

/// Sample 5i: BSD loopback (`lo0`): a developer's CIR test server on 127.0.0.1, over UDP and TCP.
pub fn loopback() -> Capture {
    let link = Link::Null;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let lo = v4(127, 0, 0, 1);
    let ip = ip_packet((lo, 61_000), (lo, 3717), 0x0700, &Transport::Udp, &cir("1.2", "devtest-42", LineEnd::Lf));
    cap.push_ip(1.0, link, 0, &ip, true, "CIR over BSD loopback (UDP 127.0.0.1 -> 3717)");
    let mut c = TcpConn::new((lo, 61_001), (lo, 3717), link, [0x7000_0000, 0x7100_0000], 2.0);
    c.rtt = 0.000_2;
    c.handshake(&mut cap, 2.0);
    c.send_acked(&mut cap, 2.001, Dir::C2S, b"HELO devsession\n", "HELO devsession (LF line end)");
    c.send_acked(&mut cap, 2.002, Dir::S2C, b"OK\n", "OK");
    c.send_acked(&mut cap, 2.5, Dir::S2C, &cir("1.2", "devtest-42", LineEnd::Lf), "CIR over BSD loopback TCP");
    c.close(&mut cap, 3.0, Dir::C2S);
    cap.sort();
    cap
}

/// Sample 5e: IPv6: a UDP CIR and a short TCP CIR channel.
pub fn ipv6() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::PcapNg { interfaces: vec![(link, "eth0", 6)] });
    let server = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x10, 0, 0, 0, 0, 0x10));
    let client = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x51, 0, 0x2c0, 0xffee, 0xfe12, 0x3456));
    let ip = ip_packet(
        (server, 40_115),
        (client, 3717),
        0,
        &Transport::Udp,
        &cir("1.3", "wv:nokia.1957747793", LineEnd::CrLf),
    );
    cap.push_ip(0.5, link, 0, &ip, false, "CIR over IPv6 UDP");
    let mut c = TcpConn::new((client, 49_300), (server, 3717), link, [0x3000_0000, 0x6000_0000], 1.0);
    c.handshake(&mut cap, 1.0);
    c.send_acked(&mut cap, 1.06, Dir::C2S, b"HELO 9c41d7aa\r\n", "HELO 9c41d7aa over IPv6 TCP");
    c.send_acked(&mut cap, 1.11, Dir::S2C, b"OK\r\n", "OK");
    c.send_acked(&mut cap, 30.0, Dir::S2C, &cir("1.3", "wv:nokia.1957747793", LineEnd::CrLf), "CIR over IPv6 TCP");
    c.close(&mut cap, 40.0, Dir::C2S);
    cap.sort();
    cap
}

/// Sample 5f: A CIR in fragmented IPv4 (a tunnel with a tiny MTU); the second fragment arrives first.
pub fn ipv4_fragments() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let payload = cir("1.2", "1237024800999-424238335-12", LineEnd::CrLf);
    let ip = ip_packet((SERVER, 40_116), (CLIENT, 3717), 0x0777, &Transport::Udp, &payload);
    let frags = fragment_ipv4(&ip, 16);
    let n = frags.len();
    for (k, i) in (0..n).rev().enumerate() {
        let note = format!(
            "IPv4 fragment {} of {n} (id 0x0777, offset {}){}",
            i + 1,
            i * 16,
            if i == 0 { ": holds the UDP header and, arriving last, completes the datagram" } else { "" }
        );
        cap.push_ip(1.0 + k as f64 * 0.001, link, 0, &frags[i], false, &note);
    }
    cap
}

/// Sample 5g: pcapng with two interfaces of different link types.
pub fn two_interfaces() -> Capture {
    let mut cap =
        Capture::new(Format::PcapNg { interfaces: vec![(Link::Ethernet, "eth0", 6), (Link::RawIp, "tun0", 6)] });
    let payload = cir("1.3", "wv:nokia.719885386", LineEnd::CrLf);
    let ip = ip_packet((SERVER, 40_117), (CLIENT, 3717), 0x0500, &Transport::Udp, &payload);
    cap.push_ip(1.0, Link::Ethernet, 0, &ip, false, "CIR on interface 0 (eth0, Ethernet)");
    let ip2 = ip_packet((SERVER, 40_117), (CLIENT, 3717), 0x0501, &Transport::Udp, &payload);
    cap.push_ip(2.0, Link::RawIp, 1, &ip2, false, "CIR on interface 1 (tun0, raw IP)");
    cap
}

/// Sample 5h: pcapng with nanosecond timestamps (`if_tsresol` 9).
pub fn nanosecond() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::PcapNg { interfaces: vec![(link, "eth0", 9)] });
    for (i, t) in [1.123_456_789, 2.000_000_001].into_iter().enumerate() {
        let payload = cir("1.3", "wv:nokia.1649760492", LineEnd::CrLf);
        let ip = ip_packet((SERVER, 40_118), (CLIENT, 3717), 0x0600 + i as u16, &Transport::Udp, &payload);
        cap.push_ip(t, link, 0, &ip, false, &format!("CIR at a nanosecond timestamp (+{t:.9} s)"));
    }
    cap
}

/// Sample 6a: A TLS session on TCP 3717: something else on the CIR port.
pub fn tls_3717() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::PcapNg { interfaces: vec![(link, "eth0", 6)] });
    let mut rng = Rng::new(0x715);
    let app = (v4(198, 51, 100, 60), 51_000);
    let srv = (v4(203, 0, 113, 80), 3717);
    let mut c = TcpConn::new(app, srv, link, [0x4000_0000, 0x7100_0000], 0.0);
    c.handshake(&mut cap, 0.0);
    let record = |ct: u8, ver: u16, body: &[u8]| {
        let mut r = vec![ct];
        r.extend_from_slice(&ver.to_be_bytes());
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    };
    let hello = |kind: u8, rng: &mut Rng| {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&rng.bytes(32));
        b.push(0);
        if kind == 1 {
            b.extend_from_slice(&[0x00, 0x02, 0xC0, 0x2F, 0x01, 0x00]);
        } else {
            b.extend_from_slice(&[0xC0, 0x2F, 0x00]);
        }
        b.extend_from_slice(&[0x00, 0x00]);
        let mut h = vec![kind, 0, 0, b.len() as u8];
        h.extend_from_slice(&b);
        h
    };
    let ch = record(22, 0x0301, &hello(1, &mut rng));
    c.send_acked(&mut cap, 0.06, Dir::C2S, &ch, "TLS ClientHello on TCP 3717");
    let mut sh = record(22, 0x0303, &hello(2, &mut rng));
    sh.extend_from_slice(&record(20, 0x0303, &[1]));
    sh.extend_from_slice(&record(22, 0x0303, &rng.bytes(40)));
    c.send_acked(&mut cap, 0.11, Dir::S2C, &sh, "TLS ServerHello, ChangeCipherSpec, encrypted Finished");
    let mut fin = record(20, 0x0303, &[1]);
    fin.extend_from_slice(&record(22, 0x0303, &rng.bytes(40)));
    c.send_acked(&mut cap, 0.17, Dir::C2S, &fin, "TLS ChangeCipherSpec, encrypted Finished");
    for i in 0..3 {
        let t = 1.0 + f64::from(i) * 5.0;
        let n = 80 + 40 * i as usize;
        c.send_acked(&mut cap, t, Dir::C2S, &record(23, 0x0303, &rng.bytes(n)), "TLS application data");
        c.send_acked(&mut cap, t + 0.07, Dir::S2C, &record(23, 0x0303, &rng.bytes(n * 3)), "TLS application data");
    }
    c.close(&mut cap, 20.0, Dir::C2S);
    cap.sort();
    cap
}

/// Sample 6b: Periodic small high-entropy UDP beacons to 3717: what malware on a dead port looks like.
pub fn beacons_3717() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let mut rng = Rng::new(0xbeac0);
    let host = (v4(198, 51, 100, 77), 52_044);
    let c2 = (v4(203, 0, 113, 66), 3717);
    for i in 0..12u16 {
        let t = 30.0 + f64::from(i) * 60.0 + rng.unit() * 1.5;
        udp(
            &mut cap,
            t,
            link,
            host,
            c2,
            0x0900 + i,
            &rng.bytes(48),
            &format!("beacon {}: 48 random bytes to 3717", i + 1),
        );
        if i % 4 == 3 {
            udp(&mut cap, t + 0.083, link, c2, host, 0x0A00 + i, &rng.bytes(24), "reply: 24 random bytes from 3717");
        }
    }
    cap
}

/// Sample 6c: An HTTP exchange on TCP 3716: a dev server on the CIR port.
pub fn http_3716() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let dev = (v4(198, 51, 100, 90), 55_120);
    let srv = (v4(198, 51, 100, 91), 3716);
    let mut c = TcpConn::new(dev, srv, link, [0x5000_0000, 0x7200_0000], 0.0);
    c.handshake(&mut cap, 0.0);
    c.send_acked(
        &mut cap,
        0.01,
        Dir::C2S,
        b"GET /api/health HTTP/1.1\r\nHost: 198.51.100.91:3716\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
        "HTTP GET /api/health on TCP 3716",
    );
    let body = "{\"status\":\"ok\",\"uptime\":8213}\n";
    let resp =
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    c.send_acked(&mut cap, 0.013, Dir::S2C, resp.as_bytes(), "HTTP 200 OK with JSON");
    c.close(&mut cap, 0.02, Dir::C2S);
    cap
}

/// Sample 7: Each malformed and anomalous case of the acceptance table, one UDP datagram to 3717 each.
pub fn malformed() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let mut oversize = b"WVCI 1.2 ".to_vec();
    oversize.resize(600, b'7');
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"wvci 1.2 wv:nokia.1\r\n".to_vec(), "keyword-case: 'wvci'"),
        (b"WVCI 2.0 wv:nokia.2\r\n".to_vec(), "unknown-version: 2.0"),
        (b"WVCI\r\n".to_vec(), "missing-version (malformed)"),
        (b"WVCI 1.2\r\n".to_vec(), "missing-cookie (malformed)"),
        (b"WVCI 1.2 wv:nokia.5 extra\r\n".to_vec(), "extra-fields: a fourth field"),
        (b"WVCI 1.2  wv:nokia.6\r\n".to_vec(), "bad-separator: two spaces"),
        (b"WVCI\t1.2 wv:nokia.7\r\n".to_vec(), "bad-separator: a tab"),
        (b"WVCI 1.2 wv:nokia.\x1b[31m8\r\n".to_vec(), "non-printable: an ANSI escape in the cookie"),
        (oversize, "oversize: a 600-byte datagram"),
        (
            b"WVCI 1.2 wv:nokia.10\r\nWVCI 1.2 wv:nokia.11\r\n".to_vec(),
            "trailing-data: a second line after the line end",
        ),
        (b"WVCX 1.2 wv:nokia.12\r\n".to_vec(), "not-cir: 'WVCX' is not the keyword"),
    ];
    for (i, (payload, note)) in cases.iter().enumerate() {
        udp(&mut cap, 1.0 + i as f64, link, (SERVER, 40_119), (CLIENT, 3717), 0x0800 + i as u16, payload, note);
    }
    cap
}

/// Sample 8: Damaged files, as bytes: (name, bytes, what is wrong).
pub fn bad_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = udp_cir().to_bytes();
    let truncated = good[..good.len() - 10].to_vec();
    let mut absurd = single_link(Link::RawIp).to_bytes();
    // One more record header: ts_sec, ts_usec, incl_len 0xFFFFFFF0, orig_len 0xFFFFFFF0, then a few bytes.
    for v in [BASE_EPOCH_U32 + 5, 0, 0xFFFF_FFF0, 0xFFFF_FFF0] {
        absurd.extend_from_slice(&v.to_le_bytes());
    }
    absurd.extend_from_slice(b"\x45\x00\x00\x30");
    vec![
        ("truncated.pcap", truncated, "the last record is cut 10 bytes short (frames before it are whole)"),
        ("absurd-length.pcap", absurd, "after 3 good frames, a record header claims 0xFFFFFFF0 bytes"),
        (
            "not-a-capture.pcap",
            b"This is a text file with a .pcap name, not a capture.\n".to_vec(),
            "text, no capture magic",
        ),
        ("empty.pcap", Vec::new(), "zero bytes"),
    ]
}

const BASE_EPOCH_U32: u32 = crate::capture::BASE_EPOCH as u32;
