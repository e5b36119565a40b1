//! The TCP channel inside Wireshark: per-connection line framing and request/response pairing.
//!
//! Wireshark hands a TCP subdissector each segment once in the first pass, in capture order, and
//! again on every re-dissection. The first pass feeds [`Connection::segment`], which frames lines
//! (a line split across segments completes in the frame of its last byte; several lines in one
//! segment each come out) and pairs every OK with the HELO or PING it answers. The plugin keeps
//! each frame's lines as [`KeptLine`]s and shows exactly those on every later pass.

use std::collections::HashMap;
use wvcir::Command;
use wvcir::framer::{Frame, LineFramer};
use wvcir::pairing::Pending;

/// A line a frame completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineRec {
    /// The line with its line end (empty and `too_long` for a line past the framer's bound).
    pub bytes: Vec<u8>,
    /// Offset of the line in this frame's payload when the whole line lies in it; `None` when it
    /// began in an earlier segment (the plugin shows it in a reassembled buffer).
    pub at: Option<usize>,
    pub too_long: bool,
}

/// What one frame of a connection shows.
pub type FrameLines = Vec<LineRec>;

/// A line as the plugin keeps it between passes: where it lies in its frame's payload (Wireshark
/// hands the frame the same bytes on every pass), or its bytes when it began in an earlier
/// segment. 24 bytes a line, where a copy of every line cost about 80: a flood of short lines
/// costs Wireshark's memory a third as much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeptLine {
    /// The whole line, line end included, is `payload[at..at + len]`.
    At {
        at: u32,
        len: u32,
    },
    Reassembled(Box<[u8]>),
    TooLong,
}

impl LineRec {
    /// What the plugin keeps of this line.
    pub fn kept(&self) -> KeptLine {
        if self.too_long {
            return KeptLine::TooLong;
        }
        let place = self.at.and_then(|at| Some((u32::try_from(at).ok()?, u32::try_from(self.bytes.len()).ok()?)));
        match place {
            Some((at, len)) => KeptLine::At { at, len },
            None => KeptLine::Reassembled(self.bytes.clone().into_boxed_slice()),
        }
    }
}

impl KeptLine {
    /// The line again, from its frame's `payload`.
    pub fn restore(&self, payload: &[u8]) -> LineRec {
        match self {
            KeptLine::At { at, len } => {
                let (at, len) = (*at as usize, *len as usize);
                let bytes = payload.get(at..at.saturating_add(len)).unwrap_or_default().to_vec();
                LineRec { bytes, at: Some(at), too_long: false }
            }
            KeptLine::Reassembled(bytes) => LineRec { bytes: bytes.to_vec(), at: None, too_long: false },
            KeptLine::TooLong => LineRec { bytes: Vec::new(), at: None, too_long: true },
        }
    }
}

/// A line of the connection: its frame, and its index among the lines that frame completes (one
/// segment can carry two requests, or two OKs).
pub type LineId = (u32, usize);

/// A request answered: for the OK's line, the request's line and the time it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub request: LineId,
    /// Nanoseconds from the request to the OK (exact: capture timestamps are integers).
    pub nanos: i64,
}

#[derive(Debug, Default)]
struct Direction {
    next_seq: Option<u32>,
    framer: LineFramer,
}

/// One TCP connection's state, built in the first pass.
#[derive(Debug, Default)]
pub struct Connection {
    dirs: [Direction; 2],
    /// HELOs and PINGs waiting for their OK, each way, with their time (bounded: a request
    /// forgotten past `wvcir::pairing::MAX_PENDING` simply gets no response field).
    pending: Pending<(LineId, i64)>,
    /// OK line -> the request it answers.
    pub response_to: HashMap<LineId, Answer>,
    /// Request line -> the OK line that answers it.
    pub response_in: HashMap<LineId, LineId>,
}

