//! TLS handshakes on a CIR port, read from one direction's in-order TCP stream: what names a TLS
//! client and server to an analyst (SNI, ALPN, versions, the JA3/JA3S and JA4 inputs, the first
//! certificate's subject and issuer) without decrypting anything.
//!
//! [`Stream`] undoes the record layer (a hello split over records or over 1-byte segments is read
//! whole) and hands each ClientHello, ServerHello and first certificate to its caller, borrowed.
//! It buffers at most [`MAX_HANDSHAKE_BYTES`] of handshake messages and stops at the first
//! encrypted record. Hashing (MD5 for JA3, SHA-256 for JA4) is left to the caller: this crate has
//! no dependencies.
//!
//! ```
//! use wvcir::tls::{Handshake, Stream};
//! // A ClientHello for "c2.example", in a record split over two segments.
//! let hello = wvcir::tls::client_hello_record(0x0303, b"c2.example", &[0x1301], &[b"h2"]);
//! let (a, b) = hello.split_at(7);
//! let (mut s, mut sni) = (Stream::default(), None);
//! for part in [a, b] {
//!     s.push(part, &mut |h| if let Handshake::ClientHello(c) = h { sni = c.server_name().map(<[u8]>::to_vec) });
//! }
//! assert_eq!(sni.as_deref(), Some(&b"c2.example"[..]));
//! ```

use core::fmt::Write as _;

/// Handshake bytes buffered per direction: a ClientHello, or the start of a Certificate message
/// up to the end of its first certificate, longer than this is not read (and counted as cut).
/// Real hellos are under 2 KiB (post-quantum key shares add about 1.2 KiB); certificates with
/// long SAN lists reach a few tens of KiB.
pub const MAX_HANDSHAKE_BYTES: usize = 32 * 1024;
/// The longest record body a peer may send (2^14 plus the 2,048 bytes of expansion TLS 1.2
/// allows); a longer length means the stream is not TLS.
pub const MAX_RECORD: usize = 16_384 + 2_048;

const CONTENT_HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const CERTIFICATE: u8 = 11;

const EXT_SERVER_NAME: u16 = 0;
const EXT_SUPPORTED_GROUPS: u16 = 10;
const EXT_POINT_FORMATS: u16 = 11;
const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
const EXT_ALPN: u16 = 16;
const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// A GREASE value (RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa), which fingerprints ignore.
pub const fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// A version's name as analysts write it: `TLS 1.2`, `SSL 3.0`, or `0x7f1c`.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        _ => format!("0x{v:04x}"),
    }
}

/// A big-endian reader over a borrowed buffer; every read is checked.
#[derive(Clone, Copy, Debug)]
struct Rd<'a>(&'a [u8]);

impl<'a> Rd<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes(b.try_into().ok()?))
    }
    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(b.iter().fold(0usize, |n, &x| n << 8 | usize::from(x)))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n.into())
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n.into())
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The big-endian u16s of a list (a trailing odd byte is ignored).
fn u16s(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
    bytes.as_chunks::<2>().0.iter().map(|c| u16::from_be_bytes(*c))
}

/// One hello extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    /// Its type (0 server_name, 16 ALPN, 43 supported_versions, ...).
    pub kind: u16,
    /// Its body.
    pub data: &'a [u8],
}

/// The extensions of a hello, in the order sent. The block was checked whole when the hello was
/// parsed, so iteration never stops early.
#[derive(Clone, Copy, Debug)]
pub struct Extensions<'a>(Rd<'a>);

impl<'a> Iterator for Extensions<'a> {
    type Item = Extension<'a>;
    fn next(&mut self) -> Option<Extension<'a>> {
        let kind = self.0.u16()?;
        let data = self.0.vec16()?;
        Some(Extension { kind, data })
    }
}

/// Checks that an extension block splits exactly into extensions.
fn extensions_whole(block: &[u8]) -> bool {
    let mut r = Rd(block);
    while !r.is_empty() {
        if r.u16().is_none() || r.vec16().is_none() {
            return false;
        }
    }
    true
}

