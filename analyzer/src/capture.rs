//! Streaming capture reading: pcap (both byte orders, micro- and nanosecond) and pcapng (several
//! interfaces, per-interface link type and `if_tsresol`), plain or gzip-compressed.
//!
//! pcap-file parses the records; this module owns the buffer. Every record or block length is
//! checked against a bound *before* more bytes are read for it, so a lying length can neither
//! make the reader allocate gigabytes nor loop; memory is one bounded buffer whatever the file
//! size. Errors carry the byte offset of the record at fault, and every packet before it has been
//! handed out already: nothing read is lost.

use crate::vocab::{InputErrorKind, Vocabulary};
use pcap_file::DataLink;
use pcap_file::pcap::{PcapParseError, PcapParser};
use pcap_file::pcapng::{Block, PcapNgParseError, PcapNgParser};
use std::fmt;
use std::io::Read;
use std::time::Duration;

/// Largest record or block accepted. Wireshark's own bound for most link types is 256 KiB; a
/// jumbo-frame or reassembled capture stays under 1 MiB.
pub const MAX_RECORD_LEN: usize = 1 << 20;
/// How much is read from the file at a time.
const CHUNK: usize = 256 * 1024;

/// The container format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pcap,
    PcapNg,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
        }
    }
}

/// Why a capture could not be read (further).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    /// What went wrong.
    pub kind: InputErrorKind,
    /// A sentence for the user; never contains raw input bytes.
    pub message: String,
    /// Byte offset in the (decompressed) file of the record at fault.
    pub offset: u64,
}

impl CaptureError {
    pub fn new(kind: InputErrorKind, offset: u64, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), offset }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.kind.name(), self.offset, self.message)
    }
}

/// One packet, borrowed from the reader's buffer until the next call.
#[derive(Debug)]
pub struct Packet<'a> {
    /// Time since the epoch.
    pub ts: Duration,
    /// The link type of the packet's interface.
    pub link: DataLink,
    /// Captured bytes.
    pub data: &'a [u8],
}

enum Parser {
    Pcap { parser: PcapParser, link: DataLink, big: bool },
    PcapNg { parser: PcapNgParser, last_ts: Duration },
}

/// The bytes of the file: a bounded buffer over the source, with the file offset of its start.
/// The buffer is zeroed once, when it grows, not before every read: zeroing each 256 KiB chunk
/// cost about a third of the analyzer's instructions (callgrind, 2026-11-29).
struct Source<R> {
    src: R,
    buf: Vec<u8>,
    /// Unconsumed bytes are `buf[start..end]`; `buf[end..]` is room for the next read.
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    offset: u64,
    eof: bool,
}

impl<R: Read> Source<R> {
    fn available(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
    }

    /// Makes at least `want` unconsumed bytes available, unless the file ends first.
    fn fill(&mut self, want: usize) -> Result<(), CaptureError> {
        while self.end - self.start < want && !self.eof {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let room = self.end + want.max(CHUNK);
            if self.buf.len() < room {
                self.buf.resize(room, 0);
            }
            let n = loop {
                match self.src.read(self.buf.get_mut(self.end..).unwrap_or_default()) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(CaptureError::new(InputErrorKind::Io, self.offset, format!("read error: {e}")));
                    }
                }
            };
            self.end += n;
            self.eof = n == 0;
        }
        Ok(())
    }

    /// The total length of the pcapng block at the read position, checked against the bounds.
    /// `section_big`: the byte order of the current section (a section header says its own).
    fn block_len(&mut self, section_big: bool) -> Result<usize, CaptureError> {
        self.fill(12)?;
        let Some(h) = self.available().first_chunk::<12>() else {
            return Err(CaptureError::new(
                InputErrorKind::Truncated,
                self.offset,
                "the file ends inside a pcapng block header",
            ));
        };
        let is_section_header = [h[0], h[1], h[2], h[3]] == [0x0A, 0x0D, 0x0D, 0x0A];
        let big = if is_section_header { [h[8], h[9], h[10], h[11]] == [0x1A, 0x2B, 0x3C, 0x4D] } else { section_big };
        let raw = [h[4], h[5], h[6], h[7]];
        let len = if big { u32::from_be_bytes(raw) } else { u32::from_le_bytes(raw) } as usize;
        if len < 12 || !len.is_multiple_of(4) {
            let msg = format!("pcapng block length {len} is not a multiple of 4 of at least 12");
            return Err(CaptureError::new(InputErrorKind::Malformed, self.offset, msg));
        }
        if len > MAX_RECORD_LEN {
            let msg = format!("pcapng block claims {len} bytes, more than the {MAX_RECORD_LEN}-byte limit");
            return Err(CaptureError::new(InputErrorKind::AbsurdLength, self.offset, msg));
        }
        Ok(len)
    }
}

/// Reads packets one at a time from any byte source.
pub struct CaptureReader<R: Read> {
    source: Source<R>,
    parser: Parser,
    /// Holds a packet body that the parser handed back owned rather than borrowed.
    scratch: Vec<u8>,
}

impl<R: Read> fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptureReader").field("format", &self.format()).field("offset", &self.offset()).finish()
    }
}

