//! TLS and SSH handshakes on a flow's TCP connections, read from the engine's in-order bytes
//! (`wvcir::tls`, `wvcir::ssh`), so a hello split over segments, reordered or retransmitted is
//! read as the peer read it: what names the client and server of an encrypted flow on a CIR port
//! (`flows[].tls`, `flows[].ssh`), fingerprinted as Zeek, Suricata and Wireshark fingerprint them.
//!
//! Each direction of a connection gets a reader only if its first bytes look like a TLS record or
//! an SSH banner, and drops it as soon as its handshake is read: a million connections that say
//! HELO cost nothing here.

use crate::flows::Names;
use crate::messages::text;
use md5::{Digest as _, Md5};
use serde::Serialize;
use sha2::Sha256;
use wvcir::tcp::{Chunk, Dir, Foreign};
use wvcir::{ssh, tls};

/// What a flow's TLS hellos and first certificate said; `None` fields were not seen. The first
/// ClientHello, ServerHello and certificate of the flow fill them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsRec {
    /// The ClientHello's server name.
    pub sni: Option<String>,
    /// The ALPN protocols the client offered, in order.
    pub alpn: Vec<String>,
    /// The ALPN protocol the server chose.
    pub server_alpn: Option<String>,
    /// The ClientHello's legacy version (`TLS 1.2` for TLS 1.3 clients too).
    pub client_version: Option<String>,
    /// The versions the client offered in supported_versions (GREASE left out).
    pub versions: Vec<String>,
    /// The version the server chose.
    pub version: Option<String>,
    pub ja3: Option<String>,
    pub ja3s: Option<String>,
    pub ja4: Option<String>,
    /// The first certificate's subject, RFC 4514 (TLS 1.2 and older only: 1.3 encrypts it).
    pub cert_subject: Option<String>,
    pub cert_issuer: Option<String>,
    /// The first certificate's subject is its issuer.
    pub self_signed: Option<bool>,
}

/// What a flow's SSH connection said in the clear.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SshRec {
    /// The client's identification line (`SSH-2.0-...`), without its line end.
    pub client: Option<String>,
    pub server: Option<String>,
    /// HASSH: MD5 of the client's KEXINIT algorithms.
    pub hassh: Option<String>,
    /// HASSH-server: MD5 of the server's.
    pub hassh_server: Option<String>,
}

/// One direction's reader.
#[derive(Debug, Default)]
enum Reader {
    /// Not reading: the direction was not seen to speak TLS or SSH, or is read already.
    #[default]
    Off,
    Tls(Box<tls::Stream>),
    Ssh(Box<ssh::Stream>),
}

/// A TCP connection's two readers: client to server, server to client. The connection starts
/// one when the engine's sniffer (`wvcir::tcp::Sniffer`) tells a direction speaks TLS or SSH.
#[derive(Debug, Default)]
pub struct Readers([Reader; 2]);

fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 12 hex digits of a JA4 list's SHA-256; `000000000000` for an empty list.
fn ja4_hash(list: &str) -> String {
    if list.is_empty() {
        return "000000000000".into();
    }
    let mut h = hex(&Sha256::digest(list.as_bytes()));
    h.truncate(12);
    h
}

/// The JA4 fingerprint of a ClientHello.
pub fn ja4(hello: &tls::ClientHello<'_>) -> String {
    let parts = hello.ja4();
    format!("{}_{}_{}", parts.prefix, ja4_hash(&parts.ciphers), ja4_hash(&parts.extensions))
}

impl Readers {
    /// Starts reading direction `dir` as `kind`, from the bytes the sniffer `held` before the
    /// chunk that told it (which comes next, through [`Readers::chunk`]).
    pub fn start(&mut self, dir: Dir, kind: Foreign, held: &[u8], seen: &mut Names) {
        let Some(reader) = self.0.get_mut(dir.index()) else { return };
        *reader = match kind {
            Foreign::Tls => Reader::Tls(Box::default()),
            Foreign::Ssh => Reader::Ssh(Box::default()),
        };
        self.chunk(dir, Chunk::Data { offset: 0, bytes: held }, seen);
    }

    /// No direction is being read: the readers can go.
    pub fn idle(&self) -> bool {
        self.0.iter().all(|r| matches!(r, Reader::Off))
    }

