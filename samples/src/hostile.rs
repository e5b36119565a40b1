//! Hostile captures: each one is shaped to hit one limit of a capture reader at full size, and is
//! streamed to its writer (never held in memory), so that a million-flow capture costs the
//! generator no more memory than a ten-flow one.
//!
//! Every capture starts with a well-formed CIR, so that a reader can show it kept what came
//! before the damage; those that are not cut short by the damage end with one too, so that it can
//! show it kept working after it. `tests/tests/hostile.rs` runs the analyzer on each and checks its
//! report and its peak memory; `wvcir-samples hostile DIR` writes them all.

use crate::capture::BASE_EPOCH;
use crate::net::{Link, Transport, frame, ip_packet};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use wvcir::LineEnd;
use wvcir::encode::LineRepr;

/// A hostile capture: its file name, what it does and its full size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `n` UDP datagrams to 3717, each from its own address and port: `n` distinct flows.
    DistinctFlows { n: u32 },
    /// A TCP connection to 3717 that says `HELO`, starts a `WVCI` line and never ends it:
    /// `segments` full-size segments of one endless line.
    NoLineEnd { segments: u32 },
    /// `n` IPv4 fragments that overlap (each identification comes back, at offsets 8, 16, 24
    /// and 32 with 64-byte pieces) and never complete (no first and no last fragment).
    Fragments { n: u32 },
    /// A pcapng whose last Enhanced Packet Block claims this total length.
    LyingPcapng { block_len: u32 },
    /// A pcap whose second record claims 4 GB (`u32::MAX` bytes).
    FourGigRecord,
    /// `n` minimal frames: empty UDP datagrams to 3717 over 256 flows.
    TinyPackets { n: u32 },
    /// A TCP CIR channel on 3717 whose client sends `HELO`, then `n` `PING`s and `n` `OK`s, all
    /// the same way: requests nobody answers, and OKs that answer none of them.
    UnansweredRequests { n: u32 },
    /// `n` UDP CIRs to 3717, each from its own address and port and with its own cookie: `n`
    /// flows and `n` sessions at once.
    DistinctCookies { n: u32 },
    /// `n` TCP connections to 3717, each from its own address and port, each saying `HELO` once:
    /// `n` TCP CIR channels.
    HeloConnections { n: u32 },
    /// TLS on 3717 at its worst: a ClientHello with 10,000 extensions, one with a 64 KB server
    /// name, one sent in 1-byte segments, and a server whose certificate chain is 1 MB.
    TlsHandshakes,
    /// A UDP CIR to 3717 inside `depth` nested GRE tunnels (IPv4 in GRE in IPv4 ...). 2,500 is
    /// about as deep as an IPv4 packet (65,535 bytes, 24 bytes a layer) can be with true lengths.
    DeepGre { depth: u32 },
    /// An SMPP connection (to 2775) that submits `n` SMS CIRs in two parts and never sends a
    /// second part: `n` concatenated SMS that never complete; then one that does.
    ConcatSms { n: u32 },
    /// An SMPP connection whose PDUs lie: a header claiming 2 GB, one claiming 8 bytes, an
    /// `sm_length` past the PDU, a TLV length past it, an unterminated address, garbage; each
    /// followed by a good SMS CIR.
    SmppLies,
    /// `n` GTP-U packets whose extension header chains never end: 2,000 one-unit headers each
    /// announcing another, to the end of an 8 KB packet; a CIR in GTP-U after them.
    GtpChains { n: u32 },
}

impl Case {
    /// Every case at the size the robustness suite states (issue 7).
    pub const FULL: [Case; 16] = [
        Case::DistinctFlows { n: 1_000_000 },
        Case::NoLineEnd { segments: 20_000 },
        Case::Fragments { n: 100_000 },
        Case::LyingPcapng { block_len: 0xFFFF_FFF0 },
        Case::LyingPcapng { block_len: 21 },
        Case::LyingPcapng { block_len: 4 },
        Case::FourGigRecord,
        Case::TinyPackets { n: 2_000_000 },
        Case::UnansweredRequests { n: 1_000_000 },
        Case::DistinctCookies { n: 1_000_000 },
        Case::HeloConnections { n: 1_000_000 },
        Case::TlsHandshakes,
        Case::DeepGre { depth: 2_500 },
        Case::ConcatSms { n: 100_000 },
        Case::SmppLies,
        Case::GtpChains { n: 10_000 },
    ];

