//! Helpers shared by the cross-crate tests in `tests/tests/`.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

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
