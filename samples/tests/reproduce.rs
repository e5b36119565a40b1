//! The committed captures and README tables are exactly what the generator writes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;

#[test]
fn generator_reproduces_the_committed_files_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let files = wvcir_samples::all_files(&template);
    let mut total = 0;
    for (rel, bytes) in &files {
        let committed =
            std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}; run `cargo run -p wvcir-samples`"));
        assert!(committed == *bytes, "{rel} differs from what the generator writes; run `cargo run -p wvcir-samples`");
        total += bytes.len();
    }
    assert!(total < 256 * 1024, "the sample set should stay small: {total} bytes");
    // Nothing committed under captures/ that the generator does not write.
    let mut on_disk = Vec::new();
    for sub in ["captures", "bad"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                on_disk.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    for f in on_disk {
        assert!(files.iter().any(|(rel, _)| *rel == f), "{f} is not written by the generator");
    }
}

#[test]
fn two_runs_give_the_same_bytes() {
    let a = wvcir_samples::all_files("");
    let b = wvcir_samples::all_files("");
    assert_eq!(a, b);
}

#[test]
fn every_cir_note_is_a_decodable_cir() {
    // The notes promise what the frames carry; the core agrees for every CIR it can see in one frame.
    for s in wvcir_samples::samples() {
        for (frame, note) in s.notes() {
            if note.starts_with("CIR: WVCI")
                || note.starts_with("CIR in")
                || note.starts_with("CIR over")
                || note.starts_with("CIR on")
            {
                let data = &s.capture.packets[frame - 1].data;
                let found = data.windows(5).any(|w| w == b"WVCI ");
                assert!(found, "{} frame {frame} ({note}) holds no CIR", s.name);
            }
        }
    }
}
