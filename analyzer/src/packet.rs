//! From captured bytes to a transport payload: link layer (Ethernet, Linux cooked, BSD loopback,
//! raw IP, PPP, 802.11 with or without radiotap), tunnels (`carriers`), IP (fragments
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
    /// Not IP (ARP, LLDP, 802.11 management and protected frames, ...), or a link type wvcir does
    /// not read.
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
        DataLink::PPP => return carriers::ppp(data),
        // PPP in HDLC-like framing (0xFF 0x03 first), or Cisco HDLC: address, control, ethertype.
        DataLink::PPP_HDLC => match data.first()? {
            &(CISCO_HDLC_UNICAST | CISCO_HDLC_MULTICAST) => (be16(data, 2)?, data.get(4..)?),
            _ => return carriers::ppp(data),
        },
        DataLink::IEEE802_11 => wlan(data, false)?,
        DataLink::IEEE802_11_RADIOTAP => {
            let (frame, padded) = radiotap(data)?;
            wlan(frame, padded)?
        }
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

/// Cisco HDLC's address bytes (unicast, multicast), told from PPP's 0xFF under link type 50.
const CISCO_HDLC_UNICAST: u8 = 0x0F;
const CISCO_HDLC_MULTICAST: u8 = 0x8F;

/// Radiotap (radiotap.org): its fixed part (version 0, pad, length, the first presence word);
/// its length, little-endian, must cover that and no more than the frame.
const RADIOTAP_MIN_LEN: usize = 8;
/// Presence bits of the fields before Flags (TSFT: 8 bytes, 8-aligned), Flags itself, and the
/// bit that says another presence word follows.
const RADIOTAP_TSFT: u32 = 1 << 0;
const RADIOTAP_FLAGS: u32 = 1 << 1;
const RADIOTAP_EXT: u32 = 1 << 31;
/// Flags: padding between the 802.11 header and its payload, to a multiple of 4 bytes.
const RADIOTAP_DATA_PAD: u8 = 0x20;

/// The 802.11 frame after a radiotap header, and whether its header is padded (the Flags field's
/// data-pad bit, read through the presence words, each bounded by the header's length).
fn radiotap(data: &[u8]) -> Option<(&[u8], bool)> {
    if *data.first()? != 0 {
        return None;
    }
    let len = usize::from(u16::from_le_bytes([*data.get(2)?, *data.get(3)?]));
    if len < RADIOTAP_MIN_LEN {
        return None;
    }
    let header = data.get(..len)?;
    let word = |at: usize| Some(u32::from_le_bytes(*header.get(at..at + 4)?.first_chunk::<4>()?));
    let present = word(4)?;
    let mut at = 4;
    while word(at)? & RADIOTAP_EXT != 0 {
        at += 4;
    }
    at += 4; // past the last presence word: the fields, aligned from the header's start
    if present & RADIOTAP_TSFT != 0 {
        at = at.next_multiple_of(8) + 8;
    }
    let padded = present & RADIOTAP_FLAGS != 0 && header.get(at).is_some_and(|f| f & RADIOTAP_DATA_PAD != 0);
    Some((data.get(len..)?, padded))
}

/// 802.11 frame control: protocol version 0, type data, subtype bits (QoS; no data), and the
/// second byte's direction bits (both set: a fourth address), Protected and Order (+HTC).
const WLAN_TYPE_MASK: u8 = 0x0F;
const WLAN_TYPE_DATA: u8 = 0x08;
const WLAN_SUBTYPE_QOS: u8 = 0x80;
const WLAN_SUBTYPE_NO_DATA: u8 = 0x40;
const WLAN_TO_FROM_DS: u8 = 0x03;
const WLAN_PROTECTED: u8 = 0x40;
const WLAN_ORDER: u8 = 0x80;
/// Frame control, duration, three addresses, sequence control.
const WLAN_HEADER_LEN: usize = 24;
const WLAN_ADDR4_LEN: usize = 6;
const WLAN_QOS_LEN: usize = 2;
const WLAN_HT_CONTROL_LEN: usize = 4;
/// QoS control's A-MSDU bit: the payload is a list of subframes, not LLC.
const WLAN_QOS_AMSDU: u8 = 0x80;
/// LLC/SNAP header with the Ethernet OUI: an ethertype follows.
const LLC_SNAP: [u8; 6] = [0xAA, 0xAA, 0x03, 0, 0, 0];

