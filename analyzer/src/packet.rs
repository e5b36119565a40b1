//! From captured bytes to a transport payload: link layer, tunnels (`carriers`), IP (IPv4
//! reassembled), UDP or TCP.

use crate::carriers::{self, CarrierKind, Inner, Layer, Tunnel, be16};
use crate::defrag::Defrag;
use etherparse::{IpNumber, IpSlice, Ipv6ExtensionSlice, TcpSlice, UdpSlice};
use pcap_file::DataLink;
use std::net::IpAddr;
use std::time::Duration;

/// A UDP datagram or TCP segment.
#[derive(Clone, Copy, Debug)]
pub enum L4<'a> {
    Udp { payload: &'a [u8] },
    Tcp { seq: u32, syn: bool, ack: bool, fin: bool, rst: bool, payload: &'a [u8] },
}

/// A decoded transport packet.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub l4: L4<'a>,
    /// The tunnels it came through, outermost first.
    pub tunnel: &'a Tunnel,
}

/// What became of a frame that carried no UDP/TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Not IP (ARP, LLDP, ...), or a link type wvcir does not read.
    NotIp,
    /// An IPv4 or IPv6 fragment held until the datagram is whole.
    Fragment,
    /// IP carrying something other than UDP or TCP.
    OtherProtocol,
    /// Headers cut short or invalid.
    Undecodable,
    /// Nested in more than `carriers::MAX_TUNNEL_DEPTH` tunnels.
    TooDeep,
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_MPLS: [u16; 2] = [0x8847, 0x8848];
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88A8, 0x9100];

/// An Ethernet frame's ethertype (after up to three VLAN tags) and payload.
fn ethernet(data: &[u8]) -> Option<(u16, &[u8])> {
    let mut at = 12;
    let mut ethertype = be16(data, at)?;
    // Up to three VLAN tags (802.1Q, QinQ 802.1ad, the old 0x9100).
    for _ in 0..3 {
        if !VLAN_TAGS.contains(&ethertype) {
            break;
        }
        at += 4;
        ethertype = be16(data, at)?;
    }
    Some((ethertype, data.get(at + 2..)?))
}

/// The IP packet inside a frame of link type `link`, if it carries IP (through MPLS and PPPoE
/// too, whose layers go to `tunnel`).
pub fn ip_of<'a>(link: DataLink, data: &'a [u8], tunnel: &mut Tunnel) -> Option<&'a [u8]> {
    let (ethertype, rest) = match link {
        DataLink::ETHERNET => ethernet(data)?,
        DataLink::LINUX_SLL => (be16(data, 14)?, data.get(16..)?),
        DataLink::LINUX_SLL2 => (be16(data, 0)?, data.get(20..)?),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => return Some(data),
        // BSD loopback: the address family in the capturing host's byte order (NULL) or big
        // endian (LOOP). AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
        DataLink::NULL | DataLink::LOOP => {
            let fam = data.first_chunk::<4>()?;
            let family = if fam[0] == 0 && fam[1] == 0 { u32::from(fam[3]) } else { u32::from(fam[0]) };
            let ethertype = match family {
                2 => ETHERTYPE_IPV4,
                24 | 28 | 30 => ETHERTYPE_IPV6,
                _ => return None,
            };
            (ethertype, data.get(4..)?)
        }
        _ => return None,
    };
    ethertype_ip(ethertype, rest, tunnel)
}

/// The IP packet behind an ethertype: IP itself, or through an MPLS stack or a PPPoE session.
fn ethertype_ip<'a>(ethertype: u16, rest: &'a [u8], tunnel: &mut Tunnel) -> Option<&'a [u8]> {
    match ethertype {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => Some(rest),
        t if ETHERTYPE_MPLS.contains(&t) => {
            let (label, inner) = carriers::mpls(rest)?;
            if !tunnel.push(Layer { kind: CarrierKind::Mpls, outer: None, id: label }) {
                return None;
            }
            match inner {
                Inner::Ip(ip) => Some(ip),
                Inner::Ethernet(frame) => {
                    let (t, r) = ethernet(frame)?;
                    ethertype_ip(t, r, tunnel)
                }
            }
        }
        ETHERTYPE_PPPOE_SESSION => {
            let (session, ip) = carriers::pppoe(rest)?;
            tunnel.push(Layer { kind: CarrierKind::Pppoe, outer: None, id: Some(session) }).then_some(ip)
        }
        _ => None,
    }
}

/// Decodes a frame down to its UDP/TCP segment and hands it to `on_segment`. IPv4 fragments go to
/// `defrag`; the segment of a datagram they complete is handed out from the reassembled bytes.
/// Tunnels (GTP-U, VXLAN, Geneve, GRE, IP in IP, MPLS, PPPoE) are followed to the innermost
/// segment.
pub fn decode<R>(
    link: DataLink,
    data: &[u8],
    ts: Duration,
    defrag: &mut Defrag,
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    let mut tunnel = Tunnel::default();
    let ip_bytes = ip_of(link, data, &mut tunnel).ok_or(Skipped::NotIp)?;
    ip_packet(ip_bytes, ts, defrag, &mut tunnel, on_segment)
}

