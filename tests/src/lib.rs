//! Helpers shared by the cross-crate tests in `tests/tests/`.
#![forbid(unsafe_code)]

pub mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Whether a missing tool must fail the test (CI) rather than skip it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The root of a Debian chroot whose tshark the tests use instead of the machine's
/// (`WVCIR_CHROOT`, set by `tests/wireshark-chroot.sh`).
pub fn chroot() -> Option<PathBuf> {
    std::env::var_os("WVCIR_CHROOT").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// Debian's tshark, run the way tests must run it.
///
/// tshark run as root ignores personal plugin folders and `WIRESHARK_PLUGIN_DIR`, so as root it
/// runs as nobody (`setpriv`), on a world-readable copy of the input in a scratch folder (a clone
/// under `/root` is not readable by nobody) with that folder as `HOME`. With `WVCIR_CHROOT` set,
/// the scratch folder is inside the chroot and tshark is the chroot's.
#[derive(Debug)]
pub struct Tshark {
    as_nobody: bool,
    /// The scratch folder as seen from here.
    scratch: PathBuf,
    /// The chroot, if tshark runs in one.
    root: Option<PathBuf>,
    plugin_dir: Option<PathBuf>,
}

impl Tshark {
    /// The tshark of this machine. `None` (with a message saying what to install) when it is
    /// missing outside CI; in CI a missing tshark fails the test.
    pub fn find() -> Option<Tshark> {
        let root = chroot();
        let present = Self::base(root.as_deref(), false).arg("--version").output().is_ok_and(|o| o.status.success());
        if !present {
            let msg = "tshark is not installed: `apt-get install tshark` (Debian), or run .ci/run";
            assert!(!in_ci(), "{msg}");
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        let as_nobody = uid.is_ok_and(|u| u == "0");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("wvcir-tshark-{}-{n}", std::process::id());
        let scratch = match &root {
            Some(r) => r.join("tmp").join(name),
            None => std::env::temp_dir().join(name),
        };
        std::fs::create_dir_all(&scratch).expect("scratch folder");
        set_mode(&scratch, 0o777);
        Some(Tshark { as_nobody, scratch, root, plugin_dir: None })
    }

    /// `tshark`, or `chroot ROOT [setpriv ...] tshark`.
    fn base(root: Option<&Path>, as_nobody: bool) -> Command {
        let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "tshark"];
        match (root, as_nobody) {
            (Some(r), true) => {
                let mut c = Command::new("chroot");
                c.arg(r).args(nobody);
                c
            }
            (Some(r), false) => {
                let mut c = Command::new("chroot");
                c.arg(r).arg("tshark");
                c
            }
            (None, true) => {
                let mut c = Command::new("setpriv");
                c.args(nobody.get(1..).unwrap_or_default());
                c
            }
            (None, false) => Command::new("tshark"),
        }
    }

    /// A path of ours as tshark sees it (inside the chroot, if any).
    fn inside(&self, p: &Path) -> PathBuf {
        match &self.root {
            Some(r) => Path::new("/").join(p.strip_prefix(r).unwrap_or(p)),
            None => p.to_path_buf(),
        }
    }

    /// The running tshark's `major.minor` (`4.0`), from `tshark --version`.
    pub fn version() -> Option<String> {
        let out = Self::base(chroot().as_deref(), false).arg("--version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let v = text.split_whitespace().find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
        let mut parts = v.split('.');
        Some(format!("{}.{}", parts.next()?, parts.next()?))
    }

    /// Loads `plugin` (a built `libwvcir_dissector.so`): it is copied where tshark looks with
    /// `WIRESHARK_PLUGIN_DIR` (`DIR/<major.minor>/epan/wvcir.so`).
    pub fn with_plugin(self, plugin: &Path) -> Self {
        let version = Self::version().expect("tshark --version names its version");
        let dir = self.scratch.join("plugins");
        let epan = dir.join(&version).join("epan");
        std::fs::create_dir_all(&epan).expect("plugin folder");
        std::fs::copy(plugin, epan.join("wvcir.so")).expect("copy the plugin");
        self.with_plugin_dir(&dir)
    }

    /// Loads the plugins under `dir` (`DIR/<major.minor>/epan/`, as `install.sh DIR` lays them
    /// out) with `WIRESHARK_PLUGIN_DIR`; `dir` and what it holds are made readable to tshark.
    pub fn with_plugin_dir(mut self, dir: &Path) -> Self {
        fn open_up(p: &Path) {
            set_mode(p, if p.is_dir() { 0o755 } else { 0o644 });
            if p.is_dir() {
                for entry in std::fs::read_dir(p).into_iter().flatten().flatten() {
                    open_up(&entry.path());
                }
            }
        }
        open_up(dir);
        self.plugin_dir = Some(dir.to_path_buf());
        self
    }

    /// This tshark's own scratch folder (inside the chroot, if any), removed with it.
    pub fn scratch(&self) -> &Path {
        &self.scratch
    }

    /// Runs tshark with `args` and no capture (`-G plugins`, `-G fields`).
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("tshark runs")
    }

    fn command(&self) -> Command {
        let mut cmd = Self::base(self.root.as_deref(), self.as_nobody);
        cmd.env("HOME", self.inside(&self.scratch));
        if let Some(d) = &self.plugin_dir {
            cmd.env("WIRESHARK_PLUGIN_DIR", self.inside(d));
        }
        cmd
    }

    /// Runs `tshark -r FILE ARGS...` and returns its output.
    pub fn read(&self, file: &Path, args: &[&str]) -> Output {
        let name = file.file_name().map_or_else(|| "input".into(), |n| n.to_os_string());
        let copy = self.scratch.join(name);
        std::fs::copy(file, &copy).expect("copy the capture to the scratch folder");
        set_mode(&copy, 0o644);
        self.command().arg("-r").arg(self.inside(&copy)).args(args).output().expect("tshark runs")
    }
}

impl Drop for Tshark {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// `target/<profile>/<artifact>` after `cargo build -q -p <package> <args>` with this test's own
/// cargo and target folder (or `target/<sub>/`), in this test's profile or in release: `cargo
/// test` builds neither the cdylib nor another package's binaries for the tests crate.
fn built(package: &str, args: &[&str], artifact: &str, release: bool, sub: Option<&str>) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test> -> target/<profile>
    let own = exe.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let release = release || own.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", package]).args(args).current_dir(root());
    if release {
        build.arg("--release");
    }
    let mut target = own.parent().map(Path::to_path_buf).unwrap_or_default();
    if let Some(sub) = sub {
        target = target.join(sub);
    }
    build.env("CARGO_TARGET_DIR", &target);
    let ok = build.status().is_ok_and(|s| s.success());
    assert!(ok, "cargo build -p {package} {} failed", args.join(" "));
    target.join(if release { "release" } else { "debug" }).join(artifact)
}

/// The plugin and C API library, freshly built (once per test process).
///
/// With `WVCIR_PLUGIN_TARGET` set (`x86_64-unknown-linux-gnu.2.17`, by `tests/wireshark-chroot.sh
/// bullseye`), the plugin libraries are the portable build users get from `dissector-ffi/release.sh
/// linux`: `cargo zigbuild` for that glibc floor (cargo-zigbuild and zig on `PATH`).
pub fn plugin_library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| plugin_built(&["--lib"], None)).clone()
}

