//! The C API of the built library: loaded with libloading, and used by a C program compiled here.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use wvcir_dissector::capi::{WvcirMessage, WvcirSpan};

/// The library, freshly built (`cargo test` builds only the rlib): same cargo, target folder and
/// profile as this test (target/<profile>/deps/<test> -> target/<profile>).
fn plugin_library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let profile = std::env::current_exe().unwrap().parent().and_then(Path::parent).unwrap().to_path_buf();
            let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            build.args(["build", "-q", "-p", "wvcir-dissector", "--lib"]).current_dir(crate_dir());
            if profile.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            build.env("CARGO_TARGET_DIR", profile.parent().unwrap());
            assert!(build.status().unwrap().success(), "cargo build -p wvcir-dissector failed");
            profile.join("libwvcir_dissector.so")
        })
        .clone()
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

type Decode = unsafe extern "C" fn(*const u8, usize, i32, *mut WvcirMessage) -> i32;

#[test]
fn libloading_calls_the_built_library() {
    let path = plugin_library();
    // SAFETY (test): loading our own cdylib; its load-time constructor does nothing outside
    // Wireshark (no epan_get_version_number in this process), which this test also proves.
    let lib = unsafe { libloading::Library::new(&path) }.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // SAFETY (test): the symbol's signature is the one in include/wvcir.h.
    let decode: libloading::Symbol<Decode> = unsafe { lib.get(b"wvcir_decode\0") }.unwrap();
    let buf = b"WVCI 1.3 wv:nokia.1804289383\r\n";
    let mut m = WvcirMessage { size: std::mem::size_of::<WvcirMessage>() as u32, ..Default::default() };
    // SAFETY (test): valid buffer and message.
    assert_eq!(unsafe { decode(buf.as_ptr(), buf.len(), 1, &mut m) }, 1);
    assert_eq!(m.cookie, WvcirSpan { offset: 9, len: 19 });
    // A caller built against an older, smaller struct is filled only as far as it reaches.
    let mut small = [0u32; 8];
    small[0] = 32;
    // SAFETY (test): a 32-byte buffer that says it is 32 bytes.
    assert_eq!(unsafe { decode(buf.as_ptr(), buf.len(), 1, small.as_mut_ptr().cast()) }, 1);
    assert_eq!((small[1], small[0]), (1, 32), "command filled, size kept");
    // Bad arguments are refused, not crashed on.
    // SAFETY (test): null pointers are what is being tested.
    assert_eq!(unsafe { decode(std::ptr::null(), 5, 1, &mut m) }, -1);
    // SAFETY (test): as above.
    assert_eq!(unsafe { decode(buf.as_ptr(), buf.len(), 1, std::ptr::null_mut()) }, -1);
    let mut tiny = [4u32; 1];
    // SAFETY (test): a struct whose size field says 4 bytes: too small, refused.
    assert_eq!(unsafe { decode(buf.as_ptr(), buf.len(), 1, tiny.as_mut_ptr().cast()) }, -1);
}

#[test]
fn a_c_program_compiles_against_the_header_and_runs() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let lib = plugin_library();
    let out_dir = std::env::temp_dir().join(format!("wvcir-c-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join("decode");
    let status = Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(crate_dir().join("tests/decode.c"))
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(&lib)
        .status()
        .unwrap_or_else(|e| panic!("{cc}: {e} (install gcc)"));
    assert!(status.success(), "the C program does not compile against include/wvcir.h");
    let out = Command::new(&exe).env("LD_LIBRARY_PATH", lib.parent().unwrap()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let want = "udp rc=1 command=1 malformed=0 anomalies=0x0 cookie=wv:nokia.1804289383@9+19\n\
                anomalous rc=1 command=1 malformed=0 anomalies=0x9 cookie=x@10+1 keyword-case bad-separator\n\
                not-cir rc=0\n\
                bad-channel rc=-1\n\
                null-out rc=-1\n\
                gsm7 rc=1 encoding=2 text=WVCI 1.2 12345 cookie=12345\n";
    assert_eq!(text, format!("{want}version={}\n", env!("CARGO_PKG_VERSION")));
    let _ = std::fs::remove_dir_all(&out_dir);
}
