//! Helpers shared by the cross-crate tests in `tests/tests/`.
#![forbid(unsafe_code)]

pub mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The shell command in the fenced block that follows `marker` in `text` (its first non-comment
/// line).
pub fn command_after(text: &str, marker: &str) -> Option<String> {
    let rest = text.split_once(marker)?.1;
    let block = rest.split_once("```")?.1.split_once('\n')?.1.split_once("```")?.0;
    block.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned)
}

/// Whether a missing tool must fail the test (CI) rather than skip it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Debian's tshark, run the way tests must run it.
///
/// tshark run as root ignores personal plugin folders and `WIRESHARK_PLUGIN_DIR`, so as root it
/// runs as nobody (`setpriv`), on a world-readable copy of the input in a scratch folder (a clone
/// under `/root` is not readable by nobody) with that folder as `HOME`.
#[derive(Debug)]
pub struct Tshark {
    as_nobody: bool,
    scratch: PathBuf,
}

impl Tshark {
    /// The tshark of this machine. `None` (with a message saying what to install) when it is
    /// missing outside CI; in CI a missing tshark fails the test.
    pub fn find() -> Option<Tshark> {
        let present = Command::new("tshark").arg("--version").output().is_ok_and(|o| o.status.success());
        if !present {
            let msg = "tshark is not installed: `apt-get install tshark` (Debian), or run .ci/run";
            assert!(!in_ci(), "{msg}");
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        let as_nobody = uid.is_ok_and(|u| u == "0");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let scratch = std::env::temp_dir().join(format!("wvcir-tshark-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&scratch).expect("scratch folder");
        set_mode(&scratch, 0o777);
        Some(Tshark { as_nobody, scratch })
    }

    /// Runs `tshark -r FILE ARGS...` and returns its output.
    pub fn read(&self, file: &Path, args: &[&str]) -> Output {
        let name = file.file_name().map_or_else(|| "input".into(), |n| n.to_os_string());
        let copy = self.scratch.join(name);
        std::fs::copy(file, &copy).expect("copy the capture to the scratch folder");
        set_mode(&copy, 0o644);
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "tshark"]);
            c
        } else {
            Command::new("tshark")
        };
        cmd.env("HOME", &self.scratch).arg("-r").arg(&copy).args(args);
        cmd.output().expect("tshark runs")
    }
}

impl Drop for Tshark {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}
