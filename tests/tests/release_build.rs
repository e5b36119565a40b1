//! The release artefacts `dissector-ffi/release.sh` makes, inspected: the portable Linux plugin
//! needs at most GLIBC_2.17, exports what the normal build exports, has its load-time initializer
//! and loads into this machine's tshark; the Windows DLL exports the plugin's symbols; the macOS
//! universal file has both slices, each with the symbols, the `__mod_init_func` initializer and an
//! old enough minimum macOS, and its arm64 slice carries a valid ad-hoc signature (page hashes
//! checked here). The macOS and Windows files are built and inspected, never run.
//!
//! release.sh runs once per part and test process, into `target/release-artefacts/` (its own cargo
//! target folder, so it never fights the other tests' builds) and a `dist-<part>/` folder there.
//! A missing tool (release.sh exits 3 naming the install command) skips the test outside CI and
//! fails it in CI.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wvcir_tests::{Tshark, in_ci, plugin_library, root};

/// The highest glibc version the portable build may need (release.sh's `glibc_floor`).
const GLIBC_FLOOR: (u32, u32) = (2, 17);

/// What Wireshark's loader reads from every plugin, and the C API.
const EXPORTS: [&str; 9] = [
    "plugin_version",
    "plugin_want_major",
    "plugin_want_minor",
    "plugin_register",
    "plugin_describe",
    "wvcir_decode",
    "wvcir_gsm7_unpack",
    "wvcir_anomaly_name",
    "wvcir_version",
];

/// `target/release-artefacts/`, beside this test's own profile folder.
fn release_target() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> -> target
    let target = exe.parent().and_then(Path::parent).and_then(Path::parent).unwrap();
    target.join("release-artefacts")
}

/// Skips (outside CI) or fails (in CI) a test that lacks a tool.
fn missing(what: &str) -> Option<PathBuf> {
    assert!(!in_ci(), "{what}");
    eprintln!("SKIPPED: {what}");
    None
}

/// Runs `release.sh PART` once per test process; its dist folder, or `None` when a tool is missing.
fn release(part: &'static str) -> Option<PathBuf> {
    static LINUX: OnceLock<Option<PathBuf>> = OnceLock::new();
    static WINDOWS: OnceLock<Option<PathBuf>> = OnceLock::new();
    static MACOS: OnceLock<Option<PathBuf>> = OnceLock::new();
    let once = match part {
        "linux" => &LINUX,
        "windows" => &WINDOWS,
        _ => &MACOS,
    };
    once.get_or_init(|| {
        let target = release_target();
        let dist = target.join(format!("dist-{part}"));
        let _ = std::fs::remove_dir_all(&dist);
        let out = Command::new("bash")
            .arg(root().join("dissector-ffi/release.sh"))
            .arg(part)
            .env("CARGO_TARGET_DIR", &target)
            .env("WVCIR_DIST", &dist)
            .output()
            .expect("bash runs release.sh");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(3) {
            let says =
                stderr.lines().filter(|l| l.starts_with("release.sh") || l.starts_with("  ")).collect::<Vec<_>>();
            return missing(&says.join("\n"));
        }
        assert!(out.status.success(), "release.sh {part} failed:\n{}{stderr}", String::from_utf8_lossy(&out.stdout));
        eprintln!("{}", String::from_utf8_lossy(&out.stdout));
        Some(dist)
    })
    .clone()
}

fn run(tool: &Path, args: &[&str], file: &Path) -> String {
    let out = Command::new(tool).args(args).arg(file).output().unwrap_or_else(|e| panic!("{}: {e}", tool.display()));
    assert!(
        out.status.success(),
        "{} {args:?} {}: {}",
        tool.display(),
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// binutils' `objdump` (reads ELF and PE).
fn objdump() -> Option<PathBuf> {
    let ok = Command::new("objdump").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok { Some(PathBuf::from("objdump")) } else { missing("objdump is not installed: `apt-get install binutils`") }
}

/// `llvm-NAME`, `llvm-NAME-NN` or `/usr/lib/llvm-NN/bin/llvm-NAME` (Debian 12's `llvm` package has
/// llvm-lipo only as `llvm-lipo-14`), as release.sh finds them.
fn llvm(name: &str) -> Option<PathBuf> {
    let works = |p: &Path| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    let plain = PathBuf::from(format!("llvm-{name}"));
    if works(&plain) {
        return Some(plain);
    }
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    for dir in std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(n) = file.strip_prefix(&format!("llvm-{name}-")).and_then(|v| v.parse().ok()) {
                found.push((n, entry.path()));
            }
        }
    }
    for entry in std::fs::read_dir("/usr/lib").into_iter().flatten().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(n) = file.strip_prefix("llvm-").and_then(|v| v.parse().ok()) {
            found.push((n, entry.path().join("bin").join(format!("llvm-{name}"))));
        }
    }
    found.sort();
    found.into_iter().rev().map(|(_, p)| p).find(|p| works(p))
}

