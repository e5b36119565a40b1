//! Byte-exact test vectors: every example and every acceptance-table case of `docs/protocol.md`.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use wvcir::framer::{Frame, LineFramer};
use wvcir::sms::{self, Encoding, SmsText};
use wvcir::wsp::{self, AppIdForm, ContentTypeForm};
use wvcir::{
    Anomaly, Channel, Command, Detected, ErrorKind, LineEnd, PayloadKind, PortMap, Span, Transport, classify,
    decode_cir, decode_line, detect, parse_cir,
};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

fn anomalies(input: &[u8]) -> Vec<&'static str> {
    decode_cir(input).unwrap().anomalies.iter().map(|(a, _)| a.name()).collect()
}

// --- Section 1: the CIR message -----------------------------------------------------------------

#[test]
fn section1_example_byte_by_byte() {
    let input = hex("57 56 43 49 20 31 2E 33 20 77 76 3A 6E 6F 6B 69 61 2E 31 38 30 34 32 38 39 33 38 33");
    assert_eq!(input, b"WVCI 1.3 wv:nokia.1804289383");
    let m = decode_cir(&input).unwrap();
    assert_eq!(m.command, Command::Wvci);
    assert_eq!(m.keyword.span, Span::new(0, 4));
    let v = m.version.unwrap();
    assert_eq!((v.text.bytes, v.text.span, v.number), (&b"1.3"[..], Span::new(5, 3), Some((1, 3))));
    let c = m.cookie.unwrap();
    assert_eq!((c.bytes, c.span), (&b"wv:nokia.1804289383"[..], Span::new(9, 19)));
    assert_eq!((m.line_end, m.eol, m.span), (LineEnd::None, Span::new(28, 0), Span::new(0, 28)));
    assert!(m.anomalies.is_empty());
    assert_eq!(m.session_id, None);
}

#[test]
fn every_version_and_line_end() {
    for version in ["1.0", "1.1", "1.2", "1.3"] {
        for (eol, end) in [("", LineEnd::None), ("\r\n", LineEnd::CrLf), ("\n", LineEnd::Lf), ("\r", LineEnd::Cr)] {
            let input = format!("WVCI {version} abc{eol}");
            let m = decode_cir(input.as_bytes()).unwrap();
            assert_eq!(m.line_end, end, "{input:?}");
            assert_eq!(m.span.len, input.len());
            assert!(m.anomalies.is_empty(), "{input:?}: {:?}", m.anomalies);
        }
    }
}

#[test]
fn real_cookie_formats() {
    for cookie in ["1199188800123-1804289383-7", "wv:nokia.1804289383", "MTK20081201120000alice"] {
        let input = format!("WVCI 1.2 {cookie}\r\n");
        let m = decode_cir(input.as_bytes()).unwrap();
        assert_eq!(m.cookie.unwrap().as_str(), Some(cookie));
    }
}

#[test]
fn keyword_case_is_decoded_with_anomaly() {
    for kw in ["wvci", "Wvci", "WvCi"] {
        let input = format!("{kw} 1.2 abc");
        let m = decode_cir(input.as_bytes()).unwrap();
        assert_eq!(m.anomalies.span(Anomaly::KeywordCase), Some(Span::new(0, 4)));
        assert_eq!(m.cookie.unwrap().bytes, b"abc");
    }
}

#[test]
fn anything_else_is_not_cir() {
    for input in [&b""[..], b"WVC", b"WVCX 1.2 abc", b" WVCI 1.2 abc", b"XWVCI 1.2 abc", b"WV1201", b"\x00\x06"] {
        let err = decode_cir(input).unwrap_err();
        assert_eq!((err.kind, err.offset), (ErrorKind::NotCir, 0), "{input:?}");
        assert!(!err.kind.is_malformed());
    }
}

#[test]
fn unknown_version_is_an_anomaly() {
    for version in ["2.0", "1.4", "0.9", "11.2", "abc", "1.", "1.2.3", "99999.1"] {
        let input = format!("WVCI {version} abc");
        let m = decode_cir(input.as_bytes()).unwrap();
        assert_eq!(m.anomalies.span(Anomaly::UnknownVersion), Some(Span::new(5, version.len())), "{version}");
        assert_eq!(m.version.unwrap().text.as_str(), Some(version));
    }
    assert_eq!(decode_cir(b"WVCI 2.0 abc").unwrap().version.unwrap().number, Some((2, 0)));
    assert_eq!(decode_cir(b"WVCI 99999.1 abc").unwrap().version.unwrap().number, None, "does not fit u16");
}

