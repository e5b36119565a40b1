//! SMPP 3.3, 3.4 and 5.0 (the protocol an IM server uses to hand an SMS CIR to an SMSC): the PDU
//! header, the four PDUs that carry a short message (`submit_sm`, `deliver_sm`, `data_sm`,
//! `submit_multi`) with the TLVs a CIR depends on, and a [`Framer`] that cuts a TCP direction's
//! in-order bytes into PDUs.
//!
//! Everything borrows from the PDU. Every field is read with bounds; a PDU that lies about a
//! length is an [`Error`] naming the field and its offset, never a panic.
//!
//! ```
//! use wvcir::smpp::{self, Pdu};
//! let pdu = smpp::submit_sm_for_tests(b"447700900001", b"447700900123", 0x40, 0x04, b"\x06\x05\x04\x0E\x84\x23\xF0WVCI 1.2 c", &[]);
//! let sm = smpp::decode(&pdu).unwrap().unwrap();
//! assert_eq!((sm.pdu, sm.destination_addr), (Pdu::SubmitSm, &b"447700900123"[..]));
//! assert!(sm.udhi());
//! ```

use crate::udh::Concat;

/// SMPP's registered TCP port (IANA `smpp`).
pub const PORT: u16 = 2775;
/// Bytes in a PDU header: length, command id, status, sequence number.
pub const HEADER_LEN: usize = 16;
/// The longest PDU taken: a 64 KiB `message_payload` and room for everything else. A longer
/// `command_length` is taken for damage, not buffered.
pub const MAX_PDU_LEN: usize = 70_000;
/// The longest C-octet string field read, terminator included (SMPP 5.0's longest address is 65).
pub const MAX_CSTRING: usize = 65;

/// `command_id` of `submit_sm`.
pub const SUBMIT_SM: u32 = 0x0000_0004;
/// `command_id` of `deliver_sm`.
pub const DELIVER_SM: u32 = 0x0000_0005;
/// `command_id` of `data_sm`.
pub const DATA_SM: u32 = 0x0000_0103;
/// `command_id` of `submit_multi`.
pub const SUBMIT_MULTI: u32 = 0x0000_0021;

/// TLV tag of `source_port`.
pub const TLV_SOURCE_PORT: u16 = 0x020A;
/// TLV tag of `destination_port`.
pub const TLV_DESTINATION_PORT: u16 = 0x020B;
/// TLV tag of `sar_msg_ref_num`.
pub const TLV_SAR_MSG_REF_NUM: u16 = 0x020C;
/// TLV tag of `sar_total_segments`.
pub const TLV_SAR_TOTAL_SEGMENTS: u16 = 0x020E;
/// TLV tag of `sar_segment_seqnum`.
pub const TLV_SAR_SEGMENT_SEQNUM: u16 = 0x020F;
/// TLV tag of `message_payload`.
pub const TLV_MESSAGE_PAYLOAD: u16 = 0x0424;

/// The PDUs that carry a short message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pdu {
    /// From an ESME (the IM server) to the SMSC.
    SubmitSm,
    /// From the SMSC to an ESME (a phone's message to the server, or a receipt).
    DeliverSm,
    /// Either way, the message in TLVs.
    DataSm,
    /// To up to 255 destinations.
    SubmitMulti,
}

impl Pdu {
    /// `submit_sm`, `deliver_sm`, `data_sm` or `submit_multi`.
    pub const fn name(self) -> &'static str {
        match self {
            Pdu::SubmitSm => "submit_sm",
            Pdu::DeliverSm => "deliver_sm",
            Pdu::DataSm => "data_sm",
            Pdu::SubmitMulti => "submit_multi",
        }
    }

    const fn from_id(id: u32) -> Option<Pdu> {
        match id {
            SUBMIT_SM => Some(Pdu::SubmitSm),
            DELIVER_SM => Some(Pdu::DeliverSm),
            DATA_SM => Some(Pdu::DataSm),
            SUBMIT_MULTI => Some(Pdu::SubmitMulti),
            _ => None,
        }
    }
}

/// Whether `id` is a command SMPP 3.3, 3.4 or 5.0 defines (a response sets bit 31).
pub const fn is_known_command(id: u32) -> bool {
    matches!(
        id & 0x7FFF_FFFF,
        0x01..=0x09 | 0x0B | 0x15 | 0x21 | 0x102 | 0x103 | 0x111..=0x113
    ) || id == 0x8000_0000
}

