//! Property tests: encode then decode gives back what was encoded; a stream split anywhere frames
//! to the same lines; no input makes a decoder panic or hand out a span outside its input.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use proptest::prelude::*;
use wvcir::encode::{AppIdEnc, ContentTypeEnc, LineRepr};
use wvcir::framer::{Frame, LineFramer};
use wvcir::sms::{self, Encoding, SmsText};
use wvcir::{LineEnd, Message, Span, decode_cir, decode_line, wsp};

/// Printable, no space: what a cookie or session id may hold.
fn vchars(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0x21u8..=0x7E, 1..=max)
}

/// The VCHARs GSM 7-bit carries: the default alphabet's, and the extension table's `[ ] { } ~ \ | ^`
/// (two septets each).
fn gsm_vchars(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = (0x21u8..=0x7E)
        .filter(|b| wvcir::gsm7::ascii_to_septet(*b).is_some() || wvcir::gsm7::ascii_to_extension(*b).is_some())
        .collect();
    proptest::collection::vec(proptest::sample::select(alphabet), 1..=max)
}

fn version() -> impl Strategy<Value = Vec<u8>> {
    (0u16..=3).prop_map(|minor| format!("1.{minor}").into_bytes())
}

fn line_end() -> impl Strategy<Value = LineEnd> {
    prop_oneof![Just(LineEnd::None), Just(LineEnd::Lf), Just(LineEnd::Cr), Just(LineEnd::CrLf)]
}

#[derive(Debug, Clone)]
enum Line {
    Cir(Vec<u8>, Vec<u8>),
    Helo(Vec<u8>),
    Ok,
    Ping(bool),
}

impl Line {
    fn repr(&self) -> LineRepr<'_> {
        match self {
            Line::Cir(v, c) => LineRepr::Cir { version: v, cookie: c },
            Line::Helo(s) => LineRepr::Helo { session_id: s },
            Line::Ok => LineRepr::Ok,
            Line::Ping(t) => LineRepr::Ping { trailing_space: *t },
        }
    }
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        (version(), vchars(60)).prop_map(|(v, c)| Line::Cir(v, c)),
        vchars(40).prop_map(Line::Helo),
        Just(Line::Ok),
        any::<bool>().prop_map(Line::Ping),
    ]
}

/// Every span a message hands out lies inside the input.
fn spans_in(m: &Message<'_>, len: usize) -> bool {
    let fields = [Some(m.keyword), m.version.map(|v| v.text), m.cookie, m.session_id, m.extra];
    let ok = |s: Span| s.end() <= len;
    fields.iter().flatten().all(|f| ok(f.span)) && ok(m.eol) && ok(m.span) && m.anomalies.iter().all(|(_, s)| ok(s))
}