/// One IP packet: its transport segment, or the packet of the tunnel it carries.
fn ip_packet<R>(
    ip_bytes: &[u8],
    ts: Duration,
    defrag: &mut Defrag,
    tunnel: &mut Tunnel,
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    let ip = IpSlice::from_slice(ip_bytes).map_err(|_| Skipped::Undecodable)?;
    let (src, dst) = (ip.source_addr(), ip.destination_addr());
    let payload = ip.payload();
    if payload.fragmented {
        let (id, offset, more) = match &ip {
            IpSlice::Ipv4(v4) => {
                let h = v4.header();
                (u32::from(h.identification()), h.fragments_offset().value(), h.more_fragments())
            }
            IpSlice::Ipv6(v6) => {
                let Some(f) = v6.extensions().clone().into_iter().find_map(|e| match e {
                    Ipv6ExtensionSlice::Fragment(f) => Some(f),
                    _ => None,
                }) else {
                    return Err(Skipped::Undecodable);
                };
                (f.identification(), f.fragment_offset().value(), f.more_fragments())
            }
        };
        let key = (src, dst, payload.ip_number.0, id);
        let Some(whole) = defrag.add(key, usize::from(offset) * 8, more, payload.payload, ts) else {
            return Err(Skipped::Fragment);
        };
        return transport((src, dst), payload.ip_number, &whole, (ts, defrag, tunnel), on_segment);
    }
    transport((src, dst), payload.ip_number, payload.payload, (ts, defrag, tunnel), on_segment)
}

/// Follows a tunnel's inner packet, once its layer is added.
fn follow<R>(
    inner: Inner<'_>,
    layer: Layer,
    (ts, defrag, tunnel): (Duration, &mut Defrag, &mut Tunnel),
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    if !tunnel.push(layer) {
        return Err(Skipped::TooDeep);
    }
    let ip = match inner {
        Inner::Ip(ip) => ip,
        Inner::Ethernet(frame) => {
            let (t, rest) = ethernet(frame).ok_or(Skipped::Undecodable)?;
            ethertype_ip(t, rest, tunnel).ok_or(Skipped::NotIp)?
        }
    };
    ip_packet(ip, ts, defrag, tunnel, on_segment)
}

fn transport<R>(
    (src, dst): (IpAddr, IpAddr),
    proto: IpNumber,
    bytes: &[u8],
    state: (Duration, &mut Defrag, &mut Tunnel),
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    let outer = Some((src, dst));
    match proto {
        IpNumber::UDP => {
            let u = UdpSlice::from_slice_lax(bytes).map_err(|_| Skipped::Undecodable)?;
            let (sport, dport) = (u.source_port(), u.destination_port());
            if let Some((kind, id, inner)) = carriers::udp_tunnel(sport, dport, u.payload()) {
                return follow(inner, Layer { kind, outer, id }, state, on_segment);
            }
            let l4 = L4::Udp { payload: u.payload() };
            Ok(on_segment(Segment { src, dst, sport, dport, l4, tunnel: state.2 }))
        }
        IpNumber::TCP => {
            let t = TcpSlice::from_slice(bytes).map_err(|_| Skipped::Undecodable)?;
            let l4 = L4::Tcp {
                seq: t.sequence_number(),
                syn: t.syn(),
                ack: t.ack(),
                fin: t.fin(),
                rst: t.rst(),
                payload: t.payload(),
            };
            Ok(on_segment(Segment {
                src,
                dst,
                sport: t.source_port(),
                dport: t.destination_port(),
                l4,
                tunnel: state.2,
            }))
        }
        p => match carriers::ip_tunnel(p.0, bytes) {
            Some((kind, id, inner)) => follow(inner, Layer { kind, outer, id }, state, on_segment),
            None => Err(Skipped::OtherProtocol),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_layers() {
        let ip = [0x45u8, 0, 0, 20];
        let eth = |tags: &[u8]| [&[0u8; 12][..], tags, &[0x08, 0x00], &ip].concat();
        let t = &mut Tunnel::default();
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[]), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[0x81, 0, 0, 100]), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[0x88, 0xA8, 0, 200, 0x81, 0, 0, 100]), t), Some(&ip[..]));
        let arp = [&[0u8; 12][..], &[0x08, 0x06], &[0; 28]].concat();
        assert_eq!(ip_of(DataLink::ETHERNET, &arp, t), None);
        // BSD loopback: the family in either byte order; IPv6 is 24, 28 or 30.
        assert_eq!(ip_of(DataLink::NULL, &[&[2, 0, 0, 0][..], &ip].concat(), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::NULL, &[&[0, 0, 0, 2][..], &ip].concat(), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::LOOP, &[&[0, 0, 0, 30][..], &ip].concat(), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::NULL, &[&[7, 0, 0, 0][..], &ip].concat(), t), None);
        let sll2 = [&[0x08, 0x00][..], &[0; 18], &ip].concat();
        assert_eq!(ip_of(DataLink::LINUX_SLL2, &sll2, t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &[0; 5], t), None, "short frames are not IP");
    }
}
