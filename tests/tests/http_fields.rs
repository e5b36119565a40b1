//! The HTTP fields of every flow (`flows[].http`) equal what Debian's tshark reads from the same
//! packets: the first request's method, URI, Host and User-Agent, the first response's status
//! and Server, on the generated samples and on a recorded curl exchange (`samples/real/`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::BTreeMap;
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, sample_paths};
use wvcir_tests::{Tshark, root};

/// tshark's first request and first response per client endpoint: (method, uri, host, UA) and
/// (status, server); empty strings where a field is absent.
type Heads = BTreeMap<(String, String), ([String; 4], Option<[String; 2]>)>;

fn tshark_heads(t: &Tshark, sample: &str) -> Heads {
    let fields = [
        "ip.src",
        "ipv6.src",
        "tcp.srcport",
        "ip.dst",
        "ipv6.dst",
        "tcp.dstport",
        "http.request.method",
        "http.request.uri",
        "http.host",
        "http.user_agent",
        "http.response.code",
        "http.server",
    ];
    let mut args = vec!["-n", "-Y", "http", "-T", "fields", "-E", "occurrence=f"];
    for f in fields {
        args.extend(["-e", f]);
    }
    let out = t.read(&root().join(sample), &args);
    assert!(out.status.success(), "tshark on {sample}: {}", String::from_utf8_lossy(&out.stderr));
    let mut heads = Heads::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let c: Vec<String> = line.split('\t').map(str::to_owned).collect();
        let ip = |v4: usize| if c[v4].is_empty() { c[v4 + 1].clone() } else { c[v4].clone() };
        if !c[6].is_empty() {
            let client = (ip(0), c[2].clone());
            heads.entry(client).or_insert(([c[6].clone(), c[7].clone(), c[8].clone(), c[9].clone()], None));
        } else if !c[10].is_empty() {
            let client = (ip(3), c[5].clone());
            if let Some((_, resp)) = heads.get_mut(&client) {
                resp.get_or_insert([c[10].clone(), c[11].clone()]);
            }
        }
    }
    heads
}

#[test]
fn every_flows_http_fields_equal_tsharks() {
    // Says what to install, or fails in CI, when tshark is missing.
    let Some(t) = Tshark::find() else { return };
    let mut samples: Vec<String> = sample_paths().iter().map(|p| p.display().to_string()).collect();
    samples.push("samples/real/http-3716-curl.pcapng".to_owned());
    let mut compared = 0;
    for sample in &samples {
        let heads = tshark_heads(&t, sample);
        let report: Value = serde_json::from_str(&analyze(&[sample], OutFormat::Json)).unwrap();
        for f in report["flows"].as_array().unwrap() {
            let client = (f["src_ip"].as_str().unwrap().to_owned(), f["src_port"].to_string());
            let s = |k: &str| f["http"][k].as_str().unwrap_or_default().to_owned();
            match heads.get(&client) {
                None => assert!(f["http"].is_null(), "{sample}: tshark saw no HTTP from {client:?}: {}", f["http"]),
                Some((req, resp)) => {
                    assert_eq!([s("method"), s("uri"), s("host"), s("user_agent")], *req, "{sample} {client:?}");
                    let ours = f["http"]["status"].as_u64().map(|c| [c.to_string(), s("server")]);
                    assert_eq!(ours, *resp, "{sample} {client:?}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 3, "the samples hold HTTP exchanges to compare ({compared})");
    let real: Value = serde_json::from_str(&analyze(&["samples/real/http-3716-curl.pcapng"], OutFormat::Json)).unwrap();
    let post = real["flows"].as_array().unwrap().iter().find(|f| f["http"]["method"] == "POST").unwrap();
    assert_eq!(post["messages"], 2, "its body's two lines decode as CIR protocol");
    assert_eq!(
        (post["classification"]["kind"].as_str(), post["suspicious"].as_bool()),
        (Some("http-request"), Some(true))
    );
}
