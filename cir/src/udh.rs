//! The SMS user-data header (3GPP TS 23.040, 9.2.3.24): application ports (IE 0x04 8-bit, IE 0x05
//! 16-bit) and concatenation (IE 0x00 with an 8-bit reference, IE 0x08 with a 16-bit one). Any
//! other element is skipped by its length.
//!
//! ```
//! use wvcir::udh;
//! // UDHL 11: concatenated part 2 of 3 (reference 0x42), ports 3716 from 9200, then the text.
//! let ud = [0x0B, 0x00, 0x03, 0x42, 0x03, 0x02, 0x05, 0x04, 0x0E, 0x84, 0x23, 0xF0, b'W'];
//! let h = udh::parse(&ud).unwrap();
//! assert_eq!((h.len, h.ports), (12, Some(udh::Ports { dst: 3716, src: 9200 })));
//! assert_eq!(h.concat, Some(udh::Concat { reference: 0x42, total: 3, seq: 2 }));
//! ```

/// Application port addressing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ports {
    /// Destination port (3716 for an SMS CIR, 2948 for WAP Push).
    pub dst: u16,
    /// Source port.
    pub src: u16,
}

/// One part of a concatenated short message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Concat {
    /// The reference shared by the parts (an 8-bit one widened).
    pub reference: u16,
    /// How many parts the message has (1..=255).
    pub total: u8,
    /// This part's number, from 1.
    pub seq: u8,
}

impl Concat {
    /// Whether the numbers make sense: at least one part, this one among them. A part that says
    /// otherwise is taken as a whole message, as 23.040 tells a receiver to do.
    pub const fn is_valid(&self) -> bool {
        self.total >= 1 && self.seq >= 1 && self.seq <= self.total
    }
}

/// A user-data header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Udh {
    /// Length of the whole header, its UDHL byte included: the text starts here.
    pub len: usize,
    /// Application ports, if an element gave them (the first one wins).
    pub ports: Option<Ports>,
    /// Concatenation, if an element gave it (the first one wins).
    pub concat: Option<Concat>,
}

/// Reads the user-data header at the start of `user_data`. `None` when its length or an
/// element's runs past the data: the header is damaged and nothing in it can be trusted.
pub fn parse(user_data: &[u8]) -> Option<Udh> {
    let (&udhl, rest) = user_data.split_first()?;
    let mut ies = rest.get(..usize::from(udhl))?;
    let mut udh = Udh { len: 1 + usize::from(udhl), ..Udh::default() };
    while let [iei, len, tail @ ..] = ies {
        let (value, next) = tail.split_at_checked(usize::from(*len))?;
        match (*iei, value) {
            (0x05, &[dh, dl, sh, sl]) => {
                let ports = Ports { dst: u16::from_be_bytes([dh, dl]), src: u16::from_be_bytes([sh, sl]) };
                udh.ports.get_or_insert(ports);
            }
            (0x04, &[d, s]) => {
                udh.ports.get_or_insert(Ports { dst: u16::from(d), src: u16::from(s) });
            }
            (0x00, &[r, total, seq]) => {
                udh.concat.get_or_insert(Concat { reference: u16::from(r), total, seq });
            }
            (0x08, &[rh, rl, total, seq]) => {
                udh.concat.get_or_insert(Concat { reference: u16::from_be_bytes([rh, rl]), total, seq });
            }
            _ => {}
        }
        ies = next;
    }
    // A lone byte after the last element is no element: the header is damaged.
    ies.is_empty().then_some(udh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_skipped_or_refused() {
        let h = parse(&[0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00]).unwrap();
        assert_eq!((h.len, h.ports, h.concat), (7, Some(Ports { dst: 2948, src: 9200 }), None));
        let h = parse(&[0x04, 0x04, 0x02, 0x84, 0x23]).unwrap();
        assert_eq!(h.ports, Some(Ports { dst: 0x84, src: 0x23 }));
        let h = parse(&[0x09, 0x24, 0x01, 0x00, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 0x70, 0x00]).unwrap();
        assert_eq!(h.concat, Some(Concat { reference: 0x1234, total: 2, seq: 1 }), "IE 0x24 skipped");
        assert_eq!(h.len, 10);
        assert_eq!(parse(&[0x06, 0x05, 0x04, 0x0B]), None, "header longer than the data");
        assert_eq!(parse(&[0x03, 0x05, 0x04, 0x0B]), None, "element longer than the header");
        assert_eq!(parse(&[0x01, 0x05]), None, "a lone byte");
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x00]).map(|h| h.len), Some(1), "an empty header");
        assert!(!Concat { reference: 1, total: 2, seq: 3 }.is_valid());
        assert!(!Concat { reference: 1, total: 0, seq: 0 }.is_valid());
    }
}