/// A ClientHello, borrowed from the handshake message body.
#[derive(Clone, Copy, Debug)]
pub struct ClientHello<'a> {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3 clients).
    pub version: u16,
    ciphers: &'a [u8],
    extensions: &'a [u8],
}

impl<'a> ClientHello<'a> {
    /// Parses a ClientHello body (after the 4-byte handshake header); `None` when its lengths do
    /// not add up.
    pub fn parse(body: &'a [u8]) -> Option<Self> {
        let mut r = Rd(body);
        let version = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        let ciphers = r.vec16()?;
        r.vec8()?;
        let extensions = if r.is_empty() { &[][..] } else { r.vec16()? };
        (ciphers.len() % 2 == 0 && extensions_whole(extensions)).then_some(Self { version, ciphers, extensions })
    }

    /// The cipher suites offered, in order (GREASE included).
    pub fn cipher_suites(&self) -> impl Iterator<Item = u16> + 'a {
        u16s(self.ciphers)
    }

    /// The extensions, in order.
    pub fn extensions(&self) -> Extensions<'a> {
        Extensions(Rd(self.extensions))
    }

    fn extension(&self, kind: u16) -> Option<&'a [u8]> {
        self.extensions().find(|e| e.kind == kind).map(|e| e.data)
    }

    /// The first host name of the server_name extension.
    pub fn server_name(&self) -> Option<&'a [u8]> {
        let mut list = Rd(Rd(self.extension(EXT_SERVER_NAME)?).vec16()?);
        while !list.is_empty() {
            let kind = list.u8()?;
            let name = list.vec16()?;
            if kind == 0 {
                return Some(name);
            }
        }
        None
    }

    /// The ALPN protocols offered, in order.
    pub fn alpn(&self) -> Vec<&'a [u8]> {
        self.extension(EXT_ALPN).map_or_else(Vec::new, alpn_list)
    }

    /// The supported_versions extension's list (GREASE included); empty without it.
    pub fn supported_versions(&self) -> impl Iterator<Item = u16> + 'a {
        let list = self.extension(EXT_SUPPORTED_VERSIONS).and_then(|d| Rd(d).vec8()).unwrap_or_default();
        u16s(list)
    }

    fn list16(&self, kind: u16) -> impl Iterator<Item = u16> + 'a {
        u16s(self.extension(kind).and_then(|d| Rd(d).vec16()).unwrap_or_default())
    }

    /// The JA3 string (`version,ciphers,extensions,groups,point_formats`, decimal, GREASE left
    /// out), whose MD5 is the JA3 fingerprint.
    pub fn ja3(&self) -> String {
        let formats = self.extension(EXT_POINT_FORMATS).and_then(|d| Rd(d).vec8()).unwrap_or_default();
        let mut s = format!("{},", self.version);
        dashed(&mut s, self.cipher_suites().filter(|v| !is_grease(*v)));
        s.push(',');
        dashed(&mut s, self.extensions().map(|e| e.kind).filter(|v| !is_grease(*v)));
        s.push(',');
        dashed(&mut s, self.list16(EXT_SUPPORTED_GROUPS).filter(|v| !is_grease(*v)));
        s.push(',');
        dashed(&mut s, formats.iter().copied());
        s
    }

    /// What the JA4 fingerprint is made of (FoxIO's JA4, TLS over TCP).
    pub fn ja4(&self) -> Ja4 {
        let ciphers: Vec<u16> = self.cipher_suites().filter(|v| !is_grease(*v)).collect();
        let exts: Vec<u16> = self.extensions().map(|e| e.kind).filter(|v| !is_grease(*v)).collect();
        let version = self.supported_versions().filter(|v| !is_grease(*v)).max().unwrap_or(self.version);
        let sni = if exts.contains(&EXT_SERVER_NAME) { 'd' } else { 'i' };
        let alpn = ja4_alpn(self.alpn().first().copied());
        let prefix =
            format!("t{}{sni}{:02}{:02}{alpn}", ja4_version(version), ciphers.len().min(99), exts.len().min(99));
        let mut sorted = ciphers;
        sorted.sort_unstable();
        let mut cipher_list = String::new();
        hex_list(&mut cipher_list, sorted.into_iter());
        let mut sorted: Vec<u16> = exts.into_iter().filter(|&e| e != EXT_SERVER_NAME && e != EXT_ALPN).collect();
        sorted.sort_unstable();
        let mut extension_list = String::new();
        hex_list(&mut extension_list, sorted.iter().copied());
        let mut sigalgs = self.list16(EXT_SIGNATURE_ALGORITHMS).filter(|v| !is_grease(*v)).peekable();
        if !sorted.is_empty() && sigalgs.peek().is_some() {
            extension_list.push('_');
            hex_list(&mut extension_list, sigalgs);
        }
        Ja4 { prefix, ciphers: cipher_list, extensions: extension_list }
    }
}

