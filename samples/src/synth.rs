//! Synthetic captures for benchmarks: a busy network with a little CIR in it, of any size,
//! streamed to the output (never held in memory), from a fixed seed.
//!
//! Mix per packet: ~1% on the CIR channels (UDP CIRs, GSM 7-bit SMS CIRs, lines of long-lived
//! TCP CIR channels; 256 phones, each with one session cookie), ~80% TCP bulk (1,000-1,460-byte segments of random bytes on port 443),
//! ~10% DNS, ~9% HTTP on port 80; one packet in five VLAN-tagged, one in ten IPv6; one flow in
//! ten inside GTP-U (a mobile core's user plane) and one in ten inside VXLAN.

use crate::net::{Flags, Link, Transport, frame, ip_packet};
use crate::scenarios::Rng;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use pcap_file::{DataLink, Endianness};
use std::borrow::Cow;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use wvcir::LineEnd;
use wvcir::encode::LineRepr;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Synth {
    pub packets: u64,
    pub seed: u64,
    pub pcapng: bool,
    /// Per mille of packets on the CIR channels (10 = 1%); 0 for a capture with no CIR at all.
    pub cir_per_mille: u64,
}

enum Out<W: Write> {
    Pcap(PcapWriter<W>),
    PcapNg(PcapNgWriter<W>),
}

