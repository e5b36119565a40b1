//! Detection and classification of arbitrary payloads: bounded statistics, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wvcir::detect(data);
    for t in [wvcir::Transport::Udp, wvcir::Transport::Tcp] {
        let c = wvcir::classify(data, t);
        assert!((0.0..=8.0).contains(&c.entropy) && (0.0..=1.0).contains(&c.printable_ratio));
    }
});
