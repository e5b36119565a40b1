//! The report writer: NDJSON lines are a tagged [`Event`]; the JSON document is written key by
//! key by serde, with each input's spooled records streamed into their arrays, compact or pretty
//! alike. Nothing searches serialized text or indents by hand.
//!
//! A spooled record's `input` is rewritten to its input's place in the document when it is
//! written: `wvcir merge` lists the inputs of several partial reports by path, so a record's index
//! is known only then (see [`crate::merge`]).

use crate::merge::InputPart;
use crate::report::{FlowRec, InputRec, MessageRec, TcpChannelRec};
use crate::report::{SCHEMA_VERSION, SessionRec, Summary, Tool};
use serde::de::{MapAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One NDJSON line: the record with an `event` key first.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    Input(&'a InputRec),
    Message(&'a MessageRec),
    Session(&'a SessionRec),
    TcpChannel(&'a TcpChannelRec),
    Flow(&'a FlowRec),
    Summary(&'a Summary),
}

impl Event<'_> {
    /// The event's line, without its newline.
    pub fn line(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}

/// The arrays of the document that are streamed through spools, in document order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Streamed {
    Messages,
    TcpChannels,
    Flows,
}

impl Streamed {
    pub const ALL: [Streamed; 3] = [Streamed::Messages, Streamed::TcpChannels, Streamed::Flows];

    /// The key of its lines in a partial report.
    pub fn partial_tag(self) -> &'static str {
        match self {
            Streamed::Messages => "message",
            Streamed::TcpChannels => "tcp_channel",
            Streamed::Flows => "flow",
        }
    }

    fn file_tag(self) -> &'static str {
        match self {
            Streamed::Messages => "messages",
            Streamed::TcpChannels => "tcp_channels",
            Streamed::Flows => "flows",
        }
    }
}

/// Bytes all spools together keep in memory before new records go to temporary files: most
/// inputs have few records, and a file per array per input would cost more than their analysis.
pub const SPOOL_MEMORY_BUDGET: usize = 4 << 20;

/// Bytes held in memory by all spools of this process.
static SPOOL_MEMORY: AtomicUsize = AtomicUsize::new(0);

/// An input's messages, TCP channels or flows, serialized one by one (compact JSON, one a line)
/// as they are made, so that the document's memory does not grow with them: in memory while the
/// process's spools hold under [`SPOOL_MEMORY_BUDGET`], then in a temporary file. Streamed into
/// their array when the document is written; the file is deleted with the spool.
#[derive(Debug)]
pub struct Spool {
    what: Streamed,
    /// The `input` every record was written with, when the writer knows it (`analyze`): records
    /// whose index is already right are copied as they are, not taken apart and rewritten.
    records_index: Option<usize>,
    memory: Vec<u8>,
    /// Once spilled: the file, and its writer until [`Spool::close`].
    file: Option<(PathBuf, Option<BufWriter<File>>)>,
}

impl Spool {
    pub fn new(what: Streamed) -> Spool {
        Spool { what, records_index: None, memory: Vec::new(), file: None }
    }

    /// Says that every record pushed carries `input: index` (see [`Spool::stream_into`]).
    pub fn set_records_index(&mut self, index: usize) {
        self.records_index = Some(index);
    }

    /// Which array the records belong to.
    pub fn what(&self) -> Streamed {
        self.what
    }

    /// Appends one record.
    pub fn push<T: Serialize>(&mut self, rec: &T) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(rec)?;
        // Compact JSON never holds a raw newline: one record a line.
        line.push(b'\n');
        self.push_line(&line)
    }

    /// Appends one record already serialized as compact JSON, with its newline.
    pub fn push_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() {
            let held = SPOOL_MEMORY.fetch_add(line.len(), Ordering::Relaxed);
            if held + line.len() <= SPOOL_MEMORY_BUDGET {
                self.memory.extend_from_slice(line);
                return Ok(());
            }
            SPOOL_MEMORY.fetch_sub(line.len(), Ordering::Relaxed);
            self.spill()?;
        }
        match self.file.as_mut() {
            Some((_, Some(w))) => w.write_all(line),
            _ => Err(std::io::Error::other("spool already closed")),
        }
    }

    /// Moves the records held in memory to a new temporary file.
    fn spill(&mut self) -> std::io::Result<()> {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let name = format!("wvcir-{}-{n}-{}.spool", std::process::id(), self.what.file_tag());
        let path = std::env::temp_dir().join(name);
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
            std::io::Error::other(format!("cannot create a spool file in {}: {e}", std::env::temp_dir().display()))
        })?;
        let mut w = BufWriter::with_capacity(256 * 1024, file);
        w.write_all(&self.memory)?;
        SPOOL_MEMORY.fetch_sub(self.memory.len(), Ordering::Relaxed);
        self.memory = Vec::new();
        self.file = Some((path, Some(w)));
        Ok(())
    }

    /// Ends writing; the records can then be read back.
    pub fn close(&mut self) -> std::io::Result<()> {
        match self.file.as_mut().and_then(|(_, w)| w.take()) {
            Some(mut w) => w.flush(),
            None => Ok(()),
        }
    }

    /// The records, one compact JSON line each.
    pub fn reader(&self) -> std::io::Result<Box<dyn BufRead + '_>> {
        match &self.file {
            None => Ok(Box::new(&self.memory[..])),
            Some((path, _)) => {
                let f =
                    File::open(path).map_err(|e| std::io::Error::other(format!("spool {}: {e}", path.display())))?;
                Ok(Box::new(BufReader::with_capacity(256 * 1024, f)))
            }
        }
    }

    /// Calls `f` on every record line (with its newline).
    pub fn for_each_line(&self, mut f: impl FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
        let mut reader = self.reader()?;
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            f(&line)?;
        }
    }

    /// Serializes every record into `seq` with `input` set to `index`: compact records as they
    /// are (checked as JSON, not re-encoded), indented ones re-encoded by the document's own
    /// serializer.
    fn stream_into<S: SerializeSeq>(&self, seq: &mut S, index: usize, pretty: bool) -> Result<(), S::Error> {
        let mut reader = self.reader().map_err(S::Error::custom)?;
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(S::Error::custom)? == 0 {
                return Ok(());
            }
            if !pretty && self.records_index == Some(index) {
                let raw: &RawValue = serde_json::from_slice(&line).map_err(S::Error::custom)?;
                seq.serialize_element(raw)?;
                continue;
            }
            let fields: Fields<'_> = serde_json::from_slice(&line).map_err(S::Error::custom)?;
            seq.serialize_element(&Indexed { index, fields, pretty })?;
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        SPOOL_MEMORY.fetch_sub(self.memory.len(), Ordering::Relaxed);
        if let Some((path, w)) = self.file.take() {
            drop(w);
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// A record's top-level fields in their order, each value left as raw JSON.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a record (a JSON object)")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'a>, M::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'a RawValue>()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A record with `input` first, set to its input's place in the document (every record type
/// declares `input` first, so the record's bytes are otherwise unchanged).
struct Indexed<'a> {
    index: usize,
    fields: Fields<'a>,
    pretty: bool,
}

impl Serialize for Indexed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.0.len()))?;
        map.serialize_entry("input", &self.index)?;
        for (key, value) in self.fields.0.iter().filter(|(k, _)| k != "input") {
            map.serialize_entry(key, &Raw { value, pretty: self.pretty })?;
        }
        map.end()
    }
}

