//! One direction of a TCP stream, put back in sequence order.
//!
//! Every byte is delivered at most once, in stream order, with its stream offset (0 is the first
//! byte after the SYN, or the first byte seen when the capture starts mid-stream).
//!
//! Overlap policy: **the first copy wins**. Bytes already delivered are never delivered again, and
//! bytes held out of order are never overwritten: a retransmission or an overlapping segment only
//! fills holes. This is Suricata's `bsd`-like "original data wins" and what Wireshark's
//! out-of-order reassembly keeps; it is also the only policy that needs nothing from later
//! segments. Overlapping bytes that differ from the held copy are counted (`conflicting`); bytes
//! behind the delivery point are not kept, so they are counted as duplicates unchecked.
//!
//! Gaps: a segment that arrives ahead of the next expected byte is held until the gap fills (a
//! reordered segment, or a lost one retransmitted). Held data is bounded by [`MAX_HELD_BYTES`] and
//! [`MAX_HELD_SEGMENTS`]; past either bound the oldest gap is given up on (a segment the capture
//! never got) and reported as a [`Chunk::Gap`], and delivery resumes after it. A RST gives up on
//! every gap at once (its own data, diagnostic text at most, is not stream data); a FIN ends the
//! stream once the bytes before it are in.

use super::seq::{Control, SeqNumber};
use std::collections::BTreeMap;

/// Out-of-order bytes held per direction before the oldest gap is given up on.
pub const MAX_HELD_BYTES: usize = 256 * 1024;
/// Out-of-order segments held per direction (a flood of one-byte segments is bounded too).
pub const MAX_HELD_SEGMENTS: usize = 256;

/// What a segment makes deliverable, in stream order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// Bytes at a stream offset.
    Data {
        /// Stream offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// Bytes the capture never had: delivery skips them.
    Gap {
        /// Stream offset of the first missing byte.
        offset: u64,
        /// How many are missing.
        len: u64,
    },
    /// The sender's stream ended (its FIN is reached, or the connection was reset).
    End {
        /// Whether it was a reset.
        reset: bool,
    },
}

/// What one direction dropped or saw twice: nothing is discarded without being counted here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Bytes delivered.
    pub delivered: u64,
    /// Bytes seen again (retransmissions, overlaps, keep-alive probes) and not delivered twice.
    pub duplicate: u64,
    /// Of those, bytes held out of order that a later copy contradicted (the first copy won).
    pub conflicting: u64,
    /// Gaps given up on.
    pub gaps: u64,
    /// Bytes in those gaps.
    pub gap_bytes: u64,
    /// Bytes that came after the stream's FIN or RST.
    pub after_end: u64,
}

/// The reassembly state of one direction.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Sequence number of stream offset 0, once known.
    base: Option<SeqNumber>,
    /// Whether the stream's start was seen (a SYN) rather than guessed from the first data.
    saw_start: bool,
    /// Stream offset of the next byte to deliver.
    next: u64,
    /// Early segments by stream offset; never overlapping, all past `next`.
    held: BTreeMap<u64, Vec<u8>>,
    held_bytes: usize,
    /// Stream offset where the sender's FIN sits, once seen.
    fin_at: Option<u64>,
    ended: bool,
    stats: StreamStats,
}

impl Reassembler {
    /// What this direction dropped or saw twice.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Bytes still held behind a gap.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Whether the stream's start was seen (a SYN), not guessed from the first data segment.
    pub fn saw_start(&self) -> bool {
        self.saw_start
    }

    /// Whether the stream has ended (FIN reached or RST).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Stream offset of the next byte expected.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Tells the reassembler where the stream starts without a SYN segment: `isn` is the initial
    /// sequence number, so data starts at `isn + 1` (Wireshark's relative numbering starts data
    /// at 1 after an ISN of 0). Ignored once the start is known.
    pub fn start_at(&mut self, isn: u32) {
        if self.base.is_none() {
            self.base = Some(SeqNumber(isn) + 1);
            self.saw_start = true;
        }
    }

