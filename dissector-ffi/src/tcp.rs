//! The TCP channel inside Wireshark, on the core's one engine ([`wvcir::tcp::Connection`]).
//!
//! Wireshark's TCP dissector does not hand a subdissector every segment: with its default
//! preferences it withholds retransmissions and the out-of-order segments that fill a gap, which
//! is how the plugin used to lose lines. So the plugin reads every TCP segment of every frame
//! itself (a postdissector, see `wireshark::plugin`) and feeds them, in capture order, to the same
//! engine the analyzer uses: the same segments give the same lines in the same frames.
//!
//! The first pass feeds [`Tracker::segment`] and keeps what each frame shows; every later pass
//! (and every click in the GUI) shows exactly that again ([`Tracker::shown`]).

use std::collections::BTreeMap;
use wvcir::pairing::MAX_PENDING;
use wvcir::tcp::{Connection, Control, Dir, Line, LineKind};
use wvcir::{Command, PortMap, Transport};

/// One TCP segment as the plugin reads it from a frame.
#[derive(Clone, Copy, Debug)]
pub struct SegmentIn<'a> {
    /// The connection's token (from Wireshark's conversation); 0 for a new one.
    pub conn: usize,
    pub frame: u32,
    /// Nanoseconds since the epoch.
    pub ts: i64,
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub control: Control,
    pub payload: &'a [u8],
}

/// Where a line shown in a frame lies, as the plugin keeps it between passes: its place in the
/// frame's payload (Wireshark hands the frame the same bytes on every pass), or its bytes when it
/// was assembled from several segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The line, line end included, is `payload[at..at + len]`.
    At { at: u32, len: u32 },
    /// A line assembled from several segments ("Reassembled CIR line").
    Reassembled(Box<[u8]>),
    /// Nothing to show as bytes (a too-long line's prefix is not kept, a skipped tail has none).
    None,
}

/// A line a frame shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub place: Place,
    pub kind: LineKind,
    /// For an OK: the frame of the HELO or PING it answers, nanoseconds since then, and which of
    /// the two it was.
    pub response_to: Option<(u32, i64, wvcir::Command)>,
    /// For a HELO or PING: the frame of the OK that answers it.
    pub response_in: Option<u32>,
    /// How a client that works per socket read (Symbian) would have read it.
    pub read: wvcir::clients::TcpRead,
}

impl Shown {
    /// The line's bytes, from its frame's `payload` when they lie there.
    pub fn bytes<'p>(&'p self, payload: &'p [u8]) -> &'p [u8] {
        match &self.place {
            Place::At { at, len } => {
                let (at, len) = (*at as usize, *len as usize);
                payload.get(at..at.saturating_add(len)).unwrap_or_default()
            }
            Place::Reassembled(b) => b,
            Place::None => &[],
        }
    }