    /// The file name it is written under.
    pub fn file_name(self) -> String {
        match self {
            Case::DistinctFlows { n } => format!("flows-{n}.pcap"),
            Case::NoLineEnd { segments } => format!("no-line-end-{segments}.pcap"),
            Case::Fragments { n } => format!("fragments-{n}.pcap"),
            Case::LyingPcapng { block_len } => format!("lying-block-{block_len}.pcapng"),
            Case::FourGigRecord => "record-4g.pcap".to_owned(),
            Case::TinyPackets { n } => format!("tiny-{n}.pcap"),
            Case::UnansweredRequests { n } => format!("unanswered-{n}.pcap"),
            Case::DistinctCookies { n } => format!("cookies-{n}.pcap"),
            Case::HeloConnections { n } => format!("helo-connections-{n}.pcap"),
            Case::TlsHandshakes => "tls-handshakes.pcap".to_owned(),
            Case::DeepGre { depth } => format!("gre-{depth}-deep.pcap"),
            Case::ConcatSms { n } => format!("concat-sms-{n}.pcap"),
            Case::SmppLies => "smpp-lies.pcap".to_owned(),
            Case::GtpChains { n } => format!("gtp-chains-{n}.pcap"),
        }
    }

    /// One line on what it does.
    pub fn what(self) -> String {
        match self {
            Case::DistinctFlows { n } => format!("{n} distinct UDP flows to 3717, one datagram each"),
            Case::NoLineEnd { segments } => {
                format!("a TCP CIR channel whose second line never ends: {segments} full segments of it")
            }
            Case::Fragments { n } => format!("{n} overlapping IPv4 fragments of datagrams that never complete"),
            Case::LyingPcapng { block_len } => format!("a pcapng block that claims to be {block_len} bytes long"),
            Case::FourGigRecord => "a pcap record that claims to be 4 GB long".to_owned(),
            Case::TinyPackets { n } => format!("{n} minimal frames: empty UDP datagrams to 3717"),
            Case::UnansweredRequests { n } => {
                format!("a TCP CIR channel whose client sends HELO, {n} PINGs and {n} OKs, none of them answered")
            }
            Case::DistinctCookies { n } => {
                format!("{n} UDP CIRs to 3717, each from its own address with its own cookie")
            }
            Case::HeloConnections { n } => {
                format!("{n} TCP connections to 3717, each from its own address saying HELO")
            }
            Case::TlsHandshakes => {
                "TLS hellos with 10,000 extensions, a 64 KB SNI, 1-byte segments; a 1 MB certificate chain".to_owned()
            }
            Case::DeepGre { depth } => format!("a UDP CIR inside {depth} nested GRE tunnels"),
            Case::ConcatSms { n } => format!("{n} concatenated SMS CIRs in SMPP whose second part never comes"),
            Case::SmppLies => "SMPP PDUs whose lengths and strings lie, each followed by a good SMS CIR".to_owned(),
            Case::GtpChains { n } => format!("{n} GTP-U packets whose extension header chains never end"),
        }
    }

    /// The number of frames a reader can read before the damage (or in all, if none).
    pub fn good_frames(self) -> u64 {
        match self {
            Case::DistinctFlows { n }
            | Case::Fragments { n }
            | Case::TinyPackets { n }
            | Case::DistinctCookies { n }
            | Case::HeloConnections { n } => u64::from(n) + 2,
            Case::NoLineEnd { segments } => u64::from(segments) + 2,
            Case::LyingPcapng { .. } => 2,
            Case::FourGigRecord => 1,
            Case::UnansweredRequests { n } => {
                3 + u64::from(n.div_ceil(PINGS_PER_SEGMENT)) + u64::from(n.div_ceil(OKS_PER_SEGMENT))
            }
            Case::TlsHandshakes => tls_handshake_frames().len() as u64 + 2,
            Case::DeepGre { .. } => 3,
            Case::ConcatSms { n } => concat_sms_segments(n).len() as u64 + 2,
            Case::SmppLies => smpp_lies_segments().len() as u64 + 2,
            Case::GtpChains { n } => u64::from(n) + 3,
        }
    }

