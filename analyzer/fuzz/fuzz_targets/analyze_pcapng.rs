//! The analyzer's whole path on arbitrary bytes behind a valid pcapng section header and one
//! Ethernet interface: block lengths that lie, unknown blocks, packets on missing interfaces.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir_analyzer::analysis::{Config, Progress, analyze};

fuzz_target!(|data: &[u8]| {
    let mut file = Vec::with_capacity(48 + data.len());
    // Section header block (28 bytes, little-endian), interface description block (20 bytes).
    file.extend_from_slice(&[0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0]);
    file.extend_from_slice(&[0xFF; 8]);
    file.extend_from_slice(&[28, 0, 0, 0]);
    file.extend_from_slice(&[1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0]);
    file.extend_from_slice(data);
    let mut records = 0u64;
    let r = analyze(0, "fuzz", file.as_slice(), &Config::default(), &Progress::default(), &mut |_| records += 1);
    assert!(r.input.bytes <= file.len() as u64);
});
