//! One TCP connection of the CIR channel: both directions reassembled, framed into lines, decoded,
//! and each OK paired with the HELO or PING it answers.
//!
//! This is the one TCP engine of the project: the analyzer and the Wireshark plugin feed it the
//! same segments (payload, sequence number, control flag, frame number, time) and get the same
//! lines, each tagged with the frame that completes it. See `docs/tcp-engine.md`.
//!
//! A line is complete when its line end arrives. A line still open when its direction ends (the
//! FIN is reached, or a RST) is reported with [`LineEnd::None`] in the frame that ended it. A line
//! still open when the *capture* ends ([`Connection::end_of_capture`]) is reported with
//! [`Anomaly::Incomplete`]: nobody knows how it would have ended. A line longer than the framer's
//! bound is reported once, as [`LineKind::TooLong`], in the frame that passes the bound.

use super::reassembly::{Chunk, Reassembler, StreamStats};
use super::seq::Control;
use crate::clients::TcpRead;
use crate::framer::{Frame, LineFramer};
use crate::pairing::Pending;
use crate::{Anomaly, Command, DecodeError, ErrorKind, LineEnd, Message, Span};
use std::collections::VecDeque;

/// Which way a segment goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dir {
    /// Client to server (HELO, PING).
    ToServer,
    /// Server to client (OK, CIRs).
    ToClient,
}

impl Dir {
    /// 0 for [`Dir::ToServer`], 1 for [`Dir::ToClient`].
    pub const fn index(self) -> usize {
        match self {
            Dir::ToServer => 0,
            Dir::ToClient => 1,
        }
    }

    /// The other way.
    pub const fn reverse(self) -> Dir {
        match self {
            Dir::ToServer => Dir::ToClient,
            Dir::ToClient => Dir::ToServer,
        }
    }
}

/// One segment as a consumer saw it.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// Frame number (1-based, as Wireshark counts).
    pub frame: u64,
    /// Capture time, nanoseconds since the epoch.
    pub ts: i64,
    /// Which way it goes.
    pub dir: Dir,
    /// TCP sequence number (absolute or relative: only differences matter).
    pub seq: u32,
    /// SYN, FIN or RST.
    pub control: Control,
    /// TCP payload.
    pub payload: &'a [u8],
}

/// How a line came to an end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// Its line end arrived.
    Complete,
    /// Its direction ended (FIN or RST) before a line end: `line_end` none.
    Closed,
    /// The capture ended before its line end: flagged [`Anomaly::Incomplete`].
    Incomplete,
    /// It passed the framer's bound: decoded from `bytes`, its bounded prefix (flagged
    /// [`Anomaly::LineTooLong`]); the rest is skipped.
    TooLong,
    /// The tail of a line whose start the capture does not have (the connection was joined
    /// mid-stream, or a gap cut it): skipped up to its line end; `bytes` is empty.
    Tail,
}

/// A HELO or PING, as an OK that answers it refers to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// The request's line id.
    pub id: u64,
    /// The frame that completed it.
    pub frame: u64,
    /// Its time.
    pub ts: i64,
    /// HELO or PING.
    pub command: Command,
}

/// A line of the connection.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// Its number in the connection, from 0.
    pub id: u64,
    /// Which way it went.
    pub dir: Dir,
    /// The frame that completed it (its last byte, or the FIN/RST that ended it).
    pub frame: u64,
    /// That frame's time.
    pub ts: i64,
    /// Stream offset of its first byte.
    pub offset: u64,
    /// The line with its line end (for [`LineKind::TooLong`], the bounded prefix).
    pub bytes: &'a [u8],
    /// Where `bytes` lie in the completing segment's payload, when they all lie there exactly;
    /// `None` for a line assembled from several segments.
    pub at: Option<usize>,
    /// How it ended.
    pub kind: LineKind,
    /// The decoded line (spans relative to `bytes`). A blank line is `Err(not-cir)`.
    pub message: Result<Message<'a>, DecodeError>,
    /// For an OK: the request it answers.
    pub answers: Option<Request>,
    /// How a client that works per socket read (Symbian) would have read it.
    pub read: TcpRead,
    /// What its direction speaks instead of CIR lines, when its first bytes told (then
    /// `message` is an error).
    pub foreign: Option<Foreign>,
}