    /// Writes the capture; returns the byte offset of the damage, if the file has one.
    pub fn write<W: Write>(self, out: W) -> io::Result<Option<u64>> {
        match self {
            Case::DistinctFlows { n } => distinct_flows(n, out).map(|_| None),
            Case::NoLineEnd { segments } => no_line_end(segments, out).map(|_| None),
            Case::Fragments { n } => fragments(n, out).map(|_| None),
            Case::LyingPcapng { block_len } => lying_pcapng(block_len, out).map(Some),
            Case::FourGigRecord => four_gig_record(out).map(Some),
            Case::TinyPackets { n } => tiny_packets(n, out).map(|_| None),
            Case::UnansweredRequests { n } => unanswered_requests(n, out).map(|_| None),
            Case::DistinctCookies { n } => distinct_cookies(n, out).map(|_| None),
            Case::HeloConnections { n } => helo_connections(n, out).map(|_| None),
            Case::TlsHandshakes => tls_handshakes(out).map(|_| None),
            Case::DeepGre { depth } => deep_gre(depth, out).map(|_| None),
            Case::ConcatSms { n } => smpp_case(&concat_sms_segments(n), out).map(|_| None),
            Case::SmppLies => smpp_case(&smpp_lies_segments(), out).map(|_| None),
            Case::GtpChains { n } => gtp_chains(n, out).map(|_| None),
        }
    }
}

/// Where the good CIRs come from and go to.
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
const PHONE: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 23));

/// A little-endian, microsecond pcap of Ethernet frames, written as it goes.
struct Pcap<W: Write> {
    out: io::BufWriter<W>,
    frames: u64,
    offset: u64,
}

impl<W: Write> Pcap<W> {
    fn new(out: W) -> io::Result<Self> {
        let mut out = io::BufWriter::with_capacity(1 << 20, out);
        // magic, version 2.4, thiszone, sigfigs, snaplen 262144, LINKTYPE_ETHERNET
        out.write_all(&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0])?;
        Ok(Pcap { out, frames: 0, offset: 24 })
    }

    /// A record header: one frame every 10 µs from the base time.
    fn record_header(&mut self, caplen: u32, len: u32) -> io::Result<()> {
        let us = self.frames * 10;
        let secs = BASE_EPOCH + us / 1_000_000;
        for v in [secs as u32, (us % 1_000_000) as u32, caplen, len] {
            self.out.write_all(&v.to_le_bytes())?;
        }
        self.frames += 1;
        self.offset += 16;
        Ok(())
    }

    fn frame(&mut self, data: &[u8]) -> io::Result<()> {
        self.record_header(data.len() as u32, data.len() as u32)?;
        self.out.write_all(data)?;
        self.offset += data.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A well-formed UDP CIR from the server to the phone, as an Ethernet frame.
fn good_cir(cookie: &str) -> Vec<u8> {
    let payload = LineRepr::Cir { version: b"1.3", cookie: cookie.as_bytes() }.to_vec(LineEnd::CrLf);
    frame(Link::Ethernet, &ip_packet((SERVER, 40_000), (PHONE, 3717), 1, &Transport::Udp, &payload), false)
}

/// Sets the IPv4 source address of an Ethernet+IPv4 frame built by [`ip_packet`] and fixes the
/// header checksum (14 bytes of Ethernet, then the 20-byte header).
fn set_ipv4_source(f: &mut [u8], src: [u8; 4]) {
    if let Some(a) = f.get_mut(26..30) {
        a.copy_from_slice(&src);
    }
    ipv4_checksum(f);
}

/// The 20-byte IPv4 header of an Ethernet+IPv4 frame.
fn ipv4_header(f: &mut [u8]) -> Option<&mut [u8; 20]> {
    f.get_mut(14..34).and_then(|h| h.try_into().ok())
}

fn ipv4_checksum(f: &mut [u8]) {
    let Some(h) = ipv4_header(f) else { return };
    h[10] = 0;
    h[11] = 0;
    let sum = h.as_chunks::<2>().0.iter().map(|w| u32::from(u16::from_be_bytes(*w))).sum::<u32>();
    let folded = (sum & 0xFFFF) + (sum >> 16);
    let [hi, lo] = (!(((folded & 0xFFFF) + (folded >> 16)) as u16)).to_be_bytes();
    h[10] = hi;
    h[11] = lo;
}

/// Sets a UDP port pair in an Ethernet+IPv4 frame and clears the UDP checksum (optional in IPv4).
fn set_udp_ports(f: &mut [u8], sport: u16, dport: u16) {
    let Some(u) = f.get_mut(34..42).and_then(|u| <&mut [u8; 8]>::try_from(u).ok()) else { return };
    let ([s0, s1], [d0, d1]) = (sport.to_be_bytes(), dport.to_be_bytes());
    *u = [s0, s1, d0, d1, u[4], u[5], 0, 0];
}

fn distinct_flows<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.flood"))?;
    // 12 bytes that are not a CIR: the kind of beacon a squatter on 3717 sends.
    let mut f = frame(
        Link::Ethernet,
        &ip_packet((SERVER, 1024), (PHONE, 3717), 0, &Transport::Udp, b"\x8f\x11beacon-xx"),
        false,
    );
    for i in 0..n {
        // Every datagram from its own source: its own flow. Patched in place, not rebuilt.
        let (ip, port) = source(i);
        set_ipv4_source(&mut f, ip.octets());
        set_udp_ports(&mut f, port, 3717);
        p.frame(&f)?;
    }
    p.frame(&good_cir("wv:after.flood"))?;
    p.finish()
}

