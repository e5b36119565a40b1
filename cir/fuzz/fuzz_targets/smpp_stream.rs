//! SMPP framing and decoding (`wvcir::smpp`, `wvcir::udh`, `wvcir::sms::decode_coded`) on
//! arbitrary streams: no panic, the framer's PDUs stay within its bound, a stream cut into pushes
//! of any size (the first byte picks it) frames into the same PDUs and skipped bytes as the whole,
//! and every byte is either in a PDU or counted as skipped.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::smpp::{Framed, Framer, MAX_PDU_LEN};
use wvcir::sms::{Coding, SmsText};

fn frame(stream: &[u8], chunk: usize) -> (Vec<(u64, Vec<u8>)>, u64) {
    let (mut pdus, mut skipped) = (Vec::new(), 0);
    let mut f = Framer::default();
    let mut out = |x: Framed<'_>| match x {
        Framed::Pdu { offset, pdu } => {
            assert!(pdu.len() >= wvcir::smpp::HEADER_LEN && pdu.len() <= MAX_PDU_LEN);
            pdus.push((offset, pdu.to_vec()));
        }
        Framed::Skipped { len } => skipped += len,
    };
    for part in stream.chunks(chunk.max(1)) {
        f.push(part, &mut out);
        assert!(f.held() <= MAX_PDU_LEN + chunk.max(1));
    }
    f.finish(&mut out);
    (pdus, skipped)
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let whole = frame(stream, stream.len());
    assert_eq!(frame(stream, usize::from(chunk)), whole);
    let framed: u64 = whole.0.iter().map(|(_, p)| p.len() as u64).sum();
    assert_eq!(framed + whole.1, stream.len() as u64, "every byte is framed or counted");
    let mut text = SmsText::new();
    for (_, pdu) in &whole.0 {
        if let Ok(Some(sm)) = wvcir::smpp::decode(pdu) {
            assert!(sm.user_data_at + sm.user_data.len() <= pdu.len());
            let udh = wvcir::udh::parse(sm.user_data);
            let text_at = udh.map_or(0, |h| h.len);
            if let Some(ud) = sm.user_data.get(text_at..) {
                let _ = wvcir::sms::decode_coded(ud, Coding::from_smpp(sm.data_coding), &mut text);
            }
        }
    }
    // Any bytes as user data in any coding.
    for coding in [Coding::Gsm7Unpacked, Coding::Latin1, Coding::Octets, Coding::Ucs2] {
        let _ = wvcir::sms::decode_coded(stream, coding, &mut text);
    }
});