impl Line<'_> {
    /// Whether the line is empty (a bare line end), which carries nothing.
    pub fn is_blank(&self) -> bool {
        !matches!(self.kind, LineKind::TooLong | LineKind::Tail) && self.bytes.iter().all(|&b| b == b'\r' || b == b'\n')
    }
}

/// What a connection dropped, skipped or could not pair: nothing is lost without a count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionStats {
    /// Per direction ([`Dir::index`]): the reassembler's counts.
    pub streams: [StreamStats; 2],
    /// Bytes skipped as the tail of a line whose start was lost (mid-stream start, gap).
    pub resync_bytes: u64,
    /// Partial lines cut by a gap.
    pub cut_lines: u64,
    /// Lines past the framer's bound.
    pub long_lines: u64,
    /// Requests forgotten unanswered past [`crate::pairing::MAX_PENDING`].
    pub requests_dropped: u64,
    /// Bytes still held behind a gap when the capture ended.
    pub held_at_end: u64,
}

/// Segment starts remembered per direction, to tell whether a line starts a segment.
const MAX_SEGMENT_STARTS: usize = 64;

#[derive(Debug)]
struct Direction {
    reasm: Reassembler,
    framer: LineFramer,
    /// Whether any data was delivered yet.
    started: bool,
    /// What its first bytes show it speaks instead of CIR lines.
    sniffer: Sniffer,
    /// Stream offsets where the last delivered segments' data began.
    starts: VecDeque<u64>,
}

impl Direction {
    fn new(max_line: usize) -> Self {
        Self {
            reasm: Reassembler::default(),
            framer: LineFramer::new(max_line),
            started: false,
            sniffer: Sniffer::default(),
            starts: VecDeque::new(),
        }
    }
}

/// A protocol that a direction's first bytes show it speaks instead of the CIR line protocol.
/// Its lines are still framed and reported, but never decoded as CIR: a certificate whose text
/// reads "wvcir test" is no CIR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Foreign {
    /// A TLS (or SSL 3.0) record: content type handshake, version 3.x.
    Tls,
    /// An SSH identification line.
    Ssh,
}

impl Foreign {
    /// What a direction's first bytes show: `Some(verdict)` once they tell, `None` while they
    /// are too few to (a TLS record header or `SSH-` begun but not whole).
    pub fn detect(first: &[u8]) -> Option<Option<Foreign>> {
        match first {
            [22, 3, 0..=4, ..] => Some(Some(Foreign::Tls)),
            _ if first.starts_with(b"SSH-") => Some(Some(Foreign::Ssh)),
            [22] | [22, 3] => None,
            _ if first.len() < 4 && b"SSH-".starts_with(first) => None,
            _ => Some(None),
        }
    }

    const fn reason(self) -> &'static str {
        match self {
            Foreign::Tls => "a line of a TLS stream",
            Foreign::Ssh => "a line of an SSH stream",
        }
    }
}

/// Tells from a direction's first bytes, however they were segmented (one byte at a time
/// included), whether it speaks TLS or SSH instead of CIR lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sniffer {
    head: [u8; 4],
    len: u8,
    verdict: Option<Option<Foreign>>,
}

impl Sniffer {
    /// The verdict, once reached.
    pub fn verdict(&self) -> Option<Option<Foreign>> {
        self.verdict
    }

    /// A gap before the verdict: the first bytes are lost, and no protocol is told from later ones.
    pub fn give_up(&mut self) {
        self.verdict.get_or_insert(None);
    }

    /// Takes the direction's next in-order bytes. The first time the verdict is reached it comes
    /// back with the bytes held from earlier calls (which a reader of the stream must take
    /// before `bytes`); later calls return `None`.
    pub fn push(&mut self, bytes: &[u8]) -> Option<(Option<Foreign>, &[u8])> {
        if self.verdict.is_some() || bytes.is_empty() {
            return None;
        }
        let held = usize::from(self.len);
        let mut probe = [0u8; 4];
        let n = (4 - held).min(bytes.len());
        probe.get_mut(..held)?.copy_from_slice(self.head.get(..held)?);
        probe.get_mut(held..held + n)?.copy_from_slice(bytes.get(..n)?);
        match Foreign::detect(probe.get(..held + n)?) {
            Some(v) => {
                self.verdict = Some(v);
                Some((v, self.head.get(..held)?))
            }
            None => {
                self.head = probe;
                self.len = (held + n) as u8;
                None
            }
        }
    }
}