fn tcp_segment(seq: u32, payload: &[u8]) -> Vec<u8> {
    tcp_segment_from((PHONE, 49_201), seq, payload)
}

fn tcp_segment_from(src: (IpAddr, u16), seq: u32, payload: &[u8]) -> Vec<u8> {
    let flags = crate::net::Flags { ack: true, psh: true, ..Default::default() };
    let t = Transport::Tcp { seq, ack: 1, flags, window: 65_535 };
    frame(Link::Ethernet, &ip_packet(src, (SERVER, 3717), 0, &t, payload), false)
}

/// The `i`th of up to 2^24 distinct sources: an address in 10.0.0.0/8 and a port.
fn source(i: u32) -> (Ipv4Addr, u16) {
    (Ipv4Addr::new(10, (i >> 16) as u8, (i >> 8) as u8, i as u8), 1024 + (i % 60_000) as u16)
}

/// [`source`] as an endpoint for [`ip_packet`].
fn endpoint(i: u32) -> (IpAddr, u16) {
    let (ip, port) = source(i);
    (IpAddr::V4(ip), port)
}

fn distinct_cookies<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.sessions"))?;
    for i in 0..n {
        let payload = LineRepr::Cir { version: b"1.3", cookie: format!("wv:s.{i}").as_bytes() }.to_vec(LineEnd::CrLf);
        p.frame(&frame(Link::Ethernet, &ip_packet(endpoint(i), (PHONE, 3717), 0, &Transport::Udp, &payload), false))?;
    }
    p.frame(&good_cir("wv:after.sessions"))?;
    p.finish()
}

fn helo_connections<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.connections"))?;
    for i in 0..n {
        p.frame(&tcp_segment_from(endpoint(i), 1, format!("HELO s{i}\r\n").as_bytes()))?;
    }
    p.frame(&good_cir("wv:after.connections"))?;
    p.finish()
}

/// A TCP segment between two endpoints (ACK, PSH).
fn tcp_between(src: (IpAddr, u16), dst: (IpAddr, u16), seq: u32, payload: &[u8]) -> Vec<u8> {
    let flags = crate::net::Flags { ack: true, psh: true, ..Default::default() };
    let t = Transport::Tcp { seq, ack: 1, flags, window: 65_535 };
    frame(Link::Ethernet, &ip_packet(src, dst, 0, &t, payload), false)
}

