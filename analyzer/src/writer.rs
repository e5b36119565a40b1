//! The report writer: NDJSON lines are a tagged [`Event`]; the JSON document is written key by
//! key by serde, with each input's spooled records streamed into their arrays, compact or pretty
//! alike. Nothing searches serialized text or indents by hand.

use crate::report::{FlowRec, InputRec, MessageRec, SCHEMA_VERSION, SessionRec, Summary, TcpChannelRec, Tool};
use serde::ser::{Error as _, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
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

    fn file_tag(self) -> &'static str {
        match self {
            Streamed::Messages => "messages",
            Streamed::TcpChannels => "tcp_channels",
            Streamed::Flows => "flows",
        }
    }
}

/// An input's messages, TCP channels or flows, serialized one by one (compact JSON, one a line)
/// into a temporary file as they are made, so that the document's memory does not grow with
/// them; streamed into their array when the document is written, then deleted.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl Spool {
    pub fn create(index: usize, what: Streamed) -> std::io::Result<Spool> {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let name = format!("wvcir-{}-{n}-{index}-{}.spool", std::process::id(), what.file_tag());
        let path = std::env::temp_dir().join(name);
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(Spool { path, writer: Some(BufWriter::with_capacity(256 * 1024, file)) })
    }

    /// Appends one record.
    pub fn push<T: Serialize>(&mut self, rec: &T) -> std::io::Result<()> {
        let w = self.writer.as_mut().ok_or_else(|| std::io::Error::other("spool already closed"))?;
        serde_json::to_writer(&mut *w, rec)?;
        // Compact JSON never holds a raw newline: one record a line.
        w.write_all(b"\n")
    }

    /// Ends writing; the records can then be read back.
    pub fn close(&mut self) -> std::io::Result<()> {
        match self.writer.take() {
            Some(mut w) => w.flush(),
            None => Ok(()),
        }
    }

    /// Serializes every record into `seq`: compact records as they are (checked as JSON, not
    /// re-encoded), indented ones re-encoded by the document's own serializer.
    fn stream_into<S: SerializeSeq>(&self, seq: &mut S, pretty: bool) -> Result<(), S::Error> {
        let file =
            File::open(&self.path).map_err(|e| S::Error::custom(format!("spool {}: {e}", self.path.display())))?;
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(S::Error::custom)? == 0 {
                return Ok(());
            }
            if pretty {
                let mut de = serde_json::Deserializer::from_slice(&line);
                seq.serialize_element(&serde_transcode::Transcoder::new(&mut de))?;
            } else {
                let raw: &serde_json::value::RawValue = serde_json::from_slice(&line).map_err(S::Error::custom)?;
                seq.serialize_element(raw)?;
            }
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        drop(self.writer.take());
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Each input's spools, one per [`Streamed`] array, in input order.
pub type Spools = Vec<[Spool; 3]>;

/// The JSON document.
#[derive(Debug)]
pub struct Document<'a> {
    pub inputs: &'a [InputRec],
    pub summary: &'a Summary,
    pub sessions: &'a [SessionRec],
    pub spools: &'a Spools,
    /// Indented (`--pretty`).
    pub pretty: bool,
}

/// One streamed array of the document: its records from every input's spool, in input order.
struct Array<'a> {
    spools: &'a Spools,
    which: usize,
    pretty: bool,
}

impl Serialize for Array<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for spool in self.spools.iter().filter_map(|s| s.get(self.which)) {
            spool.stream_into(&mut seq, self.pretty)?;
        }
        seq.end()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let array = |which: Streamed| Array { spools: self.spools, which: which as usize, pretty: self.pretty };
        let mut doc = s.serialize_struct("Report", 8)?;
        doc.serialize_field("schema_version", &SCHEMA_VERSION)?;
        doc.serialize_field("tool", &Tool { name: "wvcir", version: env!("CARGO_PKG_VERSION") })?;
        doc.serialize_field("inputs", self.inputs)?;
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
    fn events_lead_with_their_tag_and_documents_stream_their_spools() {
        let input = InputRec::new("a.pcap".to_owned());
        let line = Event::Input(&input).line().unwrap();
        assert!(line.starts_with("{\"event\":\"input\",\"path\":\"a.pcap\","), "{line}");
        let mut spools: Spools = vec![Streamed::ALL.map(|w| Spool::create(7, w).unwrap())];
        for n in [1, 2] {
            spools[0][0].push(&serde_json::json!({"n": n, "x": [n]})).unwrap();
        }
        spools[0].iter_mut().for_each(|s| s.close().unwrap());
        let summary = Summary::default();
        let doc = Document { inputs: &[input], summary: &summary, sessions: &[], spools: &spools, pretty: false };
        let mut compact = Vec::new();
        doc.write(&mut compact).unwrap();
        let text = String::from_utf8(compact).unwrap();
        assert!(text.contains("\"messages\":[{\"n\":1,\"x\":[1]},{\"n\":2,\"x\":[2]}],\"sessions\":[]"), "{text}");
        let mut pretty = Vec::new();
        Document { pretty: true, ..doc }.write(&mut pretty).unwrap();
        let pretty = String::from_utf8(pretty).unwrap();
        let value: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(value, serde_json::from_str::<serde_json::Value>(&text).unwrap(), "the same document");
        assert!(pretty.contains("\n  \"messages\": [\n    {\n      \"n\": 1,"), "{pretty}");
    }
}
