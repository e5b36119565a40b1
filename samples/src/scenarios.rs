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

/// Handshake, HELO and its OK: the start of a CIR line channel on TCP 3717.
fn open_channel(cap: &mut Capture, c: &mut TcpConn, t: f64, session_id: &str) {
    c.handshake(cap, t);
    let helo = LineRepr::Helo { session_id: session_id.as_bytes() }.to_vec(LineEnd::CrLf);
    c.send_acked(cap, t + 0.06, Dir::C2S, &helo, &format!("HELO {session_id} (one whole line)"));
    let ok = LineRepr::Ok.to_vec(LineEnd::CrLf);
    c.send_acked(cap, t + 0.11, Dir::S2C, &ok, "OK (answers the HELO; one whole line)");
}

/// Sample 2b: The TCP shapes real stacks produce, on the CIR line channel (TCP 3717), one
/// connection per shape: a stream picked up mid-way, segments reordered, a segment lost and
/// recovered by fast retransmission, retransmissions re-cut across segment boundaries and one
/// contradicting the first copy, keep-alives, a zero window and its probes, TSO segments over
/// 8 KB, a FIN carrying an unterminated line, a reset after one, and a line cut by the end of the
/// capture. Captured on the path between phone and server; notes say which lines each data
/// frame completes in stream order.
pub fn tcp_real_shapes() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let server = (SERVER, 3717);
    let line = |cookie: &str| cir("1.2", cookie, LineEnd::CrLf);
    let cat = |parts: &[&[u8]]| parts.concat();
    let ok = LineRepr::Ok.to_vec(LineEnd::CrLf);

    // 1. Picked up mid-stream: the capture starts while the channel is open; the first frame is
    // server data beginning with the tail of a line whose head was sent before the capture.
    let mid = "1237027800777-1804289384";
    let mut m = TcpConn::new((CLIENT, 49_400), server, link, [0x3A10_4C2F, 0x6B21_9E04], 0.2);
    let first = cat(&[b"4-1\r\n", &line(&format!("{mid}-2")), &line(&format!("{mid}-3"))]);
    m.send(
        &mut cap,
        0.2,
        Dir::S2C,
        &first,
        &format!(
            "Mid-stream, no handshake captured: server data starting with '4-1' + CRLF, the tail of a line begun \
             before the capture (no line: its head is missing); completes WVCI 1.2 {mid}-2 and WVCI 1.2 {mid}-3"
        ),
    );
    m.ack(&mut cap, 0.24, Dir::C2S);
    m.send_acked(
        &mut cap,
        12.7,
        Dir::S2C,
        &line(&format!("{mid}-4")),
        &format!("CIR: WVCI 1.2 {mid}-4 (mid-stream connection)"),
    );
    let ping = LineRepr::Ping { trailing_space: false }.to_vec(LineEnd::CrLf);
    m.send_acked(&mut cap, 30.0, Dir::C2S, &ping, "PING (Symbian form, no trailing space; mid-stream connection)");
    m.send_acked(&mut cap, 30.05, Dir::S2C, &ok, "OK (answers the PING; mid-stream connection)");
    m.send_acked(
        &mut cap,
        57.3,
        Dir::S2C,
        &line(&format!("{mid}-5")),
        &format!("CIR: WVCI 1.2 {mid}-5 (mid-stream connection)"),
    );
    m.close(&mut cap, 100.0, Dir::C2S);

    // 2. Reordering: the second of three CIR segments is captured after the third.
    let mut c = TcpConn::new((CLIENT, 49_401), server, link, [0x3B00_0000, 0x6C00_0000], 2.0);
    open_channel(&mut cap, &mut c, 2.0, "4f1c0a01");
    let (r1, r2, r3) = (line("reorder-1"), line("reorder-2"), line("reorder-3"));
    let s1 = c.next_seq(Dir::S2C);
    let s2 = s1.wrapping_add(r1.len() as u32);
    let s3 = s2.wrapping_add(r2.len() as u32);
    c.send_at(&mut cap, 10.0, Dir::S2C, s1, &r1, "CIR: WVCI 1.2 reorder-1, segment 1 of 3 (completes it)");
    c.send_at(
        &mut cap,
        10.0011,
        Dir::S2C,
        s3,
        &r3,
        "CIR segment 3 of 3, captured before segment 2: WVCI 1.2 reorder-3 waits behind the gap (completes no line)",
    );
    c.ack_to(&mut cap, 10.0012, Dir::C2S, s2, "ACK of segment 1 only: segment 2 has not arrived");
    c.send_at(
        &mut cap,
        10.0015,
        Dir::S2C,
        s2,
        &r2,
        "CIR segment 2 of 3, captured after segment 3 (out of order): fills the gap, completes WVCI 1.2 reorder-2 \
         and WVCI 1.2 reorder-3",
    );
    c.ack_noted(&mut cap, 10.0016, Dir::C2S, "ACK of all three segments");
    let android_ping = LineRepr::Ping { trailing_space: true }.to_vec(LineEnd::CrLf);
    c.send_acked(&mut cap, 15.0, Dir::C2S, &android_ping, "PING (Android form, 'PING ' + CRLF; one whole line)");
    c.send_acked(&mut cap, 15.05, Dir::S2C, &ok, "OK (answers the PING; one whole line)");
    // 3. Keep-alives on the idle channel: the last byte's sequence number again, no new data.
    c.keep_alive(
        &mut cap,
        75.0,
        Dir::C2S,
        Some(0),
        "TCP keep-alive (Windows style): 1 byte 0x00 at the sequence number of the PING's last byte (LF), \
         already sent; no new data, completes no line",
    );
    c.ack_noted(&mut cap, 75.024, Dir::S2C, "ACK of the keep-alive (acknowledges nothing new)");
    c.keep_alive(
        &mut cap,
        135.0,
        Dir::C2S,
        Some(b'\n'),
        "TCP keep-alive repeating the last byte sent (LF of the PING); no new data, completes no line",
    );
    c.ack_noted(&mut cap, 135.024, Dir::S2C, "ACK of the keep-alive (acknowledges nothing new)");
    c.close(&mut cap, 140.0, Dir::C2S);

    // 4. A lost segment recovered by fast retransmission: A, (B lost), C, D; two duplicate ACKs;
    // B again after D fills the gap. One line is split across B and C.
    let mut c = TcpConn::new((CLIENT, 49_402), server, link, [0x3C00_0000, 0x6D00_0000], 150.0);
    open_channel(&mut cap, &mut c, 150.0, "4f1c0a02");
    let lost3 = line("lost-3");
    let (l3a, l3b) = lost3.split_at(11);
    let seg_a = line("lost-1");
    let seg_b = cat(&[&line("lost-2"), l3a]);
    let seg_c = cat(&[l3b, &line("lost-4")]);
    let seg_d = line("lost-5");
    let sa = c.next_seq(Dir::S2C);
    let sb = sa.wrapping_add(seg_a.len() as u32);
    let sc = sb.wrapping_add(seg_b.len() as u32);
    let sd = sc.wrapping_add(seg_c.len() as u32);
    c.send_at(&mut cap, 155.0, Dir::S2C, sa, &seg_a, "CIR: WVCI 1.2 lost-1 in segment A (completes it)");
    c.ack_noted(&mut cap, 155.0003, Dir::C2S, "ACK of A");
    c.send_at(
        &mut cap,
        155.002,
        Dir::S2C,
        sc,
        &seg_c,
        "CIR segment C; B before it (WVCI 1.2 lost-2 and the head of WVCI 1.2 lost-3) was not captured: the tail \
         of lost-3 and WVCI 1.2 lost-4 wait behind the gap (completes no line)",
    );
    c.ack_to(&mut cap, 155.0021, Dir::C2S, sb, "Duplicate ACK 1: still acks the end of A (B missing)");
    c.send_at(
        &mut cap,
        155.003,
        Dir::S2C,
        sd,
        &seg_d,
        "CIR segment D: WVCI 1.2 lost-5 waits behind the gap (completes no line)",
    );
    c.ack_to(&mut cap, 155.0031, Dir::C2S, sb, "Duplicate ACK 2: still acks the end of A");
    c.send_at(
        &mut cap,
        155.008,
        Dir::S2C,
        sb,
        &seg_b,
        "CIR segment B, fast retransmission after D (its first copy was never captured): fills the gap, completes \
         WVCI 1.2 lost-2, WVCI 1.2 lost-3 (split across B and C), WVCI 1.2 lost-4 and WVCI 1.2 lost-5",
    );
    c.ack_noted(&mut cap, 155.0081, Dir::C2S, "ACK through D: the gap is filled");
    c.close(&mut cap, 160.0, Dir::C2S);

    // 5. Overlapping retransmissions: one re-cut across two segments with the same bytes, one
    // whose bytes contradict the first copy.
    let mut c = TcpConn::new((CLIENT, 49_403), server, link, [0x3D00_0000, 0x6E00_0000], 170.0);
    open_channel(&mut cap, &mut c, 170.0, "4f1c0a03");
    let ovl2 = line("ovl-2");
    let (o2a, o2b) = ovl2.split_at(11);
    let p1 = c.send(
        &mut cap,
        175.0,
        Dir::S2C,
        &cat(&[&line("ovl-1"), o2a]),
        "CIR segment P: completes WVCI 1.2 ovl-1; the head of WVCI 1.2 ovl-2 follows",
    );
    c.send(
        &mut cap,
        175.001,
        Dir::S2C,
        &cat(&[o2b, &line("ovl-3")]),
        "CIR segment Q: completes WVCI 1.2 ovl-2 (split across P and Q) and WVCI 1.2 ovl-3",
    );
    c.send_at(
        &mut cap,
        175.25,
        Dir::S2C,
        p1.wrapping_add(16),
        &ovl2,
        "CIR retransmission re-cut at other boundaries: the tail of P and the head of Q, the same bytes \
         (WVCI 1.2 ovl-2 again); completes no line (every byte was seen before)",
    );
    c.ack_noted(
        &mut cap,
        175.274,
        Dir::C2S,
        "ACK through Q: the client had it all; its earlier ACK was lost on the way, so the server's timer fired",
    );
    let first_copy = b"WVCI 1.2 aaaa".to_vec();
    let s_conflict = c.send(
        &mut cap,
        180.0,
        Dir::S2C,
        &first_copy,
        "CIR first copy: 'WVCI 1.2 aaaa', no line end yet (completes no line)",
    );
    c.send_at(
        &mut cap,
        180.3,
        Dir::S2C,
        s_conflict,
        &line("bbbb"),
        "CIR retransmission whose bytes differ: its first 13 bytes say 'WVCI 1.2 bbbb' where the first copy \
         said 'WVCI 1.2 aaaa', then it adds the CRLF; first copy wins: completes WVCI 1.2 aaaa",
    );
    c.ack_noted(&mut cap, 180.324, Dir::C2S, "ACK of the retransmission");
    c.close(&mut cap, 185.0, Dir::C2S);

    // 6. Zero window: the phone's app stops reading; the server probes with one byte of the next
    // line; the window opens and the server sends the line from the probe's sequence number.
    let mut c = TcpConn::new((CLIENT, 49_404), server, link, [0x3E00_0000, 0x6F00_0000], 190.0);
    open_channel(&mut cap, &mut c, 190.0, "4f1c0a04");
    c.send(&mut cap, 195.0, Dir::S2C, &line("zwp-1"), "CIR: WVCI 1.2 zwp-1 (completes it)");
    c.set_window(Dir::C2S, 16);
    c.ack_noted(&mut cap, 195.02, Dir::C2S, "ACK, window 16: the phone's app stopped reading, its buffer nearly full");
    c.send(
        &mut cap,
        195.03,
        Dir::S2C,
        &line("zwp-2"),
        "CIR: WVCI 1.2 zwp-2, 16 bytes, exactly the window left (completes it)",
    );
    c.set_window(Dir::C2S, 0);
    c.ack_noted(&mut cap, 195.05, Dir::C2S, "ACK with window 0: the receive buffer is full");
    let zwp3 = line("zwp-3");
    let probe_seq = c.next_seq(Dir::S2C);
    c.zero_window_probe(
        &mut cap,
        195.25,
        Dir::S2C,
        zwp3[0],
        "Zero-window probe: 1 byte 'W', the first byte of WVCI 1.2 zwp-3 (completes no line)",
    );
    c.ack_to(
        &mut cap,
        195.274,
        Dir::C2S,
        probe_seq,
        "ACK of the probe, window still 0: the byte is not taken, the ACK number does not move",
    );
    c.zero_window_probe(
        &mut cap,
        195.75,
        Dir::S2C,
        zwp3[0],
        "Zero-window probe again (backed off): the same 'W' (completes no line)",
    );
    c.ack_to(&mut cap, 195.774, Dir::C2S, probe_seq, "ACK of the second probe, window still 0");
    c.set_window(Dir::C2S, 65535);
    c.ack_noted(&mut cap, 197.0, Dir::C2S, "Window update: window 65535, the app read its buffer");
    c.send_at(
        &mut cap,
        197.024,
        Dir::S2C,
        probe_seq,
        &cat(&[&zwp3, &line("zwp-4")]),
        "CIR segment from the probe's sequence number, so the 'W' is sent again: completes WVCI 1.2 zwp-3 and \
         WVCI 1.2 zwp-4",
    );
    c.ack(&mut cap, 197.048, Dir::C2S);
    c.close(&mut cap, 200.0, Dir::C2S);

    // 7. TSO: captured on a sending server that offloads segmentation, two segments of over 8 KB
    // holding a backlog of CIRs; one line split across them.
    let mut c = TcpConn::new((CLIENT, 49_405), server, link, [0x3F00_0000, 0x7000_0000], 210.0);
    open_channel(&mut cap, &mut c, 210.0, "4f1c0a05");
    let tso = |n: usize| line(&format!("wv:tso.1237025000000.1804289383.{n:03}"));
    let backlog: Vec<u8> = (1..=379).flat_map(tso).collect();
    let line_len = tso(1).len();
    let cut = 200 * line_len + 20;
    let (big1, big2) = backlog.split_at(cut);
    let stem = "WVCI 1.2 wv:tso.1237025000000.1804289383";
    let b1 = c.send(
        &mut cap,
        215.0,
        Dir::S2C,
        big1,
        &format!(
            "CIR backlog in one {}-byte TSO segment: completes 200 lines, {stem}.001 to .200; the head of .201 follows",
            big1.len()
        ),
    );
    c.send(
        &mut cap,
        215.0002,
        Dir::S2C,
        big2,
        &format!(
            "CIR backlog, {}-byte TSO segment: completes {stem}.201 (split across the two segments) and 178 more, \
             .202 to .379",
            big2.len()
        ),
    );
    c.ack_to(&mut cap, 215.049, Dir::C2S, b1.wrapping_add(big1.len() as u32), "ACK of the first TSO segment");
    c.ack_noted(&mut cap, 215.0495, Dir::C2S, "ACK of the second TSO segment");
    c.close(&mut cap, 220.0, Dir::C2S);

    // 8. Closed by a FIN in the same segment as a last line without line end.
    let mut c = TcpConn::new((CLIENT, 49_406), server, link, [0x4100_0000, 0x7100_0000], 230.0);
    open_channel(&mut cap, &mut c, 230.0, "4f1c0a06");
    c.send_acked(&mut cap, 233.0, Dir::S2C, &cir("1.3", "fin-1", LineEnd::CrLf), "CIR: WVCI 1.3 fin-1 (completes it)");
    c.fin(
        &mut cap,
        235.0,
        Dir::S2C,
        &cir("1.3", "last-line-no-eol", LineEnd::None),
        "FIN/PSH/ACK with data: 'WVCI 1.3 last-line-no-eol', no line end, and the server's FIN in the same \
         segment; the FIN ends the stream mid-line, so this last line ends here without a line end",
    );
    c.ack(&mut cap, 235.024, Dir::C2S);
    c.fin(&mut cap, 235.03, Dir::C2S, &[], "FIN (the phone closes too)");
    c.ack(&mut cap, 235.054, Dir::S2C);

    // 9. Reset after a line without line end.
    let mut c = TcpConn::new((CLIENT, 49_407), server, link, [0x4200_0000, 0x7200_0000], 240.0);
    open_channel(&mut cap, &mut c, 240.0, "4f1c0a07");
    c.send_acked(
        &mut cap,
        243.0,
        Dir::S2C,
        b"WVCI 1.2 reset-before-eol",
        "CIR without line end: 'WVCI 1.2 reset-before-eol' (completes no line)",
    );
    c.reset(
        &mut cap,
        243.5,
        Dir::S2C,
        "RST/ACK, no payload: the server aborts the connection mid-line; WVCI 1.2 reset-before-eol never gets \
         its line end (completes no line)",
    );

    // 10. A line cut by the end of the capture, on a connection that never closes: the last frame.
    let mut c = TcpConn::new((CLIENT, 49_408), server, link, [0x4300_0000, 0x7300_0000], 250.0);
    open_channel(&mut cap, &mut c, 250.0, "4f1c0a08");
    c.send_acked(&mut cap, 280.0, Dir::S2C, &line("cut-1"), "CIR: WVCI 1.2 cut-1 (completes it)");
    c.send(
        &mut cap,
        310.0,
        Dir::S2C,
        b"WVCI 1.2 cut-by-the-capt",
        "CIR cut by the end of the capture: 'WVCI 1.2 cut-by-the-capt', no line end, the capture's last frame; \
         the connection never closes (completes no line)",
    );
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
    // A CIR in two IPv6 fragments (a tunnel with a small MTU), the second arriving first.
    let ip = ip_packet(
        (server, 40_117),
        (client, 3717),
        0,
        &Transport::Udp,
        &cir("1.3", "wv:nokia.fragmented6", LineEnd::CrLf),
    );
    let (header, body) = ip.split_at(40);
    let parts: Vec<&[u8]> = body.chunks(24).collect();
    for (k, i) in (0..parts.len()).rev().enumerate() {
        let more = u16::from(i + 1 < parts.len());
        let mut f = header.to_vec();
        f[4..6].copy_from_slice(&((8 + parts[i].len()) as u16).to_be_bytes());
        f[6] = 44; // next header: Fragment
        f.extend_from_slice(&[17, 0]);
        f.extend_from_slice(&((((i * 24) / 8) as u16) << 3 | more).to_be_bytes());
        f.extend_from_slice(&0x0000_6a6bu32.to_be_bytes());
        f.extend_from_slice(parts[i]);
        let note = format!(
            "IPv6 fragment {} of {} (id 0x6a6b, offset {}){}",
            i + 1,
            parts.len(),
            i * 24,
            if i == 0 { ": holds the UDP header and, arriving last, completes the datagram" } else { "" }
        );
        cap.push_ip(45.0 + k as f64 * 0.001, link, 0, &f, false, &note);
    }
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
        (
            b"WVCI wv:nokia.3\r\n".to_vec(),
            "missing-version: a cookie with no version (an anomaly: every client acts on it)",
        ),
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

