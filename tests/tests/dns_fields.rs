//! The DNS question of every flow that has one (`flows[].dns`) equals what Debian's tshark reads
//! from the flow's first packet, decoding the CIR ports as DNS (`-d udp.port==P,dns`; from 5353 it is mDNS).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, sample_paths};
use wvcir_tests::{Tshark, root};

#[test]
fn every_flows_dns_question_equals_tsharks() {
    // Says what to install, or fails in CI, when tshark is missing.
    let Some(t) = Tshark::find() else { return };
    let mut compared = 0;
    for path in sample_paths() {
        let sample = path.display().to_string();
        let report: Value = serde_json::from_str(&analyze(&[&sample], OutFormat::Json)).unwrap();
        for f in report["flows"].as_array().unwrap().iter().filter(|f| !f["dns"].is_null()) {
            let (src, sport, dst, dport) = (&f["src_ip"], &f["src_port"], &f["dst_ip"], &f["dst_port"]);
            let filter = format!(
                "(dns || mdns) && ip.src == {} && udp.srcport == {sport} && ip.dst == {} && udp.dstport == {dport}",
                src.as_str().unwrap(),
                dst.as_str().unwrap()
            );
            let args = [
                "-n",
                "-d",
                "udp.port==3717,dns",
                "-d",
                "udp.port==3716,dns",
                "-Y",
                &filter,
                "-T",
                "fields",
                "-e",
                "dns.qry.name",
                "-e",
                "dns.qry.type",
                "-E",
                "occurrence=f",
            ];
            let out = t.read(&root().join(&sample), &args);
            assert!(out.status.success(), "tshark on {sample}: {}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).unwrap();
            let first = text.lines().next().unwrap_or_else(|| panic!("{sample}: tshark saw no DNS in {f}"));
            let (name, qtype) = first.split_once('\t').unwrap();
            assert_eq!((f["dns"]["query"].as_str().unwrap(), f["dns"]["qtype"].to_string().as_str()), (name, qtype));
            compared += 1;
        }
    }
    assert!(compared >= 1, "the samples hold DNS on a CIR port ({compared})");
}