/// Gzip magic: the caller wraps the source in a decoder and opens it again.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1F, 0x8B])
}

impl<R: Read> CaptureReader<R> {
    /// Reads the file header and recognises the format.
    pub fn open(src: R) -> Result<Self, CaptureError> {
        let mut source = Source { src, buf: Vec::new(), start: 0, end: 0, offset: 0, eof: false };
        source.fill(28)?;
        let head = source.available();
        if head.is_empty() {
            return Err(CaptureError::new(InputErrorKind::Empty, 0, "the file is empty"));
        }
        let parser = match head.get(..4) {
            Some(
                [0xA1, 0xB2, 0xC3, 0xD4]
                | [0xD4, 0xC3, 0xB2, 0xA1]
                | [0xA1, 0xB2, 0x3C, 0x4D]
                | [0x4D, 0x3C, 0xB2, 0xA1],
            ) => {
                let (rest, parser) = PcapParser::new(head).map_err(|e| pcap_error(&e, 0, "the pcap file header"))?;
                let used = head.len() - rest.len();
                let header = parser.header();
                source.consume(used);
                Parser::Pcap { parser, link: header.datalink, big: header.endianness == pcap_file::Endianness::Big }
            }
            Some([0x0A, 0x0D, 0x0D, 0x0A]) => {
                let len = source.block_len(false)?;
                source.fill(len)?;
                let head = source.available();
                let (rest, parser) = PcapNgParser::new(head).map_err(|e| pcapng_error(&e, 0))?;
                let used = head.len() - rest.len();
                source.consume(used);
                Parser::PcapNg { parser, last_ts: Duration::ZERO }
            }
            None => return Err(CaptureError::new(InputErrorKind::Truncated, 0, "the file ends inside its header")),
            Some(_) => {
                let msg = "no pcap or pcapng magic number: not a capture file, or a format wvcir does not read";
                return Err(CaptureError::new(InputErrorKind::NotACapture, 0, msg));
            }
        };
        Ok(CaptureReader { source, parser, scratch: Vec::new() })
    }

    pub fn format(&self) -> Format {
        match self.parser {
            Parser::Pcap { .. } => Format::Pcap,
            Parser::PcapNg { .. } => Format::PcapNg,
        }
    }

    /// File offset of the next record.
    pub fn offset(&self) -> u64 {
        self.source.offset
    }

    /// The link types of the file (pcap: one; pcapng: one per interface seen so far).
    pub fn link_types(&self) -> Vec<DataLink> {
        match &self.parser {
            Parser::Pcap { link, .. } => vec![*link],
            Parser::PcapNg { parser, .. } => parser.interfaces().iter().map(|i| i.linktype).collect(),
        }
    }

    /// The next packet, `None` at a clean end of file.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        let CaptureReader { source, parser, scratch } = self;
        match parser {
            Parser::Pcap { parser, link, big } => next_pcap(source, parser, *link, *big),
            Parser::PcapNg { parser, last_ts } => next_pcapng(source, scratch, parser, last_ts),
        }
    }
}

/// The next record of a pcap file.
fn next_pcap<'s, R: Read>(
    source: &'s mut Source<R>,
    parser: &mut PcapParser,
    link: DataLink,
    big: bool,
) -> Result<Option<Packet<'s>>, CaptureError> {
    source.fill(16)?;
    let offset = source.offset;
    let head = source.available();
    if head.is_empty() {
        return Ok(None);
    }
    let Some(h) = head.first_chunk::<16>() else {
        return Err(CaptureError::new(InputErrorKind::Truncated, offset, "the file ends inside a record header"));
    };
    let raw = [h[8], h[9], h[10], h[11]];
    let incl = if big { u32::from_be_bytes(raw) } else { u32::from_le_bytes(raw) } as usize;
    if incl > MAX_RECORD_LEN {
        let msg = format!("record claims {incl} bytes, more than the {MAX_RECORD_LEN}-byte limit");
        return Err(CaptureError::new(InputErrorKind::AbsurdLength, offset, msg));
    }
    source.fill(16 + incl)?;
    let avail = source.available();
    if avail.len() < 16 + incl {
        return Err(CaptureError::new(
            InputErrorKind::Truncated,
            offset,
            format!("the file ends inside a {incl}-byte record"),
        ));
    }
    let (rest, pkt) = parser.next_packet(avail).map_err(|e| pcap_error(&e, offset, "a record"))?;
    let used = avail.len() - rest.len();
    let ts = pkt.timestamp();
    let from = source.start + 16;
    source.consume(used);
    let data = source.buf.get(from..from + incl).unwrap_or_default();
    Ok(Some(Packet { ts, link, data }))
}

