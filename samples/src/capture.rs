//! An in-memory capture and its pcap/pcapng encoding via pcap-file.

use crate::net::{Link, frame};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::{DataLink, Endianness};
use std::borrow::Cow;
use std::time::Duration;

/// File format and its parameters.
#[derive(Clone, Debug)]
pub enum Format {
    /// Classic pcap: one link type for the file.
    Pcap { link: Link, big_endian: bool, nanos: bool },
    /// pcapng: one interface per entry, each with its link type, name and `if_tsresol` (10^-n s).
    PcapNg { interfaces: Vec<(Link, &'static str, u8)> },
}

/// One captured frame.
#[derive(Clone, Debug)]
pub struct Packet {
    /// Time since the epoch.
    pub ts: Duration,
    /// pcapng interface (0 for pcap).
    pub iface: u32,
    /// The frame, link header included.
    pub data: Vec<u8>,
    /// What the frame shows, for the samples README ("" for plain ACKs and the like).
    pub note: String,
}

/// A capture being built.
#[derive(Clone, Debug)]
pub struct Capture {
    pub format: Format,
    /// Epoch seconds of time 0 of the scenario.
    pub base: u64,
    pub packets: Vec<Packet>,
}

/// 2009-03-14T10:00:00Z: when IMPS clients still sent CIRs.
pub const BASE_EPOCH: u64 = 1_237_024_800;

fn datalink(link: Link) -> DataLink {
    match link {
        Link::Ethernet | Link::Vlan(_) | Link::QinQ(..) => DataLink::ETHERNET,
        Link::Sll => DataLink::LINUX_SLL,
        Link::Sll2 { .. } => DataLink::LINUX_SLL2,
        Link::RawIp => DataLink::RAW,
        Link::Null => DataLink::NULL,
        Link::Ppp => DataLink::PPP,
        Link::Wlan => DataLink::IEEE802_11_RADIOTAP,
    }
}

impl Capture {
    pub fn new(format: Format) -> Self {
        Self { format, base: BASE_EPOCH, packets: Vec::new() }
    }

    /// Adds a frame `t` seconds after the base (rounded to the nanosecond).
    pub fn push_frame(&mut self, t: f64, iface: u32, data: Vec<u8>, note: &str) {
        let nanos = (t * 1e9).round() as u64;
        let ts = Duration::from_secs(self.base) + Duration::from_nanos(nanos);
        self.packets.push(Packet { ts, iface, data, note: note.to_owned() });
    }

    /// Wraps an IP packet in `link` and adds it.
    pub fn push_ip(&mut self, t: f64, link: Link, iface: u32, ip: &[u8], outbound: bool, note: &str) {
        self.push_frame(t, iface, frame(link, ip, outbound), note);
    }

    /// Frames in time order (scenarios interleave connections); the sort is stable.
    pub fn sort(&mut self) {
        self.packets.sort_by_key(|p| p.ts);
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.format {
            Format::Pcap { link, big_endian, nanos } => {
                let header = PcapHeader {
                    snaplen: 262_144,
                    datalink: datalink(*link),
                    ts_resolution: if *nanos {
                        pcap_file::pcap::PcapTsResolution::NanoSecond
                    } else {
                        pcap_file::pcap::PcapTsResolution::MicroSecond
                    },
                    endianness: if *big_endian { Endianness::Big } else { Endianness::Little },
                    ..PcapHeader::default()
                };
                let mut w = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
                for p in &self.packets {
                    let len = p.data.len() as u32;
                    let packet = PcapPacket::new(p.ts, len, Cow::Borrowed(p.data.as_slice())).expect("valid packet");
                    w.write_packet(&packet).expect("write to Vec");
                }
                w.into_inner()
            }
            Format::PcapNg { interfaces } => {
                let shb = SectionHeaderBlock {
                    endianness: Endianness::Little,
                    options: vec![SectionHeaderOption::UserApplication(Cow::Borrowed("wvcir-samples"))],
                    ..SectionHeaderBlock::default()
                };
                let mut w = PcapNgWriter::with_section_header(Vec::new(), shb).expect("pcapng header");
                for (link, name, resol) in interfaces {
                    let mut idb = InterfaceDescriptionBlock::new(datalink(*link), 262_144);
                    idb.options.push(InterfaceDescriptionOption::IfName(Cow::Borrowed(name)));
                    if *resol != 6 {
                        let r = InterfaceTsResolution::new(false, *resol).expect("a decimal resolution");
                        idb.options.push(InterfaceDescriptionOption::IfTsResol(r));
                    }
                    w.write_pcapng_block(idb).expect("write to Vec");
                }
                for p in &self.packets {
                    let epb = EnhancedPacketBlock {
                        interface_id: p.iface,
                        timestamp: p.ts,
                        original_len: p.data.len() as u32,
                        data: Cow::Borrowed(p.data.as_slice()),
                        options: vec![],
                    };
                    w.write_pcapng_block(epb).expect("write to Vec");
                }
                w.into_inner()
            }
        }
    }
}