    /// Takes what the engine delivered in direction `dir`.
    pub fn chunk(&mut self, dir: Dir, chunk: Chunk<'_>, seen: &mut Names) {
        let Some(reader) = self.0.get_mut(dir.index()) else { return };
        let bytes = match chunk {
            Chunk::Data { bytes, .. } => bytes,
            // A handshake is not read across a hole, nor after its end.
            Chunk::Gap { .. } | Chunk::End { .. } => {
                *reader = Reader::Off;
                return;
            }
        };
        let (done, cut) = match reader {
            Reader::Tls(s) => {
                s.push(bytes, &mut |h| tls_seen(h, seen));
                (s.state() != tls::StreamState::Reading, s.state() == tls::StreamState::Cut)
            }
            Reader::Ssh(s) => {
                s.push(bytes, &mut |e| ssh_seen(dir, e, seen));
                let state = s.state();
                (matches!(state, ssh::StreamState::Done | ssh::StreamState::Cut), state == ssh::StreamState::Cut)
            }
            Reader::Off => (false, false),
        };
        seen.cut += u64::from(cut);
        if done {
            *reader = Reader::Off;
        }
    }
}

fn tls_seen(h: tls::Handshake<'_>, seen: &mut Names) {
    let rec = seen.tls.get_or_insert_default();
    match h {
        tls::Handshake::ClientHello(c) if rec.ja3.is_none() => {
            rec.sni = c.server_name().map(text);
            rec.alpn = c.alpn().into_iter().map(text).collect();
            rec.client_version = Some(tls::version_name(c.version));
            rec.versions = c.supported_versions().filter(|v| !tls::is_grease(*v)).map(tls::version_name).collect();
            rec.ja3 = Some(md5_hex(&c.ja3()));
            rec.ja4 = Some(ja4(&c));
        }
        tls::Handshake::ServerHello(s) if rec.ja3s.is_none() => {
            rec.server_alpn = s.alpn().map(text);
            rec.version = Some(tls::version_name(s.selected_version()));
            rec.ja3s = Some(md5_hex(&s.ja3s()));
        }
        tls::Handshake::Certificate(cert) if rec.cert_subject.is_none() => {
            rec.cert_subject = wvcir::der::name_string(cert.subject);
            rec.cert_issuer = wvcir::der::name_string(cert.issuer);
            rec.self_signed = Some(cert.self_signed());
        }
        _ => {}
    }
}

fn ssh_seen(dir: Dir, e: ssh::Event<'_>, seen: &mut Names) {
    let rec = seen.ssh.get_or_insert_default();
    let to_server = dir == Dir::ToServer;
    match e {
        ssh::Event::Banner(b) if to_server && rec.client.is_none() => rec.client = Some(text(b)),
        ssh::Event::Banner(b) if !to_server && rec.server.is_none() => rec.server = Some(text(b)),
        ssh::Event::Kexinit(k) if to_server && rec.hassh.is_none() => rec.hassh = Some(md5_hex(&k.hassh_algorithms())),
        ssh::Event::Kexinit(k) if !to_server && rec.hassh_server.is_none() => {
            rec.hassh_server = Some(md5_hex(&k.hassh_server_algorithms()));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_the_published_ones() {
        // JA3 of the string in Salesforce's JA3 README example.
        assert_eq!(
            md5_hex("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"),
            "ada70206e40642a3e4461f35503241d5"
        );
        assert_eq!(ja4_hash(""), "000000000000");
        assert_eq!(ja4_hash("1301,1302,1303").len(), 12);
    }

    #[test]
    fn readers_read_what_they_are_started_on_and_stop_at_a_gap() {
        let mut seen = Names::default();
        let hello = tls::client_hello_record(0x0303, b"evil.example", &[0x1301], &[b"h2"]);
        let (a, b) = hello.split_at(20);
        let mut r = Readers::default();
        r.chunk(Dir::ToServer, Chunk::Data { offset: 0, bytes: &hello }, &mut seen);
        assert!(seen.tls.is_none(), "a direction not started is not read");
        r.start(Dir::ToServer, Foreign::Tls, &a[..2], &mut seen);
        r.chunk(Dir::ToServer, Chunk::Data { offset: 2, bytes: &a[2..] }, &mut seen);
        r.chunk(Dir::ToServer, Chunk::Gap { offset: 20, len: 5 }, &mut seen);
        r.chunk(Dir::ToServer, Chunk::Data { offset: 25, bytes: b }, &mut seen);
        assert!(seen.tls.is_none() && r.idle(), "not read across a gap");
        r.start(Dir::ToServer, Foreign::Tls, &a[..1], &mut seen);
        r.chunk(Dir::ToServer, Chunk::Data { offset: 1, bytes: &a[1..] }, &mut seen);
        r.chunk(Dir::ToServer, Chunk::Data { offset: 20, bytes: b }, &mut seen);
        let tls = seen.tls.as_deref().unwrap();
        assert_eq!((tls.sni.as_deref(), tls.alpn.as_slice()), (Some("evil.example"), &["h2".to_owned()][..]));
        assert!(tls.ja4.as_deref().unwrap().starts_with("t12d0103h2_"));
        assert!(r.idle(), "the reader is dropped once the hello is read");
    }
}