/// The next packet block of a pcapng file (other blocks are read and passed over).
fn next_pcapng<'s, R: Read>(
    source: &'s mut Source<R>,
    scratch: &'s mut Vec<u8>,
    parser: &mut PcapNgParser,
    last_ts: &mut Duration,
) -> Result<Option<Packet<'s>>, CaptureError> {
    loop {
        source.fill(12)?;
        if source.available().is_empty() {
            return Ok(None);
        }
        let section_big = parser.section().endianness == pcap_file::Endianness::Big;
        let len = source.block_len(section_big)?;
        source.fill(len)?;
        let offset = source.offset;
        let avail = source.available();
        let Some(block_bytes) = avail.get(..len) else {
            return Err(CaptureError::new(
                InputErrorKind::Truncated,
                offset,
                format!("the file ends inside a {len}-byte block"),
            ));
        };
        let (_, block) = parser.next_block(block_bytes).map_err(|e| pcapng_error(&e, offset))?;
        let iface_link = |id: usize| parser.interfaces().get(id).map(|i| i.linktype);
        let found = match &block {
            Block::EnhancedPacket(b) => match iface_link(b.interface_id as usize) {
                Some(link) => Some((b.timestamp, link, data_range(block_bytes, &b.data))),
                None => {
                    let msg = format!("packet names interface {} which was never described", b.interface_id);
                    return Err(CaptureError::new(InputErrorKind::Malformed, offset, msg));
                }
            },
            Block::SimplePacket(b) => {
                Some((*last_ts, iface_link(0).unwrap_or(DataLink::ETHERNET), data_range(block_bytes, &b.data)))
            }
            Block::Packet(b) => Some((
                b.timestamp,
                iface_link(usize::from(b.interface_id)).unwrap_or(DataLink::ETHERNET),
                data_range(block_bytes, &b.data),
            )),
            _ => None,
        };
        let base = source.start;
        source.consume(len);
        if let Some((ts, link, range)) = found {
            *last_ts = ts;
            let data = match range {
                Ok((from, to)) => source.buf.get(base + from..base + to).unwrap_or_default(),
                Err(owned) => {
                    *scratch = owned;
                    scratch.as_slice()
                }
            };
            return Ok(Some(Packet { ts, link, data }));
        }
    }
}

/// Where a packet body lies inside the block bytes, or a copy of it when it is not borrowed from
/// them (zero-copy is the rule; the copy keeps the packet if a parser version ever owns it).
fn data_range(block: &[u8], data: &[u8]) -> Result<(usize, usize), Vec<u8>> {
    let start = (data.as_ptr() as usize).wrapping_sub(block.as_ptr() as usize);
    if start <= block.len() && data.len() <= block.len() - start {
        Ok((start, start + data.len()))
    } else {
        Err(data.to_vec())
    }
}

fn pcap_error(e: &PcapParseError, offset: u64, what: &str) -> CaptureError {
    match e {
        PcapParseError::IncompleteBuffer(..) => {
            CaptureError::new(InputErrorKind::Truncated, offset, format!("the file ends inside {what}"))
        }
        other => CaptureError::new(InputErrorKind::Malformed, offset, format!("{what} is not valid pcap: {other}")),
    }
}

fn pcapng_error(e: &PcapNgParseError, offset: u64) -> CaptureError {
    match e {
        PcapNgParseError::IncompleteBuffer(..) => {
            CaptureError::new(InputErrorKind::Truncated, offset, "the file ends inside a pcapng block")
        }
        other => CaptureError::new(InputErrorKind::Malformed, offset, format!("invalid pcapng block: {other}")),
    }
}

/// A short name for a link type: `ethernet`, `linux-sll`, `linux-sll2`, `raw`, `null`, `ppp`,
/// `ieee802-11-radiotap`, ...; `linktype-N` for one wvcir does not read.
pub fn link_name(link: DataLink) -> String {
    match link {
        DataLink::ETHERNET => "ethernet".into(),
        DataLink::LINUX_SLL => "linux-sll".into(),
        DataLink::LINUX_SLL2 => "linux-sll2".into(),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => "raw".into(),
        DataLink::NULL => "null".into(),
        DataLink::LOOP => "loop".into(),
        DataLink::PPP => "ppp".into(),
        DataLink::PPP_HDLC => "ppp-hdlc".into(),
        DataLink::IEEE802_11 => "ieee802-11".into(),
        DataLink::IEEE802_11_RADIOTAP => "ieee802-11-radiotap".into(),
        other => format!("linktype-{}", u32::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that returns at most `n` bytes a read, as pipes and sockets do.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            let (head, rest) = self.0.split_at(n);
            out[..n].copy_from_slice(head);
            self.0 = rest;
            Ok(n)
        }
    }

    fn packets(src: impl Read) -> (Vec<(Duration, Vec<u8>)>, u64) {
        let mut r = CaptureReader::open(src).unwrap();
        let mut out = Vec::new();
        while let Some(p) = r.next_packet().unwrap() {
            out.push((p.ts, p.data.to_vec()));
        }
        (out, r.offset())
    }

    #[test]
    fn short_reads_give_the_same_packets_and_offsets() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/captures");
        for name in ["tcp-real-shapes.pcap", "two-interfaces.pcapng", "nanosecond.pcapng"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let whole = packets(&bytes[..]);
            assert!(!whole.0.is_empty());
            for n in [1, 7, 4096, CHUNK + 3] {
                assert_eq!(packets(Trickle(&bytes, n)), whole, "{name}, {n}-byte reads");
            }
        }
    }
}
