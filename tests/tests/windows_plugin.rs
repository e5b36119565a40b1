//! The plugin as a Windows x86_64 DLL, as far as this Linux machine can test it: cross-built with
//! MinGW-w64 (`x86_64-pc-windows-gnu`), its export and import tables and its load-time
//! initializer read with MinGW's objdump and nm; `abi_check.c` compiled for Windows against
//! Debian's Wireshark 4.0 headers and run under wine; and the DLL loaded under wine by a stand-in
//! host with stand-in Wireshark DLLs (`tests/windows/`). None of it is a real Windows or a real
//! Windows Wireshark.
//!
//! Each test needs tools (MinGW-w64, the Rust target, wine, the Wireshark headers): when one is
//! missing it is skipped with a message saying what to install, and fails in CI.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Instant;
use wvcir_dissector::wireshark::{abi, plugin};
use wvcir_tests::{WINDOWS_TARGET, in_ci, root, windows_plugin_library};

const GCC: &str = "x86_64-w64-mingw32-gcc";
const OBJDUMP: &str = "x86_64-w64-mingw32-objdump";
const NM: &str = "x86_64-w64-mingw32-nm";

/// Fails in CI, else says the test is skipped.
fn missing(msg: &str) {
    assert!(!in_ci(), "{msg}");
    eprintln!("SKIPPED: {msg}");
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success())
}

fn have_mingw() -> bool {
    let ok = [GCC, OBJDUMP, NM].iter().all(|t| runs(t, "--version"));
    if !ok {
        missing("MinGW-w64 is not installed: `apt-get install gcc-mingw-w64-x86-64`, or run .ci/run");
    }
    ok
}

fn have_rust_target() -> bool {
    let libdir = Command::new("rustc").args(["--print", "target-libdir", "--target", WINDOWS_TARGET]).output();
    let ok = libdir
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .and_then(|d| std::fs::read_dir(d).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        });
    if !ok {
        missing(&format!("the Rust target is not installed: `rustup target add {WINDOWS_TARGET}`, or run .ci/run"));
    }
    ok
}

/// wine and the prefix the tests use.
#[derive(Debug)]
struct Wine {
    program: String,
    prefix: PathBuf,
}

impl Wine {
    /// One prefix for every run, `target/windows/wine-prefix` (a fresh prefix takes about 10 s
    /// and 700 MB, mostly copies of wine's DLLs), made ready once per test process.
    fn get() -> Option<&'static Wine> {
        static WINE: OnceLock<Option<Wine>> = OnceLock::new();
        let wine = WINE.get_or_init(|| {
            // Debian 12's wine64 package puts its binary outside PATH; `wine` on later releases.
            let program = ["wine64", "/usr/lib/wine/wine64", "wine"].into_iter().find(|w| runs(w, "--version"))?;
            let exe = std::env::current_exe().unwrap();
            // target/<profile>/deps/<test> -> target
            let target = exe.parent().and_then(Path::parent).and_then(Path::parent).unwrap();
            let prefix = target.join("windows").join("wine-prefix");
            std::fs::create_dir_all(&prefix).unwrap();
            let wine = Wine { program: program.to_owned(), prefix };
            let start = Instant::now();
            // A wineserver started by a wine program inherits its output pipes, and output()
            // waits for it to exit (3 s after its last client): start one first, without them,
            // kept for 10 s after the last program (then it exits by itself).
            let server = Path::new(program)
                .parent()
                .filter(|d| d.is_absolute())
                .map_or_else(|| PathBuf::from("wineserver"), |d| d.join("wineserver"));
            // It fails when one is still running for this prefix (a run less than 10 s ago): that
            // one serves as well. Without any, wine starts its own (and each run waits 3 s more).
            let _ = Command::new(&server)
                .arg("-p10")
                .env("WINEPREFIX", &wine.prefix)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            // Creates or updates the prefix; its background programs get no pipes either.
            let status = wine.command("wineboot").arg("--init").stdout(Stdio::null()).stderr(Stdio::null()).status();
            assert!(status.is_ok_and(|s| s.success()), "wineboot --init failed");
            eprintln!("wine prefix {} ready in {:.1} s", wine.prefix.display(), start.elapsed().as_secs_f64());
            Some(wine)
        });
        if wine.is_none() {
            missing("wine is not installed: `apt-get install wine64` (Debian 12), or run .ci/run");
        }
        wine.as_ref()
    }

    fn command(&self, exe: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(&self.program);
        c.arg(exe)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer prompts.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
        c
    }

    /// Runs `exe` (a Windows program) with `args` in its own folder.
    fn run(&self, exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let start = Instant::now();
        let mut c = self.command(exe);
        c.args(args).current_dir(exe.parent().unwrap());
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        eprintln!("wine {} {}: {:.2} s", exe.display(), args.join(" "), start.elapsed().as_secs_f64());
        out
    }
}

