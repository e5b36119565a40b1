//! Frames the TCP channel's byte stream into lines.
//!
//! TCP delivers bytes, not lines: a line may arrive one byte at a time, and several lines may share
//! one segment (Symbian loses a CIR that shares a read with an OK; a decoder must not). The framer
//! takes segments of any size, in stream order, and hands back each complete line with the stream
//! offset of its first byte.
//!
//! Line ends are CRLF, LF or CR, as Android's reader takes them. A CR at the very end of a segment
//! is held until the next byte shows whether an LF follows, so a line comes back with the same
//! bytes and line end however the stream was split.
//!
//! Memory is bounded: a partial line is buffered up to `max_line` bytes. A longer line is reported
//! once as [`Frame::TooLong`] with its first `max_line` bytes, and the rest of it, up to its line
//! end, is skipped without buffering.

use crate::LineEnd;

/// The default bound on a buffered line: CIR lines are tens of bytes; Symbian reads 512.
pub const DEFAULT_MAX_LINE: usize = 4096;

/// What the framer hands back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'b> {
    /// A complete line.
    Line {
        /// Stream offset of the line's first byte.
        offset: u64,
        /// The line without its line end.
        line: &'b [u8],
        /// Its line end ([`LineEnd::None`] only from [`LineFramer::finish`]).
        line_end: LineEnd,
    },
    /// A line longer than the bound: reported once, when the bound is passed.
    TooLong {
        /// Stream offset of the line's first byte.
        offset: u64,
        /// Its first `max_line` bytes.
        prefix: &'b [u8],
    },
    /// The tail of a line whose start was lost (after [`LineFramer::gap`]), skipped up to and
    /// including its line end: reported once, when its line end arrives (or the stream ends).
    Skipped {
        /// Stream offset of the tail's first byte.
        offset: u64,
        /// Bytes skipped, line end included.
        len: u64,
    },
}

/// An incremental, bounded line framer for one direction of a TCP stream.
#[derive(Debug, Clone)]
pub struct LineFramer {
    buf: Vec<u8>,
    max_line: usize,
    /// Stream offset of the next byte to be pushed.
    next: u64,
    /// Stream offset of the first byte in `buf` (or of the line being skipped).
    line_start: u64,
    /// The last byte pushed was a CR that ended a line whose frame is not out yet.
    pending_cr: bool,
    /// Inside a too-long line: drop bytes until its line end.
    skipping: bool,
    /// After a gap (or a stream whose start was not seen): the next bytes may be the tail of a
    /// line; see [`LineFramer::gap`].
    resync: bool,
    /// Inside the tail being skipped (a line end ends it, even at the start of a push).
    in_tail: bool,
    /// Stream offset where the tail being skipped began.
    tail_start: u64,
    /// Up to four bytes after a gap, held until they show whether a line starts there.
    probe: Vec<u8>,
    /// The skipped tail ended in a CR at the end of a push: an LF right after it is skipped too.
    tail_cr: bool,
    /// Bytes skipped while resynchronising, and partial lines cut by gaps.
    resync_bytes: u64,
    cut_lines: u64,
}

impl Default for LineFramer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE)
    }
}