/// Writes one spooled record as a partial report's line, `{"<tag>":{"input":<index>,...}}`.
pub fn write_tagged(out: &mut dyn Write, tag: &'static str, line: &[u8], index: usize) -> std::io::Result<()> {
    struct Tagged<'a>(&'static str, Indexed<'a>);
    impl Serialize for Tagged<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &self.1)?;
            map.end()
        }
    }
    let fields: Fields<'_> = serde_json::from_slice(line)?;
    serde_json::to_writer(&mut *out, &Tagged(tag, Indexed { index, fields, pretty: false }))?;
    out.write_all(b"\n")
}

/// Raw JSON as the document's serializer wants it: as it is (compact), or re-encoded (pretty).
#[derive(Debug)]
pub struct Raw<'a> {
    pub value: &'a RawValue,
    pub pretty: bool,
}

impl Serialize for Raw<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.pretty {
            let mut de = serde_json::Deserializer::from_str(self.value.get());
            serde_transcode::Transcoder::new(&mut de).serialize(s)
        } else {
            self.value.serialize(s)
        }
    }
}

/// Each spool of an input, one per [`Streamed`] array.
pub type Spools = [Spool; 3];

/// A fresh set of spools, one per array.
pub fn new_spools() -> Spools {
    Streamed::ALL.map(Spool::new)
}

