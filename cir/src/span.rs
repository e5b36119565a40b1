//! Byte spans and borrowed fields: every decoded value says where it came from.

use core::fmt;

/// A range of bytes in the decoder's input: `offset` from the start, `len` bytes long.
///
/// The dissector highlights these bytes; the analyzer points users at them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub offset: usize,
    /// Number of bytes.
    pub len: usize,
}

impl Span {
    /// A span of `len` bytes at `offset`.
    pub const fn new(offset: usize, len: usize) -> Self {
        Self { offset, len }
    }

    /// The offset just past the span.
    pub const fn end(&self) -> usize {
        self.offset + self.len
    }

    /// The same span moved `by` bytes later: for a message found inside a larger buffer.
    #[must_use]
    pub const fn shifted(self, by: usize) -> Self {
        Self { offset: self.offset + by, len: self.len }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Self {
        let start = self.offset.min(other.offset);
        let end = self.end().max(other.end());
        Self { offset: start, len: end - start }
    }
}

/// A value borrowed from the input, with its span.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field<'a> {
    /// The bytes as they stand in the input (after 7-bit unpacking for GSM text).
    pub bytes: &'a [u8],
    /// Where they stand.
    pub span: Span,
}

impl<'a> Field<'a> {
    /// The field taken from `input[start..end]`; out-of-range bounds give an empty field.
    pub(crate) fn slice(input: &'a [u8], start: usize, end: usize) -> Self {
        let bytes = input.get(start..end).unwrap_or_default();
        Field { bytes, span: Span::new(start, bytes.len()) }
    }

    /// The value as text when it is valid UTF-8. Decoded fields hold printable ASCII unless the
    /// message carries the `non-printable` anomaly.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.bytes).ok()
    }

    /// A display form that is safe for a terminal or a log: printable ASCII as is, everything
    /// else (control bytes, escape sequences, non-ASCII) as `\xNN`, and `\` as `\\`.
    pub fn escaped(&self) -> Escaped<'a> {
        Escaped(self.bytes)
    }
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"@{}+{}", self.escaped(), self.span.offset, self.span.len)
    }
}

/// Bytes shown with every non-printable byte escaped; see [`Field::escaped`].
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for &b in self.0 {
            match b {
                b'\\' => f.write_str("\\\\")?,
                0x20..=0x7E => f.write_char(char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_never_passes_control_bytes() {
        let s = Escaped(b"a\x1b[31mb\\\xff").to_string();
        assert_eq!(s, "a\\x1b[31mb\\\\\\xff");
    }

    #[test]
    fn cover_and_shift() {
        let a = Span::new(4, 2);
        assert_eq!(a.cover(Span::new(10, 3)), Span::new(4, 9));
        assert_eq!(a.shifted(3), Span::new(7, 2));
    }
}
