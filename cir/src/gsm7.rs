//! GSM 03.38 default-alphabet 7-bit packing, with its extension table, as far as a CIR needs it.
//!
//! Septets are packed LSB first, eight septets in seven bytes. For the characters a CIR uses
//! (letters, digits, space, `.`, `:`, `-`) the default alphabet equals ASCII; `@` is 0x00, `$` 0x02
//! and `_` 0x11. `[ ] { } ~ \ | ^` (and form feed) are two septets each: ESC (0x1B) and a code
//! from the extension table, as Android's SMS reader decodes them (docs/protocol.md, section 6).
//! Characters with no ASCII equal unpack to [`NO_ASCII`], which the line decoder then reports as
//! `non-printable`: never guessed, never dropped.

/// What an unpacked septet with no ASCII equal becomes (SUB).
pub const NO_ASCII: u8 = 0x1A;

/// The ASCII byte for a default-alphabet septet, or [`NO_ASCII`].
pub const fn septet_to_ascii(septet: u8) -> u8 {
    match septet & 0x7F {
        0x00 => b'@',
        0x02 => b'$',
        0x11 => b'_',
        s @ (0x0A | 0x0D) => s,
        // The national characters and the escape: ¤ ¡ Ä Ö Ñ Ü § ¿ ä ö ñ ü à, ESC.
        0x24 | 0x40 | 0x5B..=0x60 | 0x7B..=0x7F | 0x1B => NO_ASCII,
        s @ 0x20..=0x7A => s,
        _ => NO_ASCII,
    }
}

/// The default-alphabet septet for an ASCII byte, if it has one.
pub const fn ascii_to_septet(b: u8) -> Option<u8> {
    match b {
        b'@' => Some(0x00),
        b'$' => Some(0x02),
        b'_' => Some(0x11),
        b'\n' | b'\r' => Some(b),
        0x5B..=0x60 | 0x7B..=0x7F => None,
        0x20..=0x7A => Some(b),
        _ => None,
    }
}

/// The escape septet that starts an extension-table character.
pub const ESC: u8 = 0x1B;

/// The extension table (3GPP TS 23.038 6.2.1.1): (code after ESC, ASCII). The euro sign (0x65)
/// has no ASCII equal and unpacks to [`NO_ASCII`].
pub const EXTENSION: [(u8, u8); 9] = [
    (0x0A, 0x0C), // form feed
    (0x14, b'^'),
    (0x28, b'{'),
    (0x29, b'}'),
    (0x2F, b'\\'),
    (0x3C, b'['),
    (0x3D, b'~'),
    (0x3E, b']'),
    (0x40, b'|'),
];

/// The euro sign's extension code.
pub const EXTENSION_EURO: u8 = 0x65;

/// The ASCII byte of an extension code, [`NO_ASCII`] for the euro sign or an unknown code.
pub fn extension_to_ascii(code: u8) -> u8 {
    EXTENSION.iter().find(|(c, _)| *c == code).map_or(NO_ASCII, |(_, a)| *a)
}

/// The extension code of an ASCII byte that needs one (`[`, `]`, `{`, ...).
pub fn ascii_to_extension(b: u8) -> Option<u8> {
    EXTENSION.iter().find(|(_, a)| *a == b).map(|(c, _)| *c)
}

/// How many septets `packed` holds.
///
/// Over an IP bearer there is no septet count, so 7 spare bits at the end are ambiguous. 3GPP TS
/// 23.038 (6.1.2.3.1) has senders pad them with CR, and a sender whose text really ends in CR
/// there adds a second CR; some senders pad with zeros instead, which would read as a final `@`.
/// So a 7-byte multiple whose last septet is CR or zero is taken as one septet shorter. The price:
/// a text that really ends in `@` exactly on an 8-septet boundary loses that `@`.
pub fn septet_count(packed: &[u8]) -> usize {
    let n = packed.len() * 8 / 7;
    let padded = packed.len().is_multiple_of(7) && packed.last().is_some_and(|&b| matches!(b >> 1, 0 | 0x0D));
    if padded && n > 0 { n - 1 } else { n }
}

/// The septet at index `i` of `packed` (0 when past the end).
pub fn septet(packed: &[u8], i: usize) -> u8 {
    let bit = i * 7;
    let (byte, shift) = (bit / 8, bit % 8);
    let lo = u16::from(packed.get(byte).copied().unwrap_or(0));
    let hi = u16::from(packed.get(byte + 1).copied().unwrap_or(0));
    (((lo | (hi << 8)) >> shift) & 0x7F) as u8
}

/// Unpacks `packed` into `out` as ASCII, returning how many bytes were written (at most
/// `out.len()`). An ESC and its extension code become one byte.
pub fn unpack_ascii(packed: &[u8], out: &mut [u8]) -> usize {
    unpack(packed, out, None).written
}

/// What [`unpack`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unpacked {
    /// Bytes written.
    pub written: usize,
    /// Septets read for them.
    pub septets: usize,
    /// Septets left unread because `out` was full: the text is longer than the room for it.
    pub left: usize,
    /// A final `@` or CR septet on an 8-septet boundary was dropped as padding (it may have been
    /// text).
    pub dropped_padding: bool,
}

