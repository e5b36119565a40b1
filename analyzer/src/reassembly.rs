//! One direction of a TCP stream, put back in order.
//!
//! Bytes are delivered exactly once, in sequence order: a retransmission or an overlap delivers
//! only what is new (the first copy wins), a segment that arrives early is held until the gap
//! before it fills. Held bytes are bounded; what does not fit is dropped and counted.

/// Out-of-order bytes held per direction.
pub const MAX_HELD: usize = 256 * 1024;

/// The reassembly state of one direction.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Sequence number of the next byte expected (set by the SYN, else by the first data).
    next: Option<u32>,
    /// Early segments: (sequence number, bytes).
    held: Vec<(u32, Vec<u8>)>,
    held_bytes: usize,
    /// Bytes delivered.
    pub delivered: u64,
    /// Bytes seen again (retransmissions, overlaps) and not delivered twice.
    pub duplicate: u64,
    /// Early bytes dropped because the hold was full.
    pub dropped: u64,
}

/// `a - b` in sequence space.
fn seq_diff(a: u32, b: u32) -> i64 {
    i64::from(a.wrapping_sub(b) as i32)
}

impl Reassembler {
    /// Takes one segment; `deliver` gets the bytes it makes contiguous, in order.
    pub fn segment(&mut self, seq: u32, syn: bool, payload: &[u8], mut deliver: impl FnMut(&[u8])) {
        let seq = if syn {
            self.next = Some(seq.wrapping_add(1));
            seq.wrapping_add(1)
        } else {
            seq
        };
        if payload.is_empty() {
            return;
        }
        let next = *self.next.get_or_insert(seq);
        let ahead = seq_diff(seq, next);
        if ahead > 0 {
            if self.held_bytes + payload.len() > MAX_HELD {
                self.dropped += payload.len() as u64;
            } else {
                self.held_bytes += payload.len();
                self.held.push((seq, payload.to_vec()));
            }
            return;
        }
        self.take(seq, payload, &mut deliver);
        // Early segments that now fit.
        while let Some(i) = self.held.iter().position(|(s, _)| self.next.is_some_and(|n| seq_diff(*s, n) <= 0)) {
            let (s, bytes) = self.held.swap_remove(i);
            self.held_bytes -= bytes.len();
            self.take(s, &bytes, &mut deliver);
        }
    }

    /// Delivers the part of a segment at or behind `next` that is new.
    fn take(&mut self, seq: u32, payload: &[u8], deliver: &mut impl FnMut(&[u8])) {
        let next = self.next.unwrap_or(seq);
        let behind = usize::try_from(-seq_diff(seq, next)).unwrap_or(0);
        if behind >= payload.len() {
            self.duplicate += payload.len() as u64;
            return;
        }
        self.duplicate += behind as u64;
        let fresh = payload.get(behind..).unwrap_or_default();
        deliver(fresh);
        self.delivered += fresh.len() as u64;
        self.next = Some(next.wrapping_add(fresh.len() as u32));
    }

    /// Bytes still held behind a gap that never filled.
    pub fn held(&self) -> usize {
        self.held_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(segments: &[(u32, bool, &[u8])]) -> (Vec<u8>, Reassembler) {
        let mut r = Reassembler::default();
        let mut out = Vec::new();
        for (seq, syn, p) in segments {
            r.segment(*seq, *syn, p, |b| out.extend_from_slice(b));
        }
        (out, r)
    }

    #[test]
    fn in_order_retransmitted_overlapping_and_early() {
        let (out, r) = run(&[
            (99, true, b""),
            (100, false, b"OK\r\n"),
            (100, false, b"OK\r\n"),
            (102, false, b"\r\nWV"),
            (111, false, b"2 x\r\n"),
            (106, false, b"CI 1."),
        ]);
        assert_eq!(out, b"OK\r\nWVCI 1.2 x\r\n");
        assert_eq!((r.duplicate, r.dropped, r.held()), (6, 0, 0));
    }

    #[test]
    fn sequence_numbers_wrap() {
        let (out, _) = run(&[(u32::MAX - 1, false, b"ab"), (0, false, b"cd")]);
        assert_eq!(out, b"abcd");
    }

    #[test]
    fn hold_is_bounded() {
        let big = vec![b'x'; MAX_HELD];
        let (out, r) = run(&[(0, false, b"a"), (10, false, &big), (20_000_000, false, b"y")]);
        assert_eq!(out, b"a");
        assert_eq!((r.held(), r.dropped), (MAX_HELD, 1));
    }
}
