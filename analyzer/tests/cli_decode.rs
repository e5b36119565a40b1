//! `wvcir decode` as a user runs it: the built binary, real arguments, real stdin.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

fn run(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    common::wvcir_stdin(args, stdin)
}

#[test]
fn decodes_the_protocol_example_from_hex() {
    let hex = "57 56 43 49 20 31 2E 33 20 77 76 3A 6E 6F 6B 69 61 2E 31 38 30 34 32 38 39 33 38 33";
    let (code, out, _) = run(&["decode", hex], b"");
    assert_eq!(code, 0);
    assert!(out.contains(r#""channel":"udp""#), "{out}");
    assert!(out.contains(r#""cookie":"wv:nokia.1804289383""#), "{out}");
    assert!(out.contains(r#""version":"1.3""#), "{out}");
    assert!(out.contains(r#""cookie":{"len":19,"offset":9}"#), "{out}");
}

#[test]
fn decodes_gsm7_sms_and_maps_spans_to_payload_bytes() {
    let (code, out, _) = run(&["decode", "57 EB 30 09 8A B9 64 A0 98 6C 46 AB 01"], b"");
    assert_eq!(code, 0);
    assert!(out.contains(r#""channel":"sms""#) && out.contains(r#""encoding":"gsm7""#), "{out}");
    assert!(out.contains(r#""cookie":{"len":6,"offset":7}"#), "{out}");
}

#[test]
fn reads_raw_stdin_as_a_tcp_excerpt() {
    let (code, out, _) = run(&["decode"], b"HELO 3a9f0c1e\r\nOK\r\n");
    assert_eq!(code, 0);
    assert!(out.contains(r#""command":"HELO""#) && out.contains(r#""command":"OK""#), "{out}");
    assert!(out.contains(r#""session_id":"3a9f0c1e""#), "{out}");
}

#[test]
fn malformed_and_not_cir_exit_1_with_the_reason() {
    let (code, out, _) = run(&["decode", "--channel", "udp", "57 56 43 49 20 31 2E 32"], b"");
    assert_eq!(code, 0, "a malformed CIR still decodes, flagged");
    assert!(out.contains(r#""malformed":true"#) && out.contains("missing-cookie"), "{out}");
    let (code, out, _) = run(&["decode", "--channel", "udp", "47 45 54"], b"");
    assert_eq!(code, 1);
    assert!(out.contains(r#""kind":"not-cir""#), "{out}");
}

#[test]
fn escape_sequences_never_come_out_raw() {
    let (code, out, _) = run(&["decode", "--channel", "udp"], b"WVCI 1.2 a\x1b]0;pwned\x07\xff");
    assert_eq!(code, 0);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    // The control bytes are separators (fields are runs of printable ASCII), flagged, never echoed.
    assert!(out.contains(r#""cookie":"a""#) && out.contains(r#""extra":"]0;pwned""#), "{out}");
    assert!(out.contains("non-printable"), "{out}");
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong() {
    let (code, _, err) = run(&["decode", "5G"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("not a hex digit at character 1"), "{err}");
    let (code, _, _) = run(&["decode", "--channel", "carrier-pigeon", "00"], b"");
    assert_eq!(code, 2);
}
