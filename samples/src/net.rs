//! Packet building: IPv4/IPv6 with UDP or TCP via etherparse, wrapped in the link layers the
//! samples need (Ethernet with 802.1Q/QinQ tags, Linux cooked v1 and v2, raw IP).

use etherparse::{IpHeaders, IpNumber, Ipv4Header, PacketBuilder, TcpHeader};
use std::net::IpAddr;

/// TCP flags of a segment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub psh: bool,
    pub rst: bool,
}

/// A transport segment between two endpoints.
#[derive(Clone, Debug)]
pub enum Transport {
    Udp,
    Tcp { seq: u32, ack: u32, flags: Flags, window: u16 },
}

/// Builds an IP packet (no link header). `ip_id` sets the IPv4 identification.
pub fn ip_packet(src: (IpAddr, u16), dst: (IpAddr, u16), ip_id: u16, transport: &Transport, payload: &[u8]) -> Vec<u8> {
    let step = match (src.0, dst.0) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let proto = if matches!(transport, Transport::Udp) { IpNumber::UDP } else { IpNumber::TCP };
            let mut h = Ipv4Header::new(0, 64, proto, s.octets(), d.octets()).expect("an empty IPv4 payload fits");
            h.identification = ip_id;
            h.dont_fragment = true;
            PacketBuilder::ip(IpHeaders::Ipv4(h, Default::default()))
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), 64),
        _ => panic!("mixed IPv4/IPv6 endpoints"),
    };
    let mut out = Vec::with_capacity(payload.len() + 60);
    match transport {
        Transport::Udp => step.udp(src.1, dst.1).write(&mut out, payload),
        Transport::Tcp { seq, ack, flags, window } => {
            let mut t = step.tcp(src.1, dst.1, *seq, *window);
            if flags.syn {
                t = t.syn();
            }
            if flags.ack {
                t = t.ack(*ack);
            }
            if flags.fin {
                t = t.fin();
            }
            if flags.psh {
                t = t.psh();
            }
            if flags.rst {
                t = t.rst();
            }
            t.write(&mut out, payload)
        }
    }
    .expect("writing to a Vec does not fail");
    out
}

/// Splits an IPv4 packet into fragments whose payloads are at most `chunk` bytes (a multiple of 8).
pub fn fragment_ipv4(packet: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let (header, payload) = Ipv4Header::from_slice(packet).expect("a valid IPv4 packet");
    let mut frags = Vec::new();
    for (i, part) in payload.chunks(chunk).enumerate() {
        let mut h = header.clone();
        h.dont_fragment = false;
        h.more_fragments = (i + 1) * chunk < payload.len();
        h.fragment_offset = etherparse::IpFragOffset::try_new((i * chunk / 8) as u16).expect("offset fits 13 bits");
        h.total_len = (h.header_len() + part.len()) as u16;
        h.header_checksum = h.calc_header_checksum();
        let mut f = h.to_bytes().to_vec();
        f.extend_from_slice(part);
        frags.push(f);
    }
    frags
}

/// The link layer a frame is captured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Ethernet,
    /// One 802.1Q tag.
    Vlan(u16),
    /// QinQ: an 802.1ad S-tag, then an 802.1Q C-tag.
    QinQ(u16, u16),
    /// Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    Sll,
    /// Linux cooked capture v2.
    Sll2 {
        ifindex: u32,
    },
    /// Raw IP, no link header.
    RawIp,
    /// BSD loopback (`lo0` on macOS): a 4-byte address family in the capturing host's byte order.
    Null,
    /// PPP (link type 9) in HDLC-like framing: address 0xFF, control 0x03, a 2-byte protocol.
    Ppp,
    /// 802.11 with radiotap (link type 127): a QoS data frame between the access point and the
    /// capturing station, LLC/SNAP, then the packet.
    Wlan,
}

/// The radiotap header of [`Link::Wlan`] frames: Flags (no FCS), rate 54 Mb/s, channel 6
/// (2437 MHz, 2.4 GHz OFDM), antenna signal -45 dBm.
pub const RADIOTAP: [u8; 15] = [0, 0, 15, 0, 0x2e, 0, 0, 0, 0x00, 0x6c, 0x85, 0x09, 0xc0, 0x00, 0xd3];
/// The access point's address (BSSID) in [`Link::Wlan`] frames.
pub const BSSID: [u8; 6] = [0x02, 0x57, 0x56, 0xAA, 0x00, 0x01];
/// LLC/SNAP with the Ethernet OUI, before an ethertype.
pub const LLC_SNAP: [u8; 6] = [0xAA, 0xAA, 0x03, 0, 0, 0];

/// MAC addresses derived from the IP so that each host keeps one address.
fn mac_for(ip: &[u8]) -> [u8; 6] {
    let n = ip.len();
    [0x02, 0x57, 0x56, ip.get(n - 3).copied().unwrap_or(0), ip.get(n - 2).copied().unwrap_or(0), ip[n - 1]]
}

