//! The hostile-capture suite: every capture of `wvcir_samples::hostile::Case::FULL` (a million
//! distinct flows on 3717, a TCP CIR line that never ends, 100,000 overlapping never-completed
//! fragments, three lying pcapng block lengths, a 4 GB record, 2 million tiny packets, a million
//! unanswered PINGs followed by a million OKs that answer none of them, a million CIRs with a
//! million cookies from a million sources, a million TCP connections that say HELO) is written
//! by the generator and run through the real `wvcir` binary, built in release as users run it.
//! For each: the analyzer finishes, its peak resident memory (GNU time) stays under the stated
//! bound, the report says which limit was hit or what was evicted, and what came before the
//! damage is kept.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use wvcir_samples::hostile::Case;
use wvcir_tests::release_analyzer;

/// The stated bound of every case, in KB.
const BOUND_KB: u64 = 256 * 1024;

/// A scratch folder for one case's capture and report, removed when the case ends (the million
/// flows make a 69 MB capture and a 420 MB report).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(case: Case) -> Scratch {
    let d = std::env::temp_dir().join(format!("wvcir-hostile-{}-{}", std::process::id(), case.file_name()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Scratch(d)
}

/// What one run of the analyzer left: exit code, peak memory, wall time.
struct Run {
    code: i32,
    peak_kb: u64,
    secs: f64,
}

/// GNU time: it reports the child's peak resident memory from the kernel's own accounting
/// (`wait4`'s `ru_maxrss`), exact even for a run of a millisecond, which sampling /proc is not.
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `wvcir analyze` with `args` on `input`, writing to `out`, under GNU time.
fn analyze(input: &Path, out: &Path, args: &[&str]) -> Run {
    let rss_file = out.with_extension("maxrss");
    let start = Instant::now();
    let status = Command::new(GNU_TIME)
        .args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .arg(release_analyzer())
        .args(["analyze", "-j", "1", "--progress", "never", "-o"])
        .arg(out)
        .args(args)
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let code = status.code().unwrap();
    // GNU time writes "Command exited with non-zero status N" before the figure when N != 0.
    let text = std::fs::read_to_string(&rss_file).unwrap();
    let peak_kb: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).unwrap();
    eprintln!("{}: exit {code}, peak {peak_kb} KB, {secs:.1} s", input.display());
    assert!(peak_kb < BOUND_KB, "{}: peak {peak_kb} KB, over the {BOUND_KB} KB bound", input.display());
    Run { code, peak_kb, secs }
}

/// Whether GNU time is here; in CI (`.ci/run` installs it) its absence fails the suite.
fn have_gnu_time() -> bool {
    let ok = Path::new(GNU_TIME).exists();
    if !ok {
        let msg = "GNU time is not installed: `apt-get install time` (Debian), or run .ci/run";
        assert!(!wvcir_tests::in_ci(), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    ok
}

/// Messages kept whole from an NDJSON report; the rest are only counted (there can be millions).
const KEPT_MESSAGES: usize = 100;

/// What the checks need of an NDJSON report: the first messages and the last, the number of
/// messages of each command, the input and summary events, and the number of flow and TCP channel
/// events (counted, not parsed: there can be a million).
#[derive(Debug, Default)]
struct Events {
    messages: Vec<Value>,
    last_message: Value,
    commands: BTreeMap<String, u64>,
    flows: u64,
    tcp_channels: u64,
    input: Value,
    summary: Value,
}

fn read_ndjson(path: &Path) -> Events {
    let mut e = Events::default();
    let mut last_message = String::new();
    for line in std::io::BufReader::new(std::fs::File::open(path).unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with(r#"{"event":"flow","#) {
            e.flows += 1;
            continue;
        }
        if line.starts_with(r#"{"event":"tcp_channel","#) {
            e.tcp_channels += 1;
            continue;
        }
        if line.starts_with(r#"{"event":"message","#) {
            // The command, without parsing the line: a million of them cost a debug build seconds.
            let command = line.split_once(r#""command":""#).and_then(|(_, rest)| rest.split_once('"')).unwrap().0;
            *e.commands.entry(command.to_owned()).or_default() += 1;
            if e.messages.len() < KEPT_MESSAGES {
                e.messages.push(serde_json::from_str(&line).unwrap());
            }
            last_message = line;
            continue;
        }
        let v: Value = serde_json::from_str(&line).unwrap();
        match v["event"].as_str().unwrap() {
            "input" => e.input = v,
            "summary" => e.summary = v,
            _ => {}
        }
    }
    if !last_message.is_empty() {
        e.last_message = serde_json::from_str(&last_message).unwrap();
    }
    e
}

/// A JSON report read as a stream, its flows counted and skipped, so that a 420 MB report costs
/// this test no more memory than a small one.
#[derive(Deserialize)]
struct Document {
    summary: Value,
    inputs: Vec<Value>,
    messages: Vec<Value>,
    flows: Counted,
}

struct Counted(u64);

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> serde::de::Visitor<'de> for Count {
            type Value = Counted;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Counted, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Counted(n))
            }
        }
        d.deserialize_seq(Count)
    }
}

