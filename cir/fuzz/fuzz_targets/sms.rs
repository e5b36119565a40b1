//! SMS CIR: ASCII or GSM 7-bit; mapped spans stay inside the payload.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut text = wvcir::sms::SmsText::new();
    if let Ok(s) = wvcir::sms::decode(data, &mut text) {
        let span = s.payload_span(s.message.span);
        assert!(span.end() <= data.len() + 1, "{span:?} of {}", data.len());
    }
    let _ = wvcir::sms::SmsText::new();
    let _ = wvcir::wsp::wdp_ports(data);
});