    /// Where the bytes start in the frame's payload; `None` for reassembled (or no) bytes.
    pub fn at(&self) -> Option<usize> {
        match self.place {
            Place::At { at, .. } => Some(at as usize),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct ConnState {
    conn: Connection,
    /// Whether the responder of the first segment is the server (the side on a CIR TCP port,
    /// failing that whoever received the first segment seen), and that segment's ports.
    server_port: u16,
    client_port: u16,
    /// Whether any line decoded: the connection speaks the protocol.
    spoke: bool,
    /// Requests still waiting for their OK: line id -> (frame index in `Tracker::frames`, line).
    requests: BTreeMap<u64, (usize, usize)>,
}

/// The TCP state of one capture file.
#[derive(Debug, Default)]
pub struct Tracker {
    conns: Vec<ConnState>,
    /// What each frame of a tracked connection shows: (connection index, frame number, lines).
    frames: Vec<(usize, u32, Vec<Shown>)>,
}

impl Tracker {
    /// Takes one segment in the first pass. Returns (connection token, frame token): store both
    /// (in the conversation and the frame's per-packet data) to find them on later passes.
    pub fn segment(&mut self, ports: &PortMap, s: &SegmentIn<'_>) -> (usize, usize) {
        let conn_idx = match s.conn.checked_sub(1).filter(|&i| i < self.conns.len()) {
            Some(i) => i,
            None => {
                let server_is_dst =
                    ports.is_cir_port(Transport::Tcp, s.dst_port) || !ports.is_cir_port(Transport::Tcp, s.src_port);
                let (server_port, client_port) =
                    if server_is_dst { (s.dst_port, s.src_port) } else { (s.src_port, s.dst_port) };
                self.conns.push(ConnState {
                    conn: Connection::default(),
                    server_port,
                    client_port,
                    spoke: false,
                    requests: BTreeMap::new(),
                });
                self.conns.len() - 1
            }
        };
        let frame_idx = self.frames.len();
        let Some(cs) = self.conns.get_mut(conn_idx) else { return (conn_idx + 1, 0) };
        // Both ports equal (3717 to 3717): the first sender is the client.
        let dir = if s.dst_port == cs.server_port && (s.src_port == cs.client_port || s.src_port != cs.server_port) {
            Dir::ToServer
        } else {
            Dir::ToClient
        };
        let seg = wvcir::tcp::Segment {
            frame: u64::from(s.frame),
            ts: s.ts,
            dir,
            seq: s.seq,
            control: s.control,
            payload: s.payload,
        };
        let mut shown: Vec<Shown> = Vec::new();
        let mut answered: Vec<(u64, usize)> = Vec::new();
        let ConnState { conn, spoke, requests, .. } = cs;
        conn.segment(&seg, &mut |line: &Line<'_>| {
            if line.is_blank() {
                return;
            }
            let index = shown.len();
            *spoke |= line.message.is_ok();
            let response_to = line.answers.map(|r| {
                answered.push((r.id, index));
                (u32::try_from(r.frame).unwrap_or(u32::MAX), line.ts - r.ts, r.command)
            });
            if let (Ok(m), LineKind::Complete | LineKind::Closed) = (&line.message, line.kind)
                && matches!(m.command, Command::Helo | Command::Ping)
            {
                requests.insert(line.id, (frame_idx, index));
                while requests.len() > 4 * MAX_PENDING {
                    requests.pop_first();
                }
            }
            shown.push(Shown { place: place(line), kind: line.kind, response_to, response_in: None, read: line.read });
        });
        for (request, _) in answered {
            if let Some((fi, li)) = requests.remove(&request)
                && let Some(l) = self.frames.get_mut(fi).and_then(|f| f.2.get_mut(li))
            {
                l.response_in = Some(s.frame);
            }
        }
        self.frames.push((conn_idx, s.frame, shown));
        (conn_idx + 1, frame_idx + 1)
    }

    /// Makes the lines of a frame independent of its payload (copies), for a frame whose payload
    /// will not be found again in the frame itself.
    pub fn keep_copies(&mut self, frame_token: usize, payload: &[u8]) {
        let Some((_, _, lines)) = frame_token.checked_sub(1).and_then(|i| self.frames.get_mut(i)) else { return };
        for l in lines {
            if matches!(l.place, Place::At { .. }) {
                l.place = Place::Reassembled(l.bytes(payload).into());
            }
        }
    }

    /// What the frame with this token shows, and whether its connection speaks the protocol.
    pub fn shown(&self, frame_token: usize) -> Option<(&[Shown], bool)> {
        let (conn, _, lines) = self.frames.get(frame_token.checked_sub(1)?)?;
        Some((lines, self.conns.get(*conn)?.spoke))
    }

    /// Whether the connection with this token speaks the protocol (so far).
    pub fn spoke(&self, conn_token: usize) -> bool {
        conn_token.checked_sub(1).and_then(|i| self.conns.get(i)).is_some_and(|c| c.spoke)
    }
}

fn place(line: &Line<'_>) -> Place {
    match line.kind {
        LineKind::Tail => Place::None,
        _ => {
            let fits = line.at.and_then(|at| Some((u32::try_from(at).ok()?, u32::try_from(line.bytes.len()).ok()?)));
            match fits {
                Some((at, len)) => Place::At { at, len },
                None => Place::Reassembled(line.bytes.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(conn: usize, frame: u32, ts: i64, from_client: bool, seq: u32, payload: &[u8]) -> SegmentIn<'_> {
        let (src_port, dst_port) = if from_client { (49201, 3717) } else { (3717, 49201) };
        SegmentIn { conn, frame, ts, src_port, dst_port, seq, control: Control::None, payload }
    }

    #[test]
    fn split_reordered_retransmitted_and_paired() {
        let ports = PortMap::default();
        let mut t = Tracker::default();
        let (c, f4) = t.segment(&ports, &seg(0, 4, 60_000_000, true, 1, b"HELO 3a9f0c1e\r\n"));
        let (_, f6) = t.segment(&ports, &seg(c, 6, 120_000_000, false, 1, b"OK\r\n"));
        let (lines, spoke) = t.shown(f6).unwrap();
        assert!(spoke);
        assert_eq!(lines[0].response_to, Some((4, 60_000_000, Command::Helo)));
        assert_eq!(t.shown(f4).unwrap().0[0].response_in, Some(6), "the HELO learns its answer");
        // A CIR's second half captured first: nothing; the first half then completes it.
        let (_, f10) = t.segment(&ports, &seg(c, 10, 1, false, 16, b"34\r\n"));
        assert!(t.shown(f10).unwrap().0.is_empty());
        let (_, f11) = t.segment(&ports, &seg(c, 11, 2, false, 5, b"WVCI 1.1 12"));
        let done = &t.shown(f11).unwrap().0[0];
        assert_eq!(done.place, Place::Reassembled(b"WVCI 1.1 1234\r\n"[..].into()));
        // A retransmission of those bytes shows nothing new.
        let (_, f12) = t.segment(&ports, &seg(c, 12, 3, false, 5, b"WVCI 1.1 1234\r\n"));
        assert!(t.shown(f12).unwrap().0.is_empty());
        // Two lines in one segment: each at its offset.
        let (_, f22) = t.segment(&ports, &seg(c, 22, 4, false, 20, b"OK\r\nWVCI 1.1 x\r\n"));
        let at: Vec<_> = t.shown(f22).unwrap().0.iter().map(Shown::at).collect();
        assert_eq!(at, [Some(0), Some(4)]);
    }

    #[test]
    fn an_ok_answers_only_a_request_sent_the_other_way() {
        let ports = PortMap::default();
        let mut t = Tracker::default();
        // HELO and OK in one client segment (found by the plugin_dissect fuzz target).
        let (c, f3) = t.segment(&ports, &seg(0, 3, 1_000, true, 1, b"HELO x\r\nOK\r\n"));
        assert!(t.shown(f3).unwrap().0.iter().all(|l| l.response_to.is_none()));
        let (_, f4) = t.segment(&ports, &seg(c, 4, 2_000, false, 1, b"OK\r\n"));
        assert_eq!(t.shown(f4).unwrap().0[0].response_to.map(|r| (r.0, r.1)), Some((3, 1_000)));
        assert_eq!(t.shown(f3).unwrap().0[0].response_in, Some(4));
    }

    #[test]
    fn kept_lines_restore_exactly_from_their_frame() {
        assert!(std::mem::size_of::<Place>() <= 24);
        let ports = PortMap::default();
        let mut t = Tracker::default();
        let payloads: [(u32, &[u8]); 3] =
            [(1, b"OK\r\nWVCI 1.1 x\r\nWV"), (19, b"CI 1.2 split\r\n"), (33, b"OK\r\nPING\r\n")];
        let mut c = 0;
        for (i, (seq, payload)) in payloads.into_iter().enumerate() {
            let (conn, f) = t.segment(&ports, &seg(c, i as u32 + 1, 0, false, seq, payload));
            c = conn;
            for l in t.shown(f).unwrap().0 {
                assert!(matches!(l.bytes(payload), [.., b'\n']), "frame {}: {:?}", i + 1, l.place);
            }
        }
    }
}
