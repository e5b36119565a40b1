//! Tunnel headers (`wvcir_analyzer::carriers`) and the packet decoder that follows them, on
//! arbitrary bytes: no panic, every inner packet a slice of its input, at most
//! `MAX_TUNNEL_DEPTH` layers followed. The first byte picks the UDP port or IP protocol tried.
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
    // The whole decoder, Ethernet or raw IP as the first byte says.
    let link = if pick & 0x80 == 0 { pcap_file::DataLink::ETHERNET } else { pcap_file::DataLink::RAW };
    let mut defrag = Defrag::default();
    let _ = packet::decode(link, rest, Duration::ZERO, &mut defrag, |seg| {
        assert!(seg.tunnel.layers().count() <= MAX_TUNNEL_DEPTH);
    });
});
