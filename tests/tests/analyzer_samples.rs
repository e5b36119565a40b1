//! The analyzer on every sample: reports equal the reviewed golden files, follow `wvcir schema`,
//! never repeat a key, and decode exactly the frames the samples README says carry messages.
//!
//! After a deliberate change: `WVCIR_UPDATE_GOLDEN=1 cargo test -p wvcir-tests --test analyzer_samples`,
//! then review `git diff tests/golden`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, check_no_duplicate_keys, sample_paths};
use wvcir_tests::root;

fn schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(wvcir_analyzer::report::SCHEMA).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn ndjson_schema() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(wvcir_analyzer::report::SCHEMA).unwrap();
    // Validate a line against $defs/ndjson_line, keeping $defs for the references.
    let defs = schema["$defs"].clone();
    schema = serde_json::json!({"$schema": schema["$schema"], "$defs": defs, "$ref": "#/$defs/ndjson_line"});
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not follow the schema:\n{}", errors.join("\n"));
}

#[test]
fn every_sample_report_matches_its_golden_file_and_the_schema() {
    let update = std::env::var_os("WVCIR_UPDATE_GOLDEN").is_some();
    let validator = schema();
    let paths = sample_paths();
    assert_eq!(paths.len(), wvcir_samples::samples().len());
    for p in paths {
        let rel = p.display().to_string();
        let text = analyze(&[&rel], OutFormat::Json);
        check_no_duplicate_keys(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&validator, &doc, &rel);
        let golden = root().join("tests/golden").join(format!("{}.json", p.file_name().unwrap().to_string_lossy()));
        if update {
            std::fs::write(&golden, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e}; create it with WVCIR_UPDATE_GOLDEN=1", golden.display()));
        assert!(
            want == text,
            "{rel}: the report differs from {}; review with WVCIR_UPDATE_GOLDEN=1 and git diff",
            golden.display()
        );
    }
}

#[test]
fn the_combined_and_ndjson_reports_follow_the_schema_too() {
    let all: Vec<String> = sample_paths().iter().map(|p| p.display().to_string()).collect();
    let mut with_bad: Vec<&str> = all.iter().map(String::as_str).collect();
    with_bad.extend([
        "samples/bad/truncated.pcap",
        "samples/bad/absurd-length.pcap",
        "samples/bad/not-a-capture.pcap",
        "samples/bad/empty.pcap",
    ]);
    let text = analyze(&with_bad, OutFormat::Json);
    check_no_duplicate_keys(&text).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&schema(), &doc, "the combined report");
    assert_eq!(doc["summary"]["complete_inputs"], wvcir_samples::samples().len());
    let lines = analyze(&with_bad, OutFormat::Ndjson);
    let v = ndjson_schema();
    let mut n = 0;
    for line in lines.lines() {
        check_no_duplicate_keys(line).unwrap();
        assert_valid(&v, &serde_json::from_str(line).unwrap(), line);
        n += 1;
    }
    assert!(n > 100, "{n} lines");
}

