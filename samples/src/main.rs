//! Writes the sample captures and the frame tables of their README.
//!
//! `cargo run -p wvcir-samples` rewrites `samples/` in place; give another folder to write there.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os().nth(1).map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    match wvcir_samples::write_all(&dir) {
        Ok(files) => {
            for f in files {
                println!("wrote {}/{f}", dir.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wvcir-samples: cannot write under {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