/// A TLS handshake message cut into handshake records of at most 2^14 bytes.
fn tls_records(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut msg = vec![kind];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(body);
    let mut out = Vec::new();
    for rec in msg.chunks(16_384) {
        out.extend_from_slice(&[22, 3, 3]);
        out.extend_from_slice(&(rec.len() as u16).to_be_bytes());
        out.extend_from_slice(rec);
    }
    out
}

/// A ClientHello body: one cipher suite, a server name of `sni_len` bytes, then `extra`
/// empty extensions.
fn hello_body(sni_len: usize, extra: u16) -> Vec<u8> {
    let mut exts = Vec::new();
    let name = vec![b'a'; sni_len];
    let list = [&[0u8][..], &(sni_len as u16).to_be_bytes(), &name].concat();
    let sni = [&(list.len() as u16).to_be_bytes()[..], &list].concat();
    exts.extend_from_slice(&[0, 0]);
    exts.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    exts.extend_from_slice(&sni);
    for i in 0..extra {
        exts.extend_from_slice(&(0x1000 + i).to_be_bytes());
        exts.extend_from_slice(&[0, 0]);
    }
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x42; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend_from_slice(&(exts.len().min(0xffff) as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    body
}

/// A DER certificate with only what names it: version, serial, algorithm, issuer = subject
/// `CN=<cn>`, validity.
fn small_certificate(cn: &[u8]) -> Vec<u8> {
    let tlv = |tag: u8, content: &[u8]| [&[tag, content.len() as u8][..], content].concat();
    let atv = tlv(0x30, &[tlv(0x06, &[0x55, 4, 3]), tlv(0x0c, cn)].concat());
    let name = tlv(0x30, &tlv(0x31, &atv));
    let tbs = [
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, &[1]),
        tlv(0x30, &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 2])),
        name.clone(),
        tlv(0x30, &[tlv(0x17, b"090314100000Z"), tlv(0x17, b"390314100000Z")].concat()),
        name,
    ]
    .concat();
    tlv(0x30, &tlv(0x30, &tbs))
}

/// The frames of [`Case::TlsHandshakes`], four connections one after the other.
fn tls_handshake_frames() -> Vec<Vec<u8>> {
    let server = (SERVER, 3717);
    let mut frames = Vec::new();
    let mut send = |src: (IpAddr, u16), dst: (IpAddr, u16), stream: &[u8], size: usize| {
        for (i, seg) in stream.chunks(size).enumerate() {
            frames.push(tcp_between(src, dst, 1 + (i * size) as u32, seg));
        }
    };
    send(endpoint(1), server, &tls_records(1, &hello_body(16, 10_000)), 1460);
    send(endpoint(2), server, &tls_records(1, &hello_body(65_000, 0)), 1460);
    let hello = wvcir::tls::client_hello_record(0x0303, b"one-byte.example", &[0x1301], &[b"h2"]);
    send(endpoint(3), server, &hello, 1);
    let hello = wvcir::tls::client_hello_record(0x0303, b"chain.example", &[0xc02f], &[]);
    send(endpoint(4), server, &hello, 1460);
    let mut server_hello = vec![3, 3];
    server_hello.extend_from_slice(&[0x24; 32]);
    server_hello.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
    let first = small_certificate(b"chain.example");
    let mut list = (first.len() as u32).to_be_bytes()[1..].to_vec();
    list.extend_from_slice(&first);
    while list.len() < 1 << 20 {
        list.extend_from_slice(&[0, 0x40, 0]);
        list.extend_from_slice(&[0x30; 0x4000]);
    }
    let mut certificate = (list.len() as u32).to_be_bytes()[1..].to_vec();
    certificate.extend_from_slice(&list);
    let flight = [tls_records(2, &server_hello), tls_records(11, &certificate)].concat();
    send(server, endpoint(4), &flight, 1460);
    frames
}

fn deep_gre<W: Write>(depth: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.gre"))?;
    let payload = LineRepr::Cir { version: b"1.3", cookie: b"wv:deep.gre" }.to_vec(LineEnd::CrLf);
    let mut ip = ip_packet((SERVER, 40_000), (PHONE, 3717), 1, &Transport::Udp, &payload);
    for _ in 0..depth {
        // GRE without options, protocol IPv4; an outer IPv4 header whose length field saturates.
        let inner = [&[0, 0, 0x08, 0x00][..], &ip].concat();
        ip = crate::net::ip_raw(SERVER, PHONE, 47, &inner);
    }
    p.frame(&frame(Link::Ethernet, &ip, false))?;
    p.frame(&good_cir("wv:after.gre"))?;
    p.finish()
}

