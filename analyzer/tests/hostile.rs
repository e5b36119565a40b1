//! Hostile captures, made here and fed to the built `wvcir`: each run must finish, stay under
//! 256 MB of peak memory (VmHWM, read from /proc while it runs), say in the report which limit was
//! hit or what was evicted, and keep what came before any damage. Sizes are scaled so the debug
//! build finishes in seconds; `BENCHMARKS.md` has the full-size measurements.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The stated bound of every case.
const BOUND_KB: u64 = 256 * 1024;

/// A scratch folder for one case's capture and report, removed when the case ends (the captures
/// are tens of MB).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!("wvcir-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Scratch(d)
}

/// A little-endian microsecond pcap writer for Ethernet frames.
struct Pcap(std::io::BufWriter<std::fs::File>);

impl Pcap {
    fn create(path: &Path) -> Pcap {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        w.write_all(&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]).unwrap();
        Pcap(w)
    }
    fn frame(&mut self, i: u64, data: &[u8]) {
        let hdr =
            [(1_237_024_800 + i / 10_000) as u32, ((i % 10_000) * 100) as u32, data.len() as u32, data.len() as u32];
        for v in hdr {
            self.0.write_all(&v.to_le_bytes()).unwrap();
        }
        self.0.write_all(data).unwrap();
    }
}

/// Ethernet + IPv4 header (protocol, fragment word) + payload.
fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 0x08, 0x00];
    let total = (20 + payload.len()) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&total.to_be_bytes());
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&frag.to_be_bytes());
    f.extend_from_slice(&[64, proto, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(payload);
    f
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::with_capacity(8 + payload.len());
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

fn tcp(sport: u16, dport: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut t = Vec::with_capacity(20 + payload.len());
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&[0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    t
}

/// Runs `wvcir analyze` on `input`, sampling the child's VmHWM until it exits.
fn analyze(input: &Path) -> (i32, Value, u64) {
    let out = input.with_extension("json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wvcir"))
        .args(["analyze", "-j", "1", "--progress", "never", "-o"])
        .arg(&out)
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            for l in text.lines().filter(|l| l.starts_with("VmHWM:")) {
                let kb: u64 = l.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(peak_kb < BOUND_KB, "{}: peak {peak_kb} KB, over the {BOUND_KB} KB bound", input.display());
    (code, report, peak_kb)
}

#[test]
fn two_hundred_thousand_distinct_flows_on_3717() {
    let dir = scratch("flows");
    let path = dir.join("flows.pcap");
    let mut p = Pcap::create(&path);
    for i in 0..200_000u64 {
        let src = [10, (i >> 16) as u8, (i >> 8) as u8, i as u8];
        p.frame(
            i,
            &ipv4(src, [203, 0, 113, 9], 17, 0, 0x4000, &udp(1024 + (i % 60_000) as u16, 3717, b"\x8f\x11beacon-xx")),
        );
    }
    drop(p);
    let (code, r, _) = analyze(&path);
    assert_eq!(code, 0);
    assert_eq!(r["summary"]["flows"], 200_000, "every flow is reported");
    assert_eq!(
        r["inputs"][0]["limits"]["flows_evicted"], 100_000,
        "past 100,000 tracked flows, the idlest are finalised early and counted"
    );
}

#[test]
fn a_tcp_cir_connection_that_never_sends_a_line_end() {
    let dir = scratch("noeol");
    let path = dir.join("noeol.pcap");
    let mut p = Pcap::create(&path);
    let helo = b"HELO 3a9f0c1e\r\nWVCI 1.2 ";
    p.frame(0, &ipv4([198, 51, 100, 23], [192, 0, 2, 10], 6, 0, 0x4000, &tcp(49_201, 3717, 1, helo)));
    let junk = vec![b'x'; 1460];
    let mut seq = 1 + helo.len() as u32;
    for i in 1..20_000u64 {
        p.frame(i, &ipv4([198, 51, 100, 23], [192, 0, 2, 10], 6, 0, 0x4000, &tcp(49_201, 3717, seq, &junk)));
        seq = seq.wrapping_add(1460);
    }
    drop(p);
    let (code, r, _) = analyze(&path);
    assert_eq!(code, 0);
    assert_eq!(r["inputs"][0]["limits"]["long_lines"], 1, "the 29 MB line is reported once, never buffered");
    assert_eq!(r["messages"][0]["command"], "HELO", "the line before it is kept");
}

#[test]
fn a_hundred_thousand_never_completed_ipv4_fragments() {
    let dir = scratch("frags");
    let path = dir.join("frags.pcap");
    let mut p = Pcap::create(&path);
    let piece = [0u8; 64];
    for i in 0..100_000u64 {
        // More-fragments set, offset 8 (64 bytes): the first fragment never comes; ids collide too.
        p.frame(i, &ipv4([192, 0, 2, 10], [198, 51, 100, 23], 17, (i % 50_000) as u16, 0x2000 | 8, &piece));
    }
    drop(p);
    let (code, r, _) = analyze(&path);
    assert_eq!(code, 0);
    let dropped = r["inputs"][0]["limits"]["fragments_dropped"].as_u64().unwrap();
    assert!(dropped >= 50_000 - 4096, "every incomplete datagram is counted as dropped, got {dropped}");
}

#[test]
fn a_pcapng_whose_block_lengths_lie_keeps_what_came_before() {
    let dir = scratch("pcapng");
    let good =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/captures/nanosecond.pcapng")).unwrap();
    for (name, len) in [("huge", 0xFFFF_FFF0u32), ("odd", 21), ("tiny", 4)] {
        let mut bytes = good.clone();
        let at = bytes.len();
        // An Enhanced Packet Block header whose total length lies.
        bytes.extend_from_slice(&6u32.to_le_bytes());
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 24]);
        let path = dir.join(format!("{name}.pcapng"));
        std::fs::write(&path, &bytes).unwrap();
        let (code, r, _) = analyze(&path);
        assert_eq!(code, 1, "{name}: incomplete input");
        let input = &r["inputs"][0];
        assert_eq!(input["error"]["offset"], at as u64, "{name}: the error names the lying block");
        assert_eq!(input["packets"], 2, "{name}: the two frames before it are kept");
        assert_eq!(r["summary"]["cir"], 2, "{name}: and their CIRs");
    }
}

#[test]
fn a_record_claiming_four_gigabytes() {
    let dir = scratch("4g");
    let path = dir.join("4g.pcap");
    let mut p = Pcap::create(&path);
    p.frame(
        0,
        &ipv4([192, 0, 2, 10], [198, 51, 100, 23], 17, 0, 0x4000, &udp(40_000, 3717, b"WVCI 1.3 wv:nokia.1\r\n")),
    );
    for v in [1_237_024_801u32, 0, u32::MAX, u32::MAX] {
        p.0.write_all(&v.to_le_bytes()).unwrap();
    }
    drop(p);
    let (code, r, peak) = analyze(&path);
    assert_eq!(code, 1);
    assert_eq!(r["inputs"][0]["error"]["kind"], "absurd-length");
    assert_eq!(r["summary"]["cir"], 1, "the CIR before it is kept");
    assert!(peak < 64 * 1024, "a 4 GB length is never allocated: peak {peak} KB");
}
