//! SMS on the radio and core side: the RP-DATA message of 3GPP TS 24.011 (what SMS over SIP,
//! `application/vnd.3gpp.sms`, and GSM MAP carry) and the SMS-DELIVER and SMS-SUBMIT TPDUs of
//! 3GPP TS 23.040 inside it. Read far enough to reach the user data: the addresses, the data
//! coding scheme and the user data (header included). Every field is read with bounds.
//!
//! ```
//! use wvcir::tpdu::{self, Kind};
//! // RP-DATA network to MS: reference 7, SMSC +447785016005, then an SMS-DELIVER from 72466.
//! let rp = [0x01, 0x07, 0x07, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0x00, 0x13,
//!           0x40, 0x05, 0x81, 0x27, 0x64, 0xF6, 0x00, 0xF5, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x01, 0x02];
//! let t = tpdu::decode(tpdu::rp_data(&rp).unwrap()).unwrap();
//! assert_eq!((t.kind, t.udhi, t.dcs, t.user_data), (Kind::Deliver, true, 0xF5, &[0x00, 0x01, 0x02][..]));
//! assert_eq!(t.address.digits().collect::<String>(), "72466");
//! ```

use crate::sms::Coding;

/// Which TPDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// SMS-DELIVER: the SMSC to the phone (a CIR reaching it).
    Deliver,
    /// SMS-SUBMIT: the phone to the SMSC (Android's HELO to the server).
    Submit,
}

impl Kind {
    /// `sms-deliver` or `sms-submit`.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Deliver => "sms-deliver",
            Kind::Submit => "sms-submit",
        }
    }
}

/// A semi-octet (BCD) address as the TPDU holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address<'a> {
    /// Type of number and numbering plan.
    pub toa: u8,
    /// How many digits.
    pub len: u8,
    /// The semi-octets.
    pub bcd: &'a [u8],
}

impl Address<'_> {
    /// The digits (`0`-`9`, and `*`, `#`, `a`, `b`, `c` for the other semi-octet values).
    /// An alphanumeric address (TON 5) is GSM 7-bit text; its semi-octets are given as they are.
    pub fn digits(&self) -> impl Iterator<Item = char> + '_ {
        const DIGITS: &[u8; 16] = b"0123456789*#abc?";
        self.bcd
            .iter()
            .flat_map(|&b| [b & 0x0F, b >> 4])
            .take(usize::from(self.len))
            .map(|d| char::from(DIGITS.get(usize::from(d)).copied().unwrap_or(b'?')))
    }
}

/// A TPDU, read up to its user data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tpdu<'a> {
    /// SMS-DELIVER or SMS-SUBMIT.
    pub kind: Kind,
    /// The originating (DELIVER) or destination (SUBMIT) address.
    pub address: Address<'a>,
    /// TP-DCS.
    pub dcs: u8,
    /// Whether the user data starts with a header (TP-UDHI).
    pub udhi: bool,
    /// TP-UDL: septets for 7-bit data, octets otherwise.
    pub udl: u8,
    /// The user data (header included), as many bytes as are there.
    pub user_data: &'a [u8],
}

/// The TPDU of an RP-DATA message (either direction), `None` if it is not RP-DATA or is cut.
pub fn rp_data(rp: &[u8]) -> Option<&[u8]> {
    let (&mti, rest) = rp.split_first()?;
    if mti & 0x07 > 1 {
        return None; // RP-ACK, RP-ERROR, RP-SMMA
    }
    // Message reference, then originator and destination addresses (length-prefixed).
    let mut at = 1usize;
    for _ in 0..2 {
        at = at.checked_add(1 + usize::from(*rest.get(at)?))?;
    }
    let len = usize::from(*rest.get(at)?);
    rest.get(at + 1..at + 1 + len)
}

/// Reads an SMS-DELIVER or SMS-SUBMIT (what the first octet's TP-MTI says: 0 or 1). `None` for
/// another TPDU or one cut before its user data.
pub fn decode(tpdu: &[u8]) -> Option<Tpdu<'_>> {
    let first = *tpdu.first()?;
    let udhi = first & 0x40 != 0;
    let (kind, mut at) = match first & 0x03 {
        0 => (Kind::Deliver, 1),
        1 => (Kind::Submit, 2), // TP-MR follows the first octet
        _ => return None,
    };
    let digits = *tpdu.get(at)?;
    let toa = *tpdu.get(at + 1)?;
    let bcd = tpdu.get(at + 2..at + 2 + usize::from(digits).div_ceil(2))?;
    at += 2 + bcd.len();
    let dcs = *tpdu.get(at + 1)?; // after TP-PID
    at += 2;
    at += match kind {
        Kind::Deliver => 7, // TP-SCTS
        // TP-VP: absent, relative (1 octet), or enhanced/absolute (7), by TP-VPF.
        Kind::Submit => match (first >> 3) & 0x03 {
            0 => 0,
            2 => 1,
            _ => 7,
        },
    };
    let udl = *tpdu.get(at)?;
    let user_data = tpdu.get(at + 1..).unwrap_or_default();
    Some(Tpdu { kind, address: Address { toa, len: digits, bcd }, dcs, udhi, udl, user_data })
}

impl Coding {
    /// The coding a TP-DCS value names (3GPP TS 23.038 section 4): the general group's alphabet
    /// bits, the message waiting groups, and the data coding/message class group.
    pub const fn from_tp_dcs(dcs: u8) -> Coding {
        match dcs >> 4 {
            0x0..=0x3 => match (dcs >> 2) & 0x03 {
                0 => Coding::Gsm7Packed,
                1 => Coding::Octets,
                2 => Coding::Ucs2,
                _ => Coding::Other,
            },
            0x4..=0xB => Coding::Other, // automatic deletion groups and reserved: read as bytes
            0xC | 0xD => Coding::Gsm7Packed,
            0xE => Coding::Ucs2,
            _ if dcs & 0x04 == 0 => Coding::Gsm7Packed,
            _ => Coding::Octets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_with_a_validity_period_and_cut_tpdus() {
        // SMS-SUBMIT, VPF relative, UDHI: MR 3, to +4477 (4 digits), PID 0, DCS 4, VP, UDL 2.
        let t = [0x51, 0x03, 0x04, 0x91, 0x44, 0x77, 0x00, 0x04, 0xAA, 0x02, 0x01, 0x00];
        let s = decode(&t).unwrap();
        assert_eq!((s.kind, s.udhi, s.dcs, s.udl, s.user_data), (Kind::Submit, true, 4, 2, &[1, 0][..]));
        assert_eq!(s.address.digits().collect::<String>(), "4477");
        for cut in 0..10 {
            assert_eq!(decode(&t[..cut]), None, "cut at {cut}");
        }
        assert_eq!(decode(&[0x02]), None, "SMS-STATUS-REPORT");
        assert_eq!(rp_data(&[0x02, 0x01]), None, "RP-ACK");
        assert_eq!(rp_data(&[0x00, 0x01, 0x00, 0x00, 0x05, 0x01]), None, "user data cut");
        assert_eq!(Coding::from_tp_dcs(0x00), Coding::Gsm7Packed);
        assert_eq!(Coding::from_tp_dcs(0xF5), Coding::Octets);
        assert_eq!(Coding::from_tp_dcs(0x08), Coding::Ucs2);
    }
}