/// An SMPP `submit_sm` from the IM server to `phone`: `esm_class` UDHI, 8-bit data, the user
/// data `ud`, then `tlvs` bytes.
fn submit_sm(phone: &[u8], ud: &[u8], tlvs: &[u8]) -> Vec<u8> {
    let mut body = vec![0, 3, 0];
    body.extend_from_slice(b"72466\0");
    body.extend_from_slice(&[1, 1]);
    body.extend_from_slice(phone);
    body.extend_from_slice(&[0, 0x40, 0, 0, 0, 0, 0, 0, 0x04, 0, ud.len() as u8]);
    body.extend_from_slice(ud);
    body.extend_from_slice(tlvs);
    let mut pdu = ((16 + body.len()) as u32).to_be_bytes().to_vec();
    pdu.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1]);
    pdu.extend_from_slice(&body);
    pdu
}

/// The user data of a good SMS CIR: UDH ports 3716, then the text GSM 7-bit packed.
fn cir_ud(cookie: &str) -> Vec<u8> {
    let mut ud = vec![0x06, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
    ud.extend(wvcir::encode::gsm7(format!("WVCI 1.2 {cookie}").as_bytes()).unwrap_or_default());
    ud
}

/// A good SMS CIR in SMPP, as 8-bit data.
fn smpp_cir(cookie: &str) -> Vec<u8> {
    submit_sm(b"447700900123", &cir_ud(cookie), &[])
}

/// An SMPP stream cut into TCP payloads of at most 1,460 bytes.
fn segments_of(stream: &[u8]) -> Vec<Vec<u8>> {
    stream.chunks(1460).map(<[u8]>::to_vec).collect()
}

fn concat_sms_segments(n: u32) -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    for i in 0..n {
        // Part 1 of 2, 16-bit reference, to a phone of its own: no two are the same message.
        let mut ud = vec![0x0C, 0x08, 0x04, (i >> 8) as u8, i as u8, 2, 1, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
        ud.extend_from_slice(b"WVCI 1.2 wv:never.");
        stream.extend(submit_sm(format!("4477{i:08}").as_bytes(), &ud, &[]));
    }
    // A two-part CIR that does complete, after the flood.
    for (seq, text) in [(1u8, &b"WVCI 1.2 "[..]), (2, b"wv:completes")] {
        let mut ud = vec![0x0B, 0x00, 0x03, 0x77, 2, seq, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
        ud.extend_from_slice(text);
        stream.extend(submit_sm(b"447700900999", &ud, &[]));
    }
    segments_of(&stream)
}

fn smpp_lies_segments() -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    let good = |stream: &mut Vec<u8>, i: u32| stream.extend(smpp_cir(&format!("wv:after.lie.{i}")));
    good(&mut stream, 0);
    // A header that claims 2 GB.
    let mut lie = smpp_cir("wv:never.2g");
    lie[..4].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    stream.extend(&lie);
    good(&mut stream, 1);
    // A header that claims 8 bytes.
    let mut lie = smpp_cir("wv:never.8");
    lie[..4].copy_from_slice(&8u32.to_be_bytes());
    stream.extend(&lie);
    good(&mut stream, 2);
    // sm_length past the PDU.
    let ud = cir_ud("wv:never.sm");
    let mut lie = submit_sm(b"447700900123", &ud, &[]);
    let at = lie.len() - ud.len() - 1;
    lie[at] = 0xFF;
    stream.extend(&lie);
    good(&mut stream, 3);
    // A TLV whose length runs past the PDU.
    let lie = submit_sm(b"447700900123", &cir_ud("wv:never.tlv"), &[0x04, 0x24, 0x7F, 0xFF, 1]);
    stream.extend(&lie);
    good(&mut stream, 4);
    // An address with no terminator, to the end of the PDU.
    let mut lie = pdu_header(0x04, 100);
    lie.extend_from_slice(&[b'9'; 84]);
    stream.extend(&lie);
    good(&mut stream, 5);
    // 3,000 bytes of garbage.
    stream.extend((0..3_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 0x80));
    good(&mut stream, 6);
    segments_of(&stream)
}

/// A PDU header claiming `len` bytes.
fn pdu_header(command_id: u32, len: u32) -> Vec<u8> {
    let mut h = len.to_be_bytes().to_vec();
    h.extend_from_slice(&command_id.to_be_bytes());
    h.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 9]);
    h
}