impl LineFramer {
    /// A framer that buffers at most `max_line` bytes of a partial line (at least 1).
    pub fn new(max_line: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_line: max_line.max(1),
            next: 0,
            line_start: 0,
            pending_cr: false,
            skipping: false,
            resync: false,
            in_tail: false,
            tail_start: 0,
            probe: Vec::new(),
            tail_cr: false,
            resync_bytes: 0,
            cut_lines: 0,
        }
    }

    /// Stream offset of the next byte expected.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Bytes held for an incomplete line.
    pub fn buffered(&self) -> usize {
        self.buf.len() + self.probe.len()
    }

    /// Bytes skipped as the tail of a line whose start was lost (after a gap, or at a stream
    /// whose start was not captured).
    pub fn resync_bytes(&self) -> u64 {
        self.resync_bytes
    }

    /// Partial lines thrown away because a gap cut them.
    pub fn cut_lines(&self) -> u64 {
        self.cut_lines
    }

    /// `len` bytes of the stream are missing (a segment the capture never had), or, with `len`
    /// 0, the stream is joined mid-way. A partial line is thrown away (counted in
    /// [`LineFramer::cut_lines`]), and the bytes that follow are read as the tail of a lost line
    /// up to its line end, unless they start like a line of the protocol (`WVCI`, `HELO`, `OK`,
    /// `PING`, any case) or with a line end.
    pub fn gap(&mut self, len: u64) {
        if !self.buf.is_empty() || self.skipping || self.pending_cr {
            self.cut_lines += 1;
        }
        self.buf.clear();
        self.skipping = false;
        self.pending_cr = false;
        self.resync_bytes += self.probe.len() as u64;
        self.next += self.probe.len() as u64;
        self.probe.clear();
        self.next += len;
        self.line_start = self.next;
        self.resync = true;
        self.in_tail = false;
        self.tail_cr = false;
    }

    /// Feeds the next bytes of the stream; `on_frame` gets every line they complete, in order.
    /// Lines wholly inside `data` are handed out without copying.
    pub fn push(&mut self, data: &[u8], mut on_frame: impl FnMut(Frame<'_>)) {
        self.push_dyn(data, &mut on_frame);
    }

    fn push_dyn(&mut self, mut data: &[u8], on_frame: &mut dyn FnMut(Frame<'_>)) {
        if data.is_empty() {
            return;
        }
        if std::mem::take(&mut self.tail_cr) && data.first() == Some(&b'\n') {
            self.skip(1);
            data = data.get(1..).unwrap_or_default();
        }
        if !self.resync {
            return self.frame(data, on_frame);
        }
        if self.in_tail {
            if let Some(rest) = self.skip_tail(data, on_frame) {
                self.push_dyn(rest, on_frame);
            }
            return;
        }
        // After a gap: look at up to four bytes before deciding whether a line starts here, so
        // that the decision does not depend on where the segments were cut.
        let take = (4 - self.probe.len()).min(data.len());
        let (head, rest) = data.split_at(take);
        self.probe.extend_from_slice(head);
        if self.probe.len() < 4 && !self.probe.iter().any(|&b| b == b'\r' || b == b'\n') {
            return;
        }
        let probe = std::mem::take(&mut self.probe);
        self.resync = false;
        if starts_like_a_line(&probe) {
            self.frame(&probe, on_frame);
        } else {
            self.resync = true;
            self.in_tail = true;
            self.tail_start = self.next;
            if let Some(after) = self.skip_tail(&probe, on_frame) {
                self.push_dyn(after, on_frame);
            }
        }
        self.push_dyn(rest, on_frame);
    }

    /// Skips the tail of a lost line up to and including its line end; returns what follows it,
    /// or `None` when `data` ends inside the tail.
    fn skip_tail<'d>(&mut self, data: &'d [u8], on_frame: &mut dyn FnMut(Frame<'_>)) -> Option<&'d [u8]> {
        let Some(pos) = data.iter().position(|&b| b == b'\r' || b == b'\n') else {
            self.skip(data.len());
            return None;
        };
        let skip = pos + LineEnd::at(data.get(pos..).unwrap_or_default()).as_bytes().len();
        self.skip(skip);
        self.resync = false;
        self.in_tail = false;
        on_frame(Frame::Skipped { offset: self.tail_start, len: self.next - self.tail_start });
        // A CR at the very end may be half a CRLF: its LF, if it comes next, is skipped too.
        self.tail_cr = skip == data.len() && data.last() == Some(&b'\r');
        Some(data.get(skip..).unwrap_or_default())
    }

    fn skip(&mut self, n: usize) {
        self.resync_bytes += n as u64;
        self.next += n as u64;
        self.line_start = self.next;
    }

    /// Frames bytes in line mode.
    fn frame(&mut self, mut data: &[u8], on_frame: &mut dyn FnMut(Frame<'_>)) {
        if data.is_empty() {
            return;
        }
        if self.pending_cr {
            self.pending_cr = false;
            let crlf = data.first() == Some(&b'\n');
            self.emit_buffered(if crlf { LineEnd::CrLf } else { LineEnd::Cr }, on_frame);
            if crlf {
                data = data.get(1..).unwrap_or_default();
                self.next += 1;
            }
            self.line_start = self.next;
        }
        while !data.is_empty() {
            let Some(pos) = data.iter().position(|&b| b == b'\r' || b == b'\n') else {
                self.absorb(data, on_frame);
                self.next += data.len() as u64;
                return;
            };
            let (head, rest) = data.split_at(pos);
            let end = LineEnd::at(rest);
            // A CR as the last byte might be the first half of a CRLF: wait for the next byte.
            if end == LineEnd::Cr && rest.len() == 1 {
                self.absorb(head, on_frame);
                self.next += head.len() as u64 + 1;
                self.pending_cr = true;
                return;
            }
            if !self.skipping && self.buf.is_empty() && head.len() <= self.max_line {
                on_frame(Frame::Line { offset: self.line_start, line: head, line_end: end });
            } else {
                self.absorb(head, on_frame);
                self.emit_buffered(end, on_frame);
            }
            let eol_len = end.as_bytes().len();
            self.next += (head.len() + eol_len) as u64;
            self.line_start = self.next;
            data = rest.get(eol_len..).unwrap_or_default();
        }
    }

    /// Ends the stream: a pending line without a line end comes out as [`LineEnd::None`]. Returns
    /// whether the stream ended inside a line (a connection closed mid-line).
    pub fn finish(&mut self, mut on_frame: impl FnMut(Frame<'_>)) -> bool {
        let probe = std::mem::take(&mut self.probe);
        if !probe.is_empty() {
            // The stream ended before four bytes after a gap showed what they are.
            self.resync = false;
            if starts_like_a_line(&probe) {
                self.frame(&probe, &mut on_frame);
            } else {
                self.tail_start = self.next;
                self.in_tail = true;
                self.skip(probe.len());
            }
        }
        if std::mem::take(&mut self.in_tail) {
            self.resync = false;
            on_frame(Frame::Skipped { offset: self.tail_start, len: self.next - self.tail_start });
            self.line_start = self.next;
            return true;
        }
        if self.pending_cr {
            self.pending_cr = false;
            self.emit_buffered(LineEnd::Cr, &mut on_frame);
            self.line_start = self.next;
            return false;
        }
        let mid_line = !self.buf.is_empty() || self.skipping;
        if mid_line {
            self.emit_buffered(LineEnd::None, &mut on_frame);
        }
        self.line_start = self.next;
        mid_line
    }

    /// Buffers bytes of an incomplete line, reporting it once if it passes the bound; the caller
    /// advances the stream offset.
    fn absorb(&mut self, bytes: &[u8], on_frame: &mut dyn FnMut(Frame<'_>)) {
        if self.skipping {
            return;
        }
        let room = self.max_line - self.buf.len();
        if bytes.len() <= room {
            self.buf.extend_from_slice(bytes);
        } else {
            self.buf.extend_from_slice(bytes.get(..room).unwrap_or_default());
            on_frame(Frame::TooLong { offset: self.line_start, prefix: &self.buf });
            self.buf.clear();
            self.skipping = true;
        }
    }

    fn emit_buffered(&mut self, line_end: LineEnd, on_frame: &mut dyn FnMut(Frame<'_>)) {
        if self.skipping {
            self.skipping = false;
        } else {
            on_frame(Frame::Line { offset: self.line_start, line: &self.buf, line_end });
        }
        self.buf.clear();
    }
}

/// Whether bytes after a gap start like a line of the protocol rather than the tail of one.
fn starts_like_a_line(data: &[u8]) -> bool {
    let n = data.len().min(4);
    let head = data.get(..n).unwrap_or_default();
    let like = |kw: &[u8]| {
        let m = head.len().min(kw.len());
        head.get(..m).zip(kw.get(..m)).is_some_and(|(h, k)| h.eq_ignore_ascii_case(k))
    };
    matches!(data.first(), Some(b'\r' | b'\n')) || [&b"WVCI"[..], b"HELO", b"OK", b"PING"].into_iter().any(like)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(f: &mut LineFramer, parts: &[&[u8]]) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        for p in parts {
            f.push(p, |fr| {
                if let Frame::Line { offset, line, .. } = fr {
                    out.push((offset, line.to_vec()));
                }
            });
        }
        out
    }

    #[test]
    fn a_gap_cuts_the_partial_line_and_skips_a_lost_lines_tail() {
        let mut f = LineFramer::default();
        let got = lines(&mut f, &[b"OK\r\nWVCI 1.2 ab"]);
        assert_eq!(got, [(0, b"OK".to_vec())]);
        f.gap(10);
        let got = lines(&mut f, &[b"cd\r\nWVCI 1.2 x\r\n"]);
        assert_eq!(got, [(29, b"WVCI 1.2 x".to_vec())]);
        assert_eq!((f.cut_lines(), f.resync_bytes()), (1, 4));
        // After another gap, bytes that start like a line are a line.
        f.gap(3);
        assert_eq!(lines(&mut f, &[b"PING\r\n"]), [(44, b"PING".to_vec())]);
        assert_eq!(f.cut_lines(), 1, "nothing was open");
    }

    #[test]
    fn a_tail_spread_over_segments_is_skipped_whole() {
        let mut f = LineFramer::default();
        f.gap(0);
        assert_eq!(lines(&mut f, &[b"tail-with", b"out-end", b"\r\nOK\r\n"]), [(18, b"OK".to_vec())]);
        assert_eq!(f.resync_bytes(), 18);
    }
}