/// A scratch folder of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wvcir-windows-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles with MinGW-w64's gcc; `args` as given.
fn mingw(args: &[&std::ffi::OsStr]) {
    let out = Command::new(GCC).args(["-O2", "-Wall", "-Wextra", "-Werror"]).args(args).output().unwrap();
    assert!(out.status.success(), "{GCC} {args:?}:\n{}", String::from_utf8_lossy(&out.stderr));
}

fn tool(program: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(program).args(args).arg(file).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The `#[unsafe(no_mangle)]` functions and statics of a source file: what the library exports.
fn no_mangle_names(source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut names = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() != "#[unsafe(no_mangle)]" {
            continue;
        }
        let decl = lines[i + 1..].iter().find(|l| !l.trim_start().starts_with("#[")).unwrap();
        let after = decl.split_once(" fn ").or_else(|| decl.split_once("static ")).unwrap().1;
        names.push(after.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap().to_owned());
    }
    names
}

#[test]
fn the_dll_exports_the_plugin_and_c_api_and_imports_nothing_of_wireshark() {
    if !have_mingw() || !have_rust_target() {
        return;
    }
    let start = Instant::now();
    let dll = windows_plugin_library();
    let size = std::fs::metadata(&dll).unwrap().len();
    eprintln!("{}: {size} bytes, built in {:.1} s", dll.display(), start.elapsed().as_secs_f64());
    let pe = tool(OBJDUMP, &["-p"], &dll);

    // Exports: exactly the plugin's symbols and the C API.
    let exports: BTreeSet<String> = pe
        .split_once("[Ordinal/Name Pointer] Table")
        .unwrap()
        .1
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.rsplit(' ').next().unwrap().to_owned())
        .collect();
    let src = root().join("dissector-ffi/src");
    let mut expected: BTreeSet<String> =
        no_mangle_names(&std::fs::read_to_string(src.join("wireshark/plugin.rs")).unwrap()).into_iter().collect();
    for name in ["plugin_version", "plugin_want_major", "plugin_want_minor", "plugin_register", "plugin_describe"] {
        assert!(expected.contains(name), "plugin.rs no longer exports {name}");
    }
    let capi = no_mangle_names(&std::fs::read_to_string(src.join("capi.rs")).unwrap());
    assert!(capi.iter().all(|n| n.starts_with("wvcir_")) && capi.len() >= 4, "C API: {capi:?}");
    expected.extend(capi);
    assert_eq!(exports, expected, "the DLL's exports");

    // Imports: Windows' own DLLs only. The plugin finds Wireshark's functions at run time in the
    // DLLs Wireshark has loaded; an import would tie it to one build's DLL names.
    let imports: Vec<&str> = pe.lines().filter_map(|l| l.trim().strip_prefix("DLL Name: ")).collect();
    eprintln!("imports: {}", imports.join(" "));
    assert!(imports.iter().any(|i| i.eq_ignore_ascii_case("kernel32.dll")), "{imports:?}");
    for i in &imports {
        let lower = i.to_ascii_lowercase();
        for w in ["wireshark", "wsutil", "wiretap", "glib", "gmodule", "gobject"] {
            assert!(!lower.contains(w), "the DLL imports {i}");
        }
    }

    // The load-time initializer: SET_WANTED_VERSION lies in .CRT between __xc_a and __xc_z (the
    // C initializers the MinGW DLL startup runs on DLL_PROCESS_ATTACH, linked from .CRT$XCA,
    // .CRT$XCU and .CRT$XCZ), and holds the address of set_wanted_version.
    let symbols: HashMap<String, u64> = tool(NM, &[], &dll)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let addr = u64::from_str_radix(parts.next()?, 16).ok()?;
            let _kind = parts.next()?;
            Some((parts.next()?.to_owned(), addr))
        })
        .collect();
    let find = |part: &str| {
        let found: Vec<(&String, &u64)> =
            symbols.iter().filter(|(n, _)| n.contains(part) && !n.starts_with("__imp_")).collect();
        assert_eq!(found.len(), 1, "{part}: {found:?}");
        *found[0].1
    };
    let (xc_a, xc_z) = (symbols["__xc_a"], symbols["__xc_z"]);
    let entry = find("SET_WANTED_VERSION");
    let function = find("set_wanted_version");
    assert!(xc_a < entry && entry < xc_z, "SET_WANTED_VERSION {entry:#x} is not in .CRT$XCU ({xc_a:#x}..{xc_z:#x})");
    let mut crt: HashMap<u64, u8> = HashMap::new();
    for line in tool(OBJDUMP, &["-s", "-j", ".CRT"], &dll).lines().filter(|l| l.starts_with(' ')) {
        let hex = line.trim_start().split_once("  ").map_or(line.trim_start(), |(h, _)| h);
        let mut words = hex.split(' ');
        let Some(mut at) = words.next().and_then(|a| u64::from_str_radix(a, 16).ok()) else { continue };
        for w in words {
            for pair in w.as_bytes().chunks(2) {
                crt.insert(at, u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap());
                at += 1;
            }
        }
    }
    let pointer = u64::from_le_bytes(std::array::from_fn(|i| crt[&(entry + i as u64)]));
    assert_eq!(pointer, function, "the .CRT$XCU entry points to set_wanted_version");
}