/// A DNS message with one question (and, for an answer, one PTR record pointing at `answer`).
fn dns_message(txid: u16, flags: u16, name: &str, qtype: u16, answer: Option<&str>) -> Vec<u8> {
    let labels = |out: &mut Vec<u8>, name: &str| {
        for label in name.split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
    };
    let mut m = txid.to_be_bytes().to_vec();
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
    labels(&mut m, name);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    if let Some(target) = answer {
        let mut rdata = Vec::new();
        labels(&mut rdata, target);
        m.extend_from_slice(&[0xC0, 0x0C]);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 0x11, 0x94]);
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(&rdata);
    }
    m
}

/// Sample 7b: What the real clients (Android IM, Symbian IMPS; docs/protocol.md section 3) would
/// do with each CIR: SMS CIRs with GSM 7-bit extension characters and in plain ASCII, UDP CIRs
/// with a glued keyword, a NUL separator and no cookie, a TCP channel whose first server data
/// after HELO holds a CIR, an `OK ` with a trailing space and a 5,000-byte line, and foreign
/// datagrams to UDP 3717 that would tear a Symbian phone's CIR channels down.
pub fn client_verdicts() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });

    // 1. SMS CIRs over an IP bearer (UDP 3716).
    let gw = (v4(203, 0, 113, 5), 3716);
    let sms_phone = (v4(198, 51, 100, 40), 3716);
    let ext = encode::gsm7(&cir("1.2", "wv:nokia.[7]{x}", LineEnd::None)).expect("GSM text");
    udp(
        &mut cap,
        1.0,
        link,
        gw,
        sms_phone,
        0x0C00,
        &ext,
        "SMS CIR, GSM 7-bit packed, '[ ] { }' as ESC + extension code: WVCI 1.2 wv:nokia.[7]{x}, no line end \
         (Android acts: it decodes the extension table; Symbian has no raw SMS CIR)",
    );
    udp(
        &mut cap,
        2.0,
        link,
        gw,
        sms_phone,
        0x0C01,
        &cir("1.2", "asciisms-1", LineEnd::None),
        "SMS CIR in plain ASCII on the SMS port: WVCI 1.2 asciisms-1, no line end (no client acts: Android reads \
         only GSM 7-bit, Symbian has no raw SMS CIR)",
    );

    // 2. UDP CIRs to 3717: only Symbian has a UDP CIR; Android's verdict is the one it gives the
    // same line over TCP or SMS.
    let server = (SERVER, 40_200);
    let udp_cirs: [(&[u8], &str); 3] = [
        (
            b"WVCIwv:nokia.77\r\n",
            "CIR with the cookie glued to the keyword, version left out: 'WVCIwv:nokia.77' + CRLF (every client \
             acts: Symbian finds WVCI at offset 0 and the cookie wv:nokia.77 in the datagram; Android has no UDP \
             CIR but acts on this line over TCP or SMS)",
        ),
        (
            b"WVCI 1.2\x00wv:nokia.78\r\n",
            "CIR with a NUL (0x00) where the separator belongs: 'WVCI 1.2', NUL, 'wv:nokia.78' + CRLF; the cookie \
             is wv:nokia.78 (Symbian acts: the cookie is in the datagram; Android has no UDP CIR, acts on this \
             line over TCP)",
        ),
        (
            b"WVCI 1.2\r\n",
            "CIR without a cookie: 'WVCI 1.2' + CRLF (Symbian rejects it as unauthorized and its listener stalls; \
             Android has no UDP CIR, acts on this line over TCP)",
        ),
    ];
    for (i, (payload, note)) in udp_cirs.into_iter().enumerate() {
        udp(&mut cap, 5.0 + i as f64, link, server, (CLIENT, 3717), 0x0C10 + i as u16, payload, note);
    }

    // 3. A TCP CIR channel on 3717.
    let mut c = TcpConn::new((CLIENT, 49_500), (SERVER, 3717), link, [0x5E77_0000, 0x7E00_0000], 10.0);
    c.handshake(&mut cap, 10.0);
    c.send_acked(&mut cap, 10.06, Dir::C2S, b"HELO 5e77aa01\r\n", "HELO 5e77aa01");
    let mut first = LineRepr::Ok.to_vec(LineEnd::CrLf);
    first.extend_from_slice(&cir("1.2", "wv:nokia.80", LineEnd::CrLf));
    c.send_acked(
        &mut cap,
        10.11,
        Dir::S2C,
        &first,
        "OK + CIR in one segment, the server's first data after the HELO: OK, then WVCI 1.2 wv:nokia.80 (Android \
         acts; Symbian loses it: it takes the first read after HELO as the HELO answer without looking into it, \
         and the CIR is not at the start of the segment)",
    );
    c.send_acked(
        &mut cap,
        40.0,
        Dir::S2C,
        &cir("1.2", "wv:nokia.81", LineEnd::CrLf),
        "CIR: WVCI 1.2 wv:nokia.81, alone in its segment (both act)",
    );
    let ping = LineRepr::Ping { trailing_space: true }.to_vec(LineEnd::CrLf);
    c.send_acked(&mut cap, 60.0, Dir::C2S, &ping, "PING (Android form, 'PING ' + CRLF)");
    c.send_acked(
        &mut cap,
        60.05,
        Dir::S2C,
        b"OK \r\n",
        "OK with a trailing space, 'OK ' + CRLF, answering the PING (Android does not take it: only exactly 'OK' \
         counts; Symbian does: it tests OK as a prefix)",
    );
    // A 5,000-byte line, longer than wvcir's 4,096-byte line bound, in four segments of at most 1,460 bytes.
    let mut rng = Rng::new(0x00c1_1ea7);
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let head = cir("1.2", "wv:nokia.82", LineEnd::None);
    let mut long = head.clone();
    long.extend((0..5000 - head.len() - 2).map(|_| alnum[(rng.next_u64() % alnum.len() as u64) as usize]));
    long.extend_from_slice(LineEnd::CrLf.as_bytes());
    assert_eq!(long.len(), 5000);
    let more = long.len() - head.len() - 2;
    // 4978 -> "4,978", as the README writes numbers.
    let n = |v: usize| if v >= 1000 { format!("{},{:03}", v / 1000, v % 1000) } else { v.to_string() };
    let segs: Vec<&[u8]> = long.chunks(1460).collect();
    let notes = [
        format!(
            "CIR part 1 of 4 of a 5,000-byte line: 'WVCI 1.2 wv:nokia.82' and the first {} of {} more cookie \
             characters, no line end yet (Symbian acts on its first 512-byte read, which starts with WVCI)",
            n(segs[0].len() - head.len()),
            n(more)
        ),
        format!("CIR part 2 of 4 of the 5,000-byte line: {} more cookie characters, no line end yet", n(segs[1].len())),
        format!(
            "CIR part 3 of 4 of the 5,000-byte line: {} more cookie characters, no line end yet; the line passes \
             wvcir's 4,096-byte bound here, so wvcir reports WVCI 1.2 wv:nokia.82... in this frame, decoded from its \
             first 4,096 bytes and flagged line-too-long (Android acts: it has no line-length limit)",
            n(segs[2].len())
        ),
        format!(
            "CIR part 4 of 4: the last {} cookie characters and CRLF, the end of the 5,000-byte line (skipped: \
             past the bound)",
            n(segs[3].len() - 2)
        ),
    ];
    let mut acked_two = 0;
    for (k, (seg, note)) in segs.iter().zip(&notes).enumerate() {
        let seq = c.send(&mut cap, 90.0 + k as f64 * 0.000_2, Dir::S2C, seg, note);
        if k == 1 {
            acked_two = seq.wrapping_add(seg.len() as u32);
        }
    }
    c.ack_to(&mut cap, 90.024, Dir::C2S, acked_two, "");
    c.ack(&mut cap, 90.0244, Dir::C2S);
    c.send_acked(
        &mut cap,
        120.0,
        Dir::S2C,
        &cir("1.2", "wv:nokia.83", LineEnd::CrLf),
        "CIR: WVCI 1.2 wv:nokia.83, alone in its segment (both act)",
    );
    c.close(&mut cap, 150.0, Dir::C2S);

    // 4. Foreign datagrams to the phone's UDP 3717 over a minute: a scan or another app.
    let scanner = (v4(203, 0, 113, 99), 5353);
    let tear = "from 5353 to UDP 3717 (a foreign datagram: not WVCI at offset 0, so a Symbian phone's UDP listener \
                fails with KErrCorrupt and tears its TCP and UDP CIR channels down; Android has no UDP CIR)";
    let foreign: [(Vec<u8>, String); 6] = [
        (
            dns_message(0, 0, "_services._dns-sd._udp.local", 12, None),
            format!("Not CIR: a DNS-looking query, _services._dns-sd._udp.local PTR {tear}"),
        ),
        (rng.bytes(37), format!("Not CIR: 37 random bytes {tear}")),
        (
            dns_message(0, 0x8400, "_workstation._tcp.local", 12, Some("printer._workstation._tcp.local")),
            format!("Not CIR: a DNS-looking answer, _workstation._tcp.local PTR {tear}"),
        ),
        (rng.bytes(64), format!("Not CIR: 64 random bytes {tear}")),
        (
            dns_message(0x3717, 0x0100, "wpad.local", 1, None),
            format!("Not CIR: a DNS-looking query, wpad.local A {tear}"),
        ),
        (rng.bytes(20), format!("Not CIR: 20 random bytes {tear}")),
    ];
    for (i, (payload, note)) in foreign.iter().enumerate() {
        let t = 180.0 + i as f64 * 12.0 + rng.unit() * 2.0;
        udp(&mut cap, t, link, scanner, (CLIENT, 3717), 0x0C20 + i as u16, payload, note);
    }
    cap.sort();
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