/// Writes `case` with the generator, runs the analyzer on it in NDJSON, and returns the events;
/// also checks what every case must show: the CIR of frame 1, before the flood or damage, is the
/// first message, and every frame before the damage is counted.
fn run_ndjson(case: Case) -> Option<(Scratch, Events, Run, Option<u64>)> {
    if !have_gnu_time() {
        return None;
    }
    let dir = scratch(case);
    let input = dir.0.join(case.file_name());
    let damage = case.write(std::fs::File::create(&input).unwrap()).unwrap();
    let out = dir.0.join("report.ndjson");
    let run = analyze(&input, &out, &["--format", "ndjson"]);
    let e = read_ndjson(&out);
    // The reports of the million flows are 400 MB each: one on disk at a time.
    let _ = std::fs::remove_file(&out);
    let first = e.messages.first().unwrap_or_else(|| panic!("{case:?}: no message at all"));
    assert_eq!(
        (&first["frame"], &first["command"], &first["malformed"]),
        (&Value::from(1), &Value::from("WVCI"), &Value::from(false)),
        "{case:?}: the CIR of frame 1, before the flood or damage, is kept"
    );
    assert_eq!(e.input["packets"], case.good_frames(), "{case:?}: every frame before the damage is counted");
    Some((dir, e, run, damage))
}

#[test]
fn a_million_distinct_flows_on_3717() {
    let case = Case::DistinctFlows { n: 1_000_000 };
    let Some((dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(
        e.input["limits"]["flows_evicted"], 912_500,
        "past 100,000 tracked flows, the idlest eighth is finalised early, and counted"
    );
    // Every flow is reported: a million beacon flows, and the CIR flow twice (evicted while the
    // flood went on, then seen again).
    assert_eq!(e.flows, 1_000_002);
    assert_eq!(e.summary["flows"], 1_000_002);
    let cookies: Vec<&str> = e.messages.iter().map(|m| m["cookie"].as_str().unwrap()).collect();
    assert_eq!(cookies, ["wv:before.flood", "wv:after.flood"], "both CIRs, nothing else, in order");

    // The same capture as one JSON document: its flows are spooled to disk and spliced in, so
    // this must stay under the bound too.
    let input = dir.0.join(case.file_name());
    let out = dir.0.join("report.json");
    let run = analyze(&input, &out, &[]);
    assert_eq!(run.code, 0);
    let t = Instant::now();
    let doc: Document = serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(&out).unwrap())).unwrap();
    eprintln!("JSON report read in {:.1} s", t.elapsed().as_secs_f64());
    assert_eq!(doc.flows.0, 1_000_002);
    assert_eq!(doc.summary["flows"], 1_000_002);
    assert_eq!(doc.messages.len(), 2);
    assert_eq!(doc.inputs[0]["limits"]["flows_evicted"], 912_500);
}

#[test]
fn a_tcp_cir_line_that_never_ends() {
    let case = Case::NoLineEnd { segments: 20_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.input["limits"]["long_lines"], 1, "the 29 MB line is reported once, never buffered");
    let commands: Vec<&str> = e.messages.iter().map(|m| m["command"].as_str().unwrap()).collect();
    assert_eq!(commands, ["WVCI", "HELO", "WVCI"], "the UDP CIR and the HELO before the endless line are kept");
    assert_eq!(e.messages[2]["anomalies"], serde_json::json!(["line-too-long"]), "decoded from its first 4 KiB");
}