/// A direction's first bytes told it speaks a protocol other than CIR lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Told<'a> {
    /// Which.
    pub foreign: Foreign,
    /// The bytes the sniffer held before the chunk that told (a reader takes them first).
    pub held: &'a [u8],
}

/// What a line's read context is computed from.
#[derive(Clone, Copy)]
struct Reads<'a> {
    /// Stream offsets where recent segments of the line's direction began.
    starts: &'a VecDeque<u64>,
    /// The server's first data after a HELO (stream offsets, server direction).
    answer: Option<(u64, u64)>,
}

impl Reads<'_> {
    fn read(&self, dir: Dir, offset: u64, message: &Result<Message<'_>, DecodeError>) -> TcpRead {
        let next = self.starts.iter().copied().filter(|&s| s > offset).min();
        let cookie_end = message
            .as_ref()
            .ok()
            .and_then(|m| m.cookie)
            .map(|c| offset + (c.span.offset + c.span.len.min(crate::clients::SYMBIAN_MAX_COOKIE)) as u64);
        TcpRead {
            starts_segment: self.starts.contains(&offset),
            cookie_in_first_segment: next.zip(cookie_end).is_none_or(|(n, e)| e <= n),
            answers_helo: dir == Dir::ToClient && self.answer.is_some_and(|(s, e)| (s..e).contains(&offset)),
        }
    }
}

/// One TCP connection's CIR channel state.
#[derive(Debug)]
pub struct Connection {
    dirs: [Direction; 2],
    /// A HELO was seen and the server has not sent data since.
    awaiting_answer: bool,
    /// The server's first data after the last HELO.
    answer: Option<(u64, u64)>,
    pending: Pending<Request>,
    next_id: u64,
    scratch: Vec<u8>,
    long_lines: u64,
    requests_dropped: u64,
    held_at_end: u64,
}

impl Default for Connection {
    fn default() -> Self {
        Self::new(crate::framer::DEFAULT_MAX_LINE)
    }
}

/// Which way, when, and in what payload lines are being framed.
#[derive(Clone, Copy)]
struct At<'p> {
    dir: Dir,
    foreign: Option<Foreign>,
    when: (u64, i64),
    place: Placement<'p>,
    reads: Reads<'p>,
}

/// Where a segment's payload sits in its stream, so that lines can say where they lie in it.
#[derive(Clone, Copy)]
struct Placement<'p> {
    offset: Option<u64>,
    payload: &'p [u8],
}

/// The state a line is built from, borrowed apart from the direction being framed.
struct Pairing<'s> {
    awaiting_answer: &'s mut bool,
    pending: &'s mut Pending<Request>,
    next_id: &'s mut u64,
    scratch: &'s mut Vec<u8>,
    requests_dropped: &'s mut u64,
    long_lines: &'s mut u64,
}

impl Pairing<'_> {
    fn line(
        &mut self,
        at: At<'_>,
        (offset, bytes, line_end, kind): (u64, &[u8], LineEnd, LineKind),
        out: &mut dyn FnMut(&Line<'_>),
    ) {
        let At { dir, foreign, when: (frame, ts), place, reads } = at;
        self.scratch.clear();
        self.scratch.extend_from_slice(bytes);
        self.scratch.extend_from_slice(line_end.as_bytes());
        let bytes: &[u8] = self.scratch;
        let placed = place.offset.and_then(|start| {
            let at = usize::try_from(offset.checked_sub(start)?).ok()?;
            (place.payload.get(at..at.checked_add(bytes.len())?)? == bytes).then_some(at)
        });
        let message = match (kind, foreign) {
            (_, Some(f)) => Err(DecodeError::new(ErrorKind::NotCir, 0, f.reason())),
            (LineKind::Tail, None) => {
                Err(DecodeError::new(ErrorKind::NotCir, 0, "the tail of a line whose start was not captured"))
            }
            (_, None) => crate::parse_line(bytes).map(|mut m| {
                match kind {
                    LineKind::Incomplete => m.anomalies.add(Anomaly::Incomplete, Span::new(0, bytes.len())),
                    // Decoded from its bounded prefix; the rest is skipped.
                    LineKind::TooLong => m.anomalies.add(Anomaly::LineTooLong, Span::new(0, bytes.len())),
                    _ => {}
                }
                m
            }),
        };
        if kind == LineKind::TooLong {
            *self.long_lines += 1;
        }
        let id = *self.next_id;
        *self.next_id += 1;
        let mut answers = None;
        // Only whole lines pair: a cut-off "OK" may have been "OKAY".
        if kind != LineKind::Incomplete
            && let Ok(m) = &message
        {
            match m.command {
                Command::Helo | Command::Ping => {
                    *self.awaiting_answer |= m.command == Command::Helo && dir == Dir::ToServer;
                    let request = Request { id, frame, ts, command: m.command };
                    if self.pending.request(dir.index(), request).is_some() {
                        *self.requests_dropped += 1;
                    }
                }
                Command::Ok => answers = self.pending.answer(dir.index()),
                Command::Wvci => {}
            }
        }
        let read = reads.read(dir, offset, &message);
        out(&Line { id, dir, frame, ts, offset, bytes, at: placed, kind, message, answers, read, foreign });
    }
}