/// Unpacks `packed` into `out` as ASCII, and when `septet_of` is given, records for each byte
/// written the septet it starts at (plus one entry past the last: the septets read), so that a
/// span of the text maps back to the packed bytes ([`septets_to_bytes`]).
pub fn unpack(packed: &[u8], out: &mut [u8], mut septet_of: Option<&mut [u16]>) -> Unpacked {
    let total = septet_count(packed);
    let dropped_padding = total < packed.len() * 8 / 7;
    let (mut i, mut written) = (0, 0);
    while i < total && written < out.len() {
        let s = septet(packed, i);
        let (byte, used) = if s == ESC && i + 1 < total {
            (extension_to_ascii(septet(packed, i + 1)), 2)
        } else {
            (septet_to_ascii(s), 1)
        };
        if let Some(slot) = out.get_mut(written) {
            *slot = byte;
        }
        if let Some(slot) = septet_of.as_deref_mut().and_then(|m| m.get_mut(written)) {
            *slot = u16::try_from(i).unwrap_or(u16::MAX);
        }
        written += 1;
        i += used;
    }
    if let Some(slot) = septet_of.and_then(|m| m.get_mut(written)) {
        *slot = u16::try_from(i).unwrap_or(u16::MAX);
    }
    Unpacked { written, septets: i, left: total - i.min(total), dropped_padding }
}

/// Packs ASCII `text` into `out`, extension-table characters as ESC and their code; `None` if a
/// byte has no septet in either table.
pub fn pack_ascii(text: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut put = |septet: u8, out: &mut Vec<u8>| {
        acc |= u32::from(septet) << bits;
        bits += 7;
        while bits >= 8 {
            out.push((acc & 0xFF) as u8);
            acc >>= 8;
            bits -= 8;
        }
    };
    for &b in text {
        match (ascii_to_septet(b), ascii_to_extension(b)) {
            (Some(s), _) => put(s, out),
            (None, Some(code)) => {
                put(ESC, out);
                put(code, out);
            }
            (None, None) => return None,
        }
    }
    if bits > 0 {
        // 7 spare bits would read as a final `@`: 3GPP TS 23.038 6.1.2.3.1 pads them with CR.
        if bits == 1 {
            acc |= u32::from(b'\r') << 1;
        }
        out.push((acc & 0xFF) as u8);
    }
    Some(())
}

/// The packed bytes that hold septets `first..first + count`: for highlighting a field of an
/// unpacked text in the original payload.
pub const fn septets_to_bytes(first: usize, count: usize) -> (usize, usize) {
    if count == 0 {
        return (first * 7 / 8, 0);
    }
    let start = first * 7 / 8;
    let end = ((first + count) * 7).div_ceil(8);
    (start, end - start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_md_example_packs_byte_for_byte() {
        let mut out = Vec::new();
        pack_ascii(b"WVCI 1.2 12345", &mut out).unwrap();
        assert_eq!(out, [0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64, 0xA0, 0x98, 0x6C, 0x46, 0xAB, 0x01]);
        let mut text = [0u8; 32];
        let n = unpack_ascii(&out, &mut text);
        assert_eq!(&text[..n], b"WVCI 1.2 12345");
    }

    #[test]
    fn seven_spare_bits_are_padded_with_cr_and_zero_padding_is_dropped() {
        let mut out = Vec::new();
        pack_ascii(b"WVCI 1.", &mut out).unwrap();
        assert_eq!(out.len(), 7);
        assert_eq!(out[6] >> 1, 0x0D, "CR padding");
        let mut text = [0u8; 16];
        let n = unpack_ascii(&out, &mut text);
        assert_eq!(&text[..n], b"WVCI 1.", "CR padding is not text");
        out[6] &= 1; // a non-conforming sender's zero padding
        let n = unpack_ascii(&out, &mut text);
        assert_eq!(&text[..n], b"WVCI 1.");
    }

    #[test]
    fn specials_map_both_ways() {
        for (ascii, septet) in [(b'@', 0x00), (b'$', 0x02), (b'_', 0x11), (b'A', 0x41), (b'-', 0x2D)] {
            assert_eq!(ascii_to_septet(ascii), Some(septet));
            assert_eq!(septet_to_ascii(septet), ascii);
        }
        assert_eq!(ascii_to_septet(b'['), None);
        assert_eq!(septet_to_ascii(0x5B), NO_ASCII);
    }

    #[test]
    fn extension_characters_pack_as_two_septets_and_unpack_as_one_byte() {
        let text = b"WVCI 1.2 [a]{b}~c\\d|e^f";
        let mut packed = Vec::new();
        pack_ascii(text, &mut packed).unwrap();
        let mut out = [0u8; 64];
        let mut map = [0u16; 65];
        let u = unpack(&packed, &mut out, Some(&mut map));
        assert_eq!(&out[..u.written], text);
        // `[` starts at septet 9 and takes two; `a` follows at 11.
        assert_eq!((map[9], map[10]), (9, 11));
        assert_eq!(usize::from(map[u.written]), u.septets);
        assert_eq!(u.septets, text.len() + 8, "eight characters from the extension table");
        assert_eq!(ascii_to_septet(b'['), None);
        assert_eq!(septet_to_ascii(ESC), NO_ASCII, "an ESC alone is no character");
    }

    #[test]
    fn a_full_buffer_and_dropped_padding_are_told() {
        let mut packed = Vec::new();
        pack_ascii(b"WVCI 1.2", &mut packed).unwrap();
        let mut small = [0u8; 4];
        assert_eq!(
            unpack(&packed, &mut small, None),
            Unpacked { written: 4, septets: 4, left: 4, dropped_padding: false }
        );
        let mut seven = Vec::new();
        pack_ascii(b"WVCI 1.", &mut seven).unwrap();
        let mut out = [0u8; 16];
        assert!(unpack(&seven, &mut out, None).dropped_padding);
    }

    #[test]
    fn septet_spans_cover_their_bits() {
        assert_eq!(septets_to_bytes(0, 1), (0, 1));
        assert_eq!(septets_to_bytes(1, 1), (0, 2));
        assert_eq!(septets_to_bytes(9, 5), (7, 6)); // bits 63..98
    }
}
