//! A TCP connection's life, both directions, with the sequence numbers kept right: handshake,
//! data, delayed ACKs, a retransmission, and the FIN exchange.

use crate::capture::Capture;
use crate::net::{Flags, Link, Transport, ip_packet};
use std::net::IpAddr;

/// Who sends a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    C2S,
    /// Server to client.
    S2C,
}

/// One connection between a client and a server endpoint.
#[derive(Debug)]
pub struct TcpConn {
    client: (IpAddr, u16),
    server: (IpAddr, u16),
    link: Link,
    /// Next sequence number of each side: client, server.
    next: [u32; 2],
    ip_id: [u16; 2],
    /// Seconds from the capture start of the last segment.
    pub t: f64,
    /// Round-trip time used for ACK delays.
    pub rtt: f64,
    iface: u32,
}

impl TcpConn {
    pub fn new(client: (IpAddr, u16), server: (IpAddr, u16), link: Link, isn: [u32; 2], t: f64) -> Self {
        Self { client, server, link, next: isn, ip_id: [isn[0] as u16, isn[1] as u16], t, rtt: 0.048, iface: 0 }
    }

    /// Captured on pcapng interface `iface`.
    pub fn on_iface(mut self, iface: u32) -> Self {
        self.iface = iface;
        self
    }

    fn idx(dir: Dir) -> usize {
        match dir {
            Dir::C2S => 0,
            Dir::S2C => 1,
        }
    }

    /// Emits one segment at time `t` with explicit sequence number `seq`.
    #[allow(clippy::too_many_arguments)] // one call site per kind of segment; a struct would only rename them
    fn segment(&mut self, cap: &mut Capture, t: f64, dir: Dir, seq: u32, flags: Flags, payload: &[u8], note: &str) {
        let i = Self::idx(dir);
        let (src, dst) = if dir == Dir::C2S { (self.client, self.server) } else { (self.server, self.client) };
        let ack = self.next[1 - i];
        let window = if dir == Dir::C2S { 65535 } else { 28960 };
        let ip = ip_packet(src, dst, self.ip_id[i], &Transport::Tcp { seq, ack, flags, window }, payload);
        self.ip_id[i] = self.ip_id[i].wrapping_add(1);
        cap.push_ip(t, self.link, self.iface, &ip, dir == Dir::C2S, note);
        self.t = t;
    }

    /// SYN, SYN/ACK, ACK starting at `t`.
    pub fn handshake(&mut self, cap: &mut Capture, t: f64) {
        let syn = Flags { syn: true, ..Flags::default() };
        let c = self.next[0];
        self.segment(cap, t, Dir::C2S, c, syn, &[], "SYN");
        self.next[0] = c.wrapping_add(1);
        let s = self.next[1];
        self.segment(cap, t + self.rtt / 2.0, Dir::S2C, s, Flags { ack: true, ..syn }, &[], "SYN/ACK");
        self.next[1] = s.wrapping_add(1);
        self.ack(cap, t + self.rtt, Dir::C2S);
    }

    /// A pure ACK from `dir`.
    pub fn ack(&mut self, cap: &mut Capture, t: f64, dir: Dir) {
        let seq = self.next[Self::idx(dir)];
        self.segment(cap, t, dir, seq, Flags { ack: true, ..Flags::default() }, &[], "");
    }

    /// Data from `dir` at `t`; returns the sequence number it was sent with (for a retransmission).
    pub fn send(&mut self, cap: &mut Capture, t: f64, dir: Dir, payload: &[u8], note: &str) -> u32 {
        let i = Self::idx(dir);
        let seq = self.next[i];
        self.segment(cap, t, dir, seq, Flags { ack: true, psh: true, ..Flags::default() }, payload, note);
        self.next[i] = seq.wrapping_add(payload.len() as u32);
        seq
    }

    /// Data from `dir`, then the peer's ACK half a round trip later.
    pub fn send_acked(&mut self, cap: &mut Capture, t: f64, dir: Dir, payload: &[u8], note: &str) {
        self.send(cap, t, dir, payload, note);
        let peer = if dir == Dir::C2S { Dir::S2C } else { Dir::C2S };
        self.ack(cap, t + self.rtt / 2.0, peer);
    }

    /// The same bytes sent again with their original sequence number.
    pub fn retransmit(&mut self, cap: &mut Capture, t: f64, dir: Dir, seq: u32, payload: &[u8], note: &str) {
        self.segment(cap, t, dir, seq, Flags { ack: true, psh: true, ..Flags::default() }, payload, note);
    }

    /// `dir` closes: FIN/ACK, the peer's FIN/ACK, the last ACK.
    pub fn close(&mut self, cap: &mut Capture, t: f64, dir: Dir) {
        let fin = Flags { fin: true, ack: true, ..Flags::default() };
        let peer = if dir == Dir::C2S { Dir::S2C } else { Dir::C2S };
        for (k, d) in [dir, peer].into_iter().enumerate() {
            let i = Self::idx(d);
            let seq = self.next[i];
            self.next[i] = seq.wrapping_add(1);
            self.segment(cap, t + k as f64 * self.rtt / 2.0, d, seq, fin, &[], "FIN");
        }
        self.ack(cap, t + self.rtt, dir);
    }
}