/// A cookie with no version: every client acts on it (Android never parses the CIR; Symbian never
/// looks at the version), so it decodes, flagged `missing-version` (docs/protocol.md, section 3).
#[test]
fn missing_version_with_a_cookie_is_an_anomaly() {
    for (input, cookie_at) in [(&b"WVCI wv:nokia.1"[..], 5), (b"WVCIwv:nokia.1", 4), (b"WVCI\twv:nokia.1\r\n", 5)] {
        let m = decode_cir(input).unwrap();
        assert_eq!((m.version, m.cookie.unwrap().bytes), (None, &b"wv:nokia.1"[..]), "{input:?}");
        assert_eq!(m.cookie.unwrap().span.offset, cookie_at);
        assert_eq!(m.anomalies.span(Anomaly::MissingVersion), Some(Span::new(cookie_at, 0)));
    }
    // Glued to the keyword: a bad separator too.
    assert!(decode_cir(b"WVCIwv:nokia.1").unwrap().anomalies.contains(Anomaly::BadSeparator));
    // With nothing after the keyword there is no cookie: that is the malformation.
    for (input, offset) in [(&b"WVCI"[..], 4), (b"WVCI\r\n", 4), (b"WVCI ", 5)] {
        let err = decode_cir(input).unwrap_err();
        assert_eq!((err.kind, err.offset), (ErrorKind::MissingCookie, offset), "{input:?}");
        assert!(err.kind.is_malformed());
    }
}

#[test]
fn missing_cookie_is_malformed() {
    for (input, offset) in [(&b"WVCI 1.2"[..], 8), (b"WVCI 1.2\r\n", 8), (b"WVCI 1.2 ", 9)] {
        let err = decode_cir(input).unwrap_err();
        assert_eq!((err.kind, err.offset), (ErrorKind::MissingCookie, offset), "{input:?}");
    }
    assert_eq!(parse_cir(b"WVCI 1.2").unwrap().version.unwrap().number, Some((1, 2)));
    assert_eq!(
        decode_cir(b"WVCI 1.2").unwrap_err().to_string(),
        "missing-cookie at byte 8: WVCI version is not followed by a cookie"
    );
}

#[test]
fn extra_fields_are_decoded_with_anomaly() {
    let m = decode_cir(b"WVCI 1.2 abc def ghi\r\n").unwrap();
    assert_eq!(m.cookie.unwrap().bytes, b"abc");
    assert_eq!(m.extra.unwrap().bytes, b"def ghi");
    assert_eq!(m.anomalies.span(Anomaly::ExtraFields), Some(Span::new(13, 7)));
    assert_eq!(anomalies(b"WVCI 1.2 abc def"), ["extra-fields"]);
}

#[test]
fn bad_separators() {
    assert_eq!(decode_cir(b"WVCI 1.2  abc").unwrap().anomalies.span(Anomaly::BadSeparator), Some(Span::new(8, 2)));
    assert_eq!(decode_cir(b"WVCI\t1.2 abc").unwrap().anomalies.span(Anomaly::BadSeparator), Some(Span::new(4, 1)));
    assert_eq!(
        decode_cir(b"WVCI 1.2 abc  \r\n").unwrap().anomalies.span(Anomaly::BadSeparator),
        Some(Span::new(12, 2))
    );
    let glued = decode_cir(b"WVCI1.2 abc").unwrap();
    assert_eq!(glued.anomalies.span(Anomaly::BadSeparator), Some(Span::new(4, 1)));
    assert_eq!(glued.version.unwrap().text.bytes, b"1.2");
    // A single trailing space is tolerated, as in Android's "PING \r\n".
    assert!(decode_cir(b"WVCI 1.2 abc \r\n").unwrap().anomalies.is_empty());
}

#[test]
fn non_printable_bytes_are_flagged_and_spanned() {
    // Fields are runs of VCHAR: the cookie ends at the ESC, as Symbian's substring match and a
    // session cookie (1*VCHAR) would have it; what follows is an extra field.
    let m = decode_cir(b"WVCI 1.2 ab\x1b[2Jc\x7f\r\n").unwrap();
    assert_eq!(m.anomalies.span(Anomaly::NonPrintable), Some(Span::new(11, 6)));
    assert_eq!(m.cookie.unwrap().bytes, b"ab");
    assert_eq!(m.extra.unwrap().bytes, b"[2Jc");
    assert_eq!(m.anomalies.span(Anomaly::BadSeparator), Some(Span::new(11, 1)));
    assert_eq!(anomalies(b"WVCI 1.2 caf\xc3\xa9"), ["bad-separator", "non-printable"], "the cookie is `caf`");
}

