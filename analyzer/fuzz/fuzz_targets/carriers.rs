//! Tunnel headers (`wvcir_analyzer::carriers`) and the packet decoder that follows them, on
//! arbitrary bytes: no panic, every inner packet a slice of its input, at most
//! `MAX_TUNNEL_DEPTH` layers followed. The first byte picks the UDP port or IP protocol tried,
//! and the link type the whole decoder reads (Ethernet below 0x80, as the first seeds have it).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use wvcir_analyzer::carriers::{self, GENEVE_PORT, GTP_U_PORT, Inner, MAX_TUNNEL_DEPTH, VXLAN_PORT};
use wvcir_analyzer::defrag::Defrag;
use wvcir_analyzer::packet;

fn inside(inner: &[u8], outer: &[u8]) -> bool {
    let (i, o) = (inner.as_ptr() as usize, outer.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}

fn check(inner: Inner<'_>, outer: &[u8]) {
    let (Inner::Ip(b) | Inner::Ethernet(b)) = inner;
    assert!(inside(b, outer));
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let port = [GTP_U_PORT, VXLAN_PORT, GENEVE_PORT][usize::from(pick % 3)];
    if let Some((_, _, inner)) = carriers::udp_tunnel(port, port, rest) {
        check(inner, rest);
    }
    if let Some((_, _, inner)) = carriers::ip_tunnel([4, 41, 47][usize::from(pick % 3)], rest) {
        check(inner, rest);
    }
    if let Some((_, inner)) = carriers::mpls(rest) {
        check(inner, rest);
    }
    if let Some((_, ip)) = carriers::pppoe(rest) {
        assert!(inside(ip, rest));
    }
    if let Some(ip) = carriers::ppp(rest) {
        assert!(inside(ip, rest));
    }
    // The whole decoder, on the link type the first byte says.
    use pcap_file::DataLink as L;
    let link = match pick >> 4 {
        0..=7 => L::ETHERNET,
        8..=10 => L::RAW,
        11 => L::PPP,
        12 => L::PPP_HDLC,
        13 => L::IEEE802_11,
        _ => L::IEEE802_11_RADIOTAP,
    };
    let mut defrag = Defrag::default();
    let _ = packet::decode(link, rest, Duration::ZERO, &mut defrag, |seg| {
        assert!(seg.tunnel.layers().count() <= MAX_TUNNEL_DEPTH);
    });
});