fn plugin_built(args: &[&str], sub: Option<&str>) -> PathBuf {
    let Some(target) = std::env::var("WVCIR_PLUGIN_TARGET").ok().filter(|t| !t.is_empty()) else {
        return built("wvcir-dissector", args, "libwvcir_dissector.so", false, sub);
    };
    let exe = std::env::current_exe().unwrap_or_default();
    let own = exe.parent().and_then(Path::parent).and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let dir = own.join(format!("zig-{}", sub.unwrap_or("plugin")));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args(["zigbuild", "-q", "--release", "-p", "wvcir-dissector", "--target", &target])
        .args(args)
        .env("CARGO_TARGET_DIR", &dir)
        .current_dir(root())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "cargo zigbuild --target {target} failed: is cargo-zigbuild (pip install ziglang cargo-zigbuild) on PATH?"
    );
    // `x86_64-unknown-linux-gnu.2.17` builds into `x86_64-unknown-linux-gnu/`.
    let triple = target.split_once(".").map_or(target.as_str(), |(t, _)| t);
    dir.join(triple).join("release").join("libwvcir_dissector.so")
}

/// The plugin built with the `panic-probe` feature, whose dissector panics on one payload
/// ([`wvcir_dissector::dissect::PANIC_PROBE`]), in its own target folder (`target/panic-probe/`)
/// so that it never replaces the plugin the other tests load.
pub fn panic_probe_library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| plugin_built(&["--lib", "--features", "panic-probe"], Some("panic-probe"))).clone()
}

/// The Rust target of the Windows plugin (MinGW-w64).
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// The plugin as a Windows DLL (`wvcir_dissector.dll`), cross-built once per test process in
/// release, as users build it, in its own target folder (`target/windows/`, which then holds
/// `x86_64-pc-windows-gnu/release/`).
pub fn windows_plugin_library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let args = ["--lib", "--target", WINDOWS_TARGET];
            // built() names target/windows/release/<artifact>; a cross build is one folder deeper.
            let named = built("wvcir-dissector", &args, "wvcir_dissector.dll", true, Some("windows"));
            let (profile, file) = (named.parent().unwrap_or(&named), named.file_name().unwrap_or_default());
            let target = profile.parent().unwrap_or(profile);
            target.join(WINDOWS_TARGET).join(profile.file_name().unwrap_or_default()).join(file)
        })
        .clone()
}

/// The `wvcir` command as users run it: a release build, made once per test process (about
/// 40 s from scratch here; the hostile suite's million-flow capture takes 4 s with it, 45 s
/// with a debug build).
pub fn release_analyzer() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| built("wvcir-analyzer", &["--bin", "wvcir"], "wvcir", true, None)).clone()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}