#[test]
fn oversize_datagram() {
    let mut input = b"WVCI 1.2 ".to_vec();
    input.resize(513, b'a');
    let m = decode_cir(&input).unwrap();
    assert_eq!(m.anomalies.span(Anomaly::Oversize), Some(Span::new(512, 1)));
    input.truncate(512);
    assert!(decode_cir(&input).unwrap().anomalies.is_empty());
}

#[test]
fn trailing_data_after_line_end() {
    let m = decode_cir(b"WVCI 1.2 abc\r\nWVCI 1.2 def").unwrap();
    assert_eq!(m.anomalies.span(Anomaly::TrailingData), Some(Span::new(14, 12)));
    assert_eq!(m.span, Span::new(0, 14));
    assert_eq!(anomalies(b"WVCI 1.2 abc\n\r"), ["trailing-data"]);
}

// --- Section 3: the TCP channel -----------------------------------------------------------------

#[test]
fn section3_examples_byte_by_byte() {
    let helo = hex("48 45 4C 4F 20 33 61 39 66 30 63 31 65 0D 0A");
    let m = decode_line(&helo).unwrap();
    assert_eq!(m.command, Command::Helo);
    assert_eq!(m.session_id.unwrap().bytes, b"3a9f0c1e");
    assert_eq!(m.session_id.unwrap().span, Span::new(5, 8));
    assert_eq!(m.line_end, LineEnd::CrLf);
    let ok_bytes = hex("4F 4B 0D 0A");
    let ok = decode_line(&ok_bytes).unwrap();
    assert_eq!((ok.command, ok.span), (Command::Ok, Span::new(0, 4)));
    assert!(ok.anomalies.is_empty());
}

#[test]
fn pings_of_both_clients() {
    for (input, name) in [(&b"PING \r\n"[..], "android"), (b"PING\r\n", "symbian"), (b"PING", "no eol")] {
        let m = decode_line(input).unwrap();
        assert_eq!(m.command, Command::Ping, "{name}");
        assert!(m.anomalies.is_empty(), "{name}: {:?}", m.anomalies);
    }
    assert_eq!(decode_line(b"PING x\r\n").unwrap().anomalies.span(Anomaly::ExtraFields), Some(Span::new(5, 1)));
}

#[test]
fn ok_must_be_exact() {
    assert_eq!(decode_line(b"ok\r\n").unwrap().anomalies.span(Anomaly::KeywordCase), Some(Span::new(0, 2)));
    assert!(decode_line(b"OK fine\r\n").unwrap().anomalies.contains(Anomaly::ExtraFields));
    assert!(decode_line(b"OK  \r\n").unwrap().anomalies.contains(Anomaly::BadSeparator));
    let err = decode_line(b"OKAY\r\n").unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownCommand);
}

#[test]
fn tcp_line_errors() {
    assert_eq!(decode_line(b"HELO\r\n").unwrap_err().kind, ErrorKind::MissingSessionId);
    assert_eq!(decode_line(b"HELO a b").unwrap().extra.unwrap().bytes, b"b");
    assert_eq!(decode_line(b"HELOX a").unwrap_err().kind, ErrorKind::UnknownCommand);
    assert_eq!(decode_line(b"QUIT\r\n").unwrap_err().kind, ErrorKind::UnknownCommand);
    assert_eq!(decode_line(b"").unwrap_err().kind, ErrorKind::NotCir);
    assert_eq!(decode_line(b"WVCI 1.3 abc\r\n").unwrap().cookie.unwrap().bytes, b"abc");
    // The UDP decoder does not take TCP commands.
    assert_eq!(decode_cir(b"HELO abc").unwrap_err().kind, ErrorKind::NotCir);
}