fn llvm_or_skip(name: &str) -> Option<PathBuf> {
    llvm(name).or_else(|| missing(&format!("llvm-{name} is not installed: `apt-get install llvm`")))
}

/// A `GLIBC_x.y[.z]` version, numerically.
fn glibc_version(token: &str) -> Option<Vec<u32>> {
    let v = token.trim_matches(|c| c == '(' || c == ')').strip_prefix("GLIBC_")?;
    v.split('.').map(|n| n.parse().ok()).collect()
}

/// Every (symbol, glibc version) an `objdump -T` listing asks for, and every glibc version in the
/// `objdump -p` "Version References" (a version needed by no listed symbol still stops a load).
fn glibc_needs(dynamic_symbols: &str, private_headers: &str) -> Vec<(String, Vec<u32>)> {
    let mut needs = Vec::new();
    for line in dynamic_symbols.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(v) = words.iter().find_map(|w| glibc_version(w)) {
            needs.push((words.last().unwrap_or(&"").to_string(), v));
        }
    }
    let refs = private_headers.split_once("Version References:").map_or("", |(_, r)| r);
    for line in refs.lines().skip(1).take_while(|l| !l.trim().is_empty()) {
        if let Some(v) = line.split_whitespace().last().and_then(glibc_version) {
            needs.push(("(version reference)".to_owned(), v));
        }
    }
    needs
}

fn above_floor(v: &[u32]) -> bool {
    v > [GLIBC_FLOOR.0, GLIBC_FLOOR.1].as_slice()
}

fn show(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn elf_glibc_needs(objdump: &Path, lib: &Path) -> Vec<(String, Vec<u32>)> {
    glibc_needs(&run(objdump, &["-T"], lib), &run(objdump, &["-p"], lib))
}

/// The `plugin_*` and `wvcir_*` symbols an ELF file defines, from `objdump -T`.
fn elf_exports(objdump: &Path, lib: &Path) -> BTreeSet<String> {
    run(objdump, &["-T"], lib)
        .lines()
        .filter(|l| !l.contains("*UND*"))
        .filter_map(|l| l.split_whitespace().last())
        .filter(|n| n.starts_with("plugin_") || n.starts_with("wvcir_"))
        .map(str::to_owned)
        .collect()
}

/// Whether the ELF file's `.init_array` holds the plugin's load-time constructor
/// (`set_wanted_version`, which sets `plugin_want_*`): an `R_X86_64_RELATIVE` relocation inside
/// `.init_array` whose value is that function's address.
fn init_array_runs_set_wanted_version(objdump: &Path, lib: &Path) -> bool {
    let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("*ABS*+").trim_start_matches("0x"), 16).ok();
    let headers = run(objdump, &["-h"], lib);
    let Some((start, size)) = headers
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.get(1) == Some(&".init_array"))
        .and_then(|w| Some((hex(w.get(3)?)?, hex(w.get(2)?)?)))
    else {
        return false;
    };
    let symbols = run(objdump, &["-t"], lib);
    let Some(function) = symbols
        .lines()
        .find(|l| l.contains("18set_wanted_version17h") && l.contains(" F "))
        .and_then(|l| hex(l.split_whitespace().next()?))
    else {
        return false;
    };
    run(objdump, &["-R"], lib).lines().any(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        let at = w.first().and_then(|a| hex(a));
        let value = w.get(2).and_then(|v| hex(v));
        at.is_some_and(|a| (start..start + size).contains(&a)) && value == Some(function)
    })
}