/// The JSON document.
#[derive(Debug)]
pub struct Document<'a> {
    /// In document order; each input's record (raw JSON) and its spools.
    pub inputs: &'a [InputPart],
    pub summary: &'a Summary,
    pub sessions: &'a [SessionRec],
    /// Indented (`--pretty`).
    pub pretty: bool,
}

/// The document's `inputs` array.
struct Inputs<'a>(&'a [InputPart], bool);

impl Serialize for Inputs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for i in self.0 {
            seq.serialize_element(&Raw { value: &i.record, pretty: self.1 })?;
        }
        seq.end()
    }
}

/// One streamed array of the document: its records from every input's spool, in input order.
struct Array<'a> {
    inputs: &'a [InputPart],
    which: usize,
    pretty: bool,
}

impl Serialize for Array<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (index, input) in self.inputs.iter().enumerate() {
            if let Some(spool) = input.spools.get(self.which) {
                spool.stream_into(&mut seq, index, self.pretty)?;
            }
        }
        seq.end()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let array = |which: Streamed| Array { inputs: self.inputs, which: which as usize, pretty: self.pretty };
        let mut doc = s.serialize_struct("Report", 8)?;
        doc.serialize_field("schema_version", &SCHEMA_VERSION)?;
        doc.serialize_field("tool", &Tool { name: "wvcir", version: env!("CARGO_PKG_VERSION") })?;
        doc.serialize_field("inputs", &Inputs(self.inputs, self.pretty))?;
        doc.serialize_field("summary", self.summary)?;
        doc.serialize_field("messages", &array(Streamed::Messages))?;
        doc.serialize_field("sessions", self.sessions)?;
        doc.serialize_field("tcp_channels", &array(Streamed::TcpChannels))?;
        doc.serialize_field("flows", &array(Streamed::Flows))?;
        doc.end()
    }
}

impl Document<'_> {
    /// Writes the document, compact or indented, and a final newline.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.pretty {
            serde_json::to_writer_pretty(&mut *out, self)?;
        } else {
            serde_json::to_writer(&mut *out, self)?;
        }
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_lead_with_their_tag_and_documents_stream_their_spools_renumbered() {
        let input = InputRec::new("a.pcap".to_owned());
        let line = Event::Input(&input).line().unwrap();
        assert!(line.starts_with("{\"event\":\"input\",\"path\":\"a.pcap\","), "{line}");
        let mut part = InputPart::new(&input).unwrap();
        for n in [1, 2] {
            part.spools[0].push(&serde_json::json!({"input": 9, "n": n, "x": [n]})).unwrap();
        }
        part.spools.iter_mut().for_each(|s| s.close().unwrap());
        let summary = Summary::default();
        let inputs = [part];
        let doc = Document { inputs: &inputs, summary: &summary, sessions: &[], pretty: false };
        let mut compact = Vec::new();
        doc.write(&mut compact).unwrap();
        let text = String::from_utf8(compact).unwrap();
        assert!(
            text.contains(
                "\"messages\":[{\"input\":0,\"n\":1,\"x\":[1]},{\"input\":0,\"n\":2,\"x\":[2]}],\"sessions\":[]"
            ),
            "{text}"
        );
        let mut pretty = Vec::new();
        Document { pretty: true, ..doc }.write(&mut pretty).unwrap();
        let pretty = String::from_utf8(pretty).unwrap();
        let value: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(value, serde_json::from_str::<serde_json::Value>(&text).unwrap(), "the same document");
        assert!(pretty.contains("\n  \"messages\": [\n    {\n      \"input\": 0,\n      \"n\": 1,"), "{pretty}");
        assert!(pretty.contains("\n  \"inputs\": [\n    {\n      \"path\": \"a.pcap\","), "{pretty}");
    }

    #[test]
    fn a_spool_past_the_memory_budget_spills_to_a_file_and_reads_back_in_order() {
        let mut s = Spool::new(Streamed::Flows);
        let big = "x".repeat(SPOOL_MEMORY_BUDGET / 3);
        for n in 0..4 {
            s.push(&serde_json::json!({"n": n, "pad": big})).unwrap();
        }
        s.close().unwrap();
        assert!(s.file.is_some(), "the budget was passed: the spool is a file");
        let mut seen = Vec::new();
        s.for_each_line(|l| {
            seen.push(serde_json::from_slice::<serde_json::Value>(l).unwrap()["n"].as_u64().unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [0, 1, 2, 3]);
        let path = s.file.as_ref().unwrap().0.clone();
        drop(s);
        assert!(!path.exists(), "the file goes with the spool");
    }
}
