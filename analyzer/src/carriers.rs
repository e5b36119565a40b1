//! Tunnels between the link layer and the IP packet that carries a CIR: GTP-U (mobile core
//! networks), VXLAN and Geneve (clouds), GRE (with transparent Ethernet bridging), MPLS label
//! stacks, PPPoE sessions and IP in IP (4in4, 6in4, 4in6, 6in6), nested in any order up to
//! [`MAX_TUNNEL_DEPTH`] layers (a deeper packet is counted, not followed).
//!
//! Each layer crossed is remembered ([`Layer`]: what it is, its outer endpoints, its id: TEID,
//! VNI, GRE key, MPLS label, PPPoE session), so that a flow says which tunnel carried it and two
//! inner flows with the same 5-tuple in different tunnels stay apart.

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
        }
    }
}

/// One tunnel layer crossed, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layer {
    pub kind: CarrierKind,
    /// The outer packet's source and destination, for the layers carried in IP.
    pub outer: Option<(IpAddr, IpAddr)>,
    /// TEID, VNI, GRE key, the top MPLS label, PPPoE session id.
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

/// GRE (RFC 2784, 2890): flags, protocol type, then checksum, key and sequence number as the
/// flags say; version 0 only (version 1 is PPTP's).
fn gre(p: &[u8]) -> Option<(CarrierKind, Option<u32>, Inner<'_>)> {
    let flags = be16(p, 0)?;
    if flags & 0x0007 != 0 {
        return None;
    }
    let proto = be16(p, 2)?;
    let mut at = 4;
    if flags & 0x8000 != 0 {
        at += 4; // checksum and reserved
    }
    let key = if flags & 0x2000 != 0 {
        let k = be32(p, at)?;
        at += 4;
        Some(k)
    } else {
        None
    };
    if flags & 0x1000 != 0 {
        at += 4; // sequence number
    }
    let rest = p.get(at..)?;
    let inner = match proto {
        0x0800 | 0x86DD => Inner::Ip(rest),
        0x6558 => Inner::Ethernet(rest),
        _ => return None,
    };
    Some((CarrierKind::Gre, key, inner))
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
