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
}

impl Default for LineFramer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE)
    }
}

impl LineFramer {
    /// A framer that buffers at most `max_line` bytes of a partial line (at least 1).
    pub fn new(max_line: usize) -> Self {
        Self { buf: Vec::new(), max_line: max_line.max(1), next: 0, line_start: 0, pending_cr: false, skipping: false }
    }

    /// Stream offset of the next byte expected.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Bytes held for an incomplete line.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Feeds the next bytes of the stream; `on_frame` gets every line they complete, in order.
    /// Lines wholly inside `data` are handed out without copying.
    pub fn push(&mut self, mut data: &[u8], mut on_frame: impl FnMut(Frame<'_>)) {
        if data.is_empty() {
            return;
        }
        if self.pending_cr {
            self.pending_cr = false;
            let crlf = data.first() == Some(&b'\n');
            self.emit_buffered(if crlf { LineEnd::CrLf } else { LineEnd::Cr }, &mut on_frame);
            if crlf {
                data = data.get(1..).unwrap_or_default();
                self.next += 1;
            }
            self.line_start = self.next;
        }
        while !data.is_empty() {
            let Some(pos) = data.iter().position(|&b| b == b'\r' || b == b'\n') else {
                self.absorb(data, &mut on_frame);
                self.next += data.len() as u64;
                return;
            };
            let (head, rest) = data.split_at(pos);
            let end = LineEnd::at(rest);
            // A CR as the last byte might be the first half of a CRLF: wait for the next byte.
            if end == LineEnd::Cr && rest.len() == 1 {
                self.absorb(head, &mut on_frame);
                self.next += head.len() as u64 + 1;
                self.pending_cr = true;
                return;
            }
            if !self.skipping && self.buf.is_empty() && head.len() <= self.max_line {
                on_frame(Frame::Line { offset: self.line_start, line: head, line_end: end });
            } else {
                self.absorb(head, &mut on_frame);
                self.emit_buffered(end, &mut on_frame);
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
    fn absorb(&mut self, bytes: &[u8], on_frame: &mut impl FnMut(Frame<'_>)) {
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

    fn emit_buffered(&mut self, line_end: LineEnd, on_frame: &mut impl FnMut(Frame<'_>)) {
        if self.skipping {
            self.skipping = false;
        } else {
            on_frame(Frame::Line { offset: self.line_start, line: &self.buf, line_end });
        }
        self.buf.clear();
    }
}
