//! Inputs: the command line's paths expanded (directories walked, sorted), each opened (gzip by
//! its magic number) and handed to the analysis.

use crate::analysis::{self, Config, InputResult, Progress, Record};
use crate::report::{ErrorRec, InputRec};
use crate::sessions::Sessions;
use crate::vocab::InputErrorKind;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Extensions searched for in a directory (case-insensitive), each also with `.gz`.
pub const CAPTURE_EXTENSIONS: [&str; 3] = ["pcap", "pcapng", "cap"];
/// How deep a directory walk goes.
const MAX_DEPTH: usize = 32;

/// One input as given on the command line, expanded.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file to read.
    File(PathBuf),
    /// A path that cannot be read as an input, and why.
    Unreadable(PathBuf, InputErrorKind, String),
}

impl Input {
    /// The path, as the report names it.
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Unreadable(p, ..) => p,
        }
    }
}

fn is_capture_name(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    CAPTURE_EXTENSIONS.iter().any(|ext| name.ends_with(&format!(".{ext}")))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && depth < MAX_DEPTH {
            walk(&p, out, depth + 1)?;
        } else if p.is_file() && is_capture_name(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Expands the command line's paths: files as given, directories searched (recursively, sorted)
/// for captures. Paths that cannot be inputs become [`Input::Unreadable`] entries, so the report
/// says what happened to each.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            match walk(p, &mut found, 0) {
                Err(e) => inputs.push(Input::Unreadable(
                    p.clone(),
                    InputErrorKind::Io,
                    format!("cannot list the directory: {e}"),
                )),
                Ok(()) if found.is_empty() => inputs.push(Input::Unreadable(
                    p.clone(),
                    InputErrorKind::NoCaptures,
                    "the directory holds no .pcap, .pcapng or .cap file (plain or .gz)".to_owned(),
                )),
                Ok(()) => inputs.extend(found.into_iter().map(Input::File)),
            }
        } else if p.exists() {
            inputs.push(Input::File(p.clone()));
        } else {
            inputs.push(Input::Unreadable(p.clone(), InputErrorKind::NotFound, "no such file or directory".to_owned()));
        }
    }
    inputs
}

/// The result of an input that could not be analysed at all.
pub fn failed(path: &Path, kind: InputErrorKind, message: String) -> InputResult {
    InputResult {
        input: InputRec {
            error: Some(ErrorRec { kind, message, offset: 0 }),
            ..InputRec::new(path.display().to_string())
        },
        sessions: Sessions::default(),
    }
}

/// Opens and analyses one input; gzip is recognised by its magic number, whatever the name.
pub fn analyze(
    index: usize,
    input: &Input,
    cfg: &Config,
    progress: &Progress,
    on_record: &mut dyn FnMut(Record),
) -> InputResult {
    let path = match input {
        Input::File(p) => p,
        Input::Unreadable(p, kind, msg) => return failed(p, *kind, msg.clone()),
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return failed(path, InputErrorKind::Io, format!("cannot open: {e}")),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let gz = match reader.fill_buf() {
        Ok(head) => crate::capture::is_gzip(head),
        Err(e) => return failed(path, InputErrorKind::Io, format!("cannot read: {e}")),
    };
    let name = path.display().to_string();
    let src: Box<dyn Read> = if gz { Box::new(flate2::bufread::MultiGzDecoder::new(reader)) } else { Box::new(reader) };
    analysis::analyze(index, &name, src, cfg, progress, on_record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_sorted_and_empty_ones_say_so() {
        let dir = std::env::temp_dir().join(format!("wvcir-inputs-{}", std::process::id()));
        let sub = dir.join("b");
        std::fs::create_dir_all(&sub).unwrap();
        for name in ["b/x.PCAPNG.gz", "a.pcap", "notes.txt", "c.cap"] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let empty = dir.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let got = expand(&[dir.clone(), empty.clone(), dir.join("missing.pcap")]);
        let files: Vec<String> = got
            .iter()
            .filter_map(|i| match i {
                Input::File(p) => Some(p.strip_prefix(&dir).unwrap().display().to_string()),
                Input::Unreadable(..) => None,
            })
            .collect();
        assert_eq!(files, ["a.pcap", "b/x.PCAPNG.gz", "c.cap"]);
        let kinds: Vec<InputErrorKind> =
            got.iter().filter_map(|i| if let Input::Unreadable(_, k, _) = i { Some(*k) } else { None }).collect();
        assert_eq!(kinds, [InputErrorKind::NoCaptures, InputErrorKind::NotFound]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
