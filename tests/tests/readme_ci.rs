//! The README's two set-up commands exist, and CI runs exactly the README's test command.
#![allow(clippy::unwrap_used)]

use wvcir_tests::{command_after, root};

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let test_cmd = command_after(&readme, "<!-- test-command -->").expect("README marks its test command");
    let main_cmd = command_after(&readme, "<!-- main-command -->").expect("README marks its main command");
    assert!(test_cmd.starts_with("cargo "), "{test_cmd}");
    assert!(main_cmd.starts_with("cargo run"), "{main_cmd}");
    let ci_lines: Vec<&str> = ci.lines().map(str::trim).collect();
    assert!(ci_lines.contains(&test_cmd.as_str()), ".ci/run must run `{test_cmd}` as a line of its own");
}

#[test]
fn marker_parsing() {
    let text = "x\n<!-- m -->\n```sh\n# comment\ncargo test --workspace\n```\n";
    assert_eq!(command_after(text, "<!-- m -->").as_deref(), Some("cargo test --workspace"));
    assert_eq!(command_after(text, "<!-- none -->"), None);
}