    /// The stream offset the payload of this segment starts at, as [`Reassembler::segment`]
    /// will place it; `None` when it starts before the stream does.
    pub fn offset_of(&self, seq: u32, control: Control) -> Option<u64> {
        let seq = if control == Control::Syn { SeqNumber(seq) + 1 } else { SeqNumber(seq) };
        match self.base {
            Some(base) if !(control == Control::Syn && self.rebases_on_syn()) => {
                u64::try_from((self.next as i64).saturating_add(seq - (base + self.next as usize))).ok()
            }
            _ => Some(0),
        }
    }

    fn rebases_on_syn(&self) -> bool {
        self.base.is_none() || (!self.saw_start && self.next == 0 && self.held.is_empty())
    }

    /// Takes one segment; `emit` gets what it makes deliverable, in stream order.
    pub fn segment(&mut self, seq: u32, control: Control, payload: &[u8], emit: &mut impl FnMut(Chunk<'_>)) {
        let mut seq = SeqNumber(seq);
        if control == Control::Syn {
            if self.rebases_on_syn() {
                self.base = Some(seq + 1);
                self.saw_start = true;
            }
            seq = seq + 1;
        }
        if self.ended {
            self.stats.after_end += payload.len() as u64;
            return;
        }
        let base = match self.base {
            Some(b) => b,
            None if payload.is_empty() => return,
            None => *self.base.insert(seq),
        };
        // Stream offset of the payload's first byte (negative: before the stream's start).
        let start = (self.next as i64).saturating_add(seq - (base + self.next as usize));
        let end = start.saturating_add(payload.len() as i64);
        // A RST's data is not stream data (RFC 9293 3.5.3: diagnostic text at most).
        if control == Control::Rst {
            self.stats.after_end += payload.len() as u64;
        } else if !payload.is_empty() {
            self.take(start, payload, emit);
        }
        match control {
            Control::Fin => {
                let at = u64::try_from(end).unwrap_or(0);
                self.fin_at = Some(self.fin_at.map_or(at, |f| f.min(at)));
                self.end_if_reached(emit);
            }
            Control::Rst => {
                self.flush(emit);
                self.ended = true;
                emit(Chunk::End { reset: true });
            }
            Control::None | Control::Syn => self.end_if_reached(emit),
        }
    }

    /// Gives up on every gap: delivers all held data (the connection was reset, or the caller
    /// knows nothing more will come).
    pub fn flush(&mut self, emit: &mut impl FnMut(Chunk<'_>)) {
        while let Some((&offset, _)) = self.held.first_key_value() {
            self.skip_to(offset, emit);
            self.drain(emit);
        }
    }

    fn take(&mut self, start: i64, payload: &[u8], emit: &mut impl FnMut(Chunk<'_>)) {
        // Bytes behind the delivery point were delivered already: first copy wins.
        let behind = usize::try_from((self.next as i64).saturating_sub(start)).unwrap_or(0).min(payload.len());
        self.stats.duplicate += behind as u64;
        let Some(fresh) = payload.get(behind..).filter(|f| !f.is_empty()) else { return };
        let offset = u64::try_from(start).unwrap_or(0).max(self.next);
        if offset == self.next {
            // In order: deliver straight from the segment, up to the first held byte.
            let direct = match self.held.first_key_value() {
                Some((&h, _)) => fresh.len().min(usize::try_from(h - offset).unwrap_or(usize::MAX)),
                None => fresh.len(),
            };
            let (now, later) = fresh.split_at(direct);
            self.deliver(now, emit);
            if !later.is_empty() {
                self.hold(self.next, later);
            }
            self.drain(emit);
            return;
        }
        self.hold(offset, fresh);
        while self.held_bytes > MAX_HELD_BYTES || self.held.len() > MAX_HELD_SEGMENTS {
            let Some((&first, _)) = self.held.first_key_value() else { break };
            self.skip_to(first, emit);
            self.drain(emit);
        }
    }

    /// Stores bytes at `offset` (past `next`) where nothing is held yet; overlaps keep the held
    /// copy and are counted.
    fn hold(&mut self, offset: u64, bytes: &[u8]) {
        let end = offset + bytes.len() as u64;
        let mut cursor = offset;
        let mut pieces: Vec<(u64, Vec<u8>)> = Vec::new();
        // Held segments that overlap [offset, end), in order (the one starting before may too).
        let before = self.held.range(..offset).next_back().map(|(&o, b)| (o, b.len() as u64));
        let overlapping = before
            .filter(|&(o, l)| o + l > offset)
            .into_iter()
            .chain(self.held.range(offset..end).map(|(&o, b)| (o, b.len() as u64)))
            .collect::<Vec<_>>();
        for (o, l) in overlapping {
            if o > cursor {
                pieces.push((cursor, slice(bytes, cursor - offset, o - cursor).to_vec()));
            }
            let (from, to) = (o.max(cursor), (o + l).min(end));
            if to > from {
                let held = self.held.get(&o).map(|h| slice(h, from - o, to - from)).unwrap_or_default();
                let new = slice(bytes, from - offset, to - from);
                self.stats.duplicate += to - from;
                self.stats.conflicting += held.iter().zip(new).filter(|(a, b)| a != b).count() as u64;
            }
            cursor = cursor.max(o + l);
        }
        if cursor < end {
            pieces.push((cursor, slice(bytes, cursor - offset, end - cursor).to_vec()));
        }
        for (o, piece) in pieces {
            self.held_bytes += piece.len();
            self.held.insert(o, piece);
        }
    }

    /// Delivers held segments that start at the delivery point.
    fn drain(&mut self, emit: &mut impl FnMut(Chunk<'_>)) {
        while let Some(entry) = self.held.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            let bytes = entry.remove();
            self.held_bytes -= bytes.len();
            self.deliver(&bytes, emit);
        }
    }

    fn skip_to(&mut self, offset: u64, emit: &mut impl FnMut(Chunk<'_>)) {
        if offset > self.next {
            let len = offset - self.next;
            self.stats.gaps += 1;
            self.stats.gap_bytes += len;
            emit(Chunk::Gap { offset: self.next, len });
            self.next = offset;
        }
    }

    fn deliver(&mut self, bytes: &[u8], emit: &mut impl FnMut(Chunk<'_>)) {
        if bytes.is_empty() {
            return;
        }
        // Bytes past the FIN are not part of the stream.
        let room = self.fin_at.map_or(bytes.len() as u64, |f| f.saturating_sub(self.next));
        let keep = bytes.get(..usize::try_from(room).unwrap_or(usize::MAX).min(bytes.len())).unwrap_or_default();
        self.stats.after_end += (bytes.len() - keep.len()) as u64;
        if !keep.is_empty() {
            emit(Chunk::Data { offset: self.next, bytes: keep });
            self.next += keep.len() as u64;
            self.stats.delivered += keep.len() as u64;
        }
        self.end_if_reached(emit);
    }

    fn end_if_reached(&mut self, emit: &mut impl FnMut(Chunk<'_>)) {
        if !self.ended && self.fin_at.is_some_and(|f| self.next >= f) {
            self.ended = true;
            self.stats.after_end += self.held_bytes as u64;
            self.held.clear();
            self.held_bytes = 0;
            emit(Chunk::End { reset: false });
        }
    }
}

fn slice(bytes: &[u8], from: u64, len: u64) -> &[u8] {
    let from = usize::try_from(from).unwrap_or(usize::MAX);
    let to = from.saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
    bytes.get(from..to.min(bytes.len())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Out {
        bytes: Vec<u8>,
        gaps: Vec<(u64, u64)>,
        end: Option<bool>,
    }

    fn run(r: &mut Reassembler, segments: &[(u32, Control, &[u8])]) -> Out {
        let mut out = Out::default();
        for &(seq, c, p) in segments {
            r.segment(seq, c, p, &mut |chunk| match chunk {
                Chunk::Data { offset, bytes } => {
                    assert_eq!(offset, out.bytes.len() as u64 + out.gaps.iter().map(|g| g.1).sum::<u64>());
                    out.bytes.extend_from_slice(bytes);
                }
                Chunk::Gap { offset, len } => out.gaps.push((offset, len)),
                Chunk::End { reset } => out.end = Some(reset),
            });
        }
        out
    }

    const N: Control = Control::None;

    #[test]
    fn in_order_retransmitted_overlapping_and_early() {
        let mut r = Reassembler::default();
        let out = run(
            &mut r,
            &[
                (99, Control::Syn, b""),
                (100, N, b"OK\r\n"),
                (100, N, b"OK\r\n"),
                (102, N, b"\r\nWV"),
                (111, N, b"2 x\r\n"),
                (106, N, b"CI 1."),
            ],
        );
        assert_eq!(out.bytes, b"OK\r\nWVCI 1.2 x\r\n");
        assert_eq!((r.stats().duplicate, r.stats().gaps, r.held_bytes()), (6, 0, 0));
    }

    #[test]
    fn first_copy_wins_among_held_segments_and_conflicts_are_counted() {
        let mut r = Reassembler::default();
        r.start_at(0);
        // Two early copies of the same range with different bytes; then the gap fills.
        let out = run(&mut r, &[(5, N, b"aaaa"), (3, N, b"xxbbbbyy"), (1, N, b"OK")]);
        assert_eq!(out.bytes, b"OKxxaaaayy");
        assert_eq!((r.stats().duplicate, r.stats().conflicting), (4, 4));
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut r = Reassembler::default();
        let out = run(&mut r, &[(u32::MAX - 1, N, b"ab"), (2, N, b"ef"), (0, N, b"cd")]);
        assert_eq!(out.bytes, b"abcdef");
    }

    #[test]
    fn a_full_hold_gives_up_on_the_oldest_gap() {
        let mut r = Reassembler::default();
        r.start_at(0);
        let mut segs: Vec<(u32, Control, &[u8])> = vec![(1, N, b"a")];
        // A lost segment at 2..12, then more early segments than the hold takes.
        for i in 0..=MAX_HELD_SEGMENTS as u32 {
            segs.push((12 + i, N, b"z"));
        }
        let out = run(&mut r, &segs);
        assert_eq!(out.gaps, [(1, 10)]);
        assert_eq!(out.bytes.len(), 1 + MAX_HELD_SEGMENTS + 1);
        assert_eq!((r.stats().gaps, r.stats().gap_bytes, r.held_bytes()), (1, 10, 0));
        // The lost segment's retransmission, now behind: a duplicate.
        run(&mut r, &[(2, N, b"0123456789")]);
        assert_eq!(r.stats().duplicate, 10);
    }

    #[test]
    fn fin_waits_for_the_gap_and_rst_gives_up_on_it() {
        let mut r = Reassembler::default();
        r.start_at(0);
        let out = run(&mut r, &[(1, N, b"ab"), (5, Control::Fin, b"ef"), (3, N, b"cd")]);
        assert_eq!((out.bytes.as_slice(), out.end), (&b"abcdef"[..], Some(false)));
        run(&mut r, &[(7, N, b"late")]);
        assert_eq!(r.stats().after_end, 4);

        let mut r = Reassembler::default();
        r.start_at(0);
        let out = run(&mut r, &[(1, N, b"ab"), (5, N, b"ef"), (9, Control::Rst, b"")]);
        assert_eq!((out.bytes.as_slice(), out.gaps.as_slice(), out.end), (&b"abef"[..], &[(2, 2)][..], Some(true)));
    }

    #[test]
    fn keep_alive_and_zero_window_probes() {
        let mut r = Reassembler::default();
        r.start_at(0);
        // Data, a keep-alive (one old byte at next - 1), a zero-window probe (the next byte alone),
        // then the segment that starts at the probe's byte again.
        let out = run(&mut r, &[(1, N, b"OK\r\n"), (4, N, b"\n"), (5, N, b"W"), (5, N, b"WVCI 1.2 c\r\n")]);
        assert_eq!(out.bytes, b"OK\r\nWVCI 1.2 c\r\n");
        assert_eq!(r.stats().duplicate, 2);
    }

    #[test]
    fn mid_stream_start_and_data_before_it() {
        let mut r = Reassembler::default();
        let out = run(&mut r, &[(1000, N, b"abc"), (990, N, b"0123456789")]);
        assert_eq!(out.bytes, b"abc");
        assert!(!r.saw_start());
        assert_eq!(r.stats().duplicate, 10);
    }
}
