//! Tunnels between the link layer and the IP packet that carries a CIR: GTP-U (mobile core
//! networks), VXLAN and Geneve (clouds), GRE (with transparent Ethernet bridging, ERSPAN port
//! mirroring and PPP, as PPTP carries it), MPLS label stacks, PPPoE sessions and IP in IP (4in4,
//! 6in4, 4in6, 6in6), nested in any order up to [`MAX_TUNNEL_DEPTH`] layers (a deeper packet is
//! counted, not followed).
//!
//! Each layer crossed is remembered ([`Layer`]: what it is, its outer endpoints, its id: TEID,
//! VNI, GRE key, ERSPAN session, PPTP call, MPLS label, PPPoE session), so that a flow says which
//! tunnel carried it and two inner flows with the same 5-tuple in different tunnels stay apart.
//! ERSPAN and PPP in GRE are one layer each, named for what GRE carries (as GTP-U is one layer,
//! not UDP and GTP-U).

use std::net::IpAddr;

/// Tunnel layers followed per packet; a packet nested deeper is skipped and counted
/// (`skipped.too_deep`).
pub const MAX_TUNNEL_DEPTH: usize = 8;

/// GTP-U's registered UDP port (3GPP TS 29.281).
pub const GTP_U_PORT: u16 = 2152;
/// VXLAN's (RFC 7348).
pub const VXLAN_PORT: u16 = 4789;
/// Geneve's (RFC 8926).
pub const GENEVE_PORT: u16 = 6081;

/// A kind of tunnel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CarrierKind {
    GtpU,
    Vxlan,
    Geneve,
    Gre,
    Mpls,
    Pppoe,
    IpInIp,
    /// Cisco's ERSPAN (types I, II and III) in GRE: mirrored Ethernet frames.
    Erspan,
    /// PPP in GRE (PPTP's enhanced GRE, version 1, or plain GRE).
    Ppp,
}

impl CarrierKind {
    /// The report's name.
    pub const fn name(self) -> &'static str {
        match self {
            CarrierKind::GtpU => "gtp-u",
            CarrierKind::Vxlan => "vxlan",
            CarrierKind::Geneve => "geneve",
            CarrierKind::Gre => "gre",
            CarrierKind::Mpls => "mpls",
            CarrierKind::Pppoe => "pppoe",
            CarrierKind::IpInIp => "ip-in-ip",
            CarrierKind::Erspan => "erspan",
            CarrierKind::Ppp => "ppp",
        }
    }
}

/// One tunnel layer crossed, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layer {
    pub kind: CarrierKind,
    /// The outer packet's source and destination, for the layers carried in IP.
    pub outer: Option<(IpAddr, IpAddr)>,
    /// TEID, VNI, GRE key, ERSPAN session, PPTP call id, the top MPLS label, PPPoE session id.
    pub id: Option<u32>,
}

/// The layers a packet crossed, outermost first.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tunnel {
    layers: [Option<Layer>; MAX_TUNNEL_DEPTH],
    len: u8,
}

impl Tunnel {
    /// The layers, outermost first.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a layer; `false` when the packet is nested past [`MAX_TUNNEL_DEPTH`].
    pub fn push(&mut self, layer: Layer) -> bool {
        let Some(slot) = self.layers.get_mut(usize::from(self.len)) else { return false };
        *slot = Some(layer);
        self.len += 1;
        true
    }

    /// What tells flows in different tunnels apart: the kinds and ids of the layers (FNV-1a), 0
    /// for none. Outer addresses are left out: a tunnel keeps its id when its endpoints move.
    pub fn id(&self) -> u32 {
        if self.len == 0 {
            return 0;
        }
        let mut h: u32 = 0x811c_9dc5;
        for l in self.layers() {
            for b in [l.kind as u8].into_iter().chain(l.id.unwrap_or(u32::MAX).to_be_bytes()) {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
        h.max(1)
    }
}

/// The big-endian u16 at `at`, if the bytes are there (the link layer reads it too).
pub(crate) fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*d.get(at)?, *d.get(at + 1)?, *d.get(at + 2)?, *d.get(at + 3)?]))
}

