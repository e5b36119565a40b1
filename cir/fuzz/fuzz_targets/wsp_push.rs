//! WSP Push: never reads past the PDU; the CIR's spans point into it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = wvcir::wsp::decode_push(data) {
        assert!(p.headers.end() <= data.len());
        assert_eq!(data.get(p.body.span.offset..p.body.span.end()), Some(p.body.bytes));
        if let Ok(m) = p.cir {
            if let Some(c) = m.cookie {
                assert_eq!(data.get(c.span.offset..c.span.end()), Some(c.bytes));
            }
        }
    }
});
