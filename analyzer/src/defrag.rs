//! IPv4 and IPv6 reassembly with every resource bounded: datagrams pending, bytes held, age.
//!
//! Fragments are kept per (source, destination, protocol, identification) until they cover the
//! datagram from 0 to the last fragment's end. Overlapping bytes keep the first copy (as most
//! stacks do). When a bound is hit the oldest datagram is dropped and counted, never silently.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Datagrams under reassembly at once.
pub const MAX_PENDING: usize = 4096;
/// Bytes held across all pending datagrams.
pub const MAX_HELD_BYTES: usize = 16 << 20;
/// A datagram not completed within this many seconds of its first fragment is dropped.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Fragments one datagram may have: 64 KiB at a 1500-byte MTU needs 45.
pub const MAX_FRAGMENTS: usize = 128;
/// The largest IPv4 datagram payload.
const MAX_DATAGRAM: usize = 65_535;

/// (source, destination, protocol, identification): IPv4's 16-bit or IPv6's 32-bit id.
pub type Key = (std::net::IpAddr, std::net::IpAddr, u8, u32);

#[derive(Debug)]
struct Pending {
    first_ts: Duration,
    /// (offset, bytes), in arrival order.
    parts: Vec<(usize, Vec<u8>)>,
    /// Known once the last fragment (more-fragments clear) arrives.
    total: Option<usize>,
    held: usize,
}

/// The reassembly pool of one input.
#[derive(Debug, Default)]
pub struct Defrag {
    pending: HashMap<Key, Pending>,
    /// Keys with their first arrival time, oldest first: eviction and expiry take from the front,
    /// so neither scans the pool. An entry whose datagram finished (or whose key came back later,
    /// with another first time) is stale and skipped.
    order: VecDeque<(Key, Duration)>,
    held: usize,
    /// Datagrams completed.
    pub reassembled: u64,
    /// Datagrams dropped: timed out, over a bound, or impossible (past 65,535 bytes).
    pub dropped: u64,
}

impl Defrag {
    /// Adds a fragment; returns the datagram's payload when this fragment completes it.
    pub fn add(&mut self, key: Key, offset: usize, more: bool, data: &[u8], ts: Duration) -> Option<Vec<u8>> {
        if offset + data.len() > MAX_DATAGRAM {
            self.dropped += u64::from(self.pending.remove(&key).is_some_and(|p| self.release(&p)));
            return None;
        }
        self.expire(ts);
        while !self.pending.contains_key(&key)
            && (self.pending.len() >= MAX_PENDING || self.held + data.len() > MAX_HELD_BYTES)
        {
            if !self.evict_oldest() {
                break;
            }
        }
        if !self.pending.contains_key(&key) {
            if self.order.len() >= 2 * MAX_PENDING {
                let pending = &self.pending;
                self.order.retain(|(k, t)| pending.get(k).is_some_and(|p| p.first_ts == *t));
            }
            self.order.push_back((key, ts));
        }
        let p = self.pending.entry(key).or_insert_with(|| Pending {
            first_ts: ts,
            parts: Vec::new(),
            total: None,
            held: 0,
        });
        if p.parts.len() >= MAX_FRAGMENTS {
            let p = self.pending.remove(&key)?;
            self.held -= p.held;
            self.dropped += 1;
            return None;
        }
        if !more {
            p.total = Some(offset + data.len());
        }
        p.parts.push((offset, data.to_vec()));
        p.held += data.len();
        self.held += data.len();
        let total = p.total?;
        if !covers(&p.parts, total) {
            return None;
        }
        let p = self.pending.remove(&key)?;
        self.held -= p.held;
        let whole = assemble(&p.parts, total);
        self.reassembled += 1;
        Some(whole)
    }