/// The ethertype and payload of an 802.11 data frame: its header (a fourth address between
/// distribution systems, QoS control, HT control on QoS frames with the Order bit, padding to 4
/// bytes when radiotap says so), then LLC/SNAP. Management, control, null and protected frames
/// (encrypted: nothing to read) carry no IP here.
fn wlan(f: &[u8], padded: bool) -> Option<(u16, &[u8])> {
    let (fc0, fc1) = (*f.first()?, *f.get(1)?);
    if fc0 & WLAN_TYPE_MASK != WLAN_TYPE_DATA || fc0 & WLAN_SUBTYPE_NO_DATA != 0 || fc1 & WLAN_PROTECTED != 0 {
        return None;
    }
    let mut len = WLAN_HEADER_LEN;
    if fc1 & WLAN_TO_FROM_DS == WLAN_TO_FROM_DS {
        len += WLAN_ADDR4_LEN;
    }
    if fc0 & WLAN_SUBTYPE_QOS != 0 {
        if f.get(len)? & WLAN_QOS_AMSDU != 0 {
            return None;
        }
        len += WLAN_QOS_LEN;
        if fc1 & WLAN_ORDER != 0 {
            len += WLAN_HT_CONTROL_LEN;
        }
    }
    if padded {
        len = len.next_multiple_of(4);
    }
    let llc = f.get(len..)?;
    if !llc.starts_with(&LLC_SNAP) {
        return None;
    }
    Some((be16(llc, LLC_SNAP.len())?, llc.get(LLC_SNAP.len() + 2..)?))
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
/// Tunnels (GTP-U, VXLAN, Geneve, GRE with ERSPAN and PPP, IP in IP, MPLS, PPPoE) are followed to the innermost
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

    #[test]
    fn ppp_link_types() {
        let ip = [0x45u8, 0, 0, 20];
        let t = &mut Tunnel::default();
        for head in [&[0xFF, 0x03, 0x00, 0x21][..], &[0x00, 0x21], &[0x21], &[0xFF, 0x03, 0x57]] {
            assert_eq!(ip_of(DataLink::PPP, &[head, &ip].concat(), t), Some(&ip[..]), "{head:02x?}");
        }
        assert_eq!(ip_of(DataLink::PPP, &[0xC0, 0x21, 1, 1], t), None, "LCP");
        assert_eq!(ip_of(DataLink::PPP_HDLC, &[&[0xFF, 0x03, 0x00, 0x21][..], &ip].concat(), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::PPP_HDLC, &[&[0x0F, 0x00, 0x08, 0x00][..], &ip].concat(), t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::PPP_HDLC, &[0x8F, 0x00, 0x08], t), None, "Cisco HDLC cut short");
        assert!(t.is_empty(), "a link type, not a tunnel");
    }

    /// An 802.11 data frame: frame control, duration, addresses (a fourth when both DS bits are
    /// set), sequence control, `extra` (QoS and HT control), then LLC/SNAP and `ip`.
    fn wlan_frame(fc: [u8; 2], extra: &[u8], ip: &[u8]) -> Vec<u8> {
        let addrs = if fc[1] & 3 == 3 { 4 } else { 3 };
        let llc = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00];
        [&fc[..], &[0, 0], &vec![0x02; 6 * addrs], &[0x10, 0], extra, &llc, ip].concat()
    }

    #[test]
    fn wlan_data_frames_with_and_without_radiotap() {
        let ip = [0x45u8, 0, 0, 20];
        let t = &mut Tunnel::default();
        let radiotap = [0u8, 0, 8, 0, 0, 0, 0, 0];
        let with_radiotap = |f: &[u8]| [&radiotap[..], f].concat();
        let data = wlan_frame([0x08, 0x02], &[], &ip);
        assert_eq!(ip_of(DataLink::IEEE802_11, &data, t), Some(&ip[..]));
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &with_radiotap(&data), t), Some(&ip[..]));
        let qos = wlan_frame([0x88, 0x02], &[0x05, 0], &ip);
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &with_radiotap(&qos), t), Some(&ip[..]));
        // Four addresses (a mesh or WDS link), QoS and HT control (the Order bit).
        let wds = wlan_frame([0x88, 0x83], &[0x05, 0, 1, 2, 3, 4], &ip);
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &with_radiotap(&wds), t), Some(&ip[..]));
        let protected = wlan_frame([0x88, 0x42], &[0x05, 0], &ip);
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &with_radiotap(&protected), t), None, "encrypted");
        let amsdu = wlan_frame([0x88, 0x02], &[0x85, 0], &ip);
        assert_eq!(ip_of(DataLink::IEEE802_11, &amsdu, t), None, "A-MSDU subframes are not LLC");
        let null = wlan_frame([0xC8, 0x01], &[0, 0], &[]);
        assert_eq!(ip_of(DataLink::IEEE802_11, &null, t), None, "QoS null carries nothing");
        let beacon = [&[0x80u8, 0][..], &[0; 34]].concat();
        assert_eq!(ip_of(DataLink::IEEE802_11, &beacon, t), None, "management");
        let not_snap = [&data[..24], &[0xAA, 0xAA, 0x03, 0, 0, 0xF8, 0x80, 0x9B], &ip].concat();
        assert_eq!(ip_of(DataLink::IEEE802_11, &not_snap, t), None, "bridge-tunnel OUI");
        // Radiotap: Flags (data pad) after a TSFT, past an extended presence word; the 26-byte QoS
        // header is padded to 28.
        let padded = [
            &[0u8, 0, 32, 0, 0x03, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0][..],
            &[0; 8],
            &[0x20, 0, 0, 0, 0, 0, 0, 0],
            &wlan_frame([0x88, 0x02], &[0x05, 0, 0xEE, 0xEE], &ip),
        ]
        .concat();
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &padded, t), Some(&ip[..]));
        // Radiotap lengths that lie: shorter than its fixed part, longer than the frame.
        for len in [0u8, 4, 7] {
            let short = [&[0u8, 0, len, 0, 0, 0, 0, 0][..], &data].concat();
            assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &short, t), None, "length {len}");
        }
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &[0, 0, 0xFF, 0xFF, 0, 0, 0, 0], t), None);
        let endless = [&[0u8, 0, 16, 0][..], &[0xFF; 12]].concat();
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &endless, t), None, "presence words past the header");
        assert_eq!(ip_of(DataLink::IEEE802_11_RADIOTAP, &[1, 0, 8, 0, 0, 0, 0, 0], t), None, "version 1");
        assert!(t.is_empty(), "a link type, not a tunnel");
    }

    /// Each new link type's frames, cut at every length and with every byte set to 0x00 and
    /// 0xFF: decoded or skipped, never a panic.
    #[test]
    fn lying_link_headers_never_panic() {
        let ip = [&[0x45u8, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2][..], &[0; 8]].concat();
        let radiotap = [0u8, 0, 16, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let frames = [
            (
                DataLink::IEEE802_11_RADIOTAP,
                [&radiotap[..], &wlan_frame([0x88, 0x83], &[0, 0, 1, 2, 3, 4], &ip)].concat(),
            ),
            (DataLink::IEEE802_11, wlan_frame([0x88, 0x02], &[0, 0], &ip)),
            (DataLink::PPP, [&[0xFF, 0x03, 0x00, 0x21][..], &ip].concat()),
            (DataLink::PPP_HDLC, [&[0x0F, 0x00, 0x08, 0x00][..], &ip].concat()),
        ];
        let mut decoded = 0;
        for (link, f) in &frames {
            for cut in 0..=f.len() {
                for at in 0..cut {
                    for b in [0x00, 0xFF] {
                        let mut v = f[..cut].to_vec();
                        v[at] = b;
                        let mut defrag = Defrag::default();
                        decoded += usize::from(decode(*link, &v, Duration::ZERO, &mut defrag, |_| ()).is_ok());
                    }
                }
            }
        }
        assert!(decoded > 0, "some variants still carry their datagram");
    }
}
