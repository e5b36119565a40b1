//! SSH on a CIR port, read from one direction's in-order TCP stream: the identification banner
//! (`SSH-2.0-OpenSSH_9.2p1 ...`) and the algorithm lists of the first `SSH_MSG_KEXINIT`, which
//! HASSH and HASSH-server fingerprint (RFC 4253 sections 4.2, 6 and 7.1). Both are sent in the
//! clear before any key exchange.
//!
//! ```
//! use wvcir::ssh::{Event, Stream};
//! let mut s = Stream::default();
//! let mut banner = None;
//! s.push(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", &mut |e| if let Event::Banner(b) = e { banner = Some(b.to_vec()) });
//! assert_eq!(banner.as_deref(), Some(&b"SSH-2.0-OpenSSH_9.2p1 Debian-2"[..]));
//! ```

/// The longest identification line, CR LF included (RFC 4253 section 4.2).
pub const MAX_BANNER: usize = 255;
/// Lines a server may send before its banner (RFC 4253 allows them) that are skipped.
pub const MAX_PRE_BANNER_LINES: u8 = 16;
/// The longest packet read (RFC 4253 section 6.1: implementations must take 35,000 bytes).
pub const MAX_PACKET: usize = 35_000;

const MSG_KEXINIT: u8 = 20;

