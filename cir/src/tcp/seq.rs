//! TCP sequence numbers: 32-bit, compared and subtracted modulo 2^32 (RFC 9293 section 3.4).

use core::fmt;
use core::ops::{Add, Sub};

/// A TCP sequence number. Ordering is wrap-aware and only meaningful for numbers less than 2^31
/// apart, which is why this type has no `Ord`: use [`SeqNumber::cmp_wrapping`] or subtraction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// `self - other` as a signed distance: negative when `self` is behind `other`.
    pub const fn diff(self, other: SeqNumber) -> i64 {
        self.0.wrapping_sub(other.0) as i32 as i64
    }

    /// Wrap-aware comparison.
    pub fn cmp_wrapping(self, other: SeqNumber) -> core::cmp::Ordering {
        self.diff(other).cmp(&0)
    }
}

impl Add<usize> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, n: usize) -> SeqNumber {
        // Truncation is the arithmetic: sequence space is modulo 2^32.
        SeqNumber(self.0.wrapping_add(n as u32))
    }
}

impl Sub for SeqNumber {
    type Output = i64;
    fn sub(self, other: SeqNumber) -> i64 {
        self.diff(other)
    }
}

impl fmt::Debug for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {}", self.0)
    }
}

/// The control flag of a segment that matters to a stream, one at a time (smoltcp's model): a
/// segment carrying several is read as the strongest, RST over SYN over FIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Control {
    /// No SYN, FIN or RST.
    #[default]
    None,
    /// SYN: the sequence number is the initial one; data starts one later.
    Syn,
    /// FIN: the sender's stream ends after this segment's data.
    Fin,
    /// RST: the connection is aborted.
    Rst,
}

impl Control {
    /// From the header flags.
    pub const fn from_flags(syn: bool, fin: bool, rst: bool) -> Control {
        if rst {
            Control::Rst
        } else if syn {
            Control::Syn
        } else if fin {
            Control::Fin
        } else {
            Control::None
        }
    }

    /// From the TCP header's flag bits (FIN 0x01, SYN 0x02, RST 0x04), as Wireshark's `tcpinfo`
    /// carries them.
    pub const fn from_bits(bits: u16) -> Control {
        Control::from_flags(bits & 0x02 != 0, bits & 0x01 != 0, bits & 0x04 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_wrap() {
        assert_eq!(SeqNumber(1) - SeqNumber(u32::MAX), 2);
        assert_eq!(SeqNumber(u32::MAX) - SeqNumber(1), -2);
        assert_eq!(SeqNumber(u32::MAX - 1) + 4, SeqNumber(2));
        assert_eq!(SeqNumber(5).cmp_wrapping(SeqNumber(u32::MAX)), core::cmp::Ordering::Greater);
    }

    #[test]
    fn control_precedence() {
        assert_eq!(Control::from_bits(0x02 | 0x01), Control::Syn);
        assert_eq!(Control::from_bits(0x04 | 0x02), Control::Rst);
        assert_eq!(Control::from_bits(0x18 | 0x01), Control::Fin);
        assert_eq!(Control::from_bits(0x10), Control::None);
    }
}