/// Sample: CIRs inside the tunnels of mobile cores, clouds and enterprise networks, one per frame:
/// GTP-U (with an extension header), VXLAN carrying a VLAN-tagged frame, that nested in GTP-U,
/// Geneve, GRE with a key, GRE bridging Ethernet, an MPLS label stack, a PPPoE session, 4in4,
/// 6in4 and 4in6; a TCP CIR channel in VXLAN; then (appended, so earlier frames keep their
/// numbers) ERSPAN type II and type III port mirroring and PPP in PPTP's enhanced GRE.
pub fn tunnels() -> Capture {
    use crate::net::{ethernet_frame, frame, ip_raw};
    let mut cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    let (enb, upf) = (v4(203, 0, 113, 20), v4(203, 0, 113, 21));
    let (vtep_a, vtep_b) = (v4(203, 0, 113, 30), v4(203, 0, 113, 31));
    let v6 = |a: u16, b: u16, c: u16| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, a, 0, 0, 0, b, c));
    let (v6_a, v6_b) = (v6(0xffff, 0, 1), v6(0xffff, 0, 2));
    let (phone_v6, server_v6) = (v6(0x51, 0, 0x23), v6(0x10, 0, 0x10));
    let inner = |n: u16| {
        ip_packet(
            (SERVER, 40_300 + n),
            (CLIENT, 3717),
            0x0400 + n,
            &Transport::Udp,
            &cir("1.3", &format!("wv:tunnel.{n}"), LineEnd::CrLf),
        )
    };
    let outer_udp = |src: IpAddr, dst: IpAddr, sport: u16, dport: u16, payload: &[u8]| {
        ip_packet((src, sport), (dst, dport), 0, &Transport::Udp, payload)
    };
    let gtp = |teid: u32, ip: &[u8], ext: bool| {
        let mut h = vec![if ext { 0x34 } else { 0x30 }, 0xff];
        let ext_bytes: &[u8] = if ext { &[0, 0, 0, 0x85, 1, 0x10, 0x09, 0] } else { &[] };
        h.extend_from_slice(&((ext_bytes.len() + ip.len()) as u16).to_be_bytes());
        h.extend_from_slice(&teid.to_be_bytes());
        h.extend_from_slice(ext_bytes);
        h.extend_from_slice(ip);
        h
    };
    let vxlan = |vni: u32, eth: &[u8]| [&[0x08, 0, 0, 0][..], &(vni << 8).to_be_bytes(), eth].concat();
    let notes = [
        "CIR in GTP-U (TEID 0x1a2b3c4d, a PDU session container extension header)",
        "CIR in VXLAN (VNI 5001), the inner frame tagged VLAN 100",
        "CIR in VLAN 100 in VXLAN (VNI 5002) in GTP-U (TEID 0x1a2b3c4e)",
        "CIR in Geneve (VNI 7001, Ethernet)",
        "CIR in GRE with key 42",
        "CIR in GRE bridging Ethernet (key 43)",
        "CIR under an MPLS label stack (labels 16, 17)",
        "CIR in a PPPoE session (id 0x002a)",
        "CIR in IPv4 in IPv4",
        "CIR in IPv6 in IPv4 (6in4)",
        "CIR in IPv4 in IPv6",
    ];
    let frames: Vec<Vec<u8>> = vec![
        frame(Link::Ethernet, &outer_udp(enb, upf, 2152, 2152, &gtp(0x1a2b_3c4d, &inner(1), true)), false),
        frame(
            Link::Ethernet,
            &outer_udp(vtep_a, vtep_b, 49_152, 4789, &vxlan(5001, &frame(Link::Vlan(100), &inner(2), false))),
            false,
        ),
        {
            let vx = outer_udp(vtep_a, vtep_b, 49_153, 4789, &vxlan(5002, &frame(Link::Vlan(100), &inner(3), false)));
            frame(Link::Ethernet, &outer_udp(enb, upf, 2152, 2152, &gtp(0x1a2b_3c4e, &vx, false)), false)
        },
        {
            let geneve = [
                &[0x00, 0x00, 0x65, 0x58][..],
                &(7001u32 << 8).to_be_bytes(),
                &frame(Link::Ethernet, &inner(4), false),
            ]
            .concat();
            frame(Link::Ethernet, &outer_udp(vtep_a, vtep_b, 49_154, 6081, &geneve), false)
        },
        frame(
            Link::Ethernet,
            &ip_raw(vtep_a, vtep_b, 47, &[&[0x20, 0, 0x08, 0x00, 0, 0, 0, 42][..], &inner(5)].concat()),
            false,
        ),
        frame(
            Link::Ethernet,
            &ip_raw(
                vtep_a,
                vtep_b,
                47,
                &[&[0x20, 0, 0x65, 0x58, 0, 0, 0, 43][..], &frame(Link::Ethernet, &inner(6), false)].concat(),
            ),
            false,
        ),
        ethernet_frame(vtep_a, vtep_b, 0x8847, &[&[0, 0x01, 0x00, 0x40, 0, 0x01, 0x11, 0x40][..], &inner(7)].concat()),
        ethernet_frame(CLIENT, SERVER, 0x8864, &{
            let ip = inner(8);
            [&[0x11, 0, 0x00, 0x2a][..], &((ip.len() + 2) as u16).to_be_bytes(), &[0x00, 0x21], &ip].concat()
        }),
        frame(Link::Ethernet, &ip_raw(vtep_a, vtep_b, 4, &inner(9)), false),
        frame(
            Link::Ethernet,
            &ip_raw(
                vtep_a,
                vtep_b,
                41,
                &ip_packet(
                    (server_v6, 40_310),
                    (phone_v6, 3717),
                    0,
                    &Transport::Udp,
                    &cir("1.3", "wv:tunnel.10", LineEnd::CrLf),
                ),
            ),
            false,
        ),
        frame(Link::Ethernet, &ip_raw(v6_a, v6_b, 4, &inner(11)), false),
    ];
    for (i, (f, note)) in frames.into_iter().zip(notes).enumerate() {
        cap.push_frame(1.0 + i as f64, 0, f, note);
    }
    // A TCP CIR channel inside VXLAN (VNI 5003): its Ethernet frames, each wrapped whole.
    let mut inner_cap = Capture::new(Format::Pcap { link: Link::Ethernet, big_endian: false, nanos: false });
    let mut c = TcpConn::new((CLIENT, 49_500), (SERVER, 3717), Link::Ethernet, [0x5000_0000, 0x7000_0000], 20.0);
    c.handshake(&mut inner_cap, 20.0);
    c.send_acked(&mut inner_cap, 20.05, Dir::C2S, b"HELO 7d1e2f30\r\n", "HELO 7d1e2f30 in VXLAN (VNI 5003)");
    c.send_acked(&mut inner_cap, 20.1, Dir::S2C, b"OK\r\n", "OK in VXLAN");
    c.send_acked(&mut inner_cap, 25.0, Dir::S2C, &cir("1.3", "wv:tunnel.tcp", LineEnd::CrLf), "CIR over TCP in VXLAN");
    for p in inner_cap.packets {
        let outer = outer_udp(vtep_a, vtep_b, 49_160, 4789, &vxlan(5003, &p.data));
        cap.packets.push(crate::capture::Packet { data: frame(Link::Ethernet, &outer, false), ..p });
    }
    // A switch mirroring a port to a collector (ERSPAN), and a PPTP VPN.
    let (switch, collector) = (v4(203, 0, 113, 40), v4(203, 0, 113, 41));
    let (pns, pac) = (v4(203, 0, 113, 50), v4(203, 0, 113, 51));
    let mirrored = |n: u16| frame(Link::Ethernet, &inner(n), false);
    // Type II: GRE with a sequence number; version 1, VLAN 0, session 100, index 0.
    let erspan2 =
        [&[0x10, 0, 0x88, 0xBE, 0, 0, 0, 1][..], &[0x10, 0x00, 0x00, 100, 0, 0, 0, 0], &mirrored(12)].concat();
    // Type III: version 2, session 200, a timestamp, SGT 0, frame type 0 (Ethernet), the O bit,
    // then the 8-byte platform-specific subheader (platform id 3: port id and timestamp).
    let erspan3 = [
        &[0x10, 0, 0x22, 0xEB, 0, 0, 0, 1][..],
        &[0x20, 0x00, 0x00, 200, 0x00, 0x01, 0xE2, 0x40, 0, 0, 0x00, 0x01],
        &[0x0C, 0x00, 0x00, 0x07, 0x49, 0x96, 0x02, 0xD2],
        &mirrored(13),
    ]
    .concat();
    // PPTP: enhanced GRE version 1 (key: payload length, call id 8000; sequence and
    // acknowledgment numbers), PPP in HDLC-like framing, IPv4.
    let pptp = {
        let ppp = [&[0xFF, 0x03, 0x00, 0x21][..], &inner(14)].concat();
        let len = (ppp.len() as u16).to_be_bytes();
        [&[0x30, 0x81, 0x88, 0x0B, len[0], len[1], 0x1F, 0x40, 0, 0, 0, 3, 0, 0, 0, 2][..], &ppp].concat()
    };
    let appended = [
        (ip_raw(switch, collector, 47, &erspan2), "CIR mirrored by ERSPAN type II (session 100)"),
        (
            ip_raw(switch, collector, 47, &erspan3),
            "CIR mirrored by ERSPAN type III (session 200, platform-specific subheader)",
        ),
        (ip_raw(pns, pac, 47, &pptp), "CIR in PPP in PPTP's enhanced GRE (call id 8000)"),
    ];
    for (i, (ip, note)) in appended.into_iter().enumerate() {
        cap.push_frame(30.0 + i as f64, 0, frame(Link::Ethernet, &ip, false), note);
    }
    cap
}

