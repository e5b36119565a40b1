//! SMS CIR: ASCII or GSM 7-bit, in every data coding; mapped spans stay inside the payload. The
//! same bytes as a user-data header, an RP-DATA message and a TPDU: no panic, and what they give
//! lies inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::sms::{Coding, SmsText};

fuzz_target!(|data: &[u8]| {
    let mut text = SmsText::new();
    if let Ok(s) = wvcir::sms::decode(data, &mut text) {
        let span = s.payload_span(s.message.span);
        assert!(span.end() <= data.len() + 1, "{span:?} of {}", data.len());
    }
    for coding in [Coding::Gsm7Unpacked, Coding::Latin1, Coding::Octets, Coding::Ucs2, Coding::Gsm7Packed] {
        if let Ok(s) = wvcir::sms::decode_coded(data, coding, &mut text) {
            let span = s.payload_span(s.message.span);
            assert!(span.end() <= data.len() + 1, "{coding:?}: {span:?} of {}", data.len());
        }
    }
    let _ = wvcir::wsp::wdp_ports(data);
    if let Some(h) = wvcir::udh::parse(data) {
        assert!(h.len <= data.len());
    }
    let tpdu = wvcir::tpdu::rp_data(data).unwrap_or(data);
    if let Some(t) = wvcir::tpdu::decode(tpdu) {
        assert!(t.user_data.len() < tpdu.len());
        assert!(t.address.digits().count() <= usize::from(t.address.len));
        let _ = Coding::from_tp_dcs(t.dcs);
    }
});