/// A PDU header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `command_length`: the whole PDU, header included.
    pub length: u32,
    /// `command_id`.
    pub command_id: u32,
    /// `command_status` (0 in requests).
    pub status: u32,
    /// `sequence_number`.
    pub sequence: u32,
}

/// Reads the header at the start of `bytes`, `None` if fewer than 16 bytes.
pub fn header(bytes: &[u8]) -> Option<Header> {
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    Some(Header { length: be32(0)?, command_id: be32(4)?, status: be32(8)?, sequence: be32(12)? })
}

impl Header {
    /// Whether it is a header a stream of SMPP could hold: a length between 16 and
    /// [`MAX_PDU_LEN`], a known command, status 0 in a request (the checks of Wireshark's SMPP
    /// heuristic, which finds SMPP on any port).
    pub fn is_plausible(&self) -> bool {
        let request = self.command_id & 0x8000_0000 == 0;
        (HEADER_LEN as u32..=MAX_PDU_LEN as u32).contains(&self.length)
            && is_known_command(self.command_id)
            && (!request || self.status == 0)
            && self.sequence <= 0x7FFF_FFFF
    }
}

/// Whether a TCP direction's first bytes look like SMPP.
pub fn looks_like_smpp(first: &[u8]) -> bool {
    header(first).is_some_and(|h| h.is_plausible())
}

/// What was wrong with a PDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// The field that could not be read.
    pub field: &'static str,
    /// Its offset in the PDU.
    pub offset: usize,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SMPP field {} at PDU offset {} runs past the PDU or is unterminated", self.field, self.offset)
    }
}

/// A short message, as an SMPP PDU carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortMessage<'a> {
    /// Which PDU.
    pub pdu: Pdu,
    /// Its sequence number.
    pub sequence: u32,
    /// `source_addr` (the IM server's short code, or the phone for `deliver_sm`).
    pub source_addr: &'a [u8],
    /// `destination_addr`; for `submit_multi` the first SME address.
    pub destination_addr: &'a [u8],
    /// Destinations: 1, or `submit_multi`'s `number_of_dests`.
    pub destinations: u8,
    /// `esm_class`: bit 6 (0x40) says the user data starts with a header.
    pub esm_class: u8,
    /// `data_coding`.
    pub data_coding: u8,
    /// The user data: `short_message`, or the `message_payload` TLV when given.
    pub user_data: &'a [u8],
    /// Offset of the user data in the PDU.
    pub user_data_at: usize,
    /// The `source_port` TLV.
    pub source_port: Option<u16>,
    /// The `destination_port` TLV.
    pub dest_port: Option<u16>,
    /// Concatenation from the `sar_*` TLVs, when all three are there.
    pub sar: Option<Concat>,
}

impl ShortMessage<'_> {
    /// Whether the user data starts with a user-data header (UDHI).
    pub const fn udhi(&self) -> bool {
        self.esm_class & 0x40 != 0
    }
}

