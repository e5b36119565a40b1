//! SSH banner and KEXINIT reading (`wvcir::ssh::Stream`) on arbitrary streams: no panic, and a
//! stream cut into segments of any size (the first byte picks it) gives the same banner and
//! algorithm lists as the whole.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::ssh::{Event, Stream};

fn read(stream: &[u8], chunk: usize) -> (Vec<String>, wvcir::ssh::StreamState) {
    let mut s = Stream::default();
    let mut seen = Vec::new();
    for part in stream.chunks(chunk.max(1)) {
        s.push(part, &mut |e| {
            seen.push(match e {
                Event::Banner(b) => {
                    assert!(b.len() <= wvcir::ssh::MAX_BANNER && b.starts_with(b"SSH-"));
                    format!("{b:?}")
                }
                Event::Kexinit(k) => format!("{} {}", k.hassh_algorithms(), k.hassh_server_algorithms()),
            })
        });
    }
    (seen, s.state())
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    assert_eq!(read(stream, usize::from(chunk)), read(stream, stream.len()));
});