/// The algorithm name-lists of a KEXINIT, as sent (comma-separated ASCII).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kexinit<'a> {
    /// kex_algorithms.
    pub kex: &'a [u8],
    /// server_host_key_algorithms.
    pub host_key: &'a [u8],
    /// encryption_algorithms client to server, server to client.
    pub encryption: [&'a [u8]; 2],
    /// mac_algorithms client to server, server to client.
    pub mac: [&'a [u8]; 2],
    /// compression_algorithms client to server, server to client.
    pub compression: [&'a [u8]; 2],
}

impl<'a> Kexinit<'a> {
    /// Parses a KEXINIT payload (message number, cookie, name-lists); `None` when it is not one.
    pub fn parse(payload: &'a [u8]) -> Option<Self> {
        let (&MSG_KEXINIT, rest) = payload.split_first()? else { return None };
        let (_cookie, mut rest) = rest.split_at_checked(16)?;
        let mut lists = [&[][..]; 8];
        for l in &mut lists {
            let (len, after) = rest.split_at_checked(4)?;
            let len = usize::try_from(u32::from_be_bytes(len.try_into().ok()?)).ok()?;
            (*l, rest) = after.split_at_checked(len)?;
        }
        let [kex, host_key, e0, e1, m0, m1, c0, c1] = lists;
        Some(Self { kex, host_key, encryption: [e0, e1], mac: [m0, m1], compression: [c0, c1] })
    }

    /// The string HASSH hashes (`kex;encryption;mac;compression`), client to server lists; its
    /// MD5 is the client's HASSH.
    pub fn hassh_algorithms(&self) -> String {
        self.join(0)
    }

    /// The string HASSH-server hashes: the same with the server to client lists.
    pub fn hassh_server_algorithms(&self) -> String {
        self.join(1)
    }

    fn join(&self, i: usize) -> String {
        let pick = |pair: [&[u8]; 2]| String::from_utf8_lossy(pair.get(i).copied().unwrap_or_default()).into_owned();
        let kex = String::from_utf8_lossy(self.kex);
        format!("{kex};{};{};{}", pick(self.encryption), pick(self.mac), pick(self.compression))
    }
}

/// What a [`Stream`] found.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// The identification line, without its line end.
    Banner(&'a [u8]),
    /// The first KEXINIT.
    Kexinit(Kexinit<'a>),
}

/// Where a [`Stream`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StreamState {
    /// Looking for the banner; this many lines skipped before it.
    #[default]
    Banner,
    /// Reading the first binary packet.
    Packet,
    /// Read, or not SSH.
    Done,
    /// Given up: a line or packet over its bound.
    Cut,
}

/// One direction of an SSH connection, read up to its first KEXINIT.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    buf: Vec<u8>,
    skipped: u8,
    state: StreamState,
}

impl Stream {
    /// Where it is.
    pub fn state(&self) -> StreamState {
        self.state
    }

    fn finish(&mut self, state: StreamState) {
        self.state = state;
        self.buf = Vec::new();
    }

    /// Takes the next in-order bytes of the direction.
    pub fn push(&mut self, bytes: &[u8], out: &mut dyn FnMut(Event<'_>)) {
        let mut bytes = bytes;
        while !bytes.is_empty() {
            match self.state {
                StreamState::Banner => {
                    let end = bytes.iter().position(|&b| b == b'\n');
                    let (part, rest) = bytes.split_at(end.map_or(bytes.len(), |e| e + 1));
                    bytes = rest;
                    if self.buf.len() + part.len() > MAX_BANNER {
                        self.finish(StreamState::Cut);
                        return;
                    }
                    self.buf.extend_from_slice(part);
                    if end.is_some() {
                        self.line(out);
                    }
                }
                StreamState::Packet => {
                    let room = MAX_PACKET + 4 - self.buf.len();
                    let (part, rest) = bytes.split_at(room.min(bytes.len()));
                    bytes = rest;
                    self.buf.extend_from_slice(part);
                    self.packet(out);
                }
                StreamState::Done | StreamState::Cut => return,
            }
        }
    }

    /// A whole line while looking for the banner.
    fn line(&mut self, out: &mut dyn FnMut(Event<'_>)) {
        let line = core::mem::take(&mut self.buf);
        if line.starts_with(b"SSH-") {
            let end = line.iter().rposition(|&b| b != b'\r' && b != b'\n').map_or(0, |i| i + 1);
            out(Event::Banner(line.get(..end).unwrap_or_default()));
            self.state = StreamState::Packet;
        } else if self.skipped >= MAX_PRE_BANNER_LINES || line.contains(&0) {
            self.finish(StreamState::Done);
        } else {
            self.skipped += 1;
            self.buf = line;
            self.buf.clear();
        }
    }

    /// The first binary packet, once whole.
    fn packet(&mut self, out: &mut dyn FnMut(Event<'_>)) {
        let Some(len) = self.buf.first_chunk::<4>().map(|b| u32::from_be_bytes(*b)) else { return };
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if !(5..=MAX_PACKET).contains(&len) {
            self.finish(StreamState::Done);
            return;
        }
        let Some(packet) = self.buf.get(4..4 + len) else { return };
        let padding = usize::from(packet.first().copied().unwrap_or(0));
        if let Some(k) = packet.get(1..len.saturating_sub(padding)).and_then(Kexinit::parse) {
            out(Event::Kexinit(k));
        }
        self.finish(StreamState::Done);
    }
}

/// A KEXINIT packet (binary packet, no MAC) with the lists given, for tests and examples.
pub fn kexinit_packet(lists: [&[u8]; 10]) -> Vec<u8> {
    let mut payload = vec![MSG_KEXINIT];
    payload.extend_from_slice(&[0x5a; 16]);
    for l in lists {
        payload.extend_from_slice(&(l.len() as u32).to_be_bytes());
        payload.extend_from_slice(l);
    }
    payload.extend_from_slice(&[0, 0, 0, 0, 0]);
    let padding = 8 - (payload.len() + 5) % 8 + 4;
    let len = payload.len() + padding + 1;
    let mut p = (len as u32).to_be_bytes().to_vec();
    p.push(padding as u8);
    p.extend_from_slice(&payload);
    p.resize(p.len() + padding, 0);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(stream: &[u8], chunk: usize) -> (Vec<String>, StreamState) {
        let mut s = Stream::default();
        let mut seen = Vec::new();
        for part in stream.chunks(chunk) {
            s.push(part, &mut |e| {
                seen.push(match e {
                    Event::Banner(b) => String::from_utf8_lossy(b).into_owned(),
                    Event::Kexinit(k) => format!("{} | {}", k.hassh_algorithms(), k.hassh_server_algorithms()),
                })
            });
        }
        (seen, s.state())
    }

    #[test]
    fn banner_then_kexinit_in_any_segmentation() {
        let lists: [&[u8]; 10] = [
            b"curve25519-sha256",
            b"ssh-ed25519",
            b"aes128-ctr",
            b"aes256-ctr",
            b"hmac-sha2-256",
            b"hmac-sha1",
            b"none",
            b"zlib",
            b"",
            b"",
        ];
        let stream = [&b"a pre-banner line\r\nSSH-2.0-test_1.0\r\n"[..], &kexinit_packet(lists)].concat();
        let want = vec![
            "SSH-2.0-test_1.0".to_owned(),
            "curve25519-sha256;aes128-ctr;hmac-sha2-256;none | curve25519-sha256;aes256-ctr;hmac-sha1;zlib".to_owned(),
        ];
        assert_eq!(read(&stream, stream.len()), (want.clone(), StreamState::Done));
        assert_eq!(read(&stream, 1), (want, StreamState::Done), "1-byte segments");
    }

    #[test]
    fn lies_and_floods_are_bounded() {
        assert_eq!(read(&[b'x'; 1000], 7).1, StreamState::Cut, "a banner line with no end");
        assert_eq!(read(&b"x\n".repeat(100), 3).1, StreamState::Done, "endless pre-banner lines");
        let lie = [&b"SSH-2.0-x\r\n"[..], &[0xff, 0xff, 0xff, 0xff, 4]].concat();
        assert_eq!(read(&lie, 5).1, StreamState::Done, "a packet length over 35,000");
        let short = [&b"SSH-2.0-x\r\n"[..], &[0, 0, 0, 12, 4, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]].concat();
        assert_eq!(read(&short, 5), (vec!["SSH-2.0-x".to_owned()], StreamState::Done), "a KEXINIT cut short");
    }
}
