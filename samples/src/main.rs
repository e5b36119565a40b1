//! Writes the sample captures and the frame tables of their README, or a synthetic capture.
//!
//! ```text
//! wvcir-samples [DIR]                      rewrite samples/ (or DIR) in place
//! wvcir-samples synth OUT PACKETS [SEED] [--pcapng] [--no-cir]
//!                                          a busy-network capture for benchmarks
//! wvcir-samples hostile DIR                the hostile captures of the robustness suite, full size
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

fn hostile(args: &[String]) -> ExitCode {
    let [dir] = args else {
        eprintln!("usage: wvcir-samples hostile DIR");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("wvcir-samples: cannot create {dir}: {e}");
        return ExitCode::FAILURE;
    }
    for case in wvcir_samples::hostile::Case::FULL {
        let path = PathBuf::from(dir).join(case.file_name());
        let written = std::fs::File::create(&path).and_then(|f| case.write(f));
        match written {
            Ok(damage) => {
                let at = damage.map(|o| format!(", damage at byte {o}")).unwrap_or_default();
                println!("wrote {}: {}{at}", path.display(), case.what());
            }
            Err(e) => {
                eprintln!("wvcir-samples: writing {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("synth") => return synth(args.get(1..).unwrap_or_default()),
        Some("hostile") => return hostile(args.get(1..).unwrap_or_default()),
        _ => {}
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
