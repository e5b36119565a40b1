//! Every constant and layout the plugin declares for the installed Wireshark equals what the
//! real headers say: `dissector-ffi/abi/abi_check.c` compiled against libwireshark-dev.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::process::Command;
use wvcir_dissector::wireshark::abi;
use wvcir_tests::{chroot, in_ci, root};

/// A command run here, or inside `WVCIR_CHROOT` when it is set.
fn cmd(program: &str) -> Command {
    match chroot() {
        Some(r) => {
            let mut c = Command::new("chroot");
            c.arg(r).arg(program);
            c
        }
        None => Command::new(program),
    }
}

#[test]
fn the_plugin_tables_match_the_installed_headers() {
    let flags = cmd("pkg-config").args(["--cflags", "wireshark"]).output();
    let Some(flags) = flags.ok().filter(|o| o.status.success()) else {
        let msg = "libwireshark-dev is not installed: `apt-get install libwireshark-dev libglib2.0-dev pkg-config`, or run .ci/run";
        assert!(!in_ci(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        return;
    };
    // Built and run where the headers are (inside the chroot, if any): paths as seen from there.
    let name = format!("wvcir-abi-{}", std::process::id());
    let (dir, seen) = match chroot() {
        Some(r) => (r.join("tmp").join(&name), std::path::Path::new("/tmp").join(&name)),
        None => (std::env::temp_dir().join(&name), std::env::temp_dir().join(&name)),
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join("dissector-ffi/abi/abi_check.c"), dir.join("abi_check.c")).unwrap();
    let cflags = String::from_utf8(flags.stdout).unwrap();
    let status = cmd("cc")
        .args(cflags.split_whitespace())
        .arg(seen.join("abi_check.c"))
        .arg("-o")
        .arg(seen.join("abi_check"))
        .status()
        .unwrap();
    assert!(status.success(), "abi_check.c does not compile against the installed headers");
    let out = String::from_utf8(cmd(seen.join("abi_check").to_str().unwrap()).output().unwrap().stdout).unwrap();
    let real: std::collections::HashMap<&str, i64> =
        out.lines().filter_map(|l| l.split_once(' ')).map(|(k, v)| (k, v.parse().unwrap())).collect();
    let version = real["version"];
    let table = abi::for_version((version / 100) as i32, (version % 100) as i32)
        .unwrap_or_else(|| panic!("the plugin has no table for the installed Wireshark {version}"));
    for (name, value) in abi::check_lines(table) {
        assert_eq!(
            real.get(name),
            Some(&value),
            "{name}: the plugin says {value}, the headers say {:?}",
            real.get(name)
        );
    }
    // The layouts ffi.rs asserts at compile time and its fixed constants.
    for (name, value) in abi::fixed_lines() {
        assert_eq!(real[name], value, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