impl Connection {
    /// A connection whose framer buffers at most `max_line` bytes of a line.
    pub fn new(max_line: usize) -> Self {
        Self {
            dirs: [Direction::new(max_line), Direction::new(max_line)],
            awaiting_answer: false,
            answer: None,
            pending: Pending::default(),
            next_id: 0,
            scratch: Vec::new(),
            long_lines: 0,
            requests_dropped: 0,
            held_at_end: 0,
        }
    }

    /// Tells direction `dir` where its stream starts when its SYN is not fed (see
    /// [`Reassembler::start_at`]).
    pub fn start_at(&mut self, dir: Dir, isn: u32) {
        if let Some(d) = self.dirs.get_mut(dir.index()) {
            d.reasm.start_at(isn);
        }
    }

    /// Takes one segment (any segment: with or without payload, in capture order); `out` gets
    /// every line it completes, in stream order.
    pub fn segment(&mut self, seg: &Segment<'_>, out: &mut dyn FnMut(&Line<'_>)) {
        self.segment_with_data(seg, out, &mut |_, _, _| {});
    }

    /// [`Connection::segment`], and `data` also gets what the segment made deliverable in its
    /// direction, in stream order, before it is framed: the in-order bytes (and the gaps and end)
    /// that protocols which are not lines (a TLS or SSH handshake) are read from. With the chunk
    /// whose bytes tell its [`Sniffer`] that the direction speaks TLS or SSH comes that verdict
    /// and the bytes held before the chunk (which a reader of the stream takes first).
    pub fn segment_with_data(
        &mut self,
        seg: &Segment<'_>,
        out: &mut dyn FnMut(&Line<'_>),
        data: &mut dyn FnMut(Dir, Chunk<'_>, Option<Told<'_>>),
    ) {
        let Connection {
            dirs, pending, next_id, scratch, long_lines, requests_dropped, awaiting_answer, answer, ..
        } = self;
        let Some(Direction { reasm, framer, started, starts, sniffer }) = dirs.get_mut(seg.dir.index()) else { return };
        let mut pairing = Pairing { awaiting_answer, pending, next_id, scratch, requests_dropped, long_lines };
        let place = Placement { offset: reasm.offset_of(seg.seq, seg.control), payload: seg.payload };
        let when = (seg.frame, seg.ts);
        let saw_start = reasm.saw_start() || seg.control == Control::Syn;
        reasm.segment(seg.seq, seg.control, seg.payload, &mut |chunk| {
            let told = match chunk {
                Chunk::Data { bytes, .. } => sniffer.push(bytes).and_then(|(v, held)| Some(Told { foreign: v?, held })),
                _ => None,
            };
            data(seg.dir, chunk, told);
            match chunk {
                Chunk::Data { offset, bytes } => {
                    if !std::mem::replace(started, true) && !saw_start {
                        // Joined mid-stream: the first bytes may be the tail of a line.
                        framer.gap(0);
                    }
                    if starts.len() >= MAX_SEGMENT_STARTS {
                        starts.pop_front();
                    }
                    starts.push_back(offset);
                    if seg.dir == Dir::ToClient && std::mem::take(pairing.awaiting_answer) {
                        *answer = Some((offset, offset + bytes.len() as u64));
                    }
                    let at = At {
                        dir: seg.dir,
                        foreign: sniffer.verdict().flatten(),
                        when,
                        place,
                        reads: Reads { starts, answer: *answer },
                    };
                    framer.push(bytes, |f| frame_line_as(&mut pairing, at, f, LineKind::Complete, out));
                }
                Chunk::Gap { len, .. } => {
                    sniffer.give_up();
                    framer.gap(len);
                }
                Chunk::End { .. } => {
                    let at = At {
                        dir: seg.dir,
                        foreign: sniffer.verdict().flatten(),
                        when,
                        place,
                        reads: Reads { starts, answer: *answer },
                    };
                    framer.finish(|f| frame_line_as(&mut pairing, at, f, LineKind::Closed, out));
                }
            }
        });
    }

    /// The capture ended: a line still open in either direction is reported with
    /// [`Anomaly::Incomplete`], in the connection's last frame (`frame`, `ts`); bytes still held
    /// behind a gap are counted, not framed.
    pub fn end_of_capture(&mut self, frame: u64, ts: i64, out: &mut dyn FnMut(&Line<'_>)) {
        let Connection {
            dirs,
            pending,
            next_id,
            scratch,
            long_lines,
            requests_dropped,
            held_at_end,
            awaiting_answer,
            answer,
        } = self;
        let mut pairing = Pairing { awaiting_answer, pending, next_id, scratch, requests_dropped, long_lines };
        let place = Placement { offset: None, payload: &[] };
        for (i, d) in dirs.iter_mut().enumerate() {
            let dir = if i == 0 { Dir::ToServer } else { Dir::ToClient };
            *held_at_end += d.reasm.held_bytes() as u64;
            if d.reasm.ended() {
                continue;
            }
            let at = At {
                dir,
                foreign: d.sniffer.verdict().flatten(),
                when: (frame, ts),
                place,
                reads: Reads { starts: &d.starts, answer: *answer },
            };
            d.framer.finish(|f| frame_line_as(&mut pairing, at, f, LineKind::Incomplete, out));
        }
    }

    /// What was dropped, skipped or left unpaired so far.
    pub fn stats(&self) -> ConnectionStats {
        let [a, b] = &self.dirs;
        ConnectionStats {
            streams: [a.reasm.stats(), b.reasm.stats()],
            resync_bytes: a.framer.resync_bytes() + b.framer.resync_bytes(),
            cut_lines: a.framer.cut_lines() + b.framer.cut_lines(),
            long_lines: self.long_lines,
            requests_dropped: self.requests_dropped,
            held_at_end: self.held_at_end,
        }
    }

    /// Requests waiting for their OK.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

/// A framed line, as `open_kind` when it has no line end (the stream or the capture ended in it).
fn frame_line_as(p: &mut Pairing<'_>, at: At<'_>, f: Frame<'_>, open_kind: LineKind, out: &mut dyn FnMut(&Line<'_>)) {
    match f {
        Frame::Line { offset, line, line_end } => {
            let kind = if line_end == LineEnd::None { open_kind } else { LineKind::Complete };
            p.line(at, (offset, line, line_end, kind), out);
        }
        Frame::TooLong { offset, prefix } => p.line(at, (offset, prefix, LineEnd::None, LineKind::TooLong), out),
        Frame::Skipped { offset, .. } => p.line(at, (offset, &[], LineEnd::None, LineKind::Tail), out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sniffer_tells_however_the_first_bytes_are_segmented() {
        for (stream, want) in [
            (&b"\x16\x03\x01\x02\x00\x01"[..], Some(Foreign::Tls)),
            (b"SSH-2.0-x\r\n", Some(Foreign::Ssh)),
            (b"SSH 2.0", None),
            (b"OK\n", None),
            (b"\x16\x03\x09", None),
        ] {
            let mut s = Sniffer::default();
            let mut told = None;
            let mut replay = Vec::new();
            for (i, b) in stream.iter().enumerate() {
                if let Some((v, held)) = s.push(core::slice::from_ref(b)) {
                    assert!(told.is_none(), "told once");
                    told = Some(v);
                    replay = [held, &stream[i..=i]].concat();
                }
            }
            assert_eq!(told, Some(want), "{stream:?}");
            assert!(stream.starts_with(&replay), "held bytes and the chunk replay the stream's start");
        }
        let mut c = Connection::default();
        let mut lines = Vec::new();
        let seg = |seq, payload| Segment { frame: 1, ts: 0, dir: Dir::ToClient, seq, control: Control::None, payload };
        for (i, b) in b"\x16\x03\x03\x00\x10wvcir test\r\n".iter().enumerate() {
            c.segment(&seg(i as u32, core::slice::from_ref(b)), &mut |l| lines.push(l.message.is_err()));
        }
        assert_eq!(lines, [true], "a line inside a TLS stream is never decoded as CIR");
    }
}