proptest! {
    // 512 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn cir_round_trips(v in version(), cookie in vchars(200), end in line_end()) {
        let repr = LineRepr::Cir { version: &v, cookie: &cookie };
        let bytes = repr.to_vec(end);
        let m = decode_cir(&bytes).unwrap();
        prop_assert_eq!(LineRepr::from_message(&m), Some(repr));
        prop_assert_eq!(m.line_end, end);
        prop_assert_eq!(m.span.len, bytes.len());
        prop_assert!(m.anomalies.is_empty(), "{:?}", m.anomalies);
    }

    #[test]
    fn tcp_lines_round_trip(l in line(), end in line_end()) {
        let bytes = l.repr().to_vec(end);
        let m = decode_line(&bytes).unwrap();
        prop_assert_eq!(LineRepr::from_message(&m), Some(l.repr()));
        prop_assert!(m.anomalies.is_empty(), "{:?}", m.anomalies);
    }

    #[test]
    fn gsm7_sms_round_trips(v in version(), cookie in gsm_vchars(120)) {
        // The one ambiguity of 7-bit text without a septet count (see gsm7::septet_count).
        let extended = cookie.iter().filter(|b| wvcir::gsm7::ascii_to_extension(**b).is_some()).count();
        let septets = 9 + cookie.len() + extended;
        let ambiguous = septets.is_multiple_of(8) && cookie.last() == Some(&b'@');
        prop_assume!(!ambiguous);
        let text = LineRepr::Cir { version: &v, cookie: &cookie }.to_vec(LineEnd::None);
        let packed = wvcir::encode::gsm7(&text).unwrap();
        let mut buf = SmsText::new();
        let s = sms::decode(&packed, &mut buf).unwrap();
        prop_assert_eq!(s.encoding, Encoding::Gsm7);
        prop_assert_eq!(s.message.cookie.unwrap().bytes, &cookie[..]);
        prop_assert!(s.payload_span(s.message.span).end() <= packed.len());
        // The cookie's span covers exactly the packed bytes of its septets, escapes included.
        let (at, len) = wvcir::gsm7::septets_to_bytes(9, cookie.len() + extended);
        prop_assert_eq!(s.payload_span(s.message.cookie.unwrap().span), wvcir::Span::new(at, len));
    }

    #[test]
    fn wap_push_round_trips(
        tid: u8, v in version(), cookie in vchars(80), end in line_end(),
        ct in 0..3u8, app in 0..3u8, params in proptest::collection::vec(0x80u8..=0xFF, 0..40),
    ) {
        let body = LineRepr::Cir { version: &v, cookie: &cookie }.to_vec(end);
        let ct = [ContentTypeEnc::WellKnown, ContentTypeEnc::Text, ContentTypeEnc::ValueLength(&params)][usize::from(ct)];
        let app = [None, Some(AppIdEnc::WellKnown), Some(AppIdEnc::Text)][usize::from(app)];
        let pdu = wvcir::encode::wsp_push(tid, ct, app, &body);
        let p = wsp::decode_push(&pdu).unwrap();
        prop_assert_eq!(p.tid, tid);
        prop_assert_eq!(p.app_id.is_some(), app.is_some());
        prop_assert_eq!(p.body.bytes, &body[..]);
        let m = p.cir.unwrap();
        prop_assert_eq!(m.cookie.unwrap().bytes, &cookie[..]);
        prop_assert_eq!(&pdu[m.cookie.unwrap().span.offset..m.cookie.unwrap().span.end()], &cookie[..]);
    }

    #[test]
    fn framer_gives_the_same_lines_however_the_stream_is_split(
        lines in proptest::collection::vec((line(), prop_oneof![Just(LineEnd::Lf), Just(LineEnd::Cr), Just(LineEnd::CrLf)]), 1..20),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..30),
    ) {
        let mut stream = Vec::new();
        let mut want = Vec::new();
        for (l, end) in &lines {
            let start = stream.len() as u64;
            l.repr().emit(LineEnd::None, &mut stream);
            want.push((start, stream[start as usize..].to_vec(), *end));
            stream.extend_from_slice(end.as_bytes());
        }
        let mut cut_at: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cut_at.sort_unstable();
        let mut framer = LineFramer::default();
        let mut got = Vec::new();
        let mut on = |f: Frame<'_>| if let Frame::Line { offset, line, line_end } = f { got.push((offset, line.to_vec(), line_end)) };
        let mut prev = 0;
        for c in cut_at.into_iter().chain([stream.len()]) {
            framer.push(&stream[prev..c], &mut on);
            prev = c;
        }
        framer.finish(&mut on);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn no_input_panics_or_escapes_its_bounds(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        for m in [wvcir::parse_cir(&input), wvcir::parse_line(&input)].into_iter().flatten() {
            prop_assert!(spans_in(&m, input.len()));
        }
        let mut buf = SmsText::new();
        if let Ok(s) = sms::decode(&input, &mut buf) {
            prop_assert!(s.payload_span(s.message.span).end() <= input.len() + 1);
        }
        if let Ok(p) = wsp::decode_push(&input) {
            prop_assert!(p.body.span.end() <= input.len());
            if let Ok(m) = p.cir { prop_assert!(spans_in(&m, input.len())); }
        }
        let _ = wvcir::detect(&input);
        let c = wvcir::classify(&input, wvcir::Transport::Udp);
        prop_assert!((0.0..=8.0).contains(&c.entropy) && (0.0..=1.0).contains(&c.printable_ratio));
    }

    #[test]
    fn wsp_prefixed_garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut pdu = vec![0, 6];
        pdu.extend_from_slice(&tail);
        let _ = wsp::decode_push(&pdu);
    }
}