/// A good UDP CIR, an SMPP connection from the IM server to an SMSC on 2775 carrying `segments`,
/// and a good UDP CIR.
fn smpp_case<W: Write>(segments: &[Vec<u8>], out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.smpp"))?;
    let (esme, smsc) = ((SERVER, 41_000), (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20)), 2775));
    let mut seq = 1u32;
    for seg in segments {
        p.frame(&tcp_between(esme, smsc, seq, seg))?;
        seq = seq.wrapping_add(seg.len() as u32);
    }
    p.frame(&good_cir("wv:after.smpp"))?;
    p.finish()
}

/// A GTP-U G-PDU (TEID 7) to 2152 around `inner`, as an Ethernet frame.
fn gtp_frame(header_tail: &[u8], inner: &[u8]) -> Vec<u8> {
    let mut g = vec![0x34, 0xFF];
    g.extend_from_slice(&((header_tail.len() + inner.len()) as u16).to_be_bytes());
    g.extend_from_slice(&7u32.to_be_bytes());
    g.extend_from_slice(header_tail);
    g.extend_from_slice(inner);
    frame(Link::Ethernet, &ip_packet((SERVER, 2152), (PHONE, 2152), 0, &Transport::Udp, &g), false)
}

fn gtp_chains<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.gtp"))?;
    // Sequence number, N-PDU number, next type 0x85; then headers of one 4-byte unit that each
    // announce another (next type 0x85), to the end of the packet.
    let mut endless = vec![0, 1, 0, 0x85];
    for _ in 0..2_000 {
        endless.extend_from_slice(&[1, 0x10, 0x01, 0x85]);
    }
    let frame = gtp_frame(&endless, &[]);
    for _ in 0..n {
        p.frame(&frame)?;
    }
    let payload = LineRepr::Cir { version: b"1.3", cookie: b"wv:in.gtp" }.to_vec(LineEnd::CrLf);
    let inner = ip_packet((SERVER, 40_000), (PHONE, 3717), 1, &Transport::Udp, &payload);
    p.frame(&gtp_frame(&[0, 1, 0, 0x85, 1, 0x10, 0x01, 0], &inner))?;
    p.frame(&good_cir("wv:after.gtp"))?;
    p.finish()
}

fn tls_handshakes<W: Write>(out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.handshakes"))?;
    for f in tls_handshake_frames() {
        p.frame(&f)?;
    }
    p.frame(&good_cir("wv:after.handshakes"))?;
    p.finish()
}

fn no_line_end<W: Write>(segments: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.stream"))?;
    let start = b"HELO 3a9f0c1e\r\nWVCI 1.2 ";
    p.frame(&tcp_segment(1, start))?;
    let junk = [b'x'; 1460];
    let mut seq = 1 + start.len() as u32;
    for _ in 0..segments {
        p.frame(&tcp_segment(seq, &junk))?;
        seq = seq.wrapping_add(junk.len() as u32);
    }
    p.finish()
}

fn fragments<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.fragments"))?;
    let mut f = frame(Link::Ethernet, &ip_packet((PHONE, 0), (SERVER, 0), 0, &Transport::Udp, &[0u8; 56]), false);
    // 20-byte IPv4 header + 64 bytes: a fragment, not a UDP datagram any more.
    for i in 0..n {
        let Some(h) = ipv4_header(&mut f) else { break };
        // Identification: 50,000 datagrams, each hit twice; offsets 8..40 bytes with 64-byte
        // pieces, so pieces of one datagram overlap; More Fragments always set, offset never 0:
        // no datagram ever completes.
        [h[4], h[5]] = ((i % 50_000) as u16).to_be_bytes();
        [h[6], h[7]] = (0x2000 | (1 + (i / 50_000) % 4) as u16).to_be_bytes();
        ipv4_checksum(&mut f);
        p.frame(&f)?;
    }
    p.frame(&good_cir("wv:after.fragments"))?;
    p.finish()
}

