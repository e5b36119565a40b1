//! Just enough DER to name a certificate's subject and issuer: tag-length-value elements
//! (definite lengths only, as DER requires) and X.500 Names written as RFC 4514 strings, the form
//! Zeek's `x509.log` and OpenSSL's `-nameopt RFC2253` give, so that our names join theirs.

use core::fmt::Write as _;

/// Universal tags used here.
pub const INTEGER: u8 = 0x02;
/// SEQUENCE (constructed).
pub const SEQUENCE: u8 = 0x30;
/// SET (constructed).
pub const SET: u8 = 0x31;
/// OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;

/// One element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Its tag byte (multi-byte tags are not read).
    pub tag: u8,
    /// Its contents.
    pub content: &'a [u8],
    /// Tag, length and contents.
    pub whole: &'a [u8],
}

/// The first element of `bytes` and what follows it; `None` when its length runs past the end,
/// is indefinite, or takes more than 4 bytes.
pub fn any(bytes: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (digits, after) = rest.split_at_checked(n)?;
        rest = after;
        digits.iter().fold(0usize, |l, &d| l << 8 | usize::from(d))
    };
    let (content, after) = rest.split_at_checked(len)?;
    let whole = bytes.get(..bytes.len() - after.len())?;
    Some((Tlv { tag, content, whole }, after))
}

/// The first element, when its tag is `tag`.
pub fn element(bytes: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    any(bytes).filter(|(t, _)| t.tag == tag)
}

/// An OID's dotted form (`2.5.4.3`); `None` when it is malformed.
pub fn oid_string(content: &[u8]) -> Option<String> {
    let (&first, rest) = content.split_first()?;
    let mut s = format!("{}.{}", (first / 40).min(2), first - 40 * (first / 40).min(2));
    let mut arc: u64 = 0;
    for &b in rest {
        arc = arc.checked_mul(128)? | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            let _ = write!(s, ".{arc}");
            arc = 0;
        }
    }
    (rest.last().is_none_or(|b| b & 0x80 == 0)).then_some(s)
}

/// RFC 4514's short names, and emailAddress as OpenSSL and Zeek write it.
fn short_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x09] => "STREET",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        _ => return None,
    })
}

/// A directory string's text: UTF8String, PrintableString, IA5String, T61String (read as
/// Latin-1), BMPString (UTF-16BE), UniversalString (UTF-32BE). `None` for other types.
fn string_value(t: &Tlv<'_>) -> Option<String> {
    match t.tag {
        0x0c | 0x13 | 0x16 | 0x1a => Some(String::from_utf8_lossy(t.content).into_owned()),
        0x14 => Some(t.content.iter().map(|&b| char::from(b)).collect()),
        0x1e => {
            let units = t.content.as_chunks::<2>().0.iter().map(|c| u16::from_be_bytes(*c));
            Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
        }
        0x1c => Some(
            t.content
                .as_chunks::<4>()
                .0
                .iter()
                .map(|c| char::from_u32(u32::from_be_bytes(*c)).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        ),
        _ => None,
    }
}

/// Escapes a value as RFC 4514 section 2.4 asks.
fn escape(value: &str, out: &mut String) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            c => out.push(c),
        }
    }
}

/// Writes a Name (the DER of a SEQUENCE OF RelativeDistinguishedName) as RFC 4514 does: the last
/// RDN first, `,` between RDNs, `+` inside a multi-valued one, values escaped, unknown attribute
/// types as dotted OIDs and values that are not strings as `#` and their DER in hex. `None` when
/// the DER is not a Name.
pub fn name_string(der: &[u8]) -> Option<String> {
    let (name, _) = element(der, SEQUENCE)?;
    let mut rdns = Vec::new();
    let mut rest = name.content;
    while !rest.is_empty() {
        let (set, after) = element(rest, SET)?;
        rest = after;
        let mut parts = Vec::new();
        let mut atvs = set.content;
        while !atvs.is_empty() {
            let (atv, after) = element(atvs, SEQUENCE)?;
            atvs = after;
            let (oid, value) = element(atv.content, OID)?;
            let (value, _) = any(value)?;
            let mut s = match short_name(oid.content) {
                Some(n) => n.to_owned(),
                None => oid_string(oid.content)?,
            };
            s.push('=');
            match string_value(&value) {
                Some(text) => escape(&text, &mut s),
                None => {
                    s.push('#');
                    value.whole.iter().for_each(|b| {
                        let _ = write!(s, "{b:02x}");
                    });
                }
            }
            parts.push(s);
        }
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    Some(rdns.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atv(oid: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
        let inner = [&[OID, oid.len() as u8][..], oid, &[tag, value.len() as u8], value].concat();
        let seq = [&[SEQUENCE, inner.len() as u8][..], &inner].concat();
        [&[SET, seq.len() as u8][..], &seq].concat()
    }

    #[test]
    fn names_are_written_as_rfc_4514_says() {
        let rdns = [
            atv(&[0x55, 4, 6], 0x13, b"FI"),
            atv(&[0x55, 4, 10], 0x0c, b"wvcir test"),
            atv(&[0x55, 4, 11], 0x0c, b"c2, ops"),
            atv(&[0x55, 4, 3], 0x0c, b" #c2.example"),
            atv(&[0x55, 4, 99], 0x02, b"\x01"),
        ]
        .concat();
        let name = [&[SEQUENCE, rdns.len() as u8][..], &rdns].concat();
        assert_eq!(name_string(&name).unwrap(), r"2.5.4.99=#020101,CN=\ #c2.example,OU=c2\, ops,O=wvcir test,C=FI");
        assert_eq!(name_string(&name[..name.len() - 1]), None, "cut DER");
        assert_eq!(oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]).unwrap(), "1.2.840.113549");
        assert_eq!(any(&[0x30, 0x85, 1, 2, 3, 4, 5]), None, "lengths over 4 bytes");
    }
}
