//! The plugin under mutation, in the test command: `tests/plugin-mutation.sh 500` has Debian's
//! tshark with the plugin fully dissect 500 `editcap -E` variants of the samples (fixed seeds),
//! and every run must end normally with no crash and no "Dissector bug" of ours.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::process::Command;
use wvcir_tests::{Tshark, in_ci, root};

#[test]
fn five_hundred_mutated_samples_dissect_normally_with_the_plugin() {
    if Tshark::find().is_none() {
        return;
    }
    let editcap = Command::new("editcap").arg("--version").output().is_ok_and(|o| o.status.success());
    if !editcap {
        let msg = "editcap is not installed: `apt-get install wireshark-common` (comes with tshark)";
        assert!(!in_ci(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let out = std::env::temp_dir().join(format!("wvcir-mutation-{}", std::process::id()));
    let run = Command::new("bash").arg(root().join("tests/plugin-mutation.sh")).arg("500").arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&run.stderr));
    let report = std::fs::read_to_string(out.join("report.tsv")).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    assert!(run.status.success(), "plugin-mutation.sh failed: {stdout}");
    let rows: Vec<Vec<&str>> = report.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 500, "one report row per variant");
    let bad: Vec<_> = rows.iter().filter(|r| r[5] != "ok").collect();
    assert!(bad.is_empty(), "variants that did not run normally: {bad:?}");
    // The run means nothing unless the plugin dissected CIR in many of the variants.
    let dissected = rows.iter().filter(|r| r[6].parse::<u64>().unwrap() > 0).count();
    assert!(dissected >= 100, "the plugin dissected messages in only {dissected} variants");
}