/// Sample: PPP link type (a dial-up or PPTP client's `ppp0`): a CIR in HDLC-like framing, one
/// with address and control left out and the protocol compressed to a byte, one over IPv6.
pub fn ppp() -> Capture {
    let link = Link::Ppp;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    dns(&mut cap, 0.5, link, "imps.example.net", [192, 0, 2, 10], 0x3a4b);
    let payload = cir("1.3", "wv:ppp.1", LineEnd::CrLf);
    udp(
        &mut cap,
        1.0,
        link,
        (SERVER, 40_120),
        (CLIENT, 3717),
        0x0410,
        &payload,
        "CIR over PPP (0xFF 0x03, protocol 0x0021)",
    );
    let ip =
        ip_packet((SERVER, 40_120), (CLIENT, 3717), 0x0411, &Transport::Udp, &cir("1.3", "wv:ppp.2", LineEnd::CrLf));
    let compressed = [&[0x21][..], &ip].concat();
    cap.push_frame(2.0, 0, compressed, "CIR over PPP, address and control omitted, 1-byte protocol 0x21");
    let (server, client) = (
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x10, 0, 0, 0, 0, 0x10)),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x51, 0, 0, 0, 0, 0x23)),
    );
    let ip6 = ip_packet((server, 40_121), (client, 3717), 0, &Transport::Udp, &cir("1.3", "wv:ppp.3", LineEnd::CrLf));
    cap.push_ip(3.0, link, 0, &ip6, false, "CIR over PPP, IPv6 (protocol 0x0057)");
    cap
}

