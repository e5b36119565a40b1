//! Every name the report can write is in the schema's enums and in the README: a vocabulary that
//! grows a name cannot reach users' pipelines undocumented.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::BTreeSet;
use wvcir_analyzer::vocab::{self, ConnectionEnd, Finding, FlowKind, InputErrorKind, ReasonKind, Vocabulary};
use wvcir_tests::root;

/// Every string in an `enum` or `const` of the schema.
fn schema_names(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("enum", Value::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
                    }
                    ("const", Value::String(s)) => drop(out.insert(s.clone())),
                    _ => schema_names(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| schema_names(i, out)),
        _ => {}
    }
}

fn check<T: Vocabulary>(what: &str, schema: &BTreeSet<String>, readme: &str) {
    for name in vocab::names::<T>() {
        assert!(schema.contains(name), "{what} `{name}` is not in the schema's enums");
        assert!(readme.contains(&format!("`{name}`")), "{what} `{name}` is not in README.md");
    }
}

#[test]
fn every_vocabulary_name_is_in_the_schema_and_the_readme() {
    let schema: Value = serde_json::from_str(wvcir_analyzer::report::SCHEMA).unwrap();
    let mut names = BTreeSet::new();
    schema_names(&schema, &mut names);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    check::<InputErrorKind>("input error kind", &names, &readme);
    check::<ConnectionEnd>("connection end", &names, &readme);
    check::<ReasonKind>("reason kind", &names, &readme);
    check::<FlowKind>("flow kind", &names, &readme);
    check::<Finding>("anomaly", &names, &readme);
    let protocol = std::fs::read_to_string(root().join("docs/protocol.md")).unwrap();
    for name in vocab::names::<Finding>() {
        assert!(protocol.contains(&format!("`{name}`")), "anomaly `{name}` is not in docs/protocol.md");
    }
    check::<wvcir::Channel>("channel", &names, &readme);
    check::<wvcir::Command>("command", &names, &readme);
    check::<wvcir::LineEnd>("line end", &names, &readme);
    check::<wvcir::sms::Encoding>("encoding", &names, &readme);
    check::<wvcir::sms::Coding>("SMS data coding", &names, &readme);
    check::<wvcir_analyzer::vocab::SmsPdu>("SMS PDU", &names, &readme);
    check::<wvcir_analyzer::vocab::SmsTransport>("SMS transport", &names, &readme);
    check::<wvcir::Transport>("protocol", &names, &readme);
    check::<wvcir_analyzer::capture::Format>("capture format", &names, &readme);
    check::<wvcir_analyzer::carriers::CarrierKind>("tunnel kind", &names, &readme);
    check::<wvcir::clients::Verdict>("client verdict", &names, &readme);
    check::<wvcir::clients::Loss>("Symbian's loss", &names, &readme);
    for client in vocab::names::<wvcir::clients::Client>() {
        assert!(readme.contains(&format!("`{client}`")), "client `{client}` is not in README.md");
    }
    for event in ["input", "message", "session", "tcp_channel", "flow", "summary"] {
        assert!(names.contains(event) && readme.contains(&format!("`{event}`")), "event {event}");
    }
}