/// Wraps an IP packet in `link`. `outbound` says whether the capturing host sent it (SLL packet type).
pub fn frame(link: Link, ip: &[u8], outbound: bool) -> Vec<u8> {
    let v6 = ip.first().is_some_and(|b| b >> 4 == 6);
    let ethertype: u16 = if v6 { 0x86DD } else { 0x0800 };
    let (src_ip, dst_ip) = if v6 { (&ip[8..24], &ip[24..40]) } else { (&ip[12..16], &ip[16..20]) };
    let mut f = Vec::with_capacity(ip.len() + 24);
    match link {
        Link::Ethernet | Link::Vlan(_) | Link::QinQ(..) => {
            f.extend_from_slice(&mac_for(dst_ip));
            f.extend_from_slice(&mac_for(src_ip));
            match link {
                Link::Vlan(id) => {
                    f.extend_from_slice(&0x8100u16.to_be_bytes());
                    f.extend_from_slice(&id.to_be_bytes());
                }
                Link::QinQ(outer, inner) => {
                    f.extend_from_slice(&0x88A8u16.to_be_bytes());
                    f.extend_from_slice(&outer.to_be_bytes());
                    f.extend_from_slice(&0x8100u16.to_be_bytes());
                    f.extend_from_slice(&inner.to_be_bytes());
                }
                _ => {}
            }
            f.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::Sll => {
            // packet type (0 to us, 4 outgoing), ARPHRD_ETHER, address length, address (8), protocol
            f.extend_from_slice(&(if outbound { 4u16 } else { 0 }).to_be_bytes());
            f.extend_from_slice(&1u16.to_be_bytes());
            f.extend_from_slice(&6u16.to_be_bytes());
            f.extend_from_slice(&mac_for(src_ip));
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::Sll2 { ifindex } => {
            // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address (8)
            f.extend_from_slice(&ethertype.to_be_bytes());
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&ifindex.to_be_bytes());
            f.extend_from_slice(&1u16.to_be_bytes());
            f.push(if outbound { 4 } else { 0 });
            f.push(6);
            f.extend_from_slice(&mac_for(src_ip));
            f.extend_from_slice(&[0, 0]);
        }
        Link::RawIp => {}
        Link::Ppp => {
            f.extend_from_slice(&[0xFF, 0x03]);
            f.extend_from_slice(&(if v6 { 0x0057u16 } else { 0x0021 }).to_be_bytes());
        }
        Link::Wlan => {
            f.extend_from_slice(&RADIOTAP);
            // QoS data: to the access point when the station sends it (ToDS: BSSID, SA, DA),
            // from it otherwise (FromDS: DA, BSSID, SA); duration, sequence control, QoS (TID 0).
            let (ds, a1, a2, a3) = if outbound {
                (0x01, BSSID, mac_for(src_ip), mac_for(dst_ip))
            } else {
                (0x02, mac_for(dst_ip), BSSID, mac_for(src_ip))
            };
            f.extend_from_slice(&[0x88, ds, 0x2c, 0x00]);
            for a in [a1, a2, a3] {
                f.extend_from_slice(&a);
            }
            f.extend_from_slice(&[0x10, 0x00, 0x00, 0x00]);
            f.extend_from_slice(&LLC_SNAP);
            f.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::Null => {
            // AF_INET is 2 everywhere; AF_INET6 is 30 on macOS. Written little-endian (x86, arm64).
            let family: u32 = if v6 { 30 } else { 2 };
            f.extend_from_slice(&family.to_le_bytes());
        }
    }
    f.extend_from_slice(ip);
    f
}

/// The TCP header length etherparse writes (no options).
pub const TCP_HEADER_LEN: usize = TcpHeader::MIN_LEN;

/// An IP packet of any protocol number around `payload` (a tunnel: GRE 47, IPv4 4, IPv6 41),
/// don't-fragment set, checksum computed.
pub fn ip_raw(src: IpAddr, dst: IpAddr, proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = (20 + payload.len()).min(usize::from(u16::MAX)) as u16;
            let mut h = vec![0x45, 0];
            h.extend_from_slice(&total.to_be_bytes());
            h.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            let sum: u32 = h.chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum();
            let folded = !(((sum & 0xffff) + (sum >> 16)) as u16);
            h[10..12].copy_from_slice(&folded.to_be_bytes());
            h
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut h = vec![0x60, 0, 0, 0];
            h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            h.extend_from_slice(&[proto, 64]);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            h
        }
        _ => panic!("mixed IPv4/IPv6 endpoints"),
    };
    p.extend_from_slice(payload);
    p
}

/// An Ethernet II header (MACs from the IPs, as [`frame`] makes them) with `ethertype`, then
/// `payload`.
pub fn ethernet_frame(src: IpAddr, dst: IpAddr, ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let octets = |ip: IpAddr| match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    let mut f = mac_for(&octets(dst)).to_vec();
    f.extend_from_slice(&mac_for(&octets(src)));
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}