/// The parts of a JA4 fingerprint: `prefix_hash(ciphers)_hash(extensions)`, where hash is the
/// first 12 hex digits of SHA-256, or `000000000000` for an empty list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ja4 {
    /// `t13d1516h2`: transport, version, SNI or not, cipher and extension counts, ALPN.
    pub prefix: String,
    /// The cipher suites, sorted, as comma-separated 4-digit hex.
    pub ciphers: String,
    /// The extensions but SNI and ALPN, sorted, then `_` and the signature algorithms in order.
    pub extensions: String,
}

fn ja4_version(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0200 => "s2",
        0x0100 => "s1",
        _ => "00",
    }
}

/// The first and last characters of the first ALPN value; when either is not alphanumeric, the
/// first and last hex digits of the value; `00` without one.
fn ja4_alpn(first: Option<&[u8]>) -> String {
    match first {
        Some([a, .., z]) | Some([a @ z]) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => {
            format!("{}{}", char::from(*a), char::from(*z))
        }
        Some([a, .., z]) | Some([a @ z]) => {
            let hex = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
            format!("{}{}", hex(a >> 4), hex(z & 0xf))
        }
        _ => "00".into(),
    }
}

fn dashed(s: &mut String, values: impl Iterator<Item = impl core::fmt::Display>) {
    for (i, v) in values.enumerate() {
        let _ = write!(s, "{}{v}", if i == 0 { "" } else { "-" });
    }
}

fn hex_list(s: &mut String, values: impl Iterator<Item = u16>) {
    for (i, v) in values.enumerate() {
        let _ = write!(s, "{}{v:04x}", if i == 0 { "" } else { "," });
    }
}

fn alpn_list(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let Some(list) = Rd(data).vec16() else { return out };
    let mut r = Rd(list);
    while let Some(p) = r.vec8() {
        out.push(p);
    }
    out
}

/// A ServerHello (or HelloRetryRequest), borrowed from the handshake message body.
#[derive(Clone, Copy, Debug)]
pub struct ServerHello<'a> {
    /// `legacy_version`.
    pub version: u16,
    /// The cipher suite chosen.
    pub cipher: u16,
    extensions: &'a [u8],
}

impl<'a> ServerHello<'a> {
    /// Parses a ServerHello body; `None` when its lengths do not add up.
    pub fn parse(body: &'a [u8]) -> Option<Self> {
        let mut r = Rd(body);
        let version = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        let cipher = r.u16()?;
        r.u8()?;
        let extensions = if r.is_empty() { &[][..] } else { r.vec16()? };
        extensions_whole(extensions).then_some(Self { version, cipher, extensions })
    }

    /// The extensions, in order.
    pub fn extensions(&self) -> Extensions<'a> {
        Extensions(Rd(self.extensions))
    }

    /// The version agreed: supported_versions' choice (TLS 1.3), else `legacy_version`.
    pub fn selected_version(&self) -> u16 {
        self.extensions()
            .find(|e| e.kind == EXT_SUPPORTED_VERSIONS)
            .and_then(|e| Rd(e.data).u16())
            .unwrap_or(self.version)
    }

    /// The ALPN protocol chosen.
    pub fn alpn(&self) -> Option<&'a [u8]> {
        self.extensions().find(|e| e.kind == EXT_ALPN).and_then(|e| alpn_list(e.data).first().copied())
    }

    /// The JA3S string (`version,cipher,extensions`, decimal), whose MD5 is the JA3S fingerprint.
    pub fn ja3s(&self) -> String {
        let mut s = format!("{},{},", self.version, self.cipher);
        dashed(&mut s, self.extensions().map(|e| e.kind).filter(|v| !is_grease(*v)));
        s
    }
}

