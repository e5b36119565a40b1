//! The merge's algebra, as the issue states it: any split of the bundled samples into partial
//! reports, any grouping and any order of the merges give the single run's report, byte for byte.
//!
//! The single run and the per-sample partials come from the built `wvcir`; the merges of each case
//! run in process through the same code `wvcir merge` runs. Cases: `WVCIR_MERGE_CASES` (default
//! 10,000, as the issue asks; about 14 ms a case in the test profile).
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use std::process::Command;
use wvcir_analyzer::merge::Part;
use wvcir_analyzer::writer::Document;

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/captures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn wvcir(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_wvcir")).args(args).current_dir(dir).output().unwrap();
    assert!(out.status.code() == Some(0), "wvcir {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn read(bytes: &[u8]) -> Part {
    Part::read_partial(bytes, "case").unwrap().0
}

/// Merges parts in the given order into a partial report's bytes.
fn merge_partial(parts: Vec<Part>, options: &str) -> Vec<u8> {
    let mut all = Part::default();
    parts.into_iter().for_each(|p| all.merge(p));
    let mut out = Vec::new();
    all.write_partial(options, &mut out).unwrap();
    out
}

fn report(parts: Vec<Part>, pretty: bool) -> Vec<u8> {
    let mut all = Part::default();
    parts.into_iter().for_each(|p| all.merge(p));
    let r = all.finish();
    let mut out = Vec::new();
    Document { inputs: &r.inputs, summary: &r.summary, sessions: &r.sessions, pretty }.write(&mut out).unwrap();
    out
}

/// One case: which group each sample goes to, the order inside each group, and the merge tree
/// over the groups (a sequence of "merge the nodes at these two positions").
#[derive(Clone, Debug)]
struct Case {
    groups: Vec<usize>,
    shuffle: Vec<u64>,
    tree: Vec<(usize, usize)>,
    pretty: bool,
}

fn case(n: usize) -> impl Strategy<Value = Case> {
    (1..=n).prop_flat_map(move |k| {
        (
            proptest::collection::vec(0..k, n),
            proptest::collection::vec(any::<u64>(), n),
            proptest::collection::vec((any::<usize>(), any::<usize>()), k),
            any::<bool>(),
        )
            .prop_map(|(groups, shuffle, tree, pretty)| Case { groups, shuffle, tree, pretty })
    })
}

#[test]
fn any_split_grouping_and_order_of_merges_gives_the_single_runs_report() {
    let files = samples();
    assert!(files.len() >= 19, "the bundled samples");
    let dir = files[0].parent().unwrap().to_path_buf();
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let mut args = vec!["analyze", "-j", "2"];
    args.extend(names.iter().map(String::as_str));
    let single = wvcir(&args, &dir);
    let single_pretty = wvcir(&[&args[..], &["--pretty"]].concat(), &dir);
    let partials: Vec<Vec<u8>> = names.iter().map(|n| wvcir(&["analyze", "--partial", n], &dir)).collect();
    let options = Part::read_partial(&partials[0][..], "first").unwrap().1;

    let cases = std::env::var("WVCIR_MERGE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&case(partials.len()), |c| {
            let k = c.groups.iter().max().map_or(0, |m| m + 1);
            // Each group: its samples in a shuffled order, merged into one partial report.
            let mut order: Vec<usize> = (0..partials.len()).collect();
            order.sort_by_key(|i| c.shuffle[*i]);
            let mut nodes: Vec<Vec<u8>> = (0..k)
                .map(|g| {
                    let members = order.iter().filter(|i| c.groups[**i] == g).map(|i| read(&partials[*i])).collect();
                    merge_partial(members, &options)
                })
                .collect();
            // The groups merged two by two in the tree's order, until one is left.
            let mut steps = c.tree.iter().cycle();
            while nodes.len() > 1 {
                let &(a, b) = steps.next().unwrap();
                let a = nodes.remove(a % nodes.len());
                let b = nodes.remove(b % nodes.len());
                nodes.push(merge_partial(vec![read(&a), read(&b)], &options));
            }
            let got = report(vec![read(&nodes[0])], c.pretty);
            let want = if c.pretty { &single_pretty } else { &single };
            prop_assert!(got == *want, "case {c:?}: the merged report differs from the single run's");
            Ok(())
        })
        .unwrap();
}