#[test]
fn glibc_versions_compare_numerically() {
    let symbols = "\
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.34) dlopen
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.3.4) __xpg_strerror_r
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.14) memcpy
0000000000031a10 g    DF .text\t0000000000000006  Base        plugin_describe
";
    let headers = "Version References:\n  required from libc.so.6:\n    0x0d696914 0x00 04 GLIBC_2.4\n\n";
    let needs = glibc_needs(symbols, headers);
    let names: Vec<(&str, String)> = needs.iter().map(|(s, v)| (s.as_str(), show(v))).collect();
    assert_eq!(
        names,
        [
            ("dlopen", "2.34".into()),
            ("__xpg_strerror_r", "2.3.4".into()),
            ("memcpy", "2.14".into()),
            ("(version reference)", "2.4".into())
        ]
    );
    // 2.3.4 and 2.4 are below 2.17 (as text, "2.3.4" > "2.17"), 2.34 is above.
    let above: Vec<&str> = needs.iter().filter(|(_, v)| above_floor(v)).map(|(s, _)| s.as_str()).collect();
    assert_eq!(above, ["dlopen"]);
}

#[test]
fn portable_linux_plugin_needs_at_most_glibc_2_17() {
    let Some(objdump) = objdump() else { return };
    let Some(dist) = release("linux") else { return };
    let lib = dist.join("linux-x86_64/wvcir.so");
    let needs = elf_glibc_needs(&objdump, &lib);
    let versions: BTreeSet<Vec<u32>> = needs.iter().map(|(_, v)| v.clone()).collect();
    eprintln!("{} needs GLIBC {}", lib.display(), versions.iter().map(|v| show(v)).collect::<Vec<_>>().join(", "));
    assert!(!needs.is_empty(), "no GLIBC version found in {}: is it a glibc build?", lib.display());
    let above: Vec<String> =
        needs.iter().filter(|(_, v)| above_floor(v)).map(|(s, v)| format!("{s} needs GLIBC_{}", show(v))).collect();
    assert!(above.is_empty(), "{} needs more than GLIBC_2.17:\n{}", lib.display(), above.join("\n"));
}

/// The check above can fail: the normal build (this machine's glibc) asks for newer versions.
#[test]
fn the_normal_build_needs_a_newer_glibc() {
    let Some(objdump) = objdump() else { return };
    let lib = plugin_library();
    let above: Vec<String> = elf_glibc_needs(&objdump, &lib)
        .into_iter()
        .filter(|(_, v)| above_floor(v))
        .map(|(s, v)| format!("{s} GLIBC_{}", show(&v)))
        .collect();
    assert!(!above.is_empty(), "the normal build {} needs nothing above GLIBC_2.17 here", lib.display());
    eprintln!("the normal build needs, above 2.17: {}", above.join(", "));
}

#[test]
fn portable_linux_plugin_has_the_plugin_symbols_and_loads_into_tshark() {
    let Some(objdump) = objdump() else { return };
    let Some(dist) = release("linux") else { return };
    let lib = dist.join("linux-x86_64/wvcir.so");
    let exports = elf_exports(&objdump, &lib);
    let normal = elf_exports(&objdump, &plugin_library());
    assert_eq!(exports, normal, "the portable build exports what the normal build exports");
    for name in EXPORTS {
        assert!(exports.contains(name), "{name} is not exported by {}", lib.display());
    }
    // The load-time constructor that sets plugin_want_*, found the same way in the normal build.
    assert!(
        init_array_runs_set_wanted_version(&objdump, &plugin_library()),
        "normal build: no set_wanted_version in .init_array"
    );
    assert!(
        init_array_runs_set_wanted_version(&objdump, &lib),
        "{}: no set_wanted_version in .init_array",
        lib.display()
    );

    let Some(t) = Tshark::find() else { return };
    let t = t.with_plugin(&lib);
    let plugins = String::from_utf8(t.run(&["-G", "plugins"]).stdout).unwrap();
    let line = plugins.lines().find(|l| l.starts_with("wvcir.so")).unwrap_or_else(|| panic!("not loaded:\n{plugins}"));
    assert!(line.contains("0.1.0") && line.contains("dissector"), "{line}");
    let out = t.read(
        &root().join("samples/captures/udp-cir.pcap"),
        &["-n", "-Y", "frame.number == 3", "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"],
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "WV-CIR\tWVCI 1.3 wv:nokia.1804289383\n");
}

