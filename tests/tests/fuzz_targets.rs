//! Every fuzz target still builds, without warnings. The fuzz crates sit outside the workspace
//! (cargo-fuzz wants them so), so nothing else in the test command compiles them: a change to the
//! code they drive once left one unbuildable until the next fuzzing run.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use wvcir_tests::root;

#[test]
fn every_fuzz_crate_checks_without_warnings() {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> -> target/fuzz-check
    let target = exe.ancestors().nth(3).unwrap().join("fuzz-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for krate in ["cir/fuzz", "analyzer/fuzz", "dissector-ffi/fuzz"] {
        let out = Command::new(&cargo)
            .args(["check", "--locked", "--bins", "--message-format", "short", "--manifest-path"])
            .arg(root().join(krate).join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{krate} does not build:\n{stderr}");
        // Only the fuzz targets' own warnings (short format: `fuzz_targets/x.rs:1:2: warning: ...`).
        let warnings: Vec<&str> =
            stderr.lines().filter(|l| l.contains("fuzz_targets/") && l.contains("warning")).collect();
        assert!(warnings.is_empty(), "{krate}:\n{}", warnings.join("\n"));
    }
}
