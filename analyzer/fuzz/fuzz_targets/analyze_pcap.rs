//! The analyzer's whole path, capture bytes to report records, on arbitrary bytes behind a valid
//! pcap header (Ethernet, then raw IP when the first byte is odd): no panic, no hang, bounded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir_analyzer::analysis::{Config, Progress, analyze};

fuzz_target!(|data: &[u8]| {
    let link: u32 = if data.first().is_some_and(|b| b & 1 == 1) { 101 } else { 1 };
    let mut file = Vec::with_capacity(24 + data.len());
    file.extend_from_slice(&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
    file.extend_from_slice(&link.to_le_bytes());
    file.extend_from_slice(data);
    let mut records = 0u64;
    let r = analyze(0, "fuzz", file.as_slice(), &Config::default(), &Progress::default(), &mut |_| records += 1);
    assert!(r.input.bytes <= file.len() as u64);
});