/// Writes the capture; returns the number of CIR-protocol messages in it.
pub fn write<W: Write>(cfg: Synth, out: W) -> std::io::Result<u64> {
    let err = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let mut w = if cfg.pcapng {
        let mut w = PcapNgWriter::with_endianness(out, Endianness::Little).map_err(|e| err(&e))?;
        w.write_pcapng_block(InterfaceDescriptionBlock::new(DataLink::ETHERNET, 262_144)).map_err(|e| err(&e))?;
        Out::PcapNg(w)
    } else {
        let header = PcapHeader {
            snaplen: 262_144,
            datalink: DataLink::ETHERNET,
            endianness: Endianness::Little,
            ..PcapHeader::default()
        };
        Out::Pcap(PcapWriter::with_header(out, header).map_err(|e| err(&e))?)
    };
    let mut rng = Rng::new(cfg.seed);
    let bulk = rng.bytes(4096);
    let mut seqs = [0u32; 64];
    let mut cir_seq = [0x1000u32; 8];
    let mut messages = 0;
    let v4 = |a: u8, b: u8, c: u8, d: u8| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
    for i in 0..cfg.packets {
        let ts = Duration::from_secs(crate::capture::BASE_EPOCH) + Duration::from_micros(i * 7);
        let r = rng.next_u64();
        let slot = (r >> 8) % 1000;
        let vlan = (r >> 20).is_multiple_of(5);
        let v6 = (r >> 24).is_multiple_of(10);
        let host = (r >> 32) as u8;
        let link = if vlan { Link::Vlan(100 + u16::from(host % 4)) } else { Link::Ethernet };
        let (src, dst) = if v6 {
            (
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, u16::from(host))),
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1)),
            )
        } else {
            (v4(10, 1, host, 7), v4(203, 0, 113, host % 16))
        };
        // A flow's tunnel is the flow's: chosen by its host (the TCP CIR channel's, by its connection).
        let mut tunnel_key = host;
        let ip = if slot < cfg.cir_per_mille {
            messages += 1;
            // A fixed population: each of the 256 phones keeps the cookie of its session.
            let cookie = format!("wv:nokia.{}", 1_000_000 + u64::from(host) * 7919 % 100_000);
            match slot % 5 {
                0..=2 => {
                    let p = LineRepr::Cir { version: b"1.3", cookie: cookie.as_bytes() }.to_vec(LineEnd::CrLf);
                    ip_packet(
                        (v4(192, 0, 2, 10), 40_000),
                        (v4(198, 51, 100, host), 3717),
                        i as u16,
                        &Transport::Udp,
                        &p,
                    )
                }
                3 => {
                    let text = LineRepr::Cir { version: b"1.2", cookie: cookie.as_bytes() }.to_vec(LineEnd::None);
                    let p = wvcir::encode::gsm7(&text).unwrap_or_default();
                    ip_packet((v4(203, 0, 113, 5), 3716), (v4(198, 51, 100, host), 3716), i as u16, &Transport::Udp, &p)
                }
                _ => {
                    let c = usize::from(host % 8);
                    tunnel_key = c as u8;
                    let p = LineRepr::Cir { version: b"1.1", cookie: cookie.as_bytes() }.to_vec(LineEnd::CrLf);
                    let seq = cir_seq[c];
                    cir_seq[c] = seq.wrapping_add(p.len() as u32);
                    let flags = Flags { ack: true, psh: true, ..Flags::default() };
                    let t = Transport::Tcp { seq, ack: 1, flags, window: 28_960 };
                    ip_packet(
                        (v4(192, 0, 2, 10), 3717),
                        (v4(198, 51, 100, 200 + c as u8), 49_000 + c as u16),
                        i as u16,
                        &t,
                        &p,
                    )
                }
            }
        } else if slot < 800 {
            let c = usize::from(host % 64);
            let len = 1000 + ((r >> 48) % 461) as usize;
            let off = ((r >> 12) % 2048) as usize;
            let seq = seqs[c];
            seqs[c] = seq.wrapping_add(len as u32);
            let t = Transport::Tcp { seq, ack: 1, flags: Flags { ack: true, ..Flags::default() }, window: 65_535 };
            ip_packet((dst, 443), (src, 50_000 + c as u16), i as u16, &t, bulk.get(off..off + len).unwrap_or(&bulk))
        } else if slot < 900 {
            let q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x01\x00\x01";
            ip_packet((src, 53_000 + u16::from(host)), (dst, 53), i as u16, &Transport::Udp, q)
        } else {
            let req =
                b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
            let t = Transport::Tcp {
                seq: i as u32,
                ack: 1,
                flags: Flags { ack: true, psh: true, ..Flags::default() },
                window: 65_535,
            };
            ip_packet((src, 51_000 + u16::from(host)), (dst, 80), i as u16, &t, req)
        };
        let ip = match tunnel_key % 10 {
            0 => {
                // GTP-U G-PDU, TEID by host.
                let mut g = vec![0x30, 0xFF];
                g.extend_from_slice(&(ip.len() as u16).to_be_bytes());
                g.extend_from_slice(&(0x1000 + u32::from(tunnel_key)).to_be_bytes());
                g.extend_from_slice(&ip);
                ip_packet((v4(10, 200, 0, 1), 2152), (v4(10, 200, 0, 2), 2152), i as u16, &Transport::Udp, &g)
            }
            1 => {
                // VXLAN, VNI by host, the packet in an inner Ethernet frame.
                let mut v = vec![0x08, 0, 0, 0, 0, 0x10, tunnel_key, 0];
                v.extend_from_slice(&frame(Link::Ethernet, &ip, false));
                let sport = 49_152 + u16::from(tunnel_key);
                ip_packet((v4(10, 201, 0, 1), sport), (v4(10, 201, 0, 2), 4789), i as u16, &Transport::Udp, &v)
            }
            _ => ip,
        };
        let data = frame(link, &ip, false);
        match &mut w {
            Out::Pcap(w) => {
                let p = PcapPacket::new(ts, data.len() as u32, Cow::Borrowed(data.as_slice())).map_err(|e| err(&e))?;
                w.write_packet(&p).map_err(|e| err(&e))?;
            }
            Out::PcapNg(w) => {
                let b = EnhancedPacketBlock {
                    interface_id: 0,
                    timestamp: ts,
                    original_len: data.len() as u32,
                    data: Cow::Borrowed(&data),
                    options: vec![],
                };
                w.write_pcapng_block(b).map_err(|e| err(&e))?;
            }
        }
    }
    Ok(messages)
}
