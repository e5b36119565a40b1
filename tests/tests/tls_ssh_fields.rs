//! The TLS and SSH fields of every flow (`flows[].tls`, `flows[].ssh`) equal what Wireshark reads
//! from the same packets, on the generated samples and on the handshakes recorded from OpenSSL,
//! curl and OpenSSH (`samples/real/`): SNI, ALPN, versions, JA3, JA3S, the certificate's subject
//! and issuer with tshark 4.0; JA4 with tshark 4.2 or newer when the tshark used has it (a chroot,
//! `WVCIR_CHROOT`), else with the values tshark 4.4 gave (`samples/real/ja4-tshark-4.4.tsv`);
//! banners, HASSH and HASSH-server with tshark decoding the CIR ports as SSH.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::BTreeMap;
use wvcir_analyzer::run::OutFormat;
use wvcir_tests::report::{analyze, sample_paths};
use wvcir_tests::{Tshark, root};

/// A flow's client endpoint: (ip, port).
type Client = (String, String);

/// Every value tshark gave for `fields` in frames matching `filter`, by the sending endpoint, all
/// occurrences (`|`-separated), frame after frame.
fn tshark_fields(
    t: &Tshark,
    sample: &str,
    extra: &[&str],
    filter: &str,
    fields: &[&str],
) -> Vec<(Client, Vec<String>)> {
    let mut args = extra.to_vec();
    args.extend(["-n", "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"]);
    for f in ["ip.src", "ipv6.src", "tcp.srcport"].iter().chain(fields) {
        args.extend(["-e", f]);
    }
    let out = t.read(&root().join(sample), &args);
    assert!(out.status.success(), "tshark on {sample}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let c: Vec<String> = line.split('\t').map(str::to_owned).collect();
            let ip = if c[0].is_empty() { c[1].clone() } else { c[0].clone() };
            ((ip, c[2].clone()), c[3..].to_vec())
        })
        .collect()
}

fn samples() -> Vec<String> {
    let mut s: Vec<String> = sample_paths().iter().map(|p| p.display().to_string()).collect();
    for f in ["tls12-3716-openssl.pcapng", "tls13-3717-curl.pcapng", "ssh-3717-openssh.pcapng", "http-3716-curl.pcapng"]
    {
        s.push(format!("samples/real/{f}"));
    }
    s
}

fn flows(sample: &str) -> Vec<Value> {
    let report: Value = serde_json::from_str(&analyze(&[sample], OutFormat::Json)).unwrap();
    report["flows"].as_array().unwrap().clone()
}

fn client(f: &Value) -> Client {
    (f["src_ip"].as_str().unwrap().to_owned(), f["src_port"].to_string())
}

fn server(f: &Value) -> Client {
    (f["dst_ip"].as_str().unwrap().to_owned(), f["dst_port"].to_string())
}

/// `0x0303` as we name it.
fn version(hex: &str) -> String {
    match hex {
        "0x0300" => "SSL 3.0".into(),
        "0x0301" => "TLS 1.0".into(),
        "0x0302" => "TLS 1.1".into(),
        "0x0303" => "TLS 1.2".into(),
        "0x0304" => "TLS 1.3".into(),
        other => other.into(),
    }
}

/// Our RFC 4514 name as Wireshark shows an rdnSequence: long attribute names, no escapes.
fn as_wireshark(rfc4514: &str) -> String {
    let mut s = String::new();
    let mut chars = rfc4514.chars().peekable();
    let mut at_type = true;
    let mut word = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.push(chars.next().unwrap_or('\\')),
            '=' if at_type => {
                let long = match word.as_str() {
                    "CN" => "id-at-commonName",
                    "O" => "id-at-organizationName",
                    "OU" => "id-at-organizationalUnitName",
                    "C" => "id-at-countryName",
                    "L" => "id-at-localityName",
                    "ST" => "id-at-stateOrProvinceName",
                    other => panic!("no Wireshark name for {other} in this test"),
                };
                s += long;
                s.push('=');
                word.clear();
                at_type = false;
            }
            ',' => {
                s += &word;
                s.push(',');
                word.clear();
                at_type = true;
            }
            c => word.push(c),
        }
    }
    s + &word
}