/// Windows is LLP64 (`long` is 32-bit, `gsize` is `long long`): the plugin's per-version table
/// must hold there too. abi_check.c is compiled for Windows against Debian 12's Wireshark 4.0 and
/// GLib headers, with a Windows `glibconfig.h` (tests/windows/include/), and run under wine.
#[test]
fn abi_check_compiled_for_windows_matches_the_plugin_tables() {
    if !have_mingw() {
        return;
    }
    let (ws, glib) = (Path::new("/usr/include/wireshark"), Path::new("/usr/include/glib-2.0"));
    if !ws.join("ws_version.h").exists() || !glib.join("glib.h").exists() {
        missing(
            "the Wireshark and GLib headers are not installed: `apt-get install libwireshark-dev libglib2.0-dev`, or run .ci/run",
        );
        return;
    }
    let Some(wine) = Wine::get() else { return };
    let dir = scratch("abi");
    let exe = dir.join("abi_check.exe");
    let include = root().join("tests/windows/include");
    let source = root().join("dissector-ffi/abi/abi_check.c");
    // The Windows glibconfig.h first; never Linux's (/usr/lib/x86_64-linux-gnu/glib-2.0/include).
    let args: Vec<std::ffi::OsString> = vec![
        format!("-I{}", include.display()).into(),
        format!("-I{}", ws.display()).into(),
        format!("-I{}", glib.display()).into(),
        source.into(),
        "-o".into(),
        exe.clone().into(),
    ];
    let out = Command::new(GCC).args(&args).output().unwrap();
    assert!(out.status.success(), "abi_check.c for Windows:\n{}", String::from_utf8_lossy(&out.stderr));
    let out = wine.run(&exe, &[], &[]);
    assert!(out.status.success(), "abi_check.exe: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let real: HashMap<&str, i64> =
        text.lines().filter_map(|l| l.trim_end().split_once(' ')).map(|(k, v)| (k, v.parse().unwrap())).collect();
    let version = real["version"];
    let table = abi::for_version((version / 100) as i32, (version % 100) as i32)
        .unwrap_or_else(|| panic!("the plugin has no table for Wireshark {version}"));
    for (name, value) in abi::check_lines(table).into_iter().chain(abi::fixed_lines()) {
        assert_eq!(
            real.get(name),
            Some(&value),
            "{name} on Windows: the plugin says {value}, the headers say {:?}",
            real.get(name)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The stand-in host, the stand-in Wireshark DLLs and the plugin, in one folder.
fn host_folder() -> PathBuf {
    let dir = scratch("host");
    let windows = root().join("tests/windows");
    let c = |name: &str| windows.join(name).into_os_string();
    let out = |name: &str| dir.join(name).into_os_string();
    for (part, dll) in
        [("PART_WIRESHARK", "libwireshark.dll"), ("PART_WSUTIL", "libwsutil.dll"), ("PART_GLIB", "libglib-2.0-0.dll")]
    {
        let define = format!("-D{part}");
        mingw(&[define.as_ref(), "-shared".as_ref(), &c("libwireshark.c"), "-o".as_ref(), &out(dll)]);
    }
    mingw(&[
        "-shared".as_ref(),
        &c("bcryptprimitives.c"),
        "-o".as_ref(),
        &out("bcryptprimitives.dll"),
        "-ladvapi32".as_ref(),
    ]);
    mingw(&[&c("host.c"), "-o".as_ref(), &out("host.exe")]);
    std::fs::copy(windows_plugin_library(), dir.join("wvcir.dll")).unwrap();
    dir
}

struct Run {
    stdout: String,
    stderr: String,
}

impl Run {
    fn has(&self, line: &str) -> bool {
        self.stdout.lines().any(|l| l.trim_end() == line)
    }

    fn assert_has(&self, line: &str) {
        assert!(self.has(line), "no line `{line}` in:\n{}\nstderr:\n{}", self.stdout, self.stderr);
    }

    /// The second word of each line starting with `word `.
    fn names(&self, word: &str) -> Vec<&str> {
        self.stdout.lines().filter_map(|l| l.strip_prefix(word)?.strip_prefix(' ')?.split(' ').next()).collect()
    }
}

fn host(wine: &Wine, dir: &Path, version: &str, mode: &str) -> Run {
    let args: Vec<&str> = ["wvcir.dll", mode].into_iter().filter(|a| !a.is_empty()).collect();
    let out = wine.run(&dir.join("host.exe"), &args, &[("WVCIR_STUB_VERSION", version)]);
    let run = Run {
        stdout: String::from_utf8_lossy(&out.stdout).replace('\r', ""),
        stderr: String::from_utf8_lossy(&out.stderr).replace('\r', ""),
    };
    assert!(out.status.success(), "host.exe {version} {mode}:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run
}

/// Under wine, a stand-in of Windows Wireshark's loader loads stand-ins of libwireshark.dll,
/// libwsutil.dll and libglib-2.0-0.dll, then the plugin DLL: the load-time initializer sets the
/// wanted version to a supported running one (and leaves an unsupported one alone), and
/// registration finds every function in the DLL that exports it and registers everything the
/// Linux build registers.
#[test]
fn the_plugin_loads_and_registers_under_a_stand_in_wireshark_on_wine() {
    if !have_mingw() || !have_rust_target() {
        return;
    }
    let Some(wine) = Wine::get() else { return };
    let dir = host_folder();

    let run = host(wine, &dir, "4.0.17", "dissect");
    for line in ["plugin_version 0.1.0", "want 4.0", "describe 17", "registered yes", "glib loaded yes"] {
        run.assert_has(line);
    }
    run.assert_has("protocol \"Wireless Village CSP CIR\" WV-CIR wvcir");
    // Every field and expert item, with its HFILL/EIFILL read as Windows lays the structs out.
    let fields = run.names("field");
    let experts = run.names("expert");
    let registered: BTreeSet<&str> = fields.iter().chain(&experts).copied().collect();
    let expected = plugin::registered_filters();
    assert_eq!(registered, expected.iter().map(String::as_str).collect(), "fields and expert items");
    assert_eq!(fields.len() + experts.len(), expected.len(), "registered once each");
    for l in run.stdout.lines().filter(|l| l.starts_with("field ")) {
        assert!(l.contains(" proto=100 ") && l.contains(" hfill=1 "), "{l}");
    }
    for l in run.stdout.lines().filter(|l| l.starts_with("expert ")) {
        assert!(l.contains(" module=1 eifill=1 "), "{l}");
    }
    for line in [
        "subtrees 1",
        "table udp.port 3716-3717 wvcir.udp",
        "table tcp.port 3716-3717 wvcir.tcp",
        "table gsm_sms_ud.udh.port 3716 wvcir.sms",
        "table gsm_sms.udh.port 3716 wvcir.sms",
        "table media_type application/vnd.wv.csp.cir wvcir.media",
        "register_postdissector (anonymous)",
        // tcp, tcp.payload, icmp, icmpv6, smpp.data_coding: a GArray from the GLib DLL.
        "wanted_hfids (anonymous) 10 13 11 12 14",
        "heuristic udp wvcir_udp proto=100 enabled=1 \"Wireless Village CIR over UDP\"",
        "heuristic tcp wvcir_tcp proto=100 enabled=1 \"Wireless Village CIR over TCP\"",
        "handoff done",
        // Statistics: the tap and SRT table with the protocol, the stats tree as a tap listener.
        "register_tap wvcir",
        "srt_table proto=100 wvcir 1 packet=1 init=1 param=no",
        "tap_register_plugin",
        "stats_tree wvcir wvcir \"WV-CIR\" flags=0 packet=1 init=1 cleanup=yes",
        "tap listeners registered",
    ] {
        run.assert_has(line);
    }
    // One datagram through the UDP dissector: 4.0's column ids, fields at their offsets.
    let v40 = abi::for_version(4, 0).unwrap();
    for line in [
        format!("col_set_str {} \"WV-CIR\" cinfo=1", v40.col_protocol),
        format!("col_add_str {} \"WVCI 1.3 wv:nokia.1804289383\" cinfo=1", v40.col_info),
        "item wvcir 0 30 enc=0".to_owned(),
        "string wvcir.command 0 4 \"WVCI\"".to_owned(),
        "string wvcir.version 5 3 \"1.3\"".to_owned(),
        "string wvcir.cookie 9 19 \"wv:nokia.1804289383\"".to_owned(),
        "dissected 30 of 30".to_owned(),
        // The CIR's tally, queued to the wvcir tap (copied into the packet's pool).
        "tap_queue_packet 5 data".to_owned(),
    ] {
        run.assert_has(&line);
    }

    // A supported version other than the initial 4.0: the initializer ran at load.
    let run = host(wine, &dir, "4.6.1", "");
    run.assert_has("want 4.6");
    run.assert_has("registered yes");
    run.assert_has("table udp.port 3716-3717 wvcir.udp");

    // An unsupported version: the wanted version stays, so Wireshark would skip the plugin.
    let run = host(wine, &dir, "9.9.0", "");
    run.assert_has("want 4.0");
    run.assert_has("registered no");
    assert!(run.stderr.contains("Wireshark 9.9 is not supported by this build"), "{}", run.stderr);

    // GLib not loaded: the plugin names the missing function, registers nothing, and does not
    // load the libglib-2.0-0.dll lying next to it.
    let run = host(wine, &dir, "4.0.17", "without-glib");
    run.assert_has("registered no");
    run.assert_has("glib loaded no");
    assert!(run.stderr.contains("g_array_sized_new: not exported by"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plugin's own tests compiled for Windows pass under wine: its unit tests (the ABI tables,
/// TCP tracking) and `tests/dissect.rs` (the dissection logic behind every dissector).
/// `tests/c_api.rs` builds the Linux library and a C program, so it is not among them.
#[test]
fn the_plugin_crate_tests_pass_under_wine() {
    if !have_mingw() || !have_rust_target() {
        return;
    }
    let Some(wine) = Wine::get() else { return };
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().and_then(Path::parent).and_then(Path::parent).unwrap().join("windows");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let start = Instant::now();
    let out = Command::new(cargo)
        .args(["test", "--no-run", "-q", "--message-format=json", "-p", "wvcir-dissector", "--lib"])
        .args(["--test", "dissect", "--target", WINDOWS_TARGET])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo test --no-run: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("built the Windows test programs in {:.1} s", start.elapsed().as_secs_f64());
    let programs: Vec<PathBuf> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("executable")?.as_str().map(PathBuf::from))
        .collect();
    assert_eq!(programs.len(), 2, "{programs:?}");
    let deps = programs[0].parent().unwrap();
    let stub = root().join("tests/windows/bcryptprimitives.c").into_os_string();
    let dll = deps.join("bcryptprimitives.dll").into_os_string();
    mingw(&["-shared".as_ref(), &stub, "-o".as_ref(), &dll, "-ladvapi32".as_ref()]);
    for program in &programs {
        let out = wine.run(program, &[], &[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("test result: ok"),
            "{} under wine:\n{stdout}\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