/// The first certificate of a Certificate message (TLS 1.2 and older send it in the clear):
/// its DER-encoded subject and issuer names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// The whole certificate, DER.
    pub der: &'a [u8],
    /// The subject Name, DER (a SEQUENCE).
    pub subject: &'a [u8],
    /// The issuer Name, DER.
    pub issuer: &'a [u8],
}

impl<'a> Certificate<'a> {
    /// Reads a certificate's names from its DER; `None` when it is not an X.509 certificate.
    pub fn parse(der: &'a [u8]) -> Option<Self> {
        let (cert, _) = crate::der::element(der, crate::der::SEQUENCE)?;
        let (tbs, _) = crate::der::element(cert.content, crate::der::SEQUENCE)?;
        let mut rest = tbs.content;
        let (first, after) = crate::der::any(rest)?;
        if first.tag == 0xa0 {
            rest = after; // [0] EXPLICIT version
        }
        let (_, rest) = crate::der::element(rest, crate::der::INTEGER)?; // serialNumber
        let (_, rest) = crate::der::element(rest, crate::der::SEQUENCE)?; // signature
        let (issuer, rest) = crate::der::element(rest, crate::der::SEQUENCE)?;
        let (_, rest) = crate::der::element(rest, crate::der::SEQUENCE)?; // validity
        let (subject, _) = crate::der::element(rest, crate::der::SEQUENCE)?;
        Some(Self { der, subject: subject.whole, issuer: issuer.whole })
    }

    /// Subject and issuer are the same name: the certificate signs itself (its signature is not
    /// checked).
    pub fn self_signed(&self) -> bool {
        self.subject == self.issuer
    }
}

/// What a [`Stream`] found.
#[derive(Clone, Copy, Debug)]
pub enum Handshake<'a> {
    /// A client's hello.
    ClientHello(ClientHello<'a>),
    /// A server's hello.
    ServerHello(ServerHello<'a>),
    /// The first certificate of a server's (or client's) Certificate message.
    Certificate(Certificate<'a>),
}

/// Where a [`Stream`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StreamState {
    /// Reading records.
    #[default]
    Reading,
    /// Nothing more to read: the handshakes wanted were read, a record was encrypted, or the
    /// stream was not TLS.
    Done,
    /// Given up: a handshake message passed [`MAX_HANDSHAKE_BYTES`].
    Cut,
}

/// One direction's TLS record layer, undone up to the handshake messages that name the peers.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    header: [u8; 5],
    header_len: u8,
    body_left: usize,
    /// Handshake message bytes not yet read.
    buf: Vec<u8>,
    state: StreamState,
}

impl Stream {
    /// Where it is.
    pub fn state(&self) -> StreamState {
        self.state
    }

    /// Bytes it holds.
    pub fn buffered(&self) -> usize {
        self.buf.capacity()
    }