#[test]
fn framer_splits_lines_shared_segments_and_one_byte_pushes() {
    let stream = b"HELO 3a9f0c1e\r\nOK\r\nWVCI 1.3 wv:nokia.1\r\nPING \r\nOK\nWVCI 1.2 x\r";
    let want: &[(u64, &[u8], LineEnd)] = &[
        (0, b"HELO 3a9f0c1e", LineEnd::CrLf),
        (15, b"OK", LineEnd::CrLf),
        (19, b"WVCI 1.3 wv:nokia.1", LineEnd::CrLf),
        (40, b"PING ", LineEnd::CrLf),
        (47, b"OK", LineEnd::Lf),
        (50, b"WVCI 1.2 x", LineEnd::Cr),
    ];
    for chunk in [1, 2, 3, 7, stream.len()] {
        let mut f = LineFramer::default();
        let mut got = Vec::new();
        let mut collect = |fr: Frame<'_>| match fr {
            Frame::Line { offset, line, line_end } => got.push((offset, line.to_vec(), line_end)),
            Frame::TooLong { .. } | Frame::Skipped { .. } => panic!("no line is too long, nothing is skipped"),
        };
        for seg in stream.chunks(chunk) {
            f.push(seg, &mut collect);
        }
        // The final CR is held until the stream ends.
        assert!(!f.finish(&mut collect));
        let got: Vec<_> = got.iter().map(|(o, l, e)| (*o, l.as_slice(), *e)).collect();
        assert_eq!(got, want, "chunk size {chunk}");
        assert_eq!(f.position(), stream.len() as u64);
    }
}

#[test]
fn framer_bounds_long_lines_and_recovers() {
    let mut f = LineFramer::new(8);
    let mut frames = Vec::new();
    let mut collect = |fr: Frame<'_>| {
        frames.push(match fr {
            Frame::Line { offset, line, .. } => (offset, line.to_vec(), false),
            Frame::TooLong { offset, prefix } => (offset, prefix.to_vec(), true),
            Frame::Skipped { .. } => panic!("nothing is skipped without a gap"),
        })
    };
    f.push(b"OK\r\nABCDEFG", &mut collect);
    assert_eq!(f.buffered(), 7);
    f.push(b"HIJKLMNOP", &mut collect);
    assert!(f.buffered() <= 8);
    f.push(b"QRS\r\nOK\r\n", &mut collect);
    assert_eq!(frames, [(0, b"OK".to_vec(), false), (4, b"ABCDEFGH".to_vec(), true), (25, b"OK".to_vec(), false)]);
    // A stream that never sends a line end stays bounded and says so at the end.
    let mut g = LineFramer::new(16);
    let mut n = 0;
    for _ in 0..1000 {
        g.push(&[b'x'; 100], |_| n += 1);
        assert!(g.buffered() <= 16);
    }
    assert_eq!(n, 1, "reported once");
    assert!(g.finish(|_| n += 1));
    assert_eq!(n, 1, "nothing more after the report");
}

#[test]
fn framer_flushes_an_unterminated_last_line() {
    let mut f = LineFramer::default();
    let mut got = Vec::new();
    f.push(b"OK\r\nWVCI 1.2 ab", |fr| got.push(format!("{fr:?}")));
    assert!(f.finish(|fr| got.push(format!("{fr:?}"))));
    assert_eq!(got.len(), 2);
    assert!(got[1].contains("line_end: None") && got[1].contains("offset: 4"), "{}", got[1]);
}

// --- Section 4: SMS -----------------------------------------------------------------------------

#[test]
fn section4_gsm7_example_byte_by_byte() {
    let packed = hex("57 EB 30 09 8A B9 64 A0 98 6C 46 AB 01");
    assert_eq!(wvcir::encode::gsm7(b"WVCI 1.2 12345").unwrap(), packed);
    let mut text = SmsText::new();
    let s = sms::decode(&packed, &mut text).unwrap();
    assert_eq!(s.encoding, Encoding::Gsm7);
    assert_eq!(s.message.version.unwrap().number, Some((1, 2)));
    assert_eq!(s.message.cookie.unwrap().bytes, b"12345");
    assert_eq!(s.payload_span(s.message.keyword.span), Span::new(0, 4));
    assert_eq!(s.payload_span(s.message.span), Span::new(0, 13));
}

#[test]
fn sms_ascii_is_tried_first() {
    let mut text = SmsText::new();
    let s = sms::decode(b"WVCI 1.1 1199188800123-1804289383-7", &mut text).unwrap();
    assert_eq!(s.encoding, Encoding::Ascii);
    assert_eq!(s.payload_span(s.message.cookie.unwrap().span), Span::new(9, 26));
}

