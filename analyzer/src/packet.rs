//! From captured bytes to a transport payload: link layer, IP (IPv4 reassembled), UDP or TCP.

use crate::defrag::Defrag;
use etherparse::{IpNumber, IpSlice, TcpSlice, UdpSlice};
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
}

/// What became of a frame that carried no UDP/TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Not IP (ARP, LLDP, ...), or a link type wvcir does not read.
    NotIp,
    /// An IPv4 fragment held until the datagram is whole.
    Fragment,
    /// IP carrying something other than UDP or TCP, or an IPv6 fragment.
    OtherProtocol,
    /// Headers cut short or invalid.
    Undecodable,
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88A8, 0x9100];

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

/// The IP packet inside a frame of link type `link`, if it carries IP.
pub fn ip_of(link: DataLink, data: &[u8]) -> Option<&[u8]> {
    let (ethertype, rest) = match link {
        DataLink::ETHERNET => {
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
            (ethertype, data.get(at + 2..)?)
        }
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
    matches!(ethertype, ETHERTYPE_IPV4 | ETHERTYPE_IPV6).then_some(rest)
}

/// Decodes a frame down to its UDP/TCP segment and hands it to `on_segment`. IPv4 fragments go to
/// `defrag`; the segment of a datagram they complete is handed out from the reassembled bytes.
pub fn decode<R>(
    link: DataLink,
    data: &[u8],
    ts: Duration,
    defrag: &mut Defrag,
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    let ip_bytes = ip_of(link, data).ok_or(Skipped::NotIp)?;
    let ip = IpSlice::from_slice(ip_bytes).map_err(|_| Skipped::Undecodable)?;
    let (src, dst) = (ip.source_addr(), ip.destination_addr());
    let payload = ip.payload();
    if payload.fragmented {
        let Some(v4) = ip.ipv4() else { return Err(Skipped::OtherProtocol) };
        let h = v4.header();
        let key = (h.source(), h.destination(), h.protocol().0, h.identification());
        let offset = usize::from(h.fragments_offset().value()) * 8;
        let Some(whole) = defrag.add(key, offset, h.more_fragments(), payload.payload, ts) else {
            return Err(Skipped::Fragment);
        };
        return transport(src, dst, payload.ip_number, &whole, on_segment);
    }
    transport(src, dst, payload.ip_number, payload.payload, on_segment)
}

fn transport<R>(
    src: IpAddr,
    dst: IpAddr,
    proto: IpNumber,
    bytes: &[u8],
    on_segment: impl FnOnce(Segment<'_>) -> R,
) -> Result<R, Skipped> {
    match proto {
        IpNumber::UDP => {
            let u = UdpSlice::from_slice_lax(bytes).map_err(|_| Skipped::Undecodable)?;
            let l4 = L4::Udp { payload: u.payload() };
            Ok(on_segment(Segment { src, dst, sport: u.source_port(), dport: u.destination_port(), l4 }))
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
            Ok(on_segment(Segment { src, dst, sport: t.source_port(), dport: t.destination_port(), l4 }))
        }
        _ => Err(Skipped::OtherProtocol),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_layers() {
        let ip = [0x45u8, 0, 0, 20];
        let eth = |tags: &[u8]| [&[0u8; 12][..], tags, &[0x08, 0x00], &ip].concat();
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[])), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[0x81, 0, 0, 100])), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &eth(&[0x88, 0xA8, 0, 200, 0x81, 0, 0, 100])), Some(&ip[..]));
        let arp = [&[0u8; 12][..], &[0x08, 0x06], &[0; 28]].concat();
        assert_eq!(ip_of(DataLink::ETHERNET, &arp), None);
        // BSD loopback: the family in either byte order; IPv6 is 24, 28 or 30.
        assert_eq!(ip_of(DataLink::NULL, &[&[2, 0, 0, 0][..], &ip].concat()), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::NULL, &[&[0, 0, 0, 2][..], &ip].concat()), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::LOOP, &[&[0, 0, 0, 30][..], &ip].concat()), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::NULL, &[&[7, 0, 0, 0][..], &ip].concat()), None);
        let sll2 = [&[0x08, 0x00][..], &[0; 18], &ip].concat();
        assert_eq!(ip_of(DataLink::LINUX_SLL2, &sll2), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::ETHERNET, &[0; 5]), None, "short frames are not IP");
    }
}