/// The issuer and subject rdnSequences tshark shows for the first certificate of each server.
fn tshark_certs(t: &Tshark, sample: &str) -> BTreeMap<Client, (String, String)> {
    let out = t.read(&root().join(sample), &["-n", "-Y", "tls.handshake.type == 11", "-T", "pdml"]);
    assert!(out.status.success());
    let pdml = String::from_utf8(out.stdout).unwrap();
    let mut certs = BTreeMap::new();
    for packet in pdml.split("<packet>").skip(1) {
        let attr = |name: &str| {
            let at = packet.find(&format!("name=\"{name}\""))?;
            let show = packet[at..].find("show=\"")? + at + 6;
            Some(packet[show..show + packet[show..].find('"')?].to_owned())
        };
        let ip = attr("ip.src").or_else(|| attr("ipv6.src")).unwrap();
        // The rdnSequence that follows the issuer, then the one that follows the subject.
        let names: Vec<String> = ["x509af.issuer", "x509af.subject"]
            .iter()
            .filter_map(|name| {
                let rest = &packet[packet.find(&format!("name=\"{name}\""))?..];
                let rest = &rest[rest.find("showname=\"rdnSequence: ")?..];
                let open = rest.find('(')? + 1;
                let close = rest.find(")\"")?;
                Some(rest[open..close].replace("&quot;", "\"").replace("&amp;", "&"))
            })
            .collect();
        if names.len() >= 2 {
            certs.entry((ip, attr("tcp.srcport").unwrap())).or_insert((names[0].clone(), names[1].clone()));
        }
    }
    certs
}

