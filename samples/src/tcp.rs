//! A TCP connection's life, both directions, with the sequence numbers kept right: handshake,
//! data, delayed ACKs, a retransmission, and the FIN exchange; and the shapes real stacks add:
//! segments sent out of order or re-cut, duplicate ACKs, keep-alives, zero windows and their
//! probes, a FIN carrying data, a reset.

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
    /// The receive window each side advertises: client, server.
    window: [u16; 2],
    /// Seconds from the capture start of the last segment.
    pub t: f64,
    /// Round-trip time used for ACK delays.
    pub rtt: f64,
    iface: u32,
}

impl TcpConn {
    pub fn new(client: (IpAddr, u16), server: (IpAddr, u16), link: Link, isn: [u32; 2], t: f64) -> Self {
        Self {
            client,
            server,
            link,
            next: isn,
            ip_id: [isn[0] as u16, isn[1] as u16],
            window: [65535, 28960],
            t,
            rtt: 0.048,
            iface: 0,
        }
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

    /// Emits one segment at time `t` with explicit sequence number `seq`, acking all the peer sent.
    #[allow(clippy::too_many_arguments)] // one call site per kind of segment; a struct would only rename them
    fn segment(&mut self, cap: &mut Capture, t: f64, dir: Dir, seq: u32, flags: Flags, payload: &[u8], note: &str) {
        let ack = self.next[1 - Self::idx(dir)];
        self.segment_acking(cap, t, dir, seq, ack, flags, payload, note);
    }

    /// Emits one segment with explicit sequence and acknowledgment numbers.
    #[allow(clippy::too_many_arguments)]
    fn segment_acking(
        &mut self,
        cap: &mut Capture,
        t: f64,
        dir: Dir,
        seq: u32,
        ack: u32,
        flags: Flags,
        payload: &[u8],
        note: &str,
    ) {
        let i = Self::idx(dir);
        let (src, dst) = if dir == Dir::C2S { (self.client, self.server) } else { (self.server, self.client) };
        let window = self.window[i];
        let ip = ip_packet(src, dst, self.ip_id[i], &Transport::Tcp { seq, ack, flags, window }, payload);
        self.ip_id[i] = self.ip_id[i].wrapping_add(1);
        cap.push_ip(t, self.link, self.iface, &ip, dir == Dir::C2S, note);
        self.t = t;
    }

    /// The sequence number of the next new byte from `dir`.
    pub fn next_seq(&self, dir: Dir) -> u32 {
        self.next[Self::idx(dir)]
    }

    /// The receive window `dir` advertises in its segments from now on (0: a zero window).
    pub fn set_window(&mut self, dir: Dir, window: u16) {
        self.window[Self::idx(dir)] = window;
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
        self.ack_noted(cap, t, dir, "");
    }

    /// A pure ACK from `dir` of all the peer sent, annotated.
    pub fn ack_noted(&mut self, cap: &mut Capture, t: f64, dir: Dir, note: &str) {
        let ack = self.next[1 - Self::idx(dir)];
        self.ack_to(cap, t, dir, ack, note);
    }

    /// A pure ACK from `dir` acknowledging up to `ack` only: a duplicate ACK while a segment is
    /// missing, or the answer to a zero-window probe the receiver did not take.
    pub fn ack_to(&mut self, cap: &mut Capture, t: f64, dir: Dir, ack: u32, note: &str) {
        let seq = self.next[Self::idx(dir)];
        self.segment_acking(cap, t, dir, seq, ack, Flags { ack: true, ..Flags::default() }, &[], note);
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

    /// Data from `dir` at an explicit sequence number: a segment sent (or captured) out of order, a
    /// retransmission cut at other boundaries than the first copy, or one whose bytes differ from
    /// it. The next new byte moves to the segment's end if that is further.
    pub fn send_at(&mut self, cap: &mut Capture, t: f64, dir: Dir, seq: u32, payload: &[u8], note: &str) {
        self.segment(cap, t, dir, seq, Flags { ack: true, psh: true, ..Flags::default() }, payload, note);
        let i = Self::idx(dir);
        let end = seq.wrapping_add(payload.len() as u32);
        if (end.wrapping_sub(self.next[i]) as i32) > 0 {
            self.next[i] = end;
        }
    }

    /// A keep-alive from `dir`: a segment whose sequence number is that of the last byte already
    /// sent, carrying `byte` (Windows sends 0x00, some stacks the last byte again) or nothing
    /// (Linux). The peer answers with an ACK of what it already had.
    pub fn keep_alive(&mut self, cap: &mut Capture, t: f64, dir: Dir, byte: Option<u8>, note: &str) {
        let seq = self.next[Self::idx(dir)].wrapping_sub(1);
        let payload: Vec<u8> = byte.into_iter().collect();
        self.segment(cap, t, dir, seq, Flags { ack: true, ..Flags::default() }, &payload, note);
    }

    /// A zero-window probe from `dir`: one byte of new data at the next sequence number, sent while
    /// the peer advertises a zero window. It does not move the next sequence number: the peer
    /// does not take the byte, and it is sent again at the head of the next segment.
    pub fn zero_window_probe(&mut self, cap: &mut Capture, t: f64, dir: Dir, byte: u8, note: &str) {
        let seq = self.next[Self::idx(dir)];
        self.segment(cap, t, dir, seq, Flags { ack: true, ..Flags::default() }, &[byte], note);
    }

    /// FIN/PSH/ACK from `dir` carrying `payload` (possibly empty): the last data and the close in
    /// one segment.
    pub fn fin(&mut self, cap: &mut Capture, t: f64, dir: Dir, payload: &[u8], note: &str) {
        let i = Self::idx(dir);
        let seq = self.next[i];
        let flags = Flags { fin: true, ack: true, psh: !payload.is_empty(), ..Flags::default() };
        self.segment(cap, t, dir, seq, flags, payload, note);
        self.next[i] = seq.wrapping_add(payload.len() as u32).wrapping_add(1);
    }

    /// RST/ACK from `dir`, no payload: the connection is aborted.
    pub fn reset(&mut self, cap: &mut Capture, t: f64, dir: Dir, note: &str) {
        let seq = self.next[Self::idx(dir)];
        self.segment(cap, t, dir, seq, Flags { rst: true, ack: true, ..Flags::default() }, &[], note);
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
