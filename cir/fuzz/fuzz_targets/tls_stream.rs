//! TLS record and handshake reading (`wvcir::tls::Stream`, and the DER names of a certificate)
//! on arbitrary streams: no panic, the buffer stays under its bound, and a stream cut into
//! segments of any size (the first byte picks it) gives the same handshakes as the whole.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::tls::{Handshake, MAX_HANDSHAKE_BYTES, Stream};

fn read(stream: &[u8], chunk: usize) -> (Vec<String>, wvcir::tls::StreamState) {
    let mut s = Stream::default();
    let mut seen = Vec::new();
    for part in stream.chunks(chunk.max(1)) {
        s.push(part, &mut |h| {
            seen.push(match h {
                Handshake::ClientHello(c) => {
                    let _ = (c.server_name(), c.alpn(), c.supported_versions().count());
                    format!("{} {:?}", c.ja3(), c.ja4())
                }
                Handshake::ServerHello(h) => format!("{} {:?} {}", h.ja3s(), h.alpn(), h.selected_version()),
                Handshake::Certificate(c) => {
                    format!("{:?} {:?}", wvcir::der::name_string(c.subject), wvcir::der::name_string(c.issuer))
                }
            })
        });
        assert!(s.buffered() <= MAX_HANDSHAKE_BYTES.next_power_of_two());
    }
    (seen, s.state())
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    assert_eq!(read(stream, usize::from(chunk)), read(stream, stream.len()));
    let _ = wvcir::der::name_string(stream);
});
