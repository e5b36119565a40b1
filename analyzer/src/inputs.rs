//! Inputs: the command line's paths expanded (directories walked, sorted), each opened (gzip by
//! its magic number) and handed to the analysis.

use crate::analysis::{self, Config, InputResult, Progress, Record};
use crate::report::{ErrorRec, InputRec};
use crate::sessions::Sessions;
use crate::vocab::InputErrorKind;
#[cfg(test)]
use crate::vocab::Vocabulary;
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
    /// Standard input (`-`): a capture streamed in, plain or gzip, not seekable; the report
    /// names it by this path (`-`, or `analyze --stdin-name`).
    Stdin(PathBuf),
    /// A path that cannot be read as an input, and why.
    Unreadable(PathBuf, InputErrorKind, String),
}

/// The name standard input has in the report.
pub const STDIN_NAME: &str = "-";

impl Input {
    /// The path, as the report names it.
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Unreadable(p, ..) | Input::Stdin(p) => p,
        }
    }
}

/// How paths are expanded.
#[derive(Clone, Copy, Debug, Default)]
pub struct Walk {
    /// Follow symbolic links to directories (loops are detected and reported).
    pub follow: bool,
}

fn is_capture_name(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    CAPTURE_EXTENSIONS.iter().any(|ext| name.ends_with(&format!(".{ext}")))
}

/// A file's identity: device and inode, so that one file reached by two paths is read once.
fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// What a walk found and what it passed over.
#[derive(Default)]
struct Found {
    files: Vec<PathBuf>,
    /// Directories on the current path (for loop detection when following links).
    stack: Vec<(u64, u64)>,
    /// Paths that could not be walked, and why.
    problems: Vec<(PathBuf, InputErrorKind, String)>,
}

fn walk(dir: &Path, found: &mut Found, how: Walk, depth: usize) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            return found.problems.push((
                dir.to_path_buf(),
                InputErrorKind::Io,
                format!("cannot list the directory: {e}"),
            ));
        }
    };
    entries.sort();
    for p in entries {
        let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if p.is_dir() {
            if link && !how.follow {
                continue; // a symlinked directory is walked only with --follow
            }
            let id = identity(&p);
            if id.is_some_and(|id| found.stack.contains(&id)) {
                let msg = "a symbolic link loops back to a directory being walked; not followed again".to_owned();
                found.problems.push((p, InputErrorKind::Loop, msg));
                continue;
            }
            if depth < MAX_DEPTH {
                found.stack.extend(id);
                walk(&p, found, how, depth + 1);
                if id.is_some() {
                    found.stack.pop();
                }
            }
        } else if p.is_file() && is_capture_name(&p) {
            found.files.push(p);
        }
    }
}

/// Expands the command line's paths: `-` is standard input, files as given, directories searched
/// (recursively, sorted) for captures. Paths that cannot be inputs become [`Input::Unreadable`]
/// entries, so the report says what happened to each; a file reached twice (the same device and
/// inode) is read once, its later paths reported as duplicates.
pub fn expand(paths: &[PathBuf], how: Walk) -> Vec<Input> {
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == STDIN_NAME {
            inputs.push(Input::Stdin(PathBuf::from(STDIN_NAME)));
        } else if p.is_dir() {
            let mut found = Found { stack: identity(p).into_iter().collect(), ..Found::default() };
            walk(p, &mut found, how, 0);
            let empty = found.files.is_empty() && found.problems.is_empty();
            inputs.extend(found.problems.into_iter().map(|(p, k, m)| Input::Unreadable(p, k, m)));
            inputs.extend(found.files.into_iter().map(Input::File));
            if empty {
                let msg = "the directory holds no .pcap, .pcapng or .cap file (plain or .gz)".to_owned();
                inputs.push(Input::Unreadable(p.clone(), InputErrorKind::NoCaptures, msg));
            }
        } else if p.exists() {
            inputs.push(Input::File(p.clone()));
        } else {
            inputs.push(Input::Unreadable(p.clone(), InputErrorKind::NotFound, "no such file or directory".to_owned()));
        }
    }
    mark_duplicates(inputs)
}