    /// Takes the next in-order bytes of the direction; `out` gets each hello and first
    /// certificate as soon as it is whole.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut dyn FnMut(Handshake<'_>)) {
        while !bytes.is_empty() && self.state == StreamState::Reading {
            if self.body_left == 0 {
                let want = 5 - usize::from(self.header_len);
                let (h, rest) = bytes.split_at(want.min(bytes.len()));
                if let Some(dst) =
                    self.header.get_mut(usize::from(self.header_len)..usize::from(self.header_len) + h.len())
                {
                    dst.copy_from_slice(h);
                }
                self.header_len += h.len() as u8;
                bytes = rest;
                if self.header_len == 5 {
                    self.header_len = 0;
                    self.record_header();
                }
                continue;
            }
            // Up to the bound; what is read from the buffer makes room again. Every decision is
            // taken on whole structures, so any segmentation gives the same result.
            let n = self.body_left.min(bytes.len()).min(MAX_HANDSHAKE_BYTES - self.buf.len());
            let (body, rest) = bytes.split_at(n);
            bytes = rest;
            self.body_left -= n;
            self.buf.extend_from_slice(body);
            self.messages(out);
            if self.state == StreamState::Reading && self.buf.len() >= MAX_HANDSHAKE_BYTES {
                self.finish(StreamState::Cut);
            }
        }
    }

    fn finish(&mut self, state: StreamState) {
        self.state = state;
        self.buf = Vec::new();
    }

    /// A record header: a handshake record's body is read; any other record (change_cipher_spec,
    /// alert, application data) ends what can be read in the clear; garbage is not TLS.
    fn record_header(&mut self) {
        let [kind, major, minor, hi, lo] = self.header;
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let tls = (20..=24).contains(&kind) && major == 3 && minor <= 4 && len <= MAX_RECORD;
        if tls && kind == CONTENT_HANDSHAKE {
            self.body_left = len;
        } else {
            self.finish(StreamState::Done);
        }
    }

    /// Reads the whole handshake messages buffered (and a Certificate's first certificate as
    /// soon as it is whole).
    fn messages(&mut self, out: &mut dyn FnMut(Handshake<'_>)) {
        loop {
            let mut r = Rd(&self.buf);
            let (Some(kind), Some(len)) = (r.u8(), r.u24()) else { return };
            if kind == CERTIFICATE {
                // Only the first certificate is wanted: a chain of 1 MB is never buffered whole.
                // It must lie inside the message and its list (TLS 1.2 and older: no context).
                let available = r.0.get(..len.min(r.0.len())).unwrap_or_default();
                let first = {
                    let mut c = Rd(available);
                    c.u24().filter(|&list| list + 3 <= len).and_then(|list| {
                        let n = c.u24().filter(|&n| n + 3 <= list)?;
                        c.take(n)
                    })
                };
                if let Some(der) = first {
                    if let Some(cert) = Certificate::parse(der) {
                        out(Handshake::Certificate(cert));
                    }
                    self.finish(StreamState::Done);
                    return;
                }
                if len + 4 <= self.buf.len() {
                    // The message is whole but holds no whole first certificate (empty, lying).
                    self.finish(StreamState::Done);
                }
                return;
            }
            let Some(body) = r.take(len) else {
                if len + 4 > MAX_HANDSHAKE_BYTES {
                    self.finish(StreamState::Cut);
                }
                return;
            };
            let done = match kind {
                CLIENT_HELLO => {
                    if let Some(h) = ClientHello::parse(body) {
                        out(Handshake::ClientHello(h));
                    }
                    true
                }
                SERVER_HELLO => match ServerHello::parse(body) {
                    Some(h) => {
                        out(Handshake::ServerHello(h));
                        // TLS 1.3 encrypts everything after its ServerHello.
                        h.selected_version() >= 0x0304
                    }
                    None => true,
                },
                // Anything else before a certificate (a HelloRequest, a NewSessionTicket) is
                // skipped; a message after which no certificate comes ends the reading.
                0 | 4 => false,
                _ => true,
            };
            if done {
                self.finish(StreamState::Done);
                return;
            }
            self.buf.drain(..4 + len);
        }
    }
}