#[test]
fn every_flows_tls_fields_equal_tsharks() {
    // Says what to install, or fails in CI, when tshark is missing.
    let Some(t) = Tshark::find() else { return };
    let has_ja4 = t
        .read(&root().join("samples/captures/tls-3717.pcapng"), &["-T", "fields", "-e", "tls.handshake.ja4"])
        .status
        .success();
    let table = std::fs::read_to_string(root().join("samples/real/ja4-tshark-4.4.tsv")).unwrap();
    let ja4_table: BTreeMap<(String, Client), String> = table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            ((c[0].to_owned(), (c[1].to_owned(), c[2].to_owned())), c[3].to_owned())
        })
        .collect();
    let mut compared = 0;
    for sample in samples() {
        let mut fields = vec![
            "tls.handshake.type",
            "tls.handshake.extensions_server_name",
            "tls.handshake.extensions_alpn_str",
            "tls.handshake.version",
            "tls.handshake.extensions.supported_version",
            "tls.handshake.ja3",
            "tls.handshake.ja3s",
        ];
        if has_ja4 {
            fields.push("tls.handshake.ja4");
        }
        let hellos = tshark_fields(&t, &sample, &[], "tls.handshake.type == 1 || tls.handshake.type == 2", &fields);
        let certs = tshark_certs(&t, &sample);
        for f in flows(&sample) {
            let first = |kind: &str, from: &Client| {
                hellos.iter().find(|(c, v)| c == from && v[0].split('|').any(|k| k == kind)).map(|(_, v)| v.clone())
            };
            let (ch, sh) = (first("1", &client(&f)), first("2", &server(&f)));
            let tls = &f["tls"];
            if ch.is_none() && sh.is_none() {
                assert!(tls.is_null(), "{sample}: tshark saw no hello on {:?}: {tls}", client(&f));
                continue;
            }
            let s = |k: &str| tls[k].as_str().unwrap_or_default().to_owned();
            let list =
                |k: &str| tls[k].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect::<Vec<_>>();
            if let Some(v) = ch {
                assert_eq!(s("sni"), v[1], "{sample}: sni");
                let alpn: Vec<String> = v[2].split('|').filter(|a| !a.is_empty()).map(str::to_owned).collect();
                assert_eq!(list("alpn"), alpn, "{sample}: alpn");
                assert_eq!(s("client_version"), version(&v[3]), "{sample}: client_version");
                let versions: Vec<String> = v[4]
                    .split('|')
                    .filter(|a| !a.is_empty() && !wvcir::tls::is_grease(u16::from_str_radix(&a[2..], 16).unwrap()))
                    .map(version)
                    .collect();
                assert_eq!(list("versions"), versions, "{sample}: versions");
                assert_eq!(s("ja3"), v[5], "{sample}: ja3");
                let ja4 = if has_ja4 {
                    // Wireshark 4.2.2 (Ubuntu 24.04) hashes an empty list (the SHA-256 of
                    // nothing starts e3b0c44298fc) where FoxIO's JA4 writes 000000000000, as
                    // Wireshark 4.4.19 does.
                    v[7].replace("_e3b0c44298fc", "_000000000000")
                } else {
                    ja4_table
                        .get(&(sample.clone(), client(&f)))
                        .cloned()
                        .unwrap_or_else(|| panic!("{sample}: no JA4 in the table"))
                };
                assert_eq!(s("ja4"), ja4, "{sample}: ja4");
                compared += 1;
            }
            if let Some(v) = sh {
                assert_eq!(tls["server_alpn"].as_str().unwrap_or_default(), v[2], "{sample}: server ALPN");
                let chosen = v[4].split('|').find(|x| !x.is_empty()).unwrap_or(&v[3]);
                assert_eq!(s("version"), version(chosen), "{sample}: version");
                assert_eq!(s("ja3s"), v[6], "{sample}: ja3s");
                compared += 1;
            }
            match certs.get(&server(&f)) {
                Some((issuer, subject)) => {
                    assert_eq!(as_wireshark(&s("cert_subject")), *subject, "{sample}: subject");
                    assert_eq!(as_wireshark(&s("cert_issuer")), *issuer, "{sample}: issuer");
                    assert_eq!(tls["self_signed"].as_bool(), Some(subject == issuer), "{sample}: self-signed");
                    compared += 1;
                }
                None => assert!(tls["cert_subject"].is_null(), "{sample}: tshark saw no certificate"),
            }
        }
    }
    assert!(compared >= 7, "hellos and certificates compared: {compared}");
    let f = &flows("samples/real/tls12-3716-openssl.pcapng")[0];
    assert_eq!(f["messages"], 0, "text inside the certificate (\"wvcir test\") is no CIR");
    assert_eq!(f["other_kinds"], serde_json::json!({"tls": f["other_payloads"]}), "every line of the stream is TLS");
    let detail = f["reasons"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("to c2.example") && detail.contains("JA3 22558766122974704364c9c75c5cce0a"), "{detail}");
}

#[test]
fn every_flows_ssh_fields_equal_tsharks() {
    let Some(t) = Tshark::find() else { return };
    let decode = ["-d", "tcp.port==3717,ssh", "-d", "tcp.port==3716,ssh"];
    let mut compared = 0;
    for sample in samples() {
        let fields = ["ssh.protocol", "ssh.kex.hassh", "ssh.kex.hasshserver"];
        let seen = tshark_fields(&t, &sample, &decode, "ssh.protocol || ssh.kex.hassh || ssh.kex.hasshserver", &fields);
        for f in flows(&sample) {
            let value = |from: &Client, i: usize| {
                seen.iter().find(|(c, v)| c == from && !v[i].is_empty()).map(|(_, v)| v[i].clone())
            };
            let want = [value(&client(&f), 0), value(&server(&f), 0), value(&client(&f), 1), value(&server(&f), 2)];
            let ssh = &f["ssh"];
            if want.iter().all(Option::is_none) {
                assert!(ssh.is_null(), "{sample}: tshark saw no SSH on {:?}: {ssh}", client(&f));
                continue;
            }
            let ours = ["client", "server", "hassh", "hassh_server"].map(|k| ssh[k].as_str().map(str::to_owned));
            assert_eq!(ours, want, "{sample}");
            compared += 1;
        }
    }
    assert!(compared >= 1, "the recorded OpenSSH session was compared");
}
