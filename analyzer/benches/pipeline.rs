//! The analyzer's whole pipeline (capture parsing, link/IP/transport, flows, decoding, records)
//! on an in-memory synthetic capture: bytes per second. `cargo bench -p wvcir-analyzer --bench pipeline`
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wvcir_analyzer::analysis::{self, Config, Progress};
use wvcir_samples::synth::{self, Synth};

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    for (name, pcapng) in [("pcap", false), ("pcapng", true)] {
        let mut capture = Vec::new();
        synth::write(Synth { packets: 20_000, seed: 7, pcapng, cir_per_mille: 10 }, &mut capture).unwrap();
        g.throughput(Throughput::Bytes(capture.len() as u64));
        let cfg = Config::default();
        g.bench_function(format!("synthetic_20k_{name}"), |b| {
            b.iter(|| {
                let progress = Progress::default();
                let mut records = 0u64;
                let r = analysis::analyze(0, "mem", capture.as_slice(), &cfg, &progress, &mut |_| records += 1);
                (records, r.input.packets)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