/// A PDU's body, read field by field.
struct Reader<'a> {
    pdu: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        let b = *self.pdu.get(self.at).ok_or(Error { field, offset: self.at })?;
        self.at += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], Error> {
        let b = self.pdu.get(self.at..self.at.saturating_add(n)).ok_or(Error { field, offset: self.at })?;
        self.at += n;
        Ok(b)
    }

    /// A NUL-terminated field of at most [`MAX_CSTRING`] bytes; the text without its NUL.
    fn cstring(&mut self, field: &'static str) -> Result<&'a [u8], Error> {
        let rest = self.pdu.get(self.at..).unwrap_or_default();
        let window = rest.get(..MAX_CSTRING.min(rest.len())).unwrap_or_default();
        let end = window.iter().position(|&b| b == 0).ok_or(Error { field, offset: self.at })?;
        let s = window.get(..end).unwrap_or_default();
        self.at += end + 1;
        Ok(s)
    }

    /// An address: TON, NPI and the address string.
    fn address(&mut self, field: &'static str) -> Result<&'a [u8], Error> {
        self.bytes(2, field)?;
        self.cstring(field)
    }
}

/// Decodes a whole PDU (header included). `Ok(None)` for a PDU that carries no short message
/// (a bind, a response, an enquire_link).
pub fn decode(pdu: &[u8]) -> Result<Option<ShortMessage<'_>>, Error> {
    let h = header(pdu).ok_or(Error { field: "header", offset: 0 })?;
    let Some(kind) = Pdu::from_id(h.command_id) else { return Ok(None) };
    let len = usize::try_from(h.length).unwrap_or(usize::MAX);
    let pdu = pdu.get(..len).ok_or(Error { field: "command_length", offset: 0 })?;
    let mut r = Reader { pdu, at: HEADER_LEN };
    r.cstring("service_type")?;
    let source_addr = r.address("source_addr")?;
    let (mut destination_addr, mut destinations) = (&[][..], 1);
    if kind == Pdu::SubmitMulti {
        destinations = r.u8("number_of_dests")?;
        for i in 0..destinations {
            match r.u8("dest_flag")? {
                1 => {
                    let a = r.address("dest_address")?;
                    if i == 0 {
                        destination_addr = a;
                    }
                }
                2 => {
                    r.cstring("dl_name")?;
                }
                _ => return Err(Error { field: "dest_flag", offset: r.at - 1 }),
            }
        }
    } else {
        destination_addr = r.address("destination_addr")?;
    }
    let esm_class = r.u8("esm_class")?;
    let (data_coding, mut user_data, mut user_data_at) = if kind == Pdu::DataSm {
        r.u8("registered_delivery")?;
        (r.u8("data_coding")?, &[][..], r.at)
    } else {
        r.bytes(2, "protocol_id")?;
        r.cstring("schedule_delivery_time")?;
        r.cstring("validity_period")?;
        r.bytes(2, "registered_delivery")?;
        let dc = r.u8("data_coding")?;
        r.u8("sm_default_msg_id")?;
        let n = r.u8("sm_length")?;
        let at = r.at;
        (dc, r.bytes(usize::from(n), "short_message")?, at)
    };
    let mut sm = ShortMessage {
        pdu: kind,
        sequence: h.sequence,
        source_addr,
        destination_addr,
        destinations,
        esm_class,
        data_coding,
        user_data,
        user_data_at,
        source_port: None,
        dest_port: None,
        sar: None,
    };
    let (mut sar_ref, mut sar_total, mut sar_seq) = (None, None, None);
    while r.at < pdu.len() {
        let tag_at = r.at;
        let &[t0, t1, n0, n1] = r.bytes(4, "tlv")? else { return Err(Error { field: "tlv", offset: tag_at }) };
        let (tag, n) = (u16::from_be_bytes([t0, t1]), u16::from_be_bytes([n0, n1]));
        let value = r.bytes(usize::from(n), "tlv value").map_err(|_| Error { field: "tlv length", offset: tag_at })?;
        let be16 = || <[u8; 2]>::try_from(value).ok().map(u16::from_be_bytes);
        match tag {
            TLV_SOURCE_PORT => sm.source_port = be16(),
            TLV_DESTINATION_PORT => sm.dest_port = be16(),
            TLV_SAR_MSG_REF_NUM => sar_ref = be16(),
            TLV_SAR_TOTAL_SEGMENTS => sar_total = value.first().copied().filter(|_| value.len() == 1),
            TLV_SAR_SEGMENT_SEQNUM => sar_seq = value.first().copied().filter(|_| value.len() == 1),
            TLV_MESSAGE_PAYLOAD => {
                user_data = value;
                user_data_at = tag_at + 4;
            }
            _ => {}
        }
    }
    sm.user_data = user_data;
    sm.user_data_at = user_data_at;
    if let (Some(reference), Some(total), Some(seq)) = (sar_ref, sar_total, sar_seq) {
        sm.sar = Some(Concat { reference, total, seq });
    }
    Ok(Some(sm))
}

/// What a [`Framer`] hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framed<'a> {
    /// A whole PDU, at this offset of the direction's stream.
    Pdu {
        /// Stream offset of its first byte.
        offset: u64,
        /// The PDU.
        pdu: &'a [u8],
    },
    /// Bytes passed over: from a header that lies (a length outside 16..=[`MAX_PDU_LEN`], an
    /// unknown command) or a gap, to the next plausible header; or a PDU the stream ended in.
    Skipped {
        /// How many.
        len: u64,
    },
}