#[test]
fn a_hundred_thousand_overlapping_never_completed_fragments() {
    let case = Case::Fragments { n: 100_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.input["limits"]["fragments_dropped"], 100_000, "every incomplete datagram is counted as dropped");
    assert_eq!(e.messages.len(), 2, "the CIRs before and after the fragments");
    assert_eq!(e.messages[1]["cookie"], "wv:after.fragments");
}

#[test]
fn pcapng_blocks_whose_lengths_lie() {
    for (block_len, kind) in [(0xFFFF_FFF0, "absurd-length"), (21, "malformed"), (4, "malformed")] {
        let case = Case::LyingPcapng { block_len };
        let Some((_dir, e, run, damage)) = run_ndjson(case) else { return };
        assert_eq!(run.code, 1, "{case:?}: an incomplete input");
        assert_eq!(e.input["error"]["kind"], kind, "{case:?}");
        assert_eq!(e.input["error"]["offset"], damage.unwrap(), "{case:?}: the error names the lying block");
        assert_eq!(e.summary["cir"], 2, "{case:?}: the CIRs before it are kept");
    }
}

#[test]
fn a_record_that_claims_four_gigabytes() {
    let case = Case::FourGigRecord;
    let Some((_dir, e, run, damage)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 1);
    assert_eq!(e.input["error"]["kind"], "absurd-length");
    assert_eq!(e.input["error"]["offset"], damage.unwrap());
    assert!(run.peak_kb < 64 * 1024, "a 4 GB length is never allocated: peak {} KB", run.peak_kb);
}

#[test]
fn two_million_tiny_packets() {
    let case = Case::TinyPackets { n: 2_000_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.summary["packets"], 2_000_002);
    assert_eq!(e.flows, 256, "256 flows, however many packets");
    let cookies: Vec<&str> = e.messages.iter().map(|m| m["cookie"].as_str().unwrap()).collect();
    assert_eq!(cookies, ["wv:before.tiny", "wv:after.tiny"]);
    let limits = &e.input["limits"];
    for k in ["fragments_dropped", "flows_evicted", "tcp_bytes_dropped", "long_lines", "requests_dropped"] {
        assert_eq!(limits[k], 0, "{k}: no limit is hit: many packets alone cost nothing");
    }
    eprintln!("2,000,002 packets in {:.1} s", run.secs);
}