#[test]
fn sms_gsm7_specials_and_androids_helo() {
    let mut text = SmsText::new();
    let packed = wvcir::encode::gsm7(b"WVCI 1.3 user@host_$1").unwrap();
    let s = sms::decode(&packed, &mut text).unwrap();
    assert_eq!(s.message.cookie.unwrap().bytes, b"user@host_$1");
    let helo = wvcir::encode::sms_helo(b"a1b2c3").unwrap();
    assert_eq!(helo[0], 11, "septet count of 'HELO a1b2c3'");
    let mut text = SmsText::new();
    let s = sms::decode(&helo, &mut text).unwrap();
    assert_eq!((s.encoding, s.message.command, s.text_offset), (Encoding::Gsm7, Command::Helo, 1));
    assert_eq!(s.message.session_id.unwrap().bytes, b"a1b2c3");
    assert_eq!(sms::decode(b"hello there", &mut SmsText::new()).unwrap_err().kind, ErrorKind::NotCir);
}

/// Packs raw septet values (the encoder only takes ASCII).
fn pack_septets(septets: &[u8]) -> Vec<u8> {
    let mut bits: Vec<bool> = septets.iter().flat_map(|s| (0..7).map(move |i| s >> i & 1 == 1)).collect();
    bits.resize(bits.len().div_ceil(8) * 8, false);
    bits.chunks(8).map(|c| c.iter().rev().fold(0u8, |b, &bit| b << 1 | u8::from(bit))).collect()
}

#[test]
fn sms_gsm7_national_characters_are_non_printable() {
    // Septet 0x5B is Ä: no ASCII equal, so it is reported as non-printable, never guessed.
    let mut septets = b"WVCI 1.2 ab".to_vec();
    septets.push(0x5B);
    let packed = pack_septets(&septets);
    assert_eq!(pack_septets(b"WVCI 1.2 12345"), wvcir::encode::gsm7(b"WVCI 1.2 12345").unwrap());
    let mut text = SmsText::new();
    let s = sms::decode(&packed, &mut text).unwrap();
    assert_eq!(s.message.cookie.unwrap().bytes, b"ab", "the cookie ends at the first non-VCHAR");
    assert_eq!(s.message.anomalies.span(Anomaly::NonPrintable), Some(Span::new(11, 1)));
    assert_eq!(s.payload_span(Span::new(11, 1)), Span::new(9, 2));
}

// --- Section 5: WAP Push ------------------------------------------------------------------------

#[test]
fn section5_push_example_byte_by_byte() {
    let mut pdu = hex("00 06 03 C6 AF 8A");
    pdu.extend_from_slice(b"WVCI 1.2 abc");
    let p = wsp::decode_push(&pdu).unwrap();
    assert_eq!(p.tid, 0);
    assert_eq!(p.headers, Span::new(3, 3));
    assert_eq!(
        (p.content_type.form, p.content_type.code, p.content_type.span),
        (ContentTypeForm::WellKnown, Some(0x46), Span::new(3, 1))
    );
    let app = p.app_id.unwrap();
    assert_eq!((app.form, app.code, app.span), (AppIdForm::WellKnown, Some(0x0A), Span::new(4, 2)));
    assert!(app.is_wv_ua());
    assert_eq!(p.body.span, Span::new(6, 12));
    let cir = p.cir.unwrap();
    assert_eq!((cir.cookie.unwrap().bytes, cir.cookie.unwrap().span), (&b"abc"[..], Span::new(15, 3)));
    assert_eq!(
        wvcir::encode::wsp_push(
            0,
            wvcir::encode::ContentTypeEnc::WellKnown,
            Some(wvcir::encode::AppIdEnc::WellKnown),
            b"WVCI 1.2 abc"
        ),
        pdu
    );
}

#[test]
fn push_with_text_content_type_and_text_app_id() {
    let mut pdu = vec![0x42, 0x06, 0x00];
    let headers = b"application/vnd.wv.csp.cir\0\xAFx-wap-application:wv.ua\0";
    pdu[2] = headers.len() as u8;
    pdu.extend_from_slice(headers);
    pdu.extend_from_slice(b"WVCI 1.3 xyz\r\n");
    let p = wsp::decode_push(&pdu).unwrap();
    assert_eq!(p.tid, 0x42);
    assert_eq!(p.content_type.form, ContentTypeForm::Text);
    assert_eq!(p.content_type.text.unwrap().bytes, b"application/vnd.wv.csp.cir");
    assert_eq!(p.app_id.unwrap().form, AppIdForm::Text);
    assert!(p.app_id.unwrap().is_wv_ua());
    assert_eq!(p.cir.unwrap().cookie.unwrap().bytes, b"xyz");
}

