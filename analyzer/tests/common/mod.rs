//! What the CLI test files share: running the built `wvcir` with bytes on its standard input.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `wvcir ARGS` with `stdin` fed to it (from a thread, so that a large input cannot block
/// on a full pipe): exit code, stdout, stderr.
pub(crate) fn wvcir_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wvcir"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || drop(input.write_all(&data)));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}
