//! The README's install command, run for real: `dissector-ffi/install.sh DIR` builds the plugin,
//! puts it in `DIR/<major.minor>/epan/wvcir.so` for the Wireshark found here and says where, and
//! tshark pointed at DIR with `WIRESHARK_PLUGIN_DIR` (as the README says) loads it from there and
//! decodes a sample with it. Not part of the chroot runs: install.sh would see this machine's
//! tshark there, not the chroot's.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::process::Command;
use wvcir_tests::{Tshark, chroot, root};

#[test]
fn install_sh_puts_the_plugin_where_tshark_loads_it() {
    if chroot().is_some() {
        eprintln!("SKIPPED: install.sh installs for this machine's Wireshark, not WVCIR_CHROOT's");
        return;
    }
    let Some(t) = Tshark::find() else { return };
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("dissector-ffi/install.sh /some/dir"), "the README still names this command");

    let dest = t.scratch().join("installed plugins");
    let run = Command::new("bash").arg(root().join("dissector-ffi/install.sh")).arg(&dest).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "install.sh failed: {stdout}{}", String::from_utf8_lossy(&run.stderr));
    let version = Tshark::version().unwrap();
    let so = dest.join(&version).join("epan").join("wvcir.so");
    assert!(
        stdout.lines().any(|l| l == format!("installed for Wireshark {version}: {}", so.display())),
        "install.sh says where it put the plugin for {version}: {stdout}"
    );

    let t = t.with_plugin_dir(&dest);
    let plugins = String::from_utf8(t.run(&["-G", "plugins"]).stdout).unwrap();
    let line = plugins.lines().find(|l| l.starts_with("wvcir.so")).unwrap_or_else(|| panic!("not loaded:\n{plugins}"));
    assert!(line.trim_end().ends_with(&so.display().to_string()), "loaded from the installed file: {line}");

    let out = t.read(
        &root().join("samples/captures/udp-cir.pcap"),
        &["-Y", "wvcir", "-T", "fields", "-e", "frame.number", "-e", "wvcir.command", "-e", "wvcir.cookie"],
    );
    let first = String::from_utf8(out.stdout).unwrap().lines().next().map(str::to_owned);
    assert_eq!(first.as_deref(), Some("3\tWVCI\twv:nokia.1804289383"), "the samples README's frame 3");
}