#[test]
fn push_with_value_length_content_type() {
    // 03: length 3; C6: the CIR type; 81 EA: charset=utf-8. Then an unrelated header (Content-Length 0x8D: 0x8C).
    let pdu = hex("01 06 06 03 C6 81 EA 8D 8C").into_iter().chain(*b"WVCI 1.2 q").collect::<Vec<_>>();
    let p = wsp::decode_push(&pdu).unwrap();
    assert_eq!((p.content_type.form, p.content_type.span), (ContentTypeForm::ValueLength, Span::new(3, 4)));
    assert!(p.app_id.is_none());
    assert_eq!(p.cir.unwrap().cookie.unwrap().bytes, b"q");
    let built =
        wvcir::encode::wsp_push(1, wvcir::encode::ContentTypeEnc::ValueLength(&[0x81, 0xEA]), None, b"WVCI 1.2 q");
    assert_eq!(wsp::decode_push(&built).unwrap().content_type.form, ContentTypeForm::ValueLength);
}

#[test]
fn push_refusals_name_the_byte() {
    let mms = wvcir::encode::wsp_push(
        7,
        wvcir::encode::ContentTypeEnc::Other("application/vnd.wap.mms-message"),
        None,
        b"\x8c\x82",
    );
    assert_eq!(wsp::decode_push(&mms).unwrap_err().kind, ErrorKind::NotCirContentType);
    assert_eq!(wsp::decode_push(&hex("00 07 01 C6")).unwrap_err().kind, ErrorKind::NotPush);
    let e = wsp::decode_push(&hex("00 06 09 C6")).unwrap_err();
    assert_eq!((e.kind, e.offset), (ErrorKind::TruncatedPdu, 3));
    assert_eq!(wsp::decode_push(&hex("00 06 FF FF FF FF FF 01")).unwrap_err().kind, ErrorKind::TruncatedPdu);
    // The right content type with a body that is not a CIR: the push decodes, the CIR does not.
    let not_cir_body = hex("00 06 01 C6 41 42");
    let p = wsp::decode_push(&not_cir_body).unwrap();
    assert_eq!(p.cir.unwrap_err().kind, ErrorKind::NotCir);
}

#[test]
fn sms_udh_for_wap_push() {
    let ports = wsp::wdp_ports(&hex("06 05 04 0B 84 23 F0 00 06")).unwrap();
    assert_eq!((ports.dst, ports.src, ports.header_len), (2948, 9200, 7));
    let ports = wsp::wdp_ports(&hex("04 04 02 84 23")).unwrap();
    assert_eq!((ports.dst, ports.src), (0x84, 0x23));
    assert_eq!(wsp::wdp_ports(&hex("06 05 04 0B")), None, "header longer than the data");
}

// --- Detection, ports, classification -----------------------------------------------------------

#[test]
fn detect_matches_cir_in_every_encoding_and_nothing_else() {
    assert_eq!(detect(b"WVCI 1.2 abc"), Some(Detected::CirText));
    assert_eq!(detect(b"wvci\t1.2 abc"), Some(Detected::CirText));
    assert_eq!(detect(&wvcir::encode::gsm7(b"WVCI 1.2 12345").unwrap()), Some(Detected::CirGsm7));
    assert_eq!(detect(&hex("00 06 03 C6 AF 8A 57 56 43 49")), Some(Detected::WapPush));
    for other in
        [&b"HELO mail.example.org\r\n"[..], b"WV120001", b"WVCIS", b"GET / HTTP/1.1", b"", b"\x16\x03\x01\x00\x05"]
    {
        assert_eq!(detect(other), None, "{other:?}");
    }
}