/// Sample: Wi-Fi seen in monitor mode (802.11 with radiotap): a CIR in a QoS data frame from the
/// access point, a protected (CCMP) frame that cannot be read without the keys and is skipped,
/// and a CIR in a four-address QoS data frame with HT control (a mesh or WDS link).
pub fn wifi() -> Capture {
    use crate::net::{BSSID, LLC_SNAP, RADIOTAP};
    let link = Link::Wlan;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let payload = cir("1.3", "wv:wifi.1", LineEnd::CrLf);
    udp(&mut cap, 1.0, link, (SERVER, 40_130), (CLIENT, 3717), 0x0420, &payload, "CIR in an 802.11 QoS data frame");
    let station = [0x02, 0x57, 0x56, 51, 100, 23];
    let mut rng = Rng::new(0x0008_0211);
    let protected = [
        &RADIOTAP[..],
        &[0x88, 0x42, 0x2c, 0x00],
        &station,
        &BSSID,
        &[0x02, 0x57, 0x56, 0, 2, 10],
        &[0x20, 0x00, 0x00, 0x00],
        // CCMP header: packet number 1, key id 0 with the extended IV bit.
        &[0x01, 0x00, 0x00, 0x20, 0, 0, 0, 0],
        &rng.bytes(88),
    ]
    .concat();
    cap.push_frame(2.0, 0, protected, "Protected QoS data (CCMP): encrypted, skipped");
    let ip =
        ip_packet((SERVER, 40_131), (CLIENT, 3717), 0x0421, &Transport::Udp, &cir("1.3", "wv:wifi.2", LineEnd::CrLf));
    let mesh = [
        &RADIOTAP[..],
        // QoS data, ToDS and FromDS (four addresses), Order (HT control follows QoS control).
        &[0x88, 0x83, 0x2c, 0x00],
        &[0x02, 0x57, 0x56, 0xAA, 0x00, 0x02],
        &BSSID,
        &station,
        &[0x02, 0x57, 0x56, 0, 2, 10],
        &[0x30, 0x00],
        &[0x00, 0x00],
        &[0x00, 0x00, 0x00, 0x00],
        &LLC_SNAP,
        &[0x08, 0x00],
        &ip,
    ]
    .concat();
    cap.push_frame(3.0, 0, mesh, "CIR in a four-address 802.11 QoS data frame with HT control");
    cap
}