impl Connection {
    /// Takes one segment of direction `dir` (0 client to server, 1 back) in the first pass.
    /// `seq` is TCP's sequence number when known: data already seen (a retransmission, an
    /// overlap) is not framed twice.
    /// `ts` is the frame's time in nanoseconds since the epoch.
    pub fn segment(&mut self, frame: u32, ts: i64, dir: usize, seq: Option<u32>, payload: &[u8]) -> FrameLines {
        let Some(d) = self.dirs.get_mut(dir) else { return Vec::new() };
        let mut skip = 0usize;
        if let (Some(seq), Some(next)) = (seq, d.next_seq) {
            let behind = i64::from(next.wrapping_sub(seq) as i32);
            if behind > 0 {
                skip = usize::try_from(behind).unwrap_or(usize::MAX).min(payload.len());
            }
        }
        let fresh = payload.get(skip..).unwrap_or_default();
        if let Some(seq) = seq {
            let end = seq.wrapping_add(payload.len() as u32);
            d.next_seq = Some(match d.next_seq {
                Some(n) if (end.wrapping_sub(n) as i32) < 0 => n,
                _ => end,
            });
        }
        let seg_start = d.framer.position();
        let mut lines = Vec::new();
        d.framer.push(fresh, |f| match f {
            Frame::Line { offset, line, line_end } => {
                let mut bytes = line.to_vec();
                bytes.extend_from_slice(line_end.as_bytes());
                let at = offset.checked_sub(seg_start).and_then(|o| usize::try_from(o).ok()).map(|o| o + skip);
                lines.push(LineRec { bytes, at, too_long: false });
            }
            Frame::TooLong { .. } => lines.push(LineRec { bytes: Vec::new(), at: None, too_long: true }),
        });
        for (i, l) in lines.iter().enumerate() {
            match wvcir::parse_line(&l.bytes).map(|m| m.command) {
                Ok(Command::Helo | Command::Ping) => drop(self.pending.request(dir, ((frame, i), ts))),
                Ok(Command::Ok) => {
                    if let Some((req, t)) = self.pending.answer(dir) {
                        self.response_to.insert((frame, i), Answer { request: req, nanos: ts - t });
                        self.response_in.insert(req, (frame, i));
                    }
                }
                _ => {}
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_shared_retransmitted_and_paired() {
        let mut c = Connection::default();
        let helo = c.segment(4, 60_000_000, 0, Some(1), b"HELO 3a9f0c1e\r\n");
        assert_eq!(helo, [LineRec { bytes: b"HELO 3a9f0c1e\r\n".to_vec(), at: Some(0), too_long: false }]);
        assert!(c.segment(6, 120_000_000, 1, Some(1), b"OK\r\n")[0].at == Some(0));
        assert_eq!(c.response_to[&(6, 0)], Answer { request: (4, 0), nanos: 60_000_000 });
        assert_eq!(c.response_in[&(4, 0)], (6, 0));
        // A CIR split in two: nothing in the first frame, the whole line (reassembled) in the second.
        assert!(c.segment(10, 97_200_000_000, 1, Some(5), b"WVCI 1.1 12").is_empty());
        let done = c.segment(11, 97_250_000_000, 1, Some(16), b"34\r\n");
        assert_eq!(done, [LineRec { bytes: b"WVCI 1.1 1234\r\n".to_vec(), at: None, too_long: false }]);
        // A retransmission of those bytes frames nothing new.
        assert!(c.segment(12, 97_500_000_000, 1, Some(5), b"WVCI 1.1 1234\r\n").is_empty());
        // Two lines in one segment: each at its offset.
        let two = c.segment(22, 2_400_120_000_000, 1, Some(20), b"OK\r\nWVCI 1.1 x\r\n");
        assert_eq!(two.iter().map(|l| l.at).collect::<Vec<_>>(), [Some(0), Some(4)]);
    }

    #[test]
    fn kept_lines_restore_exactly_from_their_frame() {
        assert_eq!(std::mem::size_of::<KeptLine>(), 24);
        let mut c = Connection::default();
        c.dirs[1].framer = LineFramer::new(24);
        // Two lines and the start of a third; its end; a line past the bound, then an OK; a
        // retransmission of that OK with a PING after it; half a line.
        let segments: [(u32, &[u8]); 5] = [
            (1, b"OK\r\nWVCI 1.1 x\r\nWV"),
            (19, b"CI 1.2 split\r\n"),
            (33, b"0123456789abcdefghijklmnopqrstuvwxyz\r\nOK\r\n"),
            (71, b"OK\r\nPING\r\n"),
            (81, b"OK"),
        ];
        let mut kinds = Vec::new();
        for (i, (seq, payload)) in segments.into_iter().enumerate() {
            for line in c.segment(i as u32 + 1, 0, 1, Some(seq), payload) {
                let kept = line.kept();
                kinds.push(std::mem::discriminant(&kept));
                assert_eq!(kept.restore(payload), line, "frame {}", i + 1);
            }
        }
        let at = std::mem::discriminant(&KeptLine::At { at: 0, len: 0 });
        let re = std::mem::discriminant(&KeptLine::Reassembled(Box::new([])));
        let long = std::mem::discriminant(&KeptLine::TooLong);
        assert_eq!(kinds, [at, at, re, long, at, at], "in place, reassembled and too long lines all round-trip");
    }

    #[test]
    fn an_ok_answers_only_a_request_sent_the_other_way() {
        let mut c = Connection::default();
        // HELO and OK in one client segment (found by the plugin_dissect fuzz target: it paired
        // frame 3 with itself): that OK answers nothing.
        assert_eq!(c.segment(3, 1_000, 0, Some(1), b"HELO x\r\nOK\r\n").len(), 2);
        assert!(c.response_to.is_empty() && c.response_in.is_empty());
        // The server's OK answers it.
        c.segment(4, 2_000, 1, Some(1), b"OK\r\n");
        assert_eq!(c.response_to[&(4, 0)], Answer { request: (3, 0), nanos: 1_000 });
        assert_eq!(c.response_in[&(3, 0)], (4, 0));
    }

    #[test]
    fn two_requests_in_one_segment_each_get_their_own_answer() {
        // Found by the plugin_dissect fuzz target: keyed by frame alone, the second OK overwrote
        // the first one's pairing.
        let mut c = Connection::default();
        c.segment(3, 1_000, 0, Some(1), b"HELO x\r\nPING\r\n");
        c.segment(4, 2_000, 1, Some(1), b"OK\r\n");
        c.segment(5, 3_000, 1, Some(5), b"OK\r\n");
        assert_eq!(c.response_in[&(3, 0)], (4, 0));
        assert_eq!(c.response_in[&(3, 1)], (5, 0));
        assert_eq!(c.response_to[&(5, 0)], Answer { request: (3, 1), nanos: 2_000 });
    }

    #[test]
    fn a_partial_overlap_frames_only_the_new_bytes() {
        let mut c = Connection::default();
        assert!(c.segment(1, 0, 1, Some(100), b"OK\r").is_empty());
        let l = c.segment(2, 100_000_000, 1, Some(102), b"\r\nOK\r\n");
        assert_eq!(
            l.iter().map(|l| (l.bytes.clone(), l.at)).collect::<Vec<_>>(),
            [(b"OK\r\n".to_vec(), None), (b"OK\r\n".to_vec(), Some(2))]
        );
    }
}
