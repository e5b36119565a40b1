//! ns per decoded message for each channel, and the cost of the heuristic on payloads that are
//! not CIR (the common case on a real network). `cargo bench -p wvcir --bench decode`
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wvcir::framer::LineFramer;
use wvcir::sms::SmsText;

fn decoders(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    let udp = b"WVCI 1.3 wv:nokia.1804289383\r\n";
    g.bench_function("udp_cir", |b| b.iter(|| wvcir::decode_cir(black_box(udp)).unwrap().cookie));
    let line = b"HELO 3a9f0c1e\r\n";
    g.bench_function("tcp_line", |b| b.iter(|| wvcir::decode_line(black_box(line)).unwrap().session_id));
    let packed = wvcir::encode::gsm7(b"WVCI 1.2 MTK20090314095958alice").unwrap();
    let mut text = SmsText::new();
    g.bench_function("sms_gsm7", |b| {
        b.iter(|| wvcir::sms::decode(black_box(&packed), &mut text).map(|s| s.message.span).unwrap())
    });
    let push = wvcir::encode::wsp_push(
        1,
        wvcir::encode::ContentTypeEnc::WellKnown,
        Some(wvcir::encode::AppIdEnc::WellKnown),
        udp,
    );
    g.bench_function("wap_push", |b| b.iter(|| wvcir::wsp::decode_push(black_box(&push)).unwrap().tid));
    let stream = b"OK\r\nWVCI 1.1 1237024800123-1804289383-1\r\n";
    let mut framer = LineFramer::default();
    g.bench_function("tcp_framer_two_lines", |b| {
        b.iter(|| {
            let mut n = 0;
            framer.push(black_box(stream), |_| n += 1);
            n
        })
    });
    g.finish();
}

fn heuristic(c: &mut Criterion) {
    let mut g = c.benchmark_group("detect_not_cir");
    let mut random = vec![0u8; 1400];
    let mut x = 0x9E37_79B9u32;
    for b in &mut random {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let tls = [&[0x17u8, 0x03, 0x03, 0x05, 0x70][..], &random].concat();
    let dns = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x01\x00\x01".to_vec();
    let http = b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n".to_vec();
    for (name, payload) in [("random_1400", random), ("tls_record", tls), ("dns_query", dns), ("http_request", http)] {
        g.bench_function(name, |b| b.iter(|| wvcir::detect(black_box(&payload))));
    }
    g.finish();
}

criterion_group!(benches, decoders, heuristic);
criterion_main!(benches);