/// Keeps the first path of each file; later paths to the same file become duplicates.
fn mark_duplicates(inputs: Vec<Input>) -> Vec<Input> {
    let mut seen: std::collections::HashMap<(u64, u64), PathBuf> = std::collections::HashMap::new();
    let mut stdin_seen = false;
    inputs
        .into_iter()
        .map(|input| match input {
            Input::Stdin(_) if std::mem::replace(&mut stdin_seen, true) => {
                let msg = "standard input named twice: it is read once".to_owned();
                Input::Unreadable(PathBuf::from(STDIN_NAME), InputErrorKind::Duplicate, msg)
            }
            Input::File(p) => match identity(&p) {
                Some(id) => match seen.get(&id) {
                    Some(first) => {
                        let msg = format!("the same file as {}: analysed once, under that path", first.display());
                        Input::Unreadable(p, InputErrorKind::Duplicate, msg)
                    }
                    None => {
                        seen.insert(id, p.clone());
                        Input::File(p)
                    }
                },
                None => Input::File(p),
            },
            other => other,
        })
        .collect()
}

/// Paths listed in a file (or on standard input), one per line or NUL-separated; empty entries
/// are skipped.
pub fn paths_from(list: &[u8], nul: bool) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let sep = if nul { b'\0' } else { b'\n' };
    list.split(|&b| b == sep)
        .map(|p| if nul { p } else { p.strip_suffix(b"\r").unwrap_or(p) })
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(std::ffi::OsStr::from_bytes(p)))
        .collect()
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
    let (path, file): (&Path, Box<dyn Read + Send>) = match input {
        Input::File(p) => match File::open(p) {
            Ok(f) => (p, Box::new(f)),
            Err(e) => return failed(p, InputErrorKind::Io, format!("cannot open: {e}")),
        },
        Input::Stdin(name) => (name, Box::new(std::io::stdin())),
        Input::Unreadable(p, kind, msg) => return failed(p, *kind, msg.clone()),
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
        let got = expand(&[dir.clone(), empty.clone(), dir.join("missing.pcap")], Walk::default());
        let files: Vec<String> = got
            .iter()
            .filter_map(|i| match i {
                Input::File(p) => Some(p.strip_prefix(&dir).unwrap().display().to_string()),
                Input::Unreadable(..) | Input::Stdin(_) => None,
            })
            .collect();
        assert_eq!(files, ["a.pcap", "b/x.PCAPNG.gz", "c.cap"]);
        let kinds: Vec<InputErrorKind> =
            got.iter().filter_map(|i| if let Input::Unreadable(_, k, _) = i { Some(*k) } else { None }).collect();
        assert_eq!(kinds, [InputErrorKind::NoCaptures, InputErrorKind::NotFound]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn symlinked_directories_are_followed_only_when_asked_loops_and_duplicates_are_reported() {
        let dir = std::env::temp_dir().join(format!("wvcir-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("d")).unwrap();
        std::fs::write(dir.join("d/a.pcap"), b"").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("d/loop")).unwrap(); // a directory that contains itself
        std::os::unix::fs::symlink(dir.join("d/a.pcap"), dir.join("b.pcap")).unwrap();
        let kinds = |inputs: &[Input]| -> Vec<String> {
            inputs
                .iter()
                .map(|i| match i {
                    Input::File(p) => p.strip_prefix(&dir).unwrap().display().to_string(),
                    Input::Unreadable(p, k, _) => format!("{} {}", p.strip_prefix(&dir).unwrap().display(), k.name()),
                    Input::Stdin(_) => "-".to_owned(),
                })
                .collect()
        };
        let plain = expand(std::slice::from_ref(&dir), Walk::default());
        assert_eq!(
            kinds(&plain),
            ["b.pcap", "d/a.pcap duplicate"],
            "a link to a file is a path to it; to a directory, skipped"
        );
        let follow = expand(std::slice::from_ref(&dir), Walk { follow: true });
        assert_eq!(kinds(&follow), ["d/loop loop", "b.pcap", "d/a.pcap duplicate"]);
        assert!(matches!(expand(&[PathBuf::from("-")], Walk::default())[..], [Input::Stdin(_)]));
        assert_eq!(paths_from(b"a.pcap\r\n\nb c.pcap\n", false), [PathBuf::from("a.pcap"), PathBuf::from("b c.pcap")]);
        assert_eq!(paths_from(b"x\ny.pcap\0z.pcap\0", true), [PathBuf::from("x\ny.pcap"), PathBuf::from("z.pcap")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