fn lying_pcapng<W: Write>(block_len: u32, mut out: W) -> io::Result<u64> {
    let good = crate::scenarios::nanosecond().to_bytes();
    out.write_all(&good)?;
    // An Enhanced Packet Block header whose total length lies, then some bytes.
    out.write_all(&6u32.to_le_bytes())?;
    out.write_all(&block_len.to_le_bytes())?;
    out.write_all(&[0u8; 24])?;
    out.flush()?;
    Ok(good.len() as u64)
}

fn four_gig_record<W: Write>(out: W) -> io::Result<u64> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.4g"))?;
    let at = p.offset;
    p.record_header(u32::MAX, u32::MAX)?;
    p.out.write_all(&[0u8; 64])?;
    p.finish()?;
    Ok(at)
}

fn tiny_packets<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.tiny"))?;
    let mut f = frame(Link::Ethernet, &ip_packet((SERVER, 0), (PHONE, 3717), 0, &Transport::Udp, b""), false);
    for i in 0..n {
        set_udp_ports(&mut f, 40_000 + (i % 256) as u16, 3717);
        p.frame(&f)?;
    }
    p.frame(&good_cir("wv:after.tiny"))?;
    p.finish()
}

/// Lines per full-size segment in [`Case::UnansweredRequests`]: 1,460 bytes of `PING\r\n` or
/// `OK\r\n`.
const PINGS_PER_SEGMENT: u32 = 1460 / 6;
const OKS_PER_SEGMENT: u32 = 1460 / 4;

fn unanswered_requests<W: Write>(n: u32, out: W) -> io::Result<()> {
    let mut p = Pcap::new(out)?;
    p.frame(&good_cir("wv:before.requests"))?;
    let helo = b"HELO 3a9f0c1e\r\n";
    p.frame(&tcp_segment(1, helo))?;
    let mut seq = 1 + helo.len() as u32;
    for (line, per_segment) in [(&b"PING\r\n"[..], PINGS_PER_SEGMENT), (b"OK\r\n", OKS_PER_SEGMENT)] {
        let mut left = n;
        while left > 0 {
            let k = left.min(per_segment);
            let payload = line.repeat(k as usize);
            p.frame(&tcp_segment(seq, &payload))?;
            seq = seq.wrapping_add(payload.len() as u32);
            left -= k;
        }
    }
    p.frame(&good_cir("wv:after.requests"))?;
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cases_have_the_frames_and_damage_they_claim() {
        for case in [
            Case::DistinctFlows { n: 3 },
            Case::NoLineEnd { segments: 2 },
            Case::Fragments { n: 5 },
            Case::TinyPackets { n: 4 },
            Case::FourGigRecord,
            Case::UnansweredRequests { n: 700 },
            Case::DistinctCookies { n: 3 },
            Case::HeloConnections { n: 3 },
        ] {
            let mut bytes = Vec::new();
            let damage = case.write(&mut bytes).expect("writes to a Vec");
            // Walk the records: every good frame is there, and the damage is where it says.
            let mut at = 24usize;
            let mut frames = 0;
            while let Some(h) = bytes.get(at..at + 16) {
                let caplen = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
                if Some(at as u64) == damage {
                    assert_eq!(caplen, u32::MAX, "{case:?}");
                    break;
                }
                at += 16 + caplen as usize;
                frames += 1;
            }
            assert_eq!(frames, case.good_frames(), "{case:?}");
        }
    }

    #[test]
    fn checksums_are_right_after_patching() {
        let mut f = good_cir("x");
        set_ipv4_source(&mut f, [10, 1, 2, 3]);
        let h = &f[14..34];
        let sum = h.chunks_exact(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum::<u32>();
        assert_eq!((sum & 0xFFFF) + (sum >> 16), 0xFFFF);
    }
}
