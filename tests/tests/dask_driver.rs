//! The Dask driver's own tests (`dask/tests`, pytest) on a real LocalCluster and a real loopback
//! `dask scheduler` with two `dask worker` processes, run with the release `wvcir`.
//!
//! The Python side lives in a virtual environment: `dask/.venv` (made by `.ci/run`), or the
//! Python interpreter named by `WVCIR_DASK_PYTHON`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use wvcir_tests::{in_ci, release_analyzer, root};

fn python() -> PathBuf {
    std::env::var_os("WVCIR_DASK_PYTHON").map_or_else(|| root().join("dask/.venv/bin/python"), PathBuf::from)
}

/// The Python with the driver installed, or `None` after saying what to install (a failure in CI).
fn ready_python() -> Option<PathBuf> {
    let python = python();
    let ready = Command::new(&python)
        .args(["-c", "import wvcir_dask, distributed, fsspec, pytest"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        return Some(python);
    }
    let msg = format!(
        "no Python with wvcir-dask, dask.distributed and pytest at {}: `python3 -m venv dask/.venv && \
         dask/.venv/bin/pip install -e 'dask[test]'`, or run .ci/run",
        python.display()
    );
    assert!(!in_ci(), "{msg}");
    eprintln!("SKIPPED: {msg}");
    None
}

/// The lines of the fenced block after `marker`.
fn block_after(text: &str, marker: &str) -> String {
    let rest = text.split_once(marker).unwrap().1;
    rest.split_once("```").unwrap().1.split_once('\n').unwrap().1.split_once("```").unwrap().0.to_owned()
}

#[test]
fn the_readmes_distributed_example_runs_as_written() {
    let Some(python) = ready_python() else { return };
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let script = block_after(&readme, "<!-- distributed-example -->");
    assert!(script.contains("wvcir merge") && script.contains("wvcir-dask"), "{script}");
    // A tree shaped like a clean clone's (target/release/wvcir, samples/, dask/.venv), wherever
    // cargo put the binary.
    let dir = std::env::temp_dir().join(format!("wvcir-readme-dask-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("target/release")).unwrap();
    std::fs::create_dir_all(dir.join("dask")).unwrap();
    std::os::unix::fs::symlink(release_analyzer(), dir.join("target/release/wvcir")).unwrap();
    std::os::unix::fs::symlink(root().join("samples"), dir.join("samples")).unwrap();
    let venv = python.parent().and_then(|b| b.parent()).unwrap();
    std::os::unix::fs::symlink(venv, dir.join("dask/.venv")).unwrap();
    let out = Command::new("bash").args(["-euo", "pipefail", "-c", &script]).current_dir(&dir).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the README's example failed:\n{script}\n{err}");
    assert!(out.stdout.is_empty(), "every cmp is silent: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_dask_driver_gives_the_single_runs_report_on_real_clusters() {
    let Some(python) = ready_python() else { return };
    let out = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "dask/tests"])
        .env("WVCIR_BIN", release_analyzer())
        .current_dir(root())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "pytest dask/tests failed:\n{text}");
    assert!(text.contains("4 passed"), "every driver test ran:\n{text}");
}