#[test]
fn port_map_defaults_and_overrides() {
    let map = PortMap::default();
    assert_eq!(map.channel(Transport::Udp, 40000, 3717), Some(Channel::Udp));
    assert_eq!(map.channel(Transport::Udp, 40000, 3716), Some(Channel::Sms));
    assert_eq!(map.channel(Transport::Udp, 9200, 2948), Some(Channel::WapPush));
    assert_eq!(map.channel(Transport::Tcp, 3717, 51000), Some(Channel::Tcp));
    assert_eq!(map.channel(Transport::Tcp, 3716, 51000), Some(Channel::Tcp), "IANA registers 3716/tcp too");
    assert_eq!(map.channel(Transport::Tcp, 3718, 51000), None);
    assert_eq!(map.channel(Transport::Udp, 53, 40000), None);
    let custom = PortMap { udp: wvcir::parse_port_ranges("9000-9010,3717").unwrap(), ..PortMap::default() };
    assert_eq!(custom.channel(Transport::Udp, 1, 9005), Some(Channel::Udp));
    assert!(wvcir::parse_port_ranges("10-5").is_none());
    assert!(wvcir::parse_port_ranges("x").is_none());
    assert_eq!(wvcir::parse_port_ranges("3716, 3717").unwrap(), [(3716, 3716), (3717, 3717)]);
}

