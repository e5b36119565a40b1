//! Every jq recipe in the README, run with the real `jq` on the report of the README's main
//! command, prints exactly the output the README shows.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, sample_paths};
use wvcir_tests::{in_ci, root};

/// `(command, expected output)` of each `<!-- jq-recipe -->` block.
fn recipes(readme: &str) -> Vec<(String, String)> {
    readme
        .split("<!-- jq-recipe -->")
        .skip(1)
        .map(|part| {
            let mut blocks = part.split("```").skip(1).step_by(2);
            let cmd = blocks.next().unwrap().strip_prefix("sh\n").unwrap().trim().to_owned();
            let out = blocks.next().unwrap().strip_prefix("text\n").unwrap().to_owned();
            (cmd, out)
        })
        .collect()
}

#[test]
fn readme_jq_recipes_print_what_the_readme_says() {
    if Command::new("jq").arg("--version").output().is_err() {
        let msg = "jq is not installed: `apt-get install jq`, or run .ci/run";
        assert!(!in_ci(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let recipes = recipes(&readme);
    assert!(recipes.len() >= 6, "the README promises at least six recipes, found {}", recipes.len());
    // The report of the main command: every capture under samples/captures, in directory order.
    let paths: Vec<String> = sample_paths().iter().map(|p| p.display().to_string()).collect();
    let report = analyze(&paths.iter().map(String::as_str).collect::<Vec<_>>(), OutFormat::Json);
    let dir = std::env::temp_dir().join(format!("wvcir-jq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report.json"), report).unwrap();
    // Recipes that join other tools' logs read them from samples/, as from the checkout's root.
    let _ = std::fs::remove_file(dir.join("samples"));
    std::os::unix::fs::symlink(root().join("samples"), dir.join("samples")).unwrap();
    for (cmd, want) in recipes {
        let out = Command::new("sh").arg("-c").arg(&cmd).current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{cmd}\n{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), want, "{cmd}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_main_command_analyses_the_same_captures() {
    // The recipes' report is built in-process from sample_paths(); the README's main command reads
    // samples/captures. Both must name the same files.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let main = wvcir_tests::command_after(&readme, "<!-- main-command -->").unwrap();
    assert!(main.contains("analyze samples/captures") && main.contains("-o report.json"), "{main}");
    let listed: Vec<String> = std::fs::read_dir(root().join("samples/captures"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| format!("samples/captures/{}", e.file_name().to_string_lossy()))
        .collect();
    assert_eq!(listed.len(), sample_paths().len());
}
