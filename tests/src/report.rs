//! Running the analyzer in-process on samples, and checking JSON the way the issue demands.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use wvcir_analyzer::analysis::Config;
use wvcir_analyzer::inputs::Input;
use wvcir_analyzer::run::{self, Options, OutFormat};

/// A `Write` whose bytes the caller reads back after the run.
#[derive(Clone, Debug, Default)]
pub struct Shared(pub Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The report text for `paths` (relative to the workspace root), with input paths shown
/// relative to the root so that reports compare across machines.
pub fn analyze(paths: &[&str], format: OutFormat) -> String {
    let root = crate::root();
    let inputs = paths.iter().map(|p| Input::File(root.join(p))).collect();
    let opts = Options {
        inputs,
        config: Config::default(),
        format,
        pretty: format == OutFormat::Json,
        jobs: 1,
        progress: false,
        partial: false,
    };
    let buf = Shared::default();
    run::run(opts, Box::new(buf.clone())).expect("the analysis writes its report");
    let text = String::from_utf8(buf.0.lock().map(|b| b.clone()).unwrap_or_default()).expect("UTF-8 report");
    let prefix = format!("{}/", root.display());
    text.replace(&prefix, "")
}

/// Sample capture paths, relative to the root.
pub fn sample_paths() -> Vec<PathBuf> {
    let dir = crate::root().join("samples/captures");
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.sort();
    v.into_iter().filter_map(|p| p.strip_prefix(crate::root()).ok().map(PathBuf::from)).collect()
}

/// Fails on a JSON object that repeats a key (serde_json and jq silently keep the last one).
pub fn check_no_duplicate_keys(text: &str) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    NoDup.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

struct NoDup;

impl<'de> DeserializeSeed<'de> for NoDup {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(NoDupVisitor)
    }
}

struct NoDupVisitor;

impl<'de> Visitor<'de> for NoDupVisitor {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key \"{key}\"")));
            }
            map.next_value_seed(NoDup)?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoDup)?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}
