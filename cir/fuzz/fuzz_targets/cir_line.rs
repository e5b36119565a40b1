//! The line grammar: the strict and lenient decoders agree, and every span lies in the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (lenient, strict) in [(wvcir::parse_cir(data), wvcir::decode_cir(data)), (wvcir::parse_line(data), wvcir::decode_line(data))] {
        if let Ok(m) = lenient {
            assert!(m.span.end() <= data.len() && m.eol.end() <= data.len());
            for (_, s) in m.anomalies.iter() {
                assert!(s.end() <= data.len());
            }
            for f in [Some(m.keyword), m.version.map(|v| v.text), m.cookie, m.session_id, m.extra].into_iter().flatten() {
                assert_eq!(data.get(f.span.offset..f.span.end()), Some(f.bytes));
            }
            assert_eq!(strict.is_ok(), m.malformed.is_none());
        } else {
            assert!(strict.is_err());
        }
    }
});