/// Cuts a direction's in-order bytes into PDUs: whole PDUs are handed out as slices of the
/// input where they lie in one push, and buffered (at most [`MAX_PDU_LEN`] bytes) where they
/// span pushes. A header that lies, or a gap, loses the framing; it is found again at the next
/// plausible header, and the bytes passed over are reported ([`Framed::Skipped`]).
#[derive(Clone, Debug, Default)]
pub struct Framer {
    /// The start of a PDU (or of a possible header) cut by the end of the last push.
    buf: Vec<u8>,
    /// Stream offset of the next byte to frame (`buf[0]` when `buf` holds bytes).
    offset: u64,
    /// The framing is lost: bytes passed over since.
    lost: Option<u64>,
}

impl Framer {
    /// Takes the next in-order bytes.
    pub fn push(&mut self, bytes: &[u8], out: &mut dyn FnMut(Framed<'_>)) {
        if self.buf.is_empty() {
            let used = self.frame(bytes, out);
            self.buf.extend_from_slice(bytes.get(used..).unwrap_or_default());
        } else {
            let mut buf = std::mem::take(&mut self.buf);
            buf.extend_from_slice(bytes);
            let used = self.frame(&buf, out);
            buf.drain(..used.min(buf.len()));
            self.buf = buf;
        }
    }

    /// Frames `data` (which starts at `self.offset`); how many bytes were used up. The rest is a
    /// PDU or header cut short.
    fn frame(&mut self, data: &[u8], out: &mut dyn FnMut(Framed<'_>)) -> usize {
        let mut i = 0;
        loop {
            let rest = data.get(i..).unwrap_or_default();
            if let Some(lost) = self.lost {
                let found = (0..rest.len()).find(|&j| {
                    let at = rest.get(j..).unwrap_or_default();
                    if at.len() >= HEADER_LEN { looks_like_smpp(at) } else { could_start_header(at) }
                });
                let n = found.unwrap_or(rest.len());
                self.lost = Some(lost + n as u64);
                self.offset += n as u64;
                i += n;
                if data.len() - i < HEADER_LEN {
                    return i; // a possible header cut short, or nothing left
                }
                if lost + n as u64 > 0 {
                    out(Framed::Skipped { len: lost + n as u64 });
                }
                self.lost = None;
                continue;
            }
            let Some(h) = header(rest) else { return i };
            if !h.is_plausible() {
                self.lost = Some(0);
                continue;
            }
            let len = h.length as usize;
            let Some(pdu) = rest.get(..len) else { return i };
            out(Framed::Pdu { offset: self.offset, pdu });
            self.offset += len as u64;
            i += len;
        }
    }

    /// A gap in the stream: the bytes held with it are lost, and framing resumes at the next
    /// plausible header.
    pub fn gap(&mut self) {
        let held = self.buf.len() as u64;
        self.buf.clear();
        self.lost = Some(self.lost.unwrap_or(0) + held);
    }

    /// The stream ended: bytes of a PDU never completed, or passed over, are reported.
    pub fn finish(&mut self, out: &mut dyn FnMut(Framed<'_>)) {
        let held = self.buf.len() as u64 + self.lost.unwrap_or(0);
        if held > 0 {
            out(Framed::Skipped { len: held });
        }
        self.buf.clear();
        self.lost = None;
    }

    /// Bytes held for a PDU not yet complete.
    pub fn held(&self) -> usize {
        self.buf.len()
    }
}

/// Whether `head` (shorter than a header) may begin a plausible one: the length field's leading
/// bytes fit [`MAX_PDU_LEN`] (0x00 0x00 or 0x00 0x01).
fn could_start_header(head: &[u8]) -> bool {
    match head {
        [] => false,
        [0] => true,
        [0, b, ..] => *b <= 0x01,
        _ => false,
    }
}

/// A `submit_sm` PDU for tests and examples: service type empty, addresses with TON 1 NPI 1,
/// `esm_class`, `data_coding`, the short message (at most 255 bytes), then `tlvs` (tag, value).
pub fn submit_sm_for_tests(
    source: &[u8],
    destination: &[u8],
    esm_class: u8,
    data_coding: u8,
    short_message: &[u8],
    tlvs: &[(u16, &[u8])],
) -> Vec<u8> {
    let mut b = vec![0; HEADER_LEN];
    b.push(0); // service_type
    for a in [source, destination] {
        b.extend_from_slice(&[1, 1]);
        b.extend_from_slice(a);
        b.push(0);
    }
    b.extend_from_slice(&[esm_class, 0, 0, 0, 0, 0, 0, data_coding, 0]);
    b.push(u8::try_from(short_message.len()).unwrap_or(u8::MAX));
    b.extend_from_slice(short_message.get(..255).unwrap_or(short_message));
    for (tag, value) in tlvs {
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&u16::try_from(value.len()).unwrap_or(u16::MAX).to_be_bytes());
        b.extend_from_slice(value);
    }
    let len = u32::try_from(b.len()).unwrap_or(u32::MAX);
    b.get_mut(..4).unwrap_or_default().copy_from_slice(&len.to_be_bytes());
    b.get_mut(4..8).unwrap_or_default().copy_from_slice(&SUBMIT_SM.to_be_bytes());
    b.get_mut(12..16).unwrap_or_default().copy_from_slice(&1u32.to_be_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u16, value: &[u8]) -> Vec<u8> {
        let mut b = tag.to_be_bytes().to_vec();
        b.extend_from_slice(&(value.len() as u16).to_be_bytes());
        b.extend_from_slice(value);
        b
    }

    fn with_header(command_id: u32, body: &[u8]) -> Vec<u8> {
        let mut b = ((HEADER_LEN + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(&command_id.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 7]);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn the_four_message_pdus_and_their_tlvs() {
        let pdu = submit_sm_for_tests(
            b"1234",
            b"447700900123",
            0,
            0,
            b"WVCI 1.2 c",
            &[(0x020A, &[0x23, 0xF0]), (0x020B, &[0x0E, 0x84]), (0x020C, &[0, 9]), (0x020E, &[2]), (0x020F, &[1])],
        );
        let sm = decode(&pdu).unwrap().unwrap();
        assert_eq!((sm.source_port, sm.dest_port), (Some(9200), Some(3716)));
        assert_eq!(sm.sar, Some(Concat { reference: 9, total: 2, seq: 1 }));
        assert_eq!(&pdu[sm.user_data_at..sm.user_data_at + sm.user_data.len()], b"WVCI 1.2 c");
        // deliver_sm has submit_sm's body.
        let mut deliver = pdu.clone();
        deliver[4..8].copy_from_slice(&DELIVER_SM.to_be_bytes());
        assert_eq!(decode(&deliver).unwrap().unwrap().pdu, Pdu::DeliverSm);
        // data_sm: the message in message_payload.
        let mut body = b"\0\x01\x01srv\0\x01\x01447700900123\0\x40\0\x04".to_vec();
        body.extend(tlv(0x0424, b"\x06\x05\x04\x0E\x84\x23\xF0WVCI 1.2 d"));
        let pdu = with_header(DATA_SM, &body);
        let sm = decode(&pdu).unwrap().unwrap();
        assert_eq!((sm.pdu, sm.udhi(), sm.data_coding), (Pdu::DataSm, true, 4));
        assert!(sm.user_data.ends_with(b"WVCI 1.2 d"));
        assert_eq!(&pdu[sm.user_data_at..][..7], b"\x06\x05\x04\x0E\x84\x23\xF0");
        // submit_multi: a distribution list, then an SME address.
        let mut body = b"\0\x01\x01srv\0\x02\x02friends\0\x01\x01\x01447700900123\0".to_vec();
        body.extend_from_slice(b"\0\0\0\0\0\0\0\x00\0\x0AWVCI 1.2 e");
        let multi = with_header(SUBMIT_MULTI, &body);
        let sm = decode(&multi).unwrap().unwrap();
        assert_eq!((sm.destinations, sm.destination_addr), (2, &b""[..]), "the first destination is a list");
        assert_eq!(sm.user_data, b"WVCI 1.2 e");
        assert_eq!(decode(&with_header(0x8000_0004, b"id\0")), Ok(None), "a response carries no message");
    }

    #[test]
    fn lying_lengths_are_errors_that_name_the_field() {
        let pdu = submit_sm_for_tests(b"1", b"2", 0, 0, b"WVCI 1.2 c", &[]);
        let sm_length_at = pdu.len() - 11;
        let mut long = pdu.clone();
        long[sm_length_at] = 200;
        assert_eq!(decode(&long).unwrap_err().field, "short_message");
        let mut tlv_lies = pdu.clone();
        tlv_lies.extend(tlv(0x0424, b"abc"));
        let n = tlv_lies.len();
        tlv_lies[n - 4] = 0x40; // value length 0x4003
        tlv_lies[..4].copy_from_slice(&(n as u32).to_be_bytes());
        assert_eq!(decode(&tlv_lies).unwrap_err(), Error { field: "tlv length", offset: pdu.len() });
        let mut unterminated = with_header(SUBMIT_SM, &[b'x'; 100]);
        unterminated[20] = 1;
        assert_eq!(decode(&unterminated).unwrap_err().field, "service_type");
        assert_eq!(decode(&pdu[..10]).unwrap_err().field, "header");
        assert_eq!(decode(&pdu[..pdu.len() - 1]).unwrap_err().field, "command_length");
        for cut in 0..pdu.len() {
            let mut p = pdu[..cut].to_vec();
            if p.len() >= 4 {
                p[..4].copy_from_slice(&(cut as u32).to_be_bytes());
            }
            let _ = decode(&p);
        }
    }

    fn frame_all(chunks: &[&[u8]], gaps_after: &[usize]) -> (Vec<(u64, Vec<u8>)>, u64) {
        let (mut pdus, mut skipped) = (Vec::new(), 0);
        let mut f = Framer::default();
        let mut out = |x: Framed<'_>| match x {
            Framed::Pdu { offset, pdu } => pdus.push((offset, pdu.to_vec())),
            Framed::Skipped { len } => skipped += len,
        };
        for (i, c) in chunks.iter().enumerate() {
            f.push(c, &mut out);
            if gaps_after.contains(&i) {
                f.gap();
            }
        }
        f.finish(&mut out);
        (pdus, skipped)
    }

    #[test]
    fn the_framer_gives_the_same_pdus_however_the_stream_is_cut() {
        let a = submit_sm_for_tests(b"1", b"2", 0, 0, b"WVCI 1.2 a", &[]);
        let b = with_header(0x0000_0015, &[]); // enquire_link
        let mut stream = a.clone();
        stream.extend_from_slice(&b);
        stream.extend_from_slice(&a);
        let (whole, skipped) = frame_all(&[&stream], &[]);
        assert_eq!((whole.len(), skipped), (3, 0));
        assert_eq!(whole[2].0, (a.len() + b.len()) as u64);
        for cut in 1..stream.len() {
            let (first, second) = stream.split_at(cut);
            assert_eq!(frame_all(&[first, second], &[]), (whole.clone(), 0), "cut at {cut}");
        }
        let ones: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(frame_all(&ones, &[]), (whole.clone(), 0));
    }

    #[test]
    fn damage_and_gaps_are_passed_over_to_the_next_plausible_header() {
        let a = submit_sm_for_tests(b"1", b"2", 0, 0, b"WVCI 1.2 a", &[]);
        // A header whose length lies (1 GB), then a good PDU.
        let mut liar = a.clone();
        liar[..4].copy_from_slice(&0x4000_0000u32.to_be_bytes());
        let mut stream = liar.clone();
        stream.extend_from_slice(&a);
        let (pdus, skipped) = frame_all(&[&stream], &[]);
        assert_eq!((pdus.len(), skipped), (1, liar.len() as u64));
        assert_eq!(pdus[0], (liar.len() as u64, a.clone()));
        // Half a PDU, a gap, then the next one: found again.
        let (pdus, skipped) = frame_all(&[&a[..20], &a[30..], &a], &[0]);
        assert_eq!(pdus.len(), 1);
        assert_eq!(skipped, (20 + a.len() - 30) as u64);
        // Garbage in one-byte pushes, then a PDU.
        let mut g = vec![0xFFu8; 40];
        g.extend_from_slice(&a);
        let ones: Vec<&[u8]> = g.chunks(1).collect();
        assert_eq!(frame_all(&ones, &[]), (vec![(40, a.clone())], 40));
        // A PDU the stream ended in.
        assert_eq!(frame_all(&[&a[..a.len() - 1]], &[]), (vec![], a.len() as u64 - 1));
    }

    #[test]
    fn the_heuristic_takes_smpp_and_refuses_text() {
        assert!(looks_like_smpp(&submit_sm_for_tests(b"1", b"2", 0, 0, b"", &[])));
        assert!(!looks_like_smpp(b"GET / HTTP/1.1\r\nHost: x\r\n"));
        assert!(!looks_like_smpp(b"WVCI 1.2 abcdefghij"));
        let mut status = submit_sm_for_tests(b"1", b"2", 0, 0, b"", &[]);
        status[11] = 1;
        assert!(!looks_like_smpp(&status), "a request with a status");
    }
}