/// A whole ClientHello record, for tests and examples: `version` as legacy_version, a
/// server_name, the cipher suites and the ALPN protocols given, supported_groups x25519.
pub fn client_hello_record(version: u16, sni: &[u8], ciphers: &[u16], alpn: &[&[u8]]) -> Vec<u8> {
    let mut exts = Vec::new();
    let mut ext = |kind: u16, data: &[u8]| {
        exts.extend_from_slice(&kind.to_be_bytes());
        exts.extend_from_slice(&(data.len() as u16).to_be_bytes());
        exts.extend_from_slice(data);
    };
    let mut name = vec![0u8];
    name.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    name.extend_from_slice(sni);
    ext(EXT_SERVER_NAME, &[&(name.len() as u16).to_be_bytes()[..], &name].concat());
    ext(EXT_SUPPORTED_GROUPS, &[0, 2, 0, 29]);
    let protos: Vec<u8> = alpn.iter().flat_map(|p| [&[p.len() as u8][..], p].concat()).collect();
    ext(EXT_ALPN, &[&(protos.len() as u16).to_be_bytes()[..], &protos].concat());
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x11; 32]);
    body.push(0);
    body.extend_from_slice(&((ciphers.len() * 2) as u16).to_be_bytes());
    ciphers.iter().for_each(|c| body.extend_from_slice(&c.to_be_bytes()));
    body.extend_from_slice(&[1, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![CLIENT_HELLO];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    let mut rec = vec![CONTENT_HANDSHAKE, 3, 1];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(stream: &[u8], chunk: usize) -> (Vec<String>, StreamState) {
        let mut s = Stream::default();
        let mut seen = Vec::new();
        for part in stream.chunks(chunk) {
            s.push(part, &mut |h| {
                seen.push(match h {
                    Handshake::ClientHello(c) => format!("ch {} {}", c.ja3(), c.ja4().prefix),
                    Handshake::ServerHello(h) => format!("sh {}", h.ja3s()),
                    Handshake::Certificate(c) => format!("cert {}", c.self_signed()),
                })
            });
        }
        (seen, s.state())
    }

    #[test]
    fn a_hello_is_read_whole_from_one_byte_segments() {
        let rec = client_hello_record(0x0303, b"c2.example", &[0x0a0a, 0x1301, 0xc02f], &[b"h2", b"http/1.1"]);
        let whole = read(&rec, rec.len());
        assert_eq!(whole.0, ["ch 771,4865-49199,0-10-16,29, t12d0203h2"]);
        assert_eq!(whole.1, StreamState::Done);
        assert_eq!(read(&rec, 1), whole, "1-byte segments");
    }

    #[test]
    fn ja4_parts_follow_the_spec() {
        let rec = client_hello_record(0x0303, b"x", &[0x1302, 0x1301], &[b"\x01h2\xff"[..].as_ref()]);
        let body = rec.get(9..).unwrap();
        let ja4 = ClientHello::parse(body).unwrap().ja4();
        assert_eq!(ja4.prefix, "t12d02030f", "non-alphanumeric ALPN ends: hex digits");
        assert_eq!((ja4.ciphers.as_str(), ja4.extensions.as_str()), ("1301,1302", "000a"), "no sigalgs: no underscore");
        assert_eq!(ja4_alpn(None), "00");
        assert_eq!(ja4_alpn(Some(b"h")), "hh");
    }

    #[test]
    fn not_tls_encrypted_records_and_lies_end_the_reading() {
        assert_eq!(read(b"GET / HTTP/1.1\r\n", 100), (vec![], StreamState::Done));
        assert_eq!(read(&[23, 3, 3, 0, 2, 1, 2], 100), (vec![], StreamState::Done), "application data");
        // A handshake message that claims 16 MB: buffered up to the bound, then given up.
        let mut lie = vec![22, 3, 3, 0x40, 0x00, CLIENT_HELLO, 0xff, 0xff, 0xff];
        lie.resize(5 + 0x4000, 0);
        let mut s = Stream::default();
        s.push(&lie, &mut |_| panic!("nothing whole"));
        assert_eq!(s.state(), StreamState::Cut);
        assert!(s.buffered() <= MAX_HANDSHAKE_BYTES);
    }

    #[test]
    fn hostile_hellos_are_bounded() {
        // 10,000 extensions: over the bound, cut.
        let mut exts = Vec::new();
        for i in 0..10_000u16 {
            exts.extend_from_slice(&(i + 100).to_be_bytes());
            exts.extend_from_slice(&[0, 0]);
        }
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 33]);
        body.extend_from_slice(&[0, 2, 0x13, 0x01, 1, 0]);
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut msg = vec![CLIENT_HELLO, 0];
        msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
        msg.extend_from_slice(&body);
        let mut stream = Vec::new();
        for rec in msg.chunks(16_384) {
            stream.extend_from_slice(&[22, 3, 1]);
            stream.extend_from_slice(&(rec.len() as u16).to_be_bytes());
            stream.extend_from_slice(rec);
        }
        assert_eq!(read(&stream, 1460), (vec![], StreamState::Cut));
        // Its hello alone parses (a caller with the bytes can read it).
        let h = ClientHello::parse(&body).unwrap();
        assert_eq!((h.extensions().count(), h.ja4().prefix.as_str()), (10_000, "t12i019900"));
    }
}
