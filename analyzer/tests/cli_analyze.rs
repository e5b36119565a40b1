//! `wvcir analyze` as a user runs it: the built binary on the sample captures, damaged files,
//! missing paths, gzip, NDJSON, parallel jobs. Exit status: 0 complete, 1 incomplete, 2 usage.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::wvcir_stdin;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

fn wvcir(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wvcir")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// Parses JSON output; a report or an NDJSON event is also checked against `wvcir schema`.
fn json(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let mut schema: Value = serde_json::from_str(wvcir_analyzer::report::SCHEMA).unwrap();
    if v.get("event").is_some() {
        let defs = schema["$defs"].clone();
        schema = serde_json::json!({"$defs": defs, "$ref": "#/$defs/ndjson_line"});
    } else if v.get("schema_version").is_none() {
        return v;
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "output does not follow the schema: {errors:?}");
    v
}

fn path(rel: &str) -> String {
    samples().join(rel).display().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wvcir-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_good_samples_exit_0_with_every_input_complete() {
    let (code, out, err) = wvcir(&["analyze", "--progress", "never", &path("captures")]);
    assert_eq!(code, 0, "{err}");
    let r = json(&out);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["inputs"].as_array().unwrap().len(), 22);
    assert!(r["inputs"].as_array().unwrap().iter().all(|i| i["complete"] == true && i["error"].is_null()));
    assert!(r["summary"]["cir"].as_u64().unwrap() > 20);
}

#[test]
fn damaged_inputs_keep_what_was_read_and_exit_1() {
    let good = path("captures/wap-push.pcap");
    let (code, out, err) = wvcir(&[
        "analyze",
        &path("bad/truncated.pcap"),
        &path("bad/absurd-length.pcap"),
        &path("bad/not-a-capture.pcap"),
        &path("bad/empty.pcap"),
        &good,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("some inputs were not read completely"), "{err}");
    let r = json(&out);
    let inputs = r["inputs"].as_array().unwrap();
    // Listed by path, whatever the command line's order.
    let expect = [
        ("absurd-length", 270, 3), // 0xFFFFFFF0-byte record after 3 frames
        ("empty", 0, 0),
        ("not-a-capture", 0, 0),
        ("truncated", 1796, 15), // the 16th record is cut short; 15 frames were read before it
    ];
    for (i, (kind, offset, packets)) in expect.into_iter().enumerate() {
        assert!(inputs[i]["path"].as_str().unwrap().ends_with(&format!("bad/{kind}.pcap")), "{}", inputs[i]);
        assert_eq!(inputs[i]["complete"], false);
        assert_eq!(inputs[i]["error"]["kind"], kind, "{}", inputs[i]);
        assert_eq!(inputs[i]["error"]["offset"], offset, "{}", inputs[i]);
        assert_eq!(inputs[i]["packets"], packets, "{}", inputs[i]);
    }
    // Nothing read before the damage is lost: the truncated copy of udp-cir still gives its CIRs.
    let from_truncated: Vec<&Value> = r["messages"].as_array().unwrap().iter().filter(|m| m["input"] == 3).collect();
    assert_eq!(from_truncated.iter().map(|m| m["frame"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 14, 15]);
    // The other inputs are still analysed.
    assert_eq!(inputs[4]["complete"], true);
    assert_eq!(r["messages"].as_array().unwrap().iter().filter(|m| m["input"] == 4).count(), 2);
}

#[test]
fn missing_paths_and_empty_directories_are_reported_not_fatal() {
    let empty = scratch("nocaps");
    std::fs::write(empty.join("notes.txt"), "no captures here").unwrap();
    let (code, out, err) =
        wvcir(&["analyze", "/nonexistent/wvcir.pcap", empty.to_str().unwrap(), &path("captures/raw-ip.pcap")]);
    assert_eq!(code, 1);
    let r = json(&out);
    // Listed by path: where the scratch folder sorts depends on the machine.
    let by_path = |p: &str| r["inputs"].as_array().unwrap().iter().find(|i| i["path"] == p).unwrap().clone();
    assert_eq!(by_path("/nonexistent/wvcir.pcap")["error"]["kind"], "not-found");
    assert_eq!(by_path(empty.to_str().unwrap())["error"]["kind"], "no-captures");
    assert_eq!(by_path(&path("captures/raw-ip.pcap"))["complete"], true);
    assert!(err.contains("/nonexistent/wvcir.pcap: not-found"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(wvcir(&["analyze"]).0, 2, "no input");
    let (code, _, err) = wvcir(&["analyze", "--udp-ports", "99999", &path("captures")]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a port list"), "{err}");
    assert_eq!(wvcir(&["analyze", "--format", "xml", &path("captures")]).0, 2);
    let (code, _, err) = wvcir(&["analyze", "-o", "/nonexistent/dir/report.json", &path("captures")]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot create the output file"), "{err}");
}

#[test]
fn gzip_inputs_are_read_by_magic_and_found_in_directories() {
    let dir = scratch("gz");
    let plain = std::fs::read(samples().join("captures/tcp-cir.pcapng")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    std::fs::write(dir.join("tcp-cir.pcapng.gz"), gz.finish().unwrap()).unwrap();
    let (code, out, _) = wvcir(&["analyze", dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (_, plain_out, _) = wvcir(&["analyze", &path("captures/tcp-cir.pcapng")]);
    let (a, b) = (json(&out), json(&plain_out));
    assert_eq!(a["messages"].as_array().unwrap().len(), b["messages"].as_array().unwrap().len());
    assert_eq!(a["tcp_channels"], b["tcp_channels"]);
    assert_eq!(a["inputs"][0]["format"], "pcapng");
}

#[test]
fn ndjson_carries_the_same_records_one_per_line() {
    let (code, out, _) = wvcir(&["analyze", "--format", "ndjson", "-j", "1", &path("captures")]);
    assert_eq!(code, 0);
    let (_, doc, _) = wvcir(&["analyze", "-j", "1", &path("captures")]);
    let doc = json(&doc);
    let lines: Vec<Value> = out.lines().map(json).collect();
    let count = |e: &str| lines.iter().filter(|l| l["event"] == e).count();
    assert_eq!(count("message"), doc["messages"].as_array().unwrap().len());
    assert_eq!(count("input"), 22);
    assert_eq!(count("session"), doc["sessions"].as_array().unwrap().len());
    assert_eq!(count("tcp_channel"), doc["tcp_channels"].as_array().unwrap().len());
    assert_eq!(count("flow"), doc["flows"].as_array().unwrap().len());
    assert_eq!(lines.last().unwrap()["event"], "summary");
    let mut summary = lines.last().unwrap().clone();
    summary.as_object_mut().unwrap().remove("event");
    assert_eq!(summary, doc["summary"]);
    // Messages stream in frame order within an input.
    let first_msg = lines.iter().find(|l| l["event"] == "message").unwrap();
    let mut m = first_msg.clone();
    m.as_object_mut().unwrap().remove("event");
    assert_eq!(m, doc["messages"][0]);
}

#[test]
fn parallel_jobs_give_the_same_report() {
    let (_, one, _) = wvcir(&["analyze", "-j", "1", &path("captures")]);
    let (_, four, _) = wvcir(&["analyze", "-j", "4", &path("captures")]);
    assert_eq!(json(&one), json(&four));
}

#[test]
fn output_file_and_progress_stay_apart() {
    let dir = scratch("out");
    let report = dir.join("report.json");
    let (code, out, err) =
        wvcir(&["analyze", "--progress", "always", "-o", report.to_str().unwrap(), &path("captures")]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "the report goes to the file only");
    let r = json(&std::fs::read_to_string(&report).unwrap());
    assert_eq!(r["summary"]["inputs"], 22);
    // The progress line (if the run lasted long enough to draw one) is on stderr, never in the report.
    assert!(!err.contains("\"schema_version\""));
}

#[test]
fn port_overrides_and_the_heuristic() {
    // Move the UDP channel off 3717: the CIRs of udp-cir.pcap are then found only by the heuristic.
    let (_, out, _) = wvcir(&["analyze", "--udp-ports", "9999", &path("captures/udp-cir.pcap")]);
    let r = json(&out);
    assert_eq!(r["summary"]["cir"], 4);
    assert!(r["flows"].as_array().unwrap().iter().all(|f| f["heuristic"] == true));
    let (_, out, _) = wvcir(&["analyze", "--udp-ports", "9999", "--no-heuristic", &path("captures/udp-cir.pcap")]);
    assert_eq!(json(&out)["summary"]["cir"], 0);
}

#[test]
fn schema_command_prints_the_schema() {
    let (code, out, _) = wvcir(&["schema"]);
    assert_eq!(code, 0);
    let s = json(&out);
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(s["$defs"]["message"]["required"].as_array().unwrap().iter().any(|k| k == "cookie"));
}

#[test]
fn a_worker_that_panics_costs_its_input_only_and_exits_1() {
    // The test-only hook (wvcir_analyzer::run::PANIC_HOOK_VAR) makes the worker of any input whose
    // path contains "udp-cir" panic.
    for (format, jobs) in [("json", "1"), ("ndjson", "2")] {
        let out = Command::new(env!("CARGO_BIN_EXE_wvcir"))
            .args([
                "analyze",
                "--format",
                format,
                "-j",
                jobs,
                &path("captures/udp-cir.pcap"),
                &path("captures/wap-push.pcap"),
            ])
            .env(wvcir_analyzer::run::PANIC_HOOK_VAR, "udp-cir")
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
        assert_eq!(out.status.code(), Some(1), "{format}: {stderr}");
        let inputs: Vec<Value> = if format == "json" {
            json(&stdout)["inputs"].as_array().unwrap().clone()
        } else {
            stdout.lines().map(json).filter(|l| l["event"] == "input").collect()
        };
        let (broken, fine): (Vec<&Value>, Vec<&Value>) =
            inputs.iter().partition(|i| i["path"].as_str().unwrap().contains("udp-cir"));
        assert_eq!(broken.len(), 1, "{format}: the input is reported, not missing");
        assert_eq!(
            (broken[0]["complete"].as_bool(), broken[0]["error"]["kind"].as_str()),
            (Some(false), Some("internal-error"))
        );
        assert_eq!((fine.len(), fine[0]["complete"].as_bool()), (1, Some(true)), "{format}: the other input is whole");
    }
}

#[test]
fn a_capture_on_standard_input_plain_or_gzip() {
    let file = path("captures/udp-cir.pcap");
    let (_, by_path, _) = wvcir(&["analyze", &file]);
    let bytes = std::fs::read(&file).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    for (what, input) in [("plain", bytes.clone()), ("gzip", gz.finish().unwrap())] {
        let (code, out, err) = wvcir_stdin(&["analyze", "-"], &input);
        assert_eq!(code, 0, "{what}: {err}");
        let (a, b) = (json(&out), json(&by_path));
        assert_eq!(a["inputs"][0]["path"], "-");
        assert_eq!(
            (&a["messages"], &a["summary"]),
            (&b["messages"], &b["summary"]),
            "{what}: the same report as the file's"
        );
    }
}

#[test]
fn files_from_a_list_or_stdin_nul_separated_and_duplicates_read_once() {
    let dir = scratch("files-from");
    let (a, b) = (path("captures/udp-cir.pcap"), path("captures/wap-push.pcap"));
    let list = dir.join("list.txt");
    std::fs::write(&list, format!("{a}\n\n{b}\n{a}\n")).unwrap();
    let (code, out, err) = wvcir(&["analyze", "--files-from", list.to_str().unwrap()]);
    assert_eq!(code, 0, "a duplicate path is no failure: {err}");
    let r = json(&out);
    let kinds: Vec<Value> = r["inputs"].as_array().unwrap().iter().map(|i| i["error"]["kind"].clone()).collect();
    // By path: udp-cir.pcap twice (its duplicate after it), then wap-push.pcap.
    assert_eq!(kinds, [Value::Null, Value::from("duplicate"), Value::Null]);
    assert_eq!(r["summary"]["cir"], 6, "udp-cir.pcap's 4 CIRs counted once, wap-push.pcap's 2");
    let (code, out, _) = wvcir_stdin(&["analyze", "--files-from", "-", "--null"], format!("{b}\0").as_bytes());
    assert_eq!((code, json(&out)["inputs"][0]["path"].as_str()), (0, Some(b.as_str())));
    let (code, _, err) = wvcir_stdin(&["analyze", "--files-from", "-", "-"], b"");
    assert_eq!(code, 2, "stdin cannot be both: {err}");
    assert!(err.contains("cannot be both"), "{err}");
}

/// The summary and sessions do not depend on the order inputs are named in (only `inputs[]` and
/// the indices into it follow the command line).
#[test]
fn the_order_of_inputs_changes_nothing() {
    let mut files: Vec<String> = std::fs::read_dir(samples().join("captures"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".pcap") || p.ends_with(".pcapng"))
        .collect();
    files.sort();
    let run = |files: &[String]| {
        let args: Vec<&str> =
            ["analyze", "--progress", "never"].into_iter().chain(files.iter().map(String::as_str)).collect();
        let (code, out, err) = wvcir(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let forward = run(&files);
    assert!(json(&forward)["sessions"].as_array().unwrap().len() > 5, "the samples have sessions to compare");
    files.reverse();
    assert!(run(&files) == forward, "the same report, byte for byte, in reverse order");
    files.rotate_left(7);
    assert!(run(&files) == forward, "the same report, byte for byte, rotated");
}
