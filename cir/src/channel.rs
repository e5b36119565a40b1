//! Channels, their IANA default ports, and a cheap "does this look like CIR" check.

use crate::{gsm7, wsp};
use core::fmt;

/// The CIR channel a payload travels on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// UDP/IP CIR (`SUDP`): one datagram, one CIR. IANA port 3717.
    Udp,
    /// Standalone TCP CIR channel (`STCP`): a line protocol. Port 3717.
    Tcp,
    /// SMS CIR (`SSMS`) over an IP bearer: WDP port 3716, ASCII or GSM 7-bit text.
    Sms,
    /// WAP Push CIR (`WAPUDP`): a WSP push on WDP port 2948.
    WapPush,
}

impl Channel {
    /// `udp`, `tcp`, `sms` or `wap-push`.
    pub const fn name(self) -> &'static str {
        match self {
            Channel::Udp => "udp",
            Channel::Tcp => "tcp",
            Channel::Sms => "sms",
            Channel::WapPush => "wap-push",
        }
    }

    /// The transport it travels on when carried over IP: TCP for the TCP channel, UDP (WDP over an
    /// IP bearer) for the others.
    pub const fn transport(self) -> Transport {
        match self {
            Channel::Tcp => Transport::Tcp,
            Channel::Udp | Channel::Sms | Channel::WapPush => Transport::Udp,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// IANA `wv-csp-sms-cir`, WV CSP SMS CIR channel.
pub const PORT_SMS_CIR: u16 = 3716;
/// IANA `wv-csp-udp-cir`, WV CSP UDP/IP CIR channel (and the natural STCP default).
pub const PORT_UDP_CIR: u16 = 3717;
/// IANA `wap-push`, WAP connectionless push.
pub const PORT_WAP_PUSH: u16 = 2948;

/// The transport a payload came on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP (or WDP over an IP bearer).
    Udp,
    /// TCP.
    Tcp,
}

/// An inclusive port range.
pub type PortRange = (u16, u16);

/// Which ports carry which channel. Starts with the IANA defaults; callers override any channel
/// (the analyzer's `--*-ports`, the plugin's preferences).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMap {
    /// UDP ports of the UDP/IP CIR channel.
    pub udp: Vec<PortRange>,
    /// TCP ports of the standalone TCP CIR channel (default 3716-3717).
    pub tcp: Vec<PortRange>,
    /// UDP ports of SMS CIR over an IP bearer.
    pub sms: Vec<PortRange>,
    /// UDP ports of WAP Push.
    pub wap_push: Vec<PortRange>,
}

impl Default for PortMap {
    fn default() -> Self {
        Self {
            udp: vec![(PORT_UDP_CIR, PORT_UDP_CIR)],
            // IANA registers both ports for TCP too; STCP servers use 3717, and whatever runs on
            // 3716/tcp is worth a look.
            tcp: vec![(PORT_SMS_CIR, PORT_UDP_CIR)],
            sms: vec![(PORT_SMS_CIR, PORT_SMS_CIR)],
            wap_push: vec![(PORT_WAP_PUSH, PORT_WAP_PUSH)],
        }
    }
}

impl PortMap {
    /// The channel of a packet from `src` to `dst`. The destination port is looked at first:
    /// CIRs go to the client's listening port; for TCP the server's port is either end.
    pub fn channel(&self, transport: Transport, src: u16, dst: u16) -> Option<Channel> {
        let hit = |ranges: &[PortRange], p: u16| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&p));
        match transport {
            Transport::Tcp => (hit(&self.tcp, dst) || hit(&self.tcp, src)).then_some(Channel::Tcp),
            Transport::Udp => [dst, src].into_iter().find_map(|p| {
                if hit(&self.udp, p) {
                    Some(Channel::Udp)
                } else if hit(&self.sms, p) {
                    Some(Channel::Sms)
                } else if hit(&self.wap_push, p) {
                    Some(Channel::WapPush)
                } else {
                    None
                }
            }),
        }
    }

    /// The channel of an SMS addressed to WDP application port `port` (in a user-data header or
    /// SMPP's `destination_port`): SMS CIR or WAP Push, the ports UDP's WDP uses.
    pub fn wdp_channel(&self, port: u16) -> Option<Channel> {
        let hit = |ranges: &[PortRange]| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&port));
        if hit(&self.sms) {
            Some(Channel::Sms)
        } else if hit(&self.wap_push) {
            Some(Channel::WapPush)
        } else {
            None
        }
    }

    /// Whether any channel uses this port on this transport.
    pub fn is_cir_port(&self, transport: Transport, port: u16) -> bool {
        self.channel(transport, port, port).is_some()
    }
}

/// Parses a port list such as `3717`, `3716-3717,9000`. Returns `None` for text that is not one.
pub fn parse_port_ranges(text: &str) -> Option<Vec<PortRange>> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let (lo, hi) = part.split_once('-').unwrap_or((part, part));
            let (lo, hi) = (lo.trim().parse::<u16>().ok()?, hi.trim().parse::<u16>().ok()?);
            (lo <= hi).then_some((lo, hi))
        })
        .collect()
}

/// What [`detect`] recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detected {
    /// Text starting with `WVCI` (any case): a UDP, SMS or TCP-line CIR.
    CirText,
    /// GSM 7-bit packed text starting with `WVCI`: an SMS CIR.
    CirGsm7,
    /// A WSP Push with the CIR content type.
    WapPush,
}

impl Detected {
    /// The channel a datagram of this shape on an unknown UDP port most likely belongs to.
    pub const fn udp_channel(self) -> Channel {
        match self {
            Detected::CirText => Channel::Udp,
            Detected::CirGsm7 => Channel::Sms,
            Detected::WapPush => Channel::WapPush,
        }
    }
}

/// Whether arbitrary bytes on an arbitrary port look like this protocol: a cheap check for
/// heuristic dissectors and the analyzer, a few byte compares for most payloads.
///
/// It matches the `WVCI` keyword (as text, 7-bit packed, or in a WSP push) followed by a
/// separator, and never a bare `HELO`, which SMTP uses too.
///
/// ```
/// use wvcir::{detect, Detected};
/// assert_eq!(detect(b"WVCI 1.2 abc\r\n"), Some(Detected::CirText));
/// assert_eq!(detect(b"HELO mail.example.org\r\n"), None);
/// assert_eq!(detect(&[0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64]), Some(Detected::CirGsm7));
/// ```
pub fn detect(payload: &[u8]) -> Option<Detected> {
    match payload {
        [a, b, c, d, sep, ..] if [*a, *b, *c, *d].eq_ignore_ascii_case(b"WVCI") && matches!(sep, b' ' | b'\t') => {
            return Some(Detected::CirText);
        }
        [_, wsp::PDU_PUSH, ..] => return wsp::decode_push(payload).is_ok().then_some(Detected::WapPush),
        _ => {}
    }
    // 7-bit packed "WVCI " spans the first five bytes; compare septet by septet.
    let septet = |i| gsm7::septet_to_ascii(gsm7::septet(payload, i)).to_ascii_uppercase();
    let looks = payload.len() >= 5 && b"WVCI ".iter().enumerate().all(|(i, &c)| septet(i) == c);
    looks.then_some(Detected::CirGsm7)
}