#[test]
fn a_million_unanswered_pings_then_a_million_ok_that_answer_none() {
    let case = Case::UnansweredRequests { n: 1_000_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    let counts: Vec<(&str, u64)> = e.commands.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    assert_eq!(
        counts,
        [("HELO", 1), ("OK", 1_000_000), ("PING", 1_000_000), ("WVCI", 2)],
        "every line is decoded and reported"
    );
    assert_eq!(e.last_message["cookie"], "wv:after.requests", "the CIR after the flood is kept");
    assert_eq!(
        e.input["limits"]["requests_dropped"],
        1_000_001 - wvcir::pairing::MAX_PENDING as u64,
        "the HELO and every PING past the pending bound are forgotten unanswered, and counted"
    );
    eprintln!("{} TCP lines in {:.1} s", 2_000_001, run.secs);
}

#[test]
fn a_million_cirs_each_with_its_own_cookie_from_its_own_address() {
    let case = Case::DistinctCookies { n: 1_000_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.commands["WVCI"], 1_000_002, "every CIR is a message");
    assert_eq!(e.last_message["cookie"], "wv:after.sessions");
    assert_eq!(e.summary["sessions"], 100_000, "sessions stop growing at the bound");
    assert_eq!(
        e.input["limits"]["untracked_cirs"], 900_002,
        "the CIRs of sessions past the bound are counted, not lost (they are messages)"
    );
    assert_eq!(e.input["limits"]["flows_evicted"], 912_500, "and the flows are bounded as ever, at the same time");
    assert_eq!(e.flows, 1_000_002);
}

#[test]
fn a_million_tcp_connections_that_say_helo() {
    let case = Case::HeloConnections { n: 1_000_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.commands["HELO"], 1_000_000);
    assert_eq!(e.tcp_channels, 1_000_000, "every connection that spoke is a TCP channel record, streamed out");
    assert_eq!(e.summary["tcp_channels"], 1_000_000);
    assert_eq!(e.last_message["cookie"], "wv:after.connections");
}

#[test]
fn tls_hellos_and_certificate_chains_that_go_too_far() {
    let case = Case::TlsHandshakes;
    let Some((dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(
        e.input["limits"]["handshake_cut"], 2,
        "the hellos with 10,000 extensions and a 64 KB SNI are given up, and counted"
    );
    assert_eq!(e.last_message["cookie"], "wv:after.handshakes");
    assert_eq!(e.summary["messages"], 2, "nothing inside the handshakes reads as CIR");
    let out = dir.0.join("report.json");
    assert_eq!(analyze(&dir.0.join(case.file_name()), &out, &[]).code, 0);
    let doc: Value = serde_json::from_reader(std::fs::File::open(&out).unwrap()).unwrap();
    let tls: Vec<&Value> =
        doc["flows"].as_array().unwrap().iter().map(|f| &f["tls"]).filter(|t| !t.is_null()).collect();
    let field = |k: &str| tls.iter().filter_map(|t| t[k].as_str()).collect::<Vec<_>>();
    assert_eq!(field("sni"), ["one-byte.example", "chain.example"], "the hello in 1-byte segments is read whole");
    assert_eq!(
        field("cert_subject"),
        ["CN=chain.example"],
        "the first certificate of a 1 MB chain, never buffered whole"
    );
    let kinds = doc["flows"].as_array().unwrap().iter().filter(|f| f["classification"]["kind"] == "tls").count();
    assert_eq!(kinds, 4, "the hellos given up still make their flows TLS (with no fields)");
}

#[test]
fn a_cir_2500_gre_tunnels_deep() {
    let case = Case::DeepGre { depth: 2_500 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(e.input["skipped"]["tunnel_too_deep"], 1, "followed to the depth bound, then counted");
    assert_eq!(e.last_message["cookie"], "wv:after.gre", "the CIR after it is read");
}

#[test]
fn a_hundred_thousand_concatenated_sms_that_never_complete() {
    let case = Case::ConcatSms { n: 100_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    assert_eq!(
        e.input["limits"]["sms_parts_dropped"], 100_000,
        "past 1,024 waiting messages the oldest is given up; the rest are counted at the end"
    );
    let cookies: Vec<&str> = e.messages.iter().map(|m| m["cookie"].as_str().unwrap()).collect();
    assert_eq!(cookies, ["wv:before.smpp", "wv:completes", "wv:after.smpp"], "the one that completes is read");
    assert_eq!(e.messages[1]["sms"]["parts"], 2);
}

#[test]
fn smpp_pdus_whose_lengths_and_strings_lie() {
    let case = Case::SmppLies;
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    let cookies: Vec<&str> = e.messages.iter().map(|m| m["cookie"].as_str().unwrap()).collect();
    let want: Vec<String> = std::iter::once("wv:before.smpp".to_owned())
        .chain((0..7).map(|i| format!("wv:after.lie.{i}")))
        .chain(std::iter::once("wv:after.smpp".to_owned()))
        .collect();
    assert_eq!(cookies, want, "every good PDU after a lie is read, no lie is");
    let limits = &e.input["limits"];
    assert_eq!(limits["smpp_bad_pdus"], 3, "sm_length, a TLV length, an unterminated address");
    assert!(
        limits["smpp_skipped_bytes"].as_u64().unwrap() > 3_000,
        "the PDUs whose headers lie and the garbage are passed over, and counted: {limits}"
    );
}

#[test]
fn gtp_u_extension_header_chains_that_never_end() {
    let case = Case::GtpChains { n: 10_000 };
    let Some((_dir, e, run, _)) = run_ndjson(case) else { return };
    assert_eq!(run.code, 0);
    let cookies: Vec<&str> = e.messages.iter().map(|m| m["cookie"].as_str().unwrap()).collect();
    assert_eq!(cookies, ["wv:before.gtp", "wv:in.gtp", "wv:after.gtp"], "the chains are followed to the packet's end");
    assert_eq!(e.last_message["cookie"], "wv:after.gtp");
}
