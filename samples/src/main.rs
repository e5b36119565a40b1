//! Writes the sample captures and the frame tables of their README, or a synthetic capture.
//!
//! ```text
//! wvcir-samples [DIR]                      rewrite samples/ (or DIR) in place
//! wvcir-samples synth OUT PACKETS [SEED] [--pcapng] [--no-cir]
//!                                          a busy-network capture for benchmarks
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn synth(args: &[String]) -> ExitCode {
    let flags: Vec<&String> = args.iter().filter(|a| a.starts_with("--")).collect();
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (Some(out), Some(Ok(packets))) = (pos.first(), pos.get(1).map(|p| p.parse::<u64>())) else {
        eprintln!("usage: wvcir-samples synth OUT PACKETS [SEED] [--pcapng] [--no-cir]");
        return ExitCode::from(2);
    };
    let seed = pos.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let cfg = wvcir_samples::synth::Synth {
        packets,
        seed,
        pcapng: flags.iter().any(|f| *f == "--pcapng"),
        cir_per_mille: if flags.iter().any(|f| *f == "--no-cir") { 0 } else { 10 },
    };
    let file = match std::fs::File::create(out.as_str()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("wvcir-samples: cannot create {out}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match wvcir_samples::synth::write(cfg, std::io::BufWriter::with_capacity(1 << 20, file)) {
        Ok(n) => {
            println!("wrote {out}: {packets} packets, {n} CIR-protocol messages");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wvcir-samples: writing {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "synth") {
        return synth(args.get(1..).unwrap_or_default());
    }
    let dir = args.first().map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
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