    /// Datagrams still incomplete.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn release(&mut self, p: &Pending) -> bool {
        self.held -= p.held;
        true
    }

    /// Drops the datagrams whose first fragment is older than the timeout. Captures are in time
    /// order (nearly), so the expired ones are at the front of `order`: this looks at no more
    /// entries than it drops, plus one.
    fn expire(&mut self, now: Duration) {
        while let Some(&(key, first)) = self.order.front() {
            let live = self.pending.get(&key).is_some_and(|p| p.first_ts == first);
            if live && now.saturating_sub(first) <= TIMEOUT {
                break;
            }
            self.order.pop_front();
            if live && let Some(p) = self.pending.remove(&key) {
                self.held -= p.held;
                self.dropped += 1;
            }
        }
    }

    fn evict_oldest(&mut self) -> bool {
        while let Some((key, first)) = self.order.pop_front() {
            if self.pending.get(&key).is_some_and(|p| p.first_ts == first)
                && let Some(p) = self.pending.remove(&key)
            {
                self.held -= p.held;
                self.dropped += 1;
                return true;
            }
        }
        false
    }
}

/// Whether the fragments cover every byte from 0 to `total`.
fn covers(parts: &[(usize, Vec<u8>)], total: usize) -> bool {
    let mut spans: Vec<(usize, usize)> = parts.iter().map(|(o, d)| (*o, o + d.len())).collect();
    spans.sort_unstable();
    let mut reach = 0;
    for (start, end) in spans {
        if start > reach {
            return false;
        }
        reach = reach.max(end);
    }
    reach >= total
}

/// The datagram from its fragments: the first copy of each byte wins.
fn assemble(parts: &[(usize, Vec<u8>)], total: usize) -> Vec<u8> {
    let mut whole = vec![0u8; total];
    let mut filled = vec![false; total];
    for (o, d) in parts {
        for (i, b) in d.iter().enumerate() {
            if let (Some(slot), Some(f @ false)) = (whole.get_mut(o + i), filled.get_mut(o + i).map(|f| &mut *f)) {
                *slot = *b;
                *f = true;
            }
        }
    }
    whole
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    const A: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(1, 2, 3, 4));
    const B: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(5, 6, 7, 8));
    const K: Key = (A, B, 17, 0x777);

    #[test]
    fn out_of_order_and_overlap() {
        let mut d = Defrag::default();
        assert_eq!(d.add(K, 16, false, b"QRS", secs(0.0)), None);
        assert_eq!(d.add(K, 0, true, b"ABCDEFGHIJKLMNOP", secs(0.1)), Some(b"ABCDEFGHIJKLMNOPQRS".to_vec()));
        assert_eq!((d.pending(), d.reassembled, d.held), (0, 1, 0));
        // Overlap: the first copy of a byte wins.
        assert_eq!(d.add(K, 0, true, b"AAAAAAAA", secs(1.0)), None);
        assert_eq!(d.add(K, 4, false, b"zzzzzzzz", secs(1.0)), Some(b"AAAAAAAAzzzz".to_vec()));
    }

    #[test]
    fn bounded_and_counted() {
        let mut d = Defrag::default();
        for id in 0..(MAX_PENDING as u32 + 10) {
            d.add((A, B, 17, id), 8, true, b"12345678", secs(0.0));
        }
        assert_eq!(d.pending(), MAX_PENDING);
        assert_eq!(d.dropped, 10);
        d.add(K, 8, true, b"x", secs(100.0));
        assert_eq!((d.pending(), d.dropped), (1, 10 + MAX_PENDING as u64), "timed out");
        assert_eq!(d.add(K, 65_530, false, b"0123456789", secs(100.0)), None, "past 65,535 bytes");
    }

    #[test]
    fn expiry_takes_the_oldest_and_skips_finished_ones() {
        let key = |id| (A, B, 17, id);
        let mut d = Defrag::default();
        assert_eq!(
            d.add(K, 0, false, b"done", secs(0.0)),
            Some(b"done".to_vec()),
            "K's entry in the order is now stale"
        );
        d.add(key(1), 8, true, b"x", secs(1.0));
        d.add(K, 8, true, b"y", secs(20.0));
        d.add(key(3), 8, true, b"z", secs(32.0));
        assert_eq!((d.pending(), d.dropped), (2, 1), "at 32 s only the datagram first seen at 1 s timed out");
        d.add(key(4), 8, true, b"w", secs(51.0));
        assert_eq!((d.pending(), d.dropped), (2, 2), "at 51 s K's second datagram (first seen at 20 s) too");
        assert_eq!(d.held, 2);
    }
}