#[test]
fn classifier_names_what_really_runs_on_the_port() {
    let tls_hello = hex("16 03 01 00 F1 01 00 00 ED 03 03");
    assert_eq!(classify(&tls_hello, Transport::Tcp).kind, PayloadKind::Tls { content_type: 22, version: 0x0301 });
    assert_eq!(classify(b"POST /api HTTP/1.1\r\n", Transport::Tcp).kind, PayloadKind::HttpRequest);
    assert_eq!(classify(b"HTTP/1.1 200 OK\r\n", Transport::Tcp).kind, PayloadKind::HttpResponse);
    assert_eq!(classify(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", Transport::Tcp).kind, PayloadKind::Ssh);
    // A DNS query for example.org A IN, on UDP and with TCP's length prefix.
    let dns = hex("12 34 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6D 70 6C 65 03 6F 72 67 00 00 01 00 01");
    assert_eq!(classify(&dns, Transport::Udp).kind, PayloadKind::Dns);
    let mut tcp_dns = vec![0, dns.len() as u8];
    tcp_dns.extend_from_slice(&dns);
    assert_eq!(classify(&tcp_dns, Transport::Tcp).kind, PayloadKind::Dns);
    assert_eq!(classify(b"hello from the dev server\n", Transport::Udp).kind, PayloadKind::Text);
    assert_eq!(classify(b"WVCI 1.2 abc", Transport::Udp).kind, PayloadKind::Cir(Detected::CirText));
    assert_eq!(classify(b"", Transport::Udp).kind, PayloadKind::Empty);
    let uniform: Vec<u8> = (0..=255).collect();
    let c = classify(&uniform, Transport::Udp);
    assert_eq!(c.kind, PayloadKind::Binary);
    assert!((c.entropy - 8.0).abs() < 1e-9, "{}", c.entropy);
    let zeros = classify(&[0u8; 64], Transport::Udp);
    assert_eq!((zeros.kind, zeros.entropy, zeros.printable_ratio), (PayloadKind::Binary, 0.0, 0.0));
}

// --- Decoding as the real clients read (docs/protocol.md, sections 1-5) -------------------------

#[test]
fn gsm7_extension_characters_are_esc_and_a_code_in_both_directions() {
    // Android's SmsCirChannel decodes GSM 7-bit with the extension table: `[` is ESC 0x3C, `]` ESC
    // 0x3E, `{` ESC 0x28, `}` ESC 0x29 (3GPP TS 23.038 6.2.1.1).
    let mut septets = b"WVCI 1.2 wv:".to_vec();
    septets.extend_from_slice(&[0x1B, 0x3C, b'7', 0x1B, 0x3E, 0x1B, 0x28, b'x', 0x1B, 0x29]);
    let packed = pack_septets(&septets);
    assert_eq!(
        packed,
        [
            0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64, 0xA0, 0xBB, 0x5D, 0xB7, 0xE1, 0xDD, 0x36, 0xBE, 0x0D, 0x0A, 0xBF,
            0x49, 0x01
        ],
        "the bytes an Android phone receives (22 septets, LSB first)"
    );
    assert_eq!(wvcir::encode::gsm7(b"WVCI 1.2 wv:[7]{x}").unwrap(), packed, "the packer writes the same bytes");
    let mut text = SmsText::new();
    let s = sms::decode(&packed, &mut text).unwrap();
    let cookie = s.message.cookie.unwrap();
    assert_eq!(cookie.bytes, b"wv:[7]{x}");
    assert!(s.message.anomalies.is_empty(), "{:?}", s.message.anomalies);
    // The cookie is septets 9..22 (four escapes): packed bytes 7..20.
    assert_eq!(s.payload_span(cookie.span), Span::new(7, 13));
}

#[test]
fn every_sms_vector_round_trips_through_the_packer_and_the_unpacker() {
    let texts: [&[u8]; 6] = [
        b"WVCI 1.2 12345",
        b"WVCI 1.2 wv:[7]{x}",
        b"WVCI 1.3 a~b\\c|d^e",
        b"WVCI 1.1 @$_-.:",
        b"WVCI 1.2 MTK20090314095958alice",
        b"HELO 7f3e22c1",
    ];
    for text in texts {
        let mut packed = Vec::new();
        wvcir::gsm7::pack_ascii(text, &mut packed).unwrap();
        let mut out = [0u8; 64];
        let n = wvcir::gsm7::unpack_ascii(&packed, &mut out);
        assert_eq!(&out[..n], text, "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn fields_are_runs_of_vchar_and_the_cookie_ends_at_the_first_other_byte() {
    // Android never parses the fields; Symbian looks for the session cookie as a substring. A
    // cookie is 1*VCHAR, so a NUL ends the version and starts the cookie.
    let m = decode_cir(b"WVCI 1.2\x00wv:nokia.1\r\n").unwrap();
    assert_eq!((m.version.unwrap().text.bytes, m.cookie.unwrap().bytes), (&b"1.2"[..], &b"wv:nokia.1"[..]));
    assert_eq!(m.cookie.unwrap().span, Span::new(9, 10));
    assert_eq!(anomalies(b"WVCI 1.2\x00wv:nokia.1\r\n"), ["bad-separator", "non-printable"]);
}

#[test]
fn an_ok_with_a_trailing_space_is_flagged_a_ping_with_one_is_not() {
    // Android: `line.equals("OK")`; its own PING is "PING \r\n".
    assert_eq!(decode_line(b"OK \r\n").unwrap().anomalies.span(Anomaly::BadSeparator), Some(Span::new(2, 1)));
    assert!(decode_line(b"PING \r\n").unwrap().anomalies.is_empty());
    assert!(decode_line(b"OK\r\n").unwrap().anomalies.is_empty());
}

#[test]
fn a_tcp_line_past_the_bound_is_decoded_from_its_prefix() {
    // Android has no line length limit; Symbian acts on its first 512-byte read.
    let mut line = b"WVCI 1.2 wv:nokia.9 ".to_vec();
    line.resize(5000, b'x');
    line.extend_from_slice(b"\r\nOK\r\n");
    let mut scratch = wvcir::payload::Scratch::default();
    let d = wvcir::payload::decode(wvcir::Channel::Tcp, &line, &mut scratch);
    let m = &d.messages[0];
    assert_eq!((m.cookie.unwrap().bytes, m.malformed), (&b"wv:nokia.9"[..], None));
    assert_eq!(m.anomalies.span(Anomaly::LineTooLong), Some(Span::new(0, 4096)));
    assert_eq!(d.messages[1].command.as_str(), "OK", "the line after it is read");
}

#[test]
fn sms_text_is_never_cut_or_guessed_silently() {
    let mut text = SmsText::new();
    // ASCII on the SMS port: decoded, but no real SMS CIR client reads it.
    let s = sms::decode(b"WVCI 1.2 abc", &mut text).unwrap();
    assert_eq!(s.message.anomalies.span(Anomaly::AsciiSms), Some(Span::new(0, 4)));
    // Longer than the 640 septets unpacked: flagged truncated.
    let mut long = b"WVCI 1.2 ".to_vec();
    long.resize(700, b'a');
    let packed = wvcir::encode::gsm7(&long).unwrap();
    let mut text = SmsText::new();
    let s = sms::decode(&packed, &mut text).unwrap();
    assert!(s.message.anomalies.contains(Anomaly::Truncated));
    // Seven bytes hold eight septets: a final CR is taken as 3GPP padding, and said so.
    let packed = wvcir::encode::gsm7(b"WVCI 1.").unwrap();
    let mut text = SmsText::new();
    let s = sms::decode(&packed, &mut text);
    assert!(s.is_ok_and(|s| s.message.anomalies.contains(Anomaly::AmbiguousPadding)));
}