#[test]
fn windows_dll_exports_the_plugin_symbols() {
    let Some(objdump) = objdump() else { return };
    let Some(dist) = release("windows") else { return };
    let dll = dist.join("windows-x86_64/wvcir.dll");
    let headers = run(&objdump, &["-p"], &dll);
    assert!(headers.contains("file format pei-x86-64"), "not a PE32+ x86-64 file: {}", dll.display());
    let table = headers.split_once("[Ordinal/Name Pointer] Table").map_or("", |(_, t)| t);
    let exports: BTreeSet<&str> = table
        .lines()
        .skip(1)
        .take_while(|l| l.trim_start().starts_with('['))
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    for name in EXPORTS {
        assert!(exports.contains(name), "{name} is not exported by {}: {exports:?}", dll.display());
    }
    eprintln!("built, not run: {}", dll.display());
}

/// The segment and type of the `__mod_init_func` section, the minimum macOS, and the code
/// signature's offset and size, from `llvm-objdump --macho --private-headers` of one slice.
#[derive(Debug, Default)]
struct MachO {
    mod_init_func: Option<(String, String)>,
    min_macos: Option<Vec<u32>>,
    code_signature: Option<(usize, usize)>,
}

fn macho_headers(text: &str) -> MachO {
    let mut m = MachO::default();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
    let value = |i: usize, key: &str| -> Option<String> {
        lines.iter().skip(i).take(12).find(|w| w.first() == Some(&key)).and_then(|w| w.get(1)).map(|s| s.to_string())
    };
    let version = |s: String| s.split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u32>>>();
    for (i, w) in lines.iter().enumerate() {
        match w.as_slice() {
            ["sectname", "__mod_init_func"] => m.mod_init_func = value(i, "segname").zip(value(i, "type")),
            ["cmd", "LC_BUILD_VERSION"] => m.min_macos = value(i, "minos").and_then(version),
            ["cmd", "LC_VERSION_MIN_MACOSX"] => m.min_macos = value(i, "version").and_then(version),
            ["cmd", "LC_CODE_SIGNATURE"] => {
                let off = value(i, "dataoff").and_then(|v| v.parse().ok());
                let size = value(i, "datasize").and_then(|v| v.parse().ok());
                m.code_signature = off.zip(size);
            }
            _ => {}
        }
    }
    m
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// The arm64 slice of a universal (fat) Mach-O file.
fn fat_slice(file: &[u8], cputype: u32) -> Option<&[u8]> {
    if be32(file, 0) != 0xcafe_babe {
        return None;
    }
    (0..be32(file, 4) as usize).map(|i| 8 + 20 * i).find(|&e| be32(file, e) == cputype).map(|e| {
        let (off, size) = (be32(file, e + 8) as usize, be32(file, e + 12) as usize);
        &file[off..off + size]
    })
}

/// Checks a slice's code signature: a SuperBlob holding a SHA-256 CodeDirectory whose every page
/// hash matches the slice. Returns the CodeDirectory's flags.
fn check_code_signature(slice: &[u8], (off, size): (usize, usize)) -> u32 {
    let blob = &slice[off..off + size];
    assert_eq!(be32(blob, 0), 0xfade_0cc0, "not an embedded signature SuperBlob");
    let cd_at = (0..be32(blob, 8) as usize)
        .map(|i| 12 + 8 * i)
        .find(|&e| be32(blob, e) == 0)
        .map(|e| be32(blob, e + 4) as usize)
        .expect("a CodeDirectory slot");
    let cd = &blob[cd_at..];
    assert_eq!(be32(cd, 0), 0xfade_0c02, "CodeDirectory magic");
    let flags = be32(cd, 12);
    let (hash_offset, n_code_slots, code_limit) = (be32(cd, 16) as usize, be32(cd, 28) as usize, be32(cd, 32) as usize);
    let (hash_size, hash_type, page_shift) = (cd[36] as usize, cd[37], cd[39]);
    assert_eq!((hash_size, hash_type), (32, 2), "SHA-256 page hashes");
    assert_eq!(code_limit, off, "the signature covers the slice up to itself");
    let page = 1usize << page_shift;
    assert_eq!(n_code_slots, code_limit.div_ceil(page));
    for i in 0..n_code_slots {
        let data = &slice[i * page..((i + 1) * page).min(code_limit)];
        let want = &cd[hash_offset + i * hash_size..hash_offset + (i + 1) * hash_size];
        assert_eq!(Sha256::digest(data).as_slice(), want, "page {i} of {n_code_slots} does not match its hash");
    }
    flags
}

#[test]
fn macos_universal_plugin_has_both_slices_symbols_initializer_and_signature() {
    let (Some(lipo), Some(nm), Some(objdump)) = (llvm_or_skip("lipo"), llvm_or_skip("nm"), llvm_or_skip("objdump"))
    else {
        return;
    };
    let Some(dist) = release("macos") else { return };
    let so = dist.join("macos-universal/wvcir.so");
    let archs: BTreeSet<String> = run(&lipo, &["-archs"], &so).split_whitespace().map(str::to_owned).collect();
    assert_eq!(archs, BTreeSet::from(["arm64".to_owned(), "x86_64".to_owned()]), "{}", so.display());
    let file = std::fs::read(&so).unwrap();
    for arch in ["arm64", "x86_64"] {
        let symbols = run(&nm, &[&format!("--arch={arch}"), "--extern-only", "--defined-only"], &so);
        let names: BTreeSet<&str> = symbols.lines().filter_map(|l| l.split_whitespace().last()).collect();
        for name in EXPORTS {
            assert!(names.contains(format!("_{name}").as_str()), "{arch}: _{name} is not exported");
        }
        let headers = macho_headers(&run(&objdump, &["--macho", &format!("--arch={arch}"), "--private-headers"], &so));
        // Needs the macOS initializer attribute in plugin.rs (`__DATA,__mod_init_func`); the linker
        // moves the section to __DATA_CONST, as Apple's does. dyld runs what its type says.
        let (segment, kind) =
            headers.mod_init_func.clone().unwrap_or_else(|| panic!("{arch}: no __mod_init_func initializer"));
        assert!(
            segment.starts_with("__DATA") && kind == "S_MOD_INIT_FUNC_POINTERS",
            "{arch}: __mod_init_func in {segment}, {kind}"
        );
        let min = headers.min_macos.clone().unwrap_or_else(|| panic!("{arch}: no minimum macOS"));
        assert!(min <= vec![11, 0], "{arch} needs macOS {} (zig's default is its newest SDK)", show(&min));
        match (arch, headers.code_signature) {
            ("arm64", None) => panic!("arm64 slice unsigned: arm64 macOS loads only signed code"),
            ("arm64", Some(sig)) => {
                let slice = fat_slice(&file, 0x0100_000c).expect("an arm64 slice");
                let flags = check_code_signature(slice, sig);
                // CS_ADHOC, and CS_LINKER_SIGNED: signed by the linker as Apple's ld does.
                assert!(flags & 0x2 != 0, "arm64: not an ad-hoc signature (flags {flags:#x})");
                eprintln!("arm64: ad-hoc signature, page hashes valid, flags {flags:#x}, macOS >= {}", show(&min));
            }
            (_, sig) => eprintln!("{arch}: signature {sig:?} (Intel Macs load unsigned code), macOS >= {}", show(&min)),
        }
    }
    eprintln!("built, not run: {}", so.display());
}

/// install.sh on a Mac (`uname -s` = Darwin, faked here with a `uname` and a Wireshark 4.2 `tshark`
/// on PATH): the universal release build goes into the dashed version folder, `4-2/epan/wvcir.so`.
#[test]
fn install_sh_on_macos_installs_the_universal_build_in_the_dashed_folder() {
    let Some(dist) = release("macos") else { return };
    let scratch = release_target().join("fake-macos");
    let _ = std::fs::remove_dir_all(&scratch);
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, says) in [("uname", "Darwin"), ("tshark", "TShark (Wireshark) 4.2.5 (v4.2.5-0-g4aa814ac25a1)")] {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\necho '{says}'\n")).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
    }
    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let dest = scratch.join("plugins");
    let out = Command::new("bash")
        .arg(root().join("dissector-ffi/install.sh"))
        .arg(&dest)
        .env("PATH", path)
        .env("WVCIR_DIST", &dist)
        .env("HOME", &scratch)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "install.sh failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let so = dest.join("4-2/epan/wvcir.so");
    assert!(stdout.lines().any(|l| l == format!("installed for Wireshark 4.2: {}", so.display())), "{stdout}");
    let universal = dist.join("macos-universal/wvcir.so");
    assert_eq!(
        std::fs::read(&so).unwrap(),
        std::fs::read(&universal).unwrap(),
        "the release artefact is what was installed"
    );
    assert!(!dest.join("4.2").exists(), "no dotted folder on macOS");
}