#[test]
fn a_report_with_a_repeated_key_would_be_caught() {
    assert!(check_no_duplicate_keys(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err().contains("duplicate key \"c\""));
    assert!(check_no_duplicate_keys(r#"[{"a":1},{"a":2}]"#).is_ok());
}

/// The commands the samples README promises for a frame, from its note.
fn promised(note: &str) -> Vec<&'static str> {
    const ANOMALIES: [&str; 9] = [
        "keyword-case",
        "unknown-version",
        "missing-version",
        "missing-cookie",
        "extra-fields",
        "bad-separator",
        "non-printable",
        "oversize",
        "trailing-data",
    ];
    let first_word = note.split([':', ' ']).next().unwrap_or("");
    match note {
        n if n.starts_with("OK + CIR") => vec!["OK", "WVCI"],
        n if n.contains("part 1 of") || n.contains("retransmission") || n.starts_with("not-cir") => vec![],
        n if ["DNS", "HTTP", "TLS", "SMPP", "SIP", "beacon", "reply", "SYN", "FIN", "Protected"]
            .iter()
            .any(|p| n.starts_with(p)) =>
        {
            vec![]
        }
        n if n.starts_with("OK") => vec!["OK"],
        n if n.contains("HELO") => vec!["HELO"],
        n if n.starts_with("PING") => vec!["PING"],
        n if n.starts_with("IPv4 fragment") || n.starts_with("IPv6 fragment") => {
            if n.contains("completes the datagram") { vec!["WVCI"] } else { vec![] }
        }
        n if n.contains("CIR") || n.starts_with("WSP Push") || ANOMALIES.contains(&first_word) => vec!["WVCI"],
        other => panic!("no rule for the note {other:?}: teach this test what it promises"),
    }
}

#[test]
fn the_analyzer_decodes_exactly_the_frames_the_samples_readme_lists() {
    // tcp-real-shapes.pcap's frames complete up to 200 lines each, client-verdicts.pcap's notes
    // speak of clients: each has its own test below.
    let own_test = ["tcp-real-shapes.pcap", "client-verdicts.pcap"];
    for s in wvcir_samples::samples().into_iter().filter(|s| !own_test.contains(&s.name)) {
        let rel = format!("samples/captures/{}", s.name);
        let doc: Value = serde_json::from_str(&analyze(&[&rel], OutFormat::Json)).unwrap();
        let got: Vec<(u64, String)> = doc["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["frame"].as_u64().unwrap(), m["command"].as_str().unwrap().to_owned()))
            .collect();
        let want: Vec<(u64, String)> = s
            .notes()
            .flat_map(|(frame, note)| promised(note).into_iter().map(move |c| (frame as u64, c.to_owned())))
            .collect();
        assert_eq!(got, want, "{}", s.name);
        // Where the note names an anomaly, the message carries it.
        for (frame, note) in s.notes() {
            let name = note.split([':', ' ']).next().unwrap();
            if name.contains('-') && s.name == "malformed-cir.pcap" && name != "not-cir" {
                let m = doc["messages"].as_array().unwrap().iter().find(|m| m["frame"] == frame as u64).unwrap();
                assert!(m["anomalies"].as_array().unwrap().iter().any(|a| a == name), "{} frame {frame}: {m}", s.name);
            }
        }
    }
}

/// Real TCP shapes (samples/README.md, `tcp-real-shapes.pcap`): each line is reported once, in
/// the frame whose segment makes its last byte deliverable, whatever order the segments came in.
#[test]
fn tcp_real_shapes_lines_complete_where_the_readme_says() {
    let doc: Value =
        serde_json::from_str(&analyze(&["samples/captures/tcp-real-shapes.pcap"], OutFormat::Json)).unwrap();
    let mut per_frame: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
    for m in doc["messages"].as_array().unwrap() {
        let what = match (m["cookie"].as_str(), m["line_end"].as_str().unwrap()) {
            (Some(c), "crlf") => c.rsplit(['-', '.']).next().unwrap().to_owned(),
            (Some(c), end) => format!("{c} ({end})"),
            (None, _) => m["command"].as_str().unwrap().to_owned(),
        };
        per_frame.entry(m["frame"].as_u64().unwrap()).or_default().push(what);
    }
    let summary: Vec<String> = per_frame
        .iter()
        .map(|(f, l)| {
            if l.len() > 4 {
                format!("{f}: {} lines {}..{}", l.len(), l[0], l[l.len() - 1])
            } else {
                format!("{f}: {}", l.join(" "))
            }
        })
        .collect();
    let want = [
        "1: 2 3", // mid-stream: the tail "4-1" is skipped, not a line
        "6: HELO",
        "8: OK",
        "10: 1",
        "13: 2 3", // segment 3 came before 2: both complete in 13
        "15: 4",
        "17: PING",
        "19: OK",
        "21: PING",
        "23: OK",
        "25: 5", // keep-alives 27, 32: nothing
        "40: HELO",
        "42: OK",
        "44: 1",
        "50: 2 3 4 5", // B lost, C and D wait, B's retransmission fills the gap
        "58: HELO",
        "60: OK",
        "62: 1",
        "63: 2 3",
        "67: aaaa", // overlaps; the differing copy loses
        "75: HELO",
        "77: OK",
        "79: 1",
        "81: 2",
        "88: 3 4", // zero-window probes 83, 85: the byte is not repeated
        "96: HELO",
        "98: OK",
        "100: 200 lines 001..200",
        "101: 179 lines 201..379", // 8 KB+ segments
        "110: HELO",
        "112: OK",
        "114: 1",
        "116: last-line-no-eol (none)", // FIN in the same segment
        "123: HELO",
        "125: OK",
        "129: reset-before-eol (none)", // a bare RST ends the line
        "133: HELO",
        "135: OK",
        "137: 1",
        "139: cut-by-the-capt (none)", // the capture ends in it
    ];
    assert_eq!(summary, want);
    let last = doc["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(
        last["anomalies"],
        serde_json::json!(["incomplete"]),
        "cut by the end of the capture: not a whole message"
    );
    assert!(
        doc["sessions"].as_array().unwrap().iter().all(|s| s["cookie"] != "cut-by-the-capt"),
        "nor a session's CIR"
    );
    let limits = &doc["inputs"][0]["limits"];
    assert_eq!((limits["tcp_resync_bytes"].as_u64(), limits["tcp_gap_bytes"].as_u64()), (Some(5), Some(0)));
}

/// What the real clients would do (docs/protocol.md, sections 1-5), per message of
/// `client-verdicts.pcap`, as its README notes say: frame, command, anomalies, Android, Symbian.
#[test]
fn client_verdicts_are_what_the_readme_says() {
    let doc: Value =
        serde_json::from_str(&analyze(&["samples/captures/client-verdicts.pcap"], OutFormat::Json)).unwrap();
    let got: Vec<String> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let names: Vec<&str> = m["anomalies"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            let v = |c: &str| m["clients"][c].as_str().unwrap_or("-").to_owned();
            format!(
                "{} {} [{}] {} {}",
                m["frame"],
                m["command"].as_str().unwrap(),
                names.join(","),
                v("android"),
                v("symbian")
            )
        })
        .collect();
    let want = [
        "1 WVCI [] acts n/a",                              // GSM 7-bit with [ ] { }: the cookie is whole
        "2 WVCI [ascii-sms] ignores n/a",                  // Android reads only GSM 7-bit
        "3 WVCI [bad-separator,missing-version] n/a acts", // glued, no version: still acted on
        "4 WVCI [bad-separator,non-printable] n/a acts",   // a NUL separator: the cookie is wv:nokia.78
        "5 WVCI [missing-cookie] n/a ignores",             // malformed: Symbian rejects it
        "9 HELO [] - -",
        "11 OK [] acts acts",
        "11 WVCI [] acts loses", // the first server data after HELO
        "13 WVCI [] acts acts",
        "15 PING [] - -",
        "17 OK [bad-separator] ignores acts", // `OK ` is no OK to Android
        "21 WVCI [line-too-long] acts acts",  // 5,000 bytes, decoded from its first 4,096
        "25 WVCI [] acts acts",
    ];
    assert_eq!(got, want);
    let cookies: Vec<&str> = doc["messages"].as_array().unwrap().iter().filter_map(|m| m["cookie"].as_str()).collect();
    assert_eq!(cookies[..3], ["wv:nokia.[7]{x}", "asciisms-1", "wv:nokia.77"]);
    let foreign = doc["flows"].as_array().unwrap().iter().find(|f| f["src_port"] == 5353).unwrap();
    let breaks = foreign["reasons"].as_array().unwrap().iter().find(|r| r["kind"] == "breaks-symbian-cir").unwrap();
    assert_eq!(breaks["count"], 6, "{breaks}");
    assert_eq!(doc["summary"]["by_client_verdict"]["symbian"]["loses"], 1);
}