/// What a tunnel header carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inner<'a> {
    /// An IPv4 or IPv6 packet.
    Ip(&'a [u8]),
    /// An Ethernet frame (VXLAN, Geneve, GRE's transparent Ethernet bridging).
    Ethernet(&'a [u8]),
}

/// The inner packet of an IP payload with protocol number `proto` that is a tunnel (GRE, IP in
/// IP), and its id; `None` when it is not one, or is cut short.
pub fn ip_tunnel(proto: u8, payload: &[u8]) -> Option<(CarrierKind, Option<u32>, Inner<'_>)> {
    match proto {
        4 | 41 => Some((CarrierKind::IpInIp, None, Inner::Ip(payload))),
        47 => gre(payload),
        _ => None,
    }
}

/// GRE flag bits (RFC 2784, 2890; RFC 2637 for version 1's acknowledgment).
const GRE_CHECKSUM: u16 = 0x8000;
const GRE_KEY: u16 = 0x2000;
const GRE_SEQUENCE: u16 = 0x1000;
const GRE_ACK: u16 = 0x0080;
const GRE_VERSION: u16 = 0x0007;

/// GRE protocol types followed: IP, transparent Ethernet bridging, PPP, ERSPAN I/II and III.
const GRE_IPV4: u16 = 0x0800;
const GRE_IPV6: u16 = 0x86DD;
const GRE_ETHERNET: u16 = 0x6558;
const GRE_PPP: u16 = 0x880B;
const GRE_ERSPAN_2: u16 = 0x88BE;
const GRE_ERSPAN_3: u16 = 0x22EB;

/// ERSPAN header lengths: type II's, type III's, and type III's optional platform-specific
/// subheader (present when the O bit, the last bit of the header, is set).
const ERSPAN_2_LEN: usize = 8;
const ERSPAN_3_LEN: usize = 12;
const ERSPAN_3_PLATFORM_LEN: usize = 8;

/// GRE: flags, protocol type, then the optional fields the flags say. Version 0 (RFC 2784,
/// 2890): checksum, key, sequence number; version 1 (PPTP's enhanced GRE, RFC 2637): the key
/// (payload length and call id) always, sequence and acknowledgment numbers as flagged, PPP only.
fn gre(p: &[u8]) -> Option<(CarrierKind, Option<u32>, Inner<'_>)> {
    let flags = be16(p, 0)?;
    let proto = be16(p, 2)?;
    match flags & GRE_VERSION {
        0 => {}
        1 => {
            // Key present, no checksum; the call id is the key's low 16 bits.
            if flags & (GRE_KEY | GRE_CHECKSUM) != GRE_KEY || proto != GRE_PPP {
                return None;
            }
            let call = be16(p, 6)?;
            let mut at = 8;
            for bit in [GRE_SEQUENCE, GRE_ACK] {
                if flags & bit != 0 {
                    at += 4;
                }
            }
            return Some((CarrierKind::Ppp, Some(u32::from(call)), Inner::Ip(ppp(p.get(at..)?)?)));
        }
        _ => return None,
    }
    let mut at = 4;
    if flags & GRE_CHECKSUM != 0 {
        at += 4; // checksum and reserved
    }
    let key = if flags & GRE_KEY != 0 {
        let k = be32(p, at)?;
        at += 4;
        Some(k)
    } else {
        None
    };
    let sequenced = flags & GRE_SEQUENCE != 0;
    if sequenced {
        at += 4;
    }
    let rest = p.get(at..)?;
    match proto {
        GRE_IPV4 | GRE_IPV6 => Some((CarrierKind::Gre, key, Inner::Ip(rest))),
        GRE_ETHERNET => Some((CarrierKind::Gre, key, Inner::Ethernet(rest))),
        GRE_PPP => Some((CarrierKind::Ppp, key, Inner::Ip(ppp(rest)?))),
        GRE_ERSPAN_2 | GRE_ERSPAN_3 => {
            let (session, frame) = erspan(proto == GRE_ERSPAN_3, sequenced, rest)?;
            Some((CarrierKind::Erspan, session, Inner::Ethernet(frame)))
        }
        _ => None,
    }
}

/// An ERSPAN header (draft-foschiano-erspan) after GRE: its 10-bit session id and the mirrored
/// Ethernet frame. Under 0x88BE, type I (GRE without a sequence number) has no header and no
/// session, type II an 8-byte header of version 1; under 0x22EB, type III a 12-byte header of
/// version 2, then the 8-byte platform-specific subheader when the O bit is set, and only
/// Ethernet frames (frame type 0) are followed.
fn erspan(type_3: bool, sequenced: bool, p: &[u8]) -> Option<(Option<u32>, &[u8])> {
    if !type_3 && !sequenced {
        return Some((None, p));
    }
    let version = be16(p, 0)? >> 12;
    let session = Some(u32::from(be16(p, 2)? & 0x03ff));
    if !type_3 {
        return if version == 1 { Some((session, p.get(ERSPAN_2_LEN..)?)) } else { None };
    }
    let frame_type = (be16(p, 10)? >> 10) & 0x1f;
    if version != 2 || frame_type != 0 {
        return None;
    }
    let platform = if p.get(11)? & 0x01 != 0 { ERSPAN_3_PLATFORM_LEN } else { 0 };
    Some((session, p.get(ERSPAN_3_LEN + platform..)?))
}

/// PPP's protocol numbers for IP.
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;

/// The IP packet of a PPP frame (RFC 1661), with or without the HDLC-like address and control
/// bytes (0xFF 0x03, RFC 1662), its protocol in two bytes or one (protocol-field compression: a
/// first byte that is odd is the whole protocol); `None` for anything but IPv4 and IPv6.
pub fn ppp(p: &[u8]) -> Option<&[u8]> {
    let p = if p.starts_with(&[0xFF, 0x03]) { p.get(2..)? } else { p };
    let first = *p.first()?;
    let (proto, len) = if first & 1 == 1 { (u16::from(first), 1) } else { (be16(p, 0)?, 2) };
    match proto {
        PPP_IPV4 | PPP_IPV6 => p.get(len..),
        _ => None,
    }
}

/// The inner packet of a UDP payload on a tunnel port (either port), and its id.
pub fn udp_tunnel(sport: u16, dport: u16, p: &[u8]) -> Option<(CarrierKind, Option<u32>, Inner<'_>)> {
    let on = |port| sport == port || dport == port;
    if on(GTP_U_PORT) {
        gtp_u(p)
    } else if dport == VXLAN_PORT {
        // Flags with the I bit (VNI valid) set, the rest reserved.
        let vni = (p.first() == Some(&0x08)).then(|| be32(p, 4).map(|v| v >> 8)).flatten()?;
        Some((CarrierKind::Vxlan, Some(vni), Inner::Ethernet(p.get(8..)?)))
    } else if dport == GENEVE_PORT {
        let first = *p.first()?;
        if first >> 6 != 0 {
            return None; // version 0 only
        }
        let opt_len = usize::from(first & 0x3f) * 4;
        let vni = be32(p, 4)? >> 8;
        let rest = p.get(8 + opt_len..)?;
        let inner = match be16(p, 2)? {
            0x6558 => Inner::Ethernet(rest),
            0x0800 | 0x86DD => Inner::Ip(rest),
            _ => return None,
        };
        Some((CarrierKind::Geneve, Some(vni), inner))
    } else {
        None
    }
}

/// GTP-U version 1 G-PDU (message type 255): the user's IP packet, after the optional sequence
/// number, N-PDU number and the chain of extension headers (each bounded by its length; the chain
/// by the packet).
fn gtp_u(p: &[u8]) -> Option<(CarrierKind, Option<u32>, Inner<'_>)> {
    let flags = *p.first()?;
    if flags >> 5 != 1 || flags & 0x10 == 0 || *p.get(1)? != 0xff {
        return None;
    }
    let len = usize::from(be16(p, 2)?);
    let teid = be32(p, 4)?;
    let body = p.get(8..8 + len).or_else(|| p.get(8..))?;
    let mut at = 0;
    if flags & 0x07 != 0 {
        // Sequence number (2), N-PDU number (1), next extension header type (1).
        let mut next = *body.get(3)?;
        at = 4;
        while next != 0 {
            let units = usize::from(*body.get(at)?);
            if units == 0 {
                return None;
            }
            at += units * 4;
            next = *body.get(at.checked_sub(1)?)?;
        }
    }
    let inner = body.get(at..)?;
    matches!(inner.first().map(|b| b >> 4), Some(4 | 6)).then_some((CarrierKind::GtpU, Some(teid), Inner::Ip(inner)))
}

/// An MPLS label stack (after ethertype 0x8847/0x8848): the top label and what follows the
/// bottom of the stack, told by its first nibble (4, 6: IP; 0: a pseudowire control word, then
/// Ethernet).
pub fn mpls(p: &[u8]) -> Option<(Option<u32>, Inner<'_>)> {
    let mut at = 0;
    let mut top = None;
    loop {
        let entry = be32(p, at)?;
        top.get_or_insert(entry >> 12);
        at += 4;
        if entry & 0x100 != 0 {
            break;
        }
        if at >= 4 * 64 {
            return None;
        }
    }
    let rest = p.get(at..)?;
    let inner = match rest.first()? >> 4 {
        4 | 6 => Inner::Ip(rest),
        0 => Inner::Ethernet(rest.get(4..)?),
        _ => return None,
    };
    Some((top, inner))
}

/// A PPPoE session frame (after ethertype 0x8864): its session id and the IP packet of its PPP
/// frame (protocol 0x0021 IPv4, 0x0057 IPv6).
pub fn pppoe(p: &[u8]) -> Option<(u32, &[u8])> {
    if *p.first()? != 0x11 || *p.get(1)? != 0 {
        return None;
    }
    let session = be16(p, 2)?;
    match be16(p, 6)? {
        0x0021 | 0x0057 => Some((u32::from(session), p.get(8..)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_and_lies_refused() {
        let ip = [0x45u8, 0, 0, 20];
        let gtp = [&[0x30, 0xff, 0, 4, 0, 0, 0, 7][..], &ip].concat();
        assert_eq!(udp_tunnel(40_000, GTP_U_PORT, &gtp), Some((CarrierKind::GtpU, Some(7), Inner::Ip(&ip[..]))));
        // An extension header (PDU session container, one 4-byte unit), then no more.
        let ext = [&[0x34, 0xff, 0, 12, 0, 0, 0, 9, 0, 0, 0, 0x85, 1, 0x10, 0x01, 0][..], &ip].concat();
        assert_eq!(udp_tunnel(GTP_U_PORT, GTP_U_PORT, &ext), Some((CarrierKind::GtpU, Some(9), Inner::Ip(&ip[..]))));
        let endless = [&[0x34, 0xff, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0x85][..], &[1, 0, 0, 0x85].repeat(50)].concat();
        assert_eq!(udp_tunnel(GTP_U_PORT, GTP_U_PORT, &endless), None, "a chain that never ends is refused");
        let vxlan = [&[0x08, 0, 0, 0, 0, 0x12, 0x34, 0][..], &[0xaa; 14]].concat();
        assert_eq!(udp_tunnel(1, VXLAN_PORT, &vxlan).map(|t| t.1), Some(Some(0x1234)));
        let gre_key = [&[0x20, 0, 0x08, 0x00, 0, 0, 0, 42][..], &ip].concat();
        assert_eq!(ip_tunnel(47, &gre_key), Some((CarrierKind::Gre, Some(42), Inner::Ip(&ip[..]))));
        let labels = [&[0, 0x01, 0x00, 0x40, 0, 0x02, 0x01, 0x40][..], &ip].concat();
        assert_eq!(mpls(&labels), Some((Some(16), Inner::Ip(&ip[..]))));
        let pppoe_frame = [&[0x11, 0, 0x00, 0x2a, 0, 6, 0x00, 0x21][..], &ip].concat();
        assert_eq!(pppoe(&pppoe_frame), Some((42, &ip[..])));
    }

    /// An Ethernet frame: MACs, ethertype IPv4, then `ip`.
    fn eth(ip: &[u8]) -> Vec<u8> {
        [&[2u8; 12][..], &[0x08, 0x00], ip].concat()
    }

    #[test]
    fn erspan_types_one_two_and_three() {
        let frame = eth(&[0x45, 0, 0, 20]);
        // Type II: GRE with a sequence number, version 1, session 0x123 (COS bits around it).
        let gre2 = [0x10, 0, 0x88, 0xBE, 0, 0, 0, 1];
        let two = [&gre2[..], &[0x10, 100, 0xA1, 0x23, 0, 0, 0, 5], &frame].concat();
        assert_eq!(ip_tunnel(47, &two), Some((CarrierKind::Erspan, Some(0x123), Inner::Ethernet(&frame[..]))));
        let wrong_version = [&gre2[..], &[0x20, 100, 0xA1, 0x23, 0, 0, 0, 5], &frame].concat();
        assert_eq!(ip_tunnel(47, &wrong_version), None);
        assert_eq!(ip_tunnel(47, &two[..gre2.len() + 7]), None, "a header cut short");
        // Type I: no sequence number, no header, no session.
        let one = [&[0, 0, 0x88, 0xBE][..], &frame].concat();
        assert_eq!(ip_tunnel(47, &one), Some((CarrierKind::Erspan, None, Inner::Ethernet(&frame[..]))));
        // Type III: version 2, session 42, then the platform-specific subheader when O is set.
        let gre3 = [0x10, 0, 0x22, 0xEB, 0, 0, 0, 1];
        let head = |last: u8| [0x20, 0, 0, 42, 1, 2, 3, 4, 0, 0, 0, last];
        let three = [&gre3[..], &head(0), &frame].concat();
        assert_eq!(ip_tunnel(47, &three), Some((CarrierKind::Erspan, Some(42), Inner::Ethernet(&frame[..]))));
        let platform = [&gre3[..], &head(1), &[0xEE; 8], &frame].concat();
        assert_eq!(ip_tunnel(47, &platform), Some((CarrierKind::Erspan, Some(42), Inner::Ethernet(&frame[..]))));
        let lying = [&gre3[..], &head(1), &[0xEE; 7]].concat();
        assert_eq!(ip_tunnel(47, &lying), None, "an O bit with no subheader after it");
        let ip_frame_type = [&gre3[..], &[0x20, 0, 0, 42, 1, 2, 3, 4, 0, 0, 0x08, 0], &frame].concat();
        assert_eq!(ip_tunnel(47, &ip_frame_type), None, "frame type 2 (IP) is not followed");
    }

    #[test]
    fn ppp_in_gre_and_its_compressions() {
        let ip = [0x45u8, 0, 0, 20];
        assert_eq!(ppp(&[&[0xFF, 0x03, 0x00, 0x21][..], &ip].concat()), Some(&ip[..]));
        assert_eq!(ppp(&[&[0x00, 0x21][..], &ip].concat()), Some(&ip[..]), "no address and control");
        assert_eq!(ppp(&[&[0xFF, 0x03, 0x21][..], &ip].concat()), Some(&ip[..]), "a one-byte protocol");
        assert_eq!(ppp(&[&[0x57][..], &ip].concat()), Some(&ip[..]));
        assert_eq!(ppp(&[0xC0, 0x21, 1, 1, 0, 4]), None, "LCP");
        assert_eq!(ppp(&[0xFF, 0x03, 0x00]), None, "cut short");
        assert_eq!(ppp(&[]), None);
        // PPTP: enhanced GRE version 1, key (payload length 24, call id 0x4d2), sequence, ack.
        let pptp =
            [&[0x30, 0x81, 0x88, 0x0B, 0, 24, 0x04, 0xD2, 0, 0, 0, 7, 0, 0, 0, 6][..], &[0xFF, 0x03, 0, 0x21], &ip]
                .concat();
        assert_eq!(ip_tunnel(47, &pptp), Some((CarrierKind::Ppp, Some(0x4d2), Inner::Ip(&ip[..]))));
        let no_ack = [&[0x30, 0x01, 0x88, 0x0B, 0, 24, 0x04, 0xD2, 0, 0, 0, 7][..], &[0x21], &ip].concat();
        assert_eq!(ip_tunnel(47, &no_ack), Some((CarrierKind::Ppp, Some(0x4d2), Inner::Ip(&ip[..]))));
        let no_key = [&[0x10, 0x01, 0x88, 0x0B, 0, 0, 0, 7][..], &[0x21], &ip].concat();
        assert_eq!(ip_tunnel(47, &no_key), None, "version 1 always has its key");
        let not_ppp = [&[0x20, 0x01, 0x08, 0x00, 0, 24, 0x04, 0xD2][..], &ip].concat();
        assert_eq!(ip_tunnel(47, &not_ppp), None, "version 1 carries PPP only");
        assert_eq!(ip_tunnel(47, &[0x30, 0x81, 0x88, 0x0B, 0, 24, 0x04, 0xD2, 0, 0, 0, 7, 0, 0]), None, "cut short");
        // Plain GRE (version 0) carrying PPP: its key, if any, is the id.
        let v0 = [&[0x20, 0, 0x88, 0x0B, 0, 0, 0, 9][..], &[0x00, 0x57], &ip].concat();
        assert_eq!(ip_tunnel(47, &v0), Some((CarrierKind::Ppp, Some(9), Inner::Ip(&ip[..]))));
        assert_eq!(ip_tunnel(47, &[0x20, 0x02, 0x88, 0x0B, 0, 0, 0, 9, 0x21]), None, "GRE version 2");
    }

    /// Every prefix of a header, and every byte of it set to 0x00 and 0xFF (lengths and flags that
    /// lie), is read without a panic, and what it carries is a slice of it.
    #[test]
    fn lying_and_cut_headers_never_panic() {
        let frame = eth(&[0x45, 0, 0, 20]);
        let headers = [
            [&[0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, 0x10, 100, 0xA1, 0x23, 0, 0, 0, 5][..], &frame].concat(),
            [&[0x10, 0, 0x22, 0xEB, 0, 0, 0, 1, 0x20, 0, 0, 42, 1, 2, 3, 4, 0, 0, 0, 1][..], &[0; 8], &frame].concat(),
            [&[0x30, 0x81, 0x88, 0x0B, 0, 24, 0x04, 0xD2, 0, 0, 0, 7, 0, 0, 0, 6, 0xFF, 0x03, 0, 0x21][..], &frame]
                .concat(),
        ];
        for h in &headers {
            for cut in 0..=h.len() {
                let mut variants = vec![h[..cut].to_vec()];
                for at in 0..cut {
                    for b in [0x00, 0xFF] {
                        let mut v = h[..cut].to_vec();
                        v[at] = b;
                        variants.push(v);
                    }
                }
                for v in &variants {
                    if let Some((_, _, Inner::Ip(inner) | Inner::Ethernet(inner))) = ip_tunnel(47, v) {
                        let (i, o) = (inner.as_ptr() as usize, v.as_ptr() as usize);
                        assert!(inner.is_empty() || (i >= o && i + inner.len() <= o + v.len()));
                    }
                    let _ = ppp(v);
                }
            }
        }
    }

    #[test]
    fn tunnels_are_bounded_and_told_apart_by_their_ids() {
        let mut t = Tunnel::default();
        let layer = |id| Layer { kind: CarrierKind::Gre, outer: None, id: Some(id) };
        for i in 0..MAX_TUNNEL_DEPTH as u32 {
            assert!(t.push(layer(i)));
        }
        assert!(!t.push(layer(99)), "past the bound");
        let (mut a, mut b) = (Tunnel::default(), Tunnel::default());
        a.push(layer(1));
        b.push(layer(2));
        assert_ne!(a.id(), b.id());
        assert_eq!(Tunnel::default().id(), 0);
    }
}
