//! The one merge: `wvcir analyze` and `wvcir merge` both build their report from [`Part`]s.
//!
//! A part is what some inputs leave once read: each input's record and its streamed records
//! (spooled), the summary's counts, and the sessions' mergeable state (CIR times, not interval
//! statistics, which cannot be merged). `analyze` makes one part per input and merges them;
//! `analyze --partial` writes the merged part to a file, and `wvcir merge` reads such files back
//! and merges them the same way. The merge is associative and commutative: counts add, capped
//! lists keep by a total order (see [`crate::summary`] and [`crate::sessions`]), and the inputs
//! are listed by path when the report is written. So a report is the same, byte for byte, for any
//! grouping and order of the same inputs, in one run or many.
//!
//! The partial report is NDJSON (one object per line, its key says what it holds), described in
//! `docs/partial-reports.md`.

use crate::report::{InputRec, SessionRec, Summary};
use crate::sessions::{SessionState, Sessions};
use crate::summary::Counts;
use crate::vocab::{InputErrorKind, Vocabulary};
use crate::writer::{self, Spools, Streamed};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::io::{BufRead, Read, Write};

/// Version of the partial report's format; a merge refuses other versions.
pub const PARTIAL_FORMAT: u32 = 1;

/// The longest line a partial report may hold (a session with all its times is about 30 KB).
pub const MAX_PARTIAL_LINE: u64 = 16 << 20;

/// One input of a part: its record (kept as the JSON it was written as, so that it is reproduced
/// exactly) and its messages, TCP channels and flows.
#[derive(Debug)]
pub struct InputPart {
    pub record: Box<RawValue>,
    pub path: String,
    /// Read to its end.
    pub complete: bool,
    /// Not complete for a reason that counts against the run (a duplicate path does not).
    pub failed: bool,
    pub packets: u64,
    pub bytes: u64,
    pub spools: Spools,
    /// Records in the spools.
    pub records: u64,
}

/// The fields of an input's record the merge needs.
#[derive(Deserialize)]
struct Head {
    path: String,
    complete: bool,
    packets: u64,
    bytes: u64,
    error: Option<HeadError>,
}

#[derive(Deserialize)]
struct HeadError {
    kind: String,
}

impl InputPart {
    /// A part for an input just read; its records are pushed into `spools` afterwards.
    pub fn new(rec: &InputRec) -> serde_json::Result<InputPart> {
        let record = serde_json::value::to_raw_value(rec)?;
        InputPart::from_record(record).map_err(serde::de::Error::custom)
    }

    fn from_record(record: Box<RawValue>) -> Result<InputPart, String> {
        let head: Head = serde_json::from_str(record.get()).map_err(|e| format!("not an input record: {e}"))?;
        let failure = match head.error {
            None => true,
            Some(e) => match InputErrorKind::ALL.iter().find(|k| k.name() == e.kind) {
                Some(k) => k.is_failure(),
                None => return Err(format!("unknown input error kind '{}'", e.kind)),
            },
        };
        Ok(InputPart {
            record,
            path: head.path,
            complete: head.complete,
            failed: !head.complete && failure,
            packets: head.packets,
            bytes: head.bytes,
            spools: writer::new_spools(),
            records: 0,
        })
    }
}

/// What some inputs leave once read: see the module's documentation.
#[derive(Debug, Default)]
pub struct Part {
    pub inputs: Vec<InputPart>,
    pub counts: Counts,
    pub sessions: Sessions,
}

/// A report ready to be written.
#[derive(Debug)]
pub struct Finished {
    pub inputs: Vec<InputPart>,
    pub summary: Summary,
    pub sessions: Vec<SessionRec>,
    /// Every input was read completely (or is a duplicate path).
    pub all_complete: bool,
}

impl Part {
    /// Adds another part's inputs, counts and sessions to this one.
    pub fn merge(&mut self, mut other: Part) {
        other.sessions.shift_inputs(self.inputs.len());
        self.inputs.append(&mut other.inputs);
        self.counts.merge(other.counts);
        self.sessions.merge(other.sessions);
    }

    /// Puts the inputs in report order: by path, then (the same path given twice) by record.
    pub fn sort_inputs(&mut self) {
        let mut order: Vec<usize> = (0..self.inputs.len()).collect();
        let key = |i: &usize| self.inputs.get(*i).map(|p| (p.path.as_str(), p.record.get()));
        order.sort_by(|a, b| key(a).cmp(&key(b)));
        let mut new_of_old = vec![0; order.len()];
        for (new, old) in order.iter().enumerate() {
            if let Some(slot) = new_of_old.get_mut(*old) {
                *slot = new;
            }
        }
        self.sessions.remap_inputs(&new_of_old);
        let mut slots: Vec<Option<InputPart>> = std::mem::take(&mut self.inputs).into_iter().map(Some).collect();
        self.inputs = order.iter().filter_map(|old| slots.get_mut(*old).and_then(Option::take)).collect();
    }

    /// The report: inputs by path, the summary, the sessions.
    pub fn finish(mut self) -> Finished {
        self.sort_inputs();
        let sessions = self.sessions.into_records();
        let all_complete = self.inputs.iter().all(|i| !i.failed);
        let summary = self.counts.summary(&self.inputs, sessions.len());
        Finished { inputs: self.inputs, summary, sessions, all_complete }
    }

    /// Writes this part as a partial report, inputs by path; `options` names what the inputs were
    /// analysed for (a merge refuses partials made with other options).
    pub fn write_partial(mut self, options: &str, out: &mut dyn Write) -> std::io::Result<()> {
        self.sort_inputs();
        let header = Header { format: PARTIAL_FORMAT, tool: tool(), options: options.to_owned() };
        line(out, &Line::Partial(header))?;
        let mut records = 0u64;
        for (index, input) in self.inputs.iter().enumerate() {
            line(out, &Line::Input(&input.record))?;
            for spool in &input.spools {
                spool.for_each_line(|l| {
                    records += 1;
                    writer::write_tagged(out, spool.what().partial_tag(), l, index)
                })?;
            }
        }
        line(out, &Line::Counts(self.counts))?;
        let states = self.sessions.into_states();
        let sessions = states.len() as u64;
        for s in states {
            line(out, &Line::Session(s))?;
        }
        line(out, &Line::End(End { inputs: self.inputs.len() as u64, records, sessions }))?;
        out.flush()
    }

    /// Reads a partial report; returns it and the options its header says its inputs were analysed
    /// with (a merge compares them across partials).
    /// `name` names the file in errors.
    pub fn read_partial(src: impl Read, name: &str) -> Result<(Part, String), PartialError> {
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, src);
        let mut part = Part::default();
        let mut at = Position { name: name.to_owned(), line: 0, offset: 0 };
        let mut buf = Vec::new();
        let mut options = None;
        let mut counts_seen = false;
        loop {
            buf.clear();
            let n = (&mut reader)
                .take(MAX_PARTIAL_LINE + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| at.error(format!("cannot read: {e}")))?;
            at.line += 1;
            if n == 0 {
                return Err(at.error("the partial report ends without its `end` line: it was cut short".to_owned()));
            }
            if n as u64 > MAX_PARTIAL_LINE {
                return Err(at.error(format!("a line longer than {MAX_PARTIAL_LINE} bytes")));
            }
            let parsed: Line<'_> =
                serde_json::from_slice(&buf).map_err(|e| at.error(format!("not a partial report line: {e}")))?;
            match (parsed, &options) {
                (Line::Partial(h), None) => {
                    if h.format != PARTIAL_FORMAT {
                        return Err(at.error(format!(
                            "partial report format {} (this wvcir reads format {PARTIAL_FORMAT}); make it again with this wvcir",
                            h.format
                        )));
                    }
                    options = Some(h.options);
                }
                (_, None) => return Err(at.error("not a wvcir partial report (no header line)".to_owned())),
                (Line::Partial(_), Some(_)) => return Err(at.error("a second header line".to_owned())),
                (Line::Input(raw), Some(_)) => {
                    let input = InputPart::from_record(raw.to_owned()).map_err(|e| at.error(e))?;
                    part.inputs.push(input);
                }
                (Line::Message(raw), Some(_)) => push_record(&mut part, Streamed::Messages, raw, &at)?,
                (Line::TcpChannel(raw), Some(_)) => push_record(&mut part, Streamed::TcpChannels, raw, &at)?,
                (Line::Flow(raw), Some(_)) => push_record(&mut part, Streamed::Flows, raw, &at)?,
                (Line::Counts(c), Some(_)) => {
                    if std::mem::replace(&mut counts_seen, true) {
                        return Err(at.error("a second counts line".to_owned()));
                    }
                    part.counts = c;
                }
                (Line::Session(s), Some(_)) => {
                    part.sessions.insert_state(s, part.inputs.len()).map_err(|e| at.error(e))?;
                }
                (Line::End(end), Some(options)) => {
                    let records = part.inputs.iter().map(|i| i.records).sum();
                    let seen = End { inputs: part.inputs.len() as u64, records, sessions: part.sessions.len() as u64 };
                    if end != seen || !counts_seen {
                        return Err(at.error(format!(
                            "the end line counts {end:?} but the file holds {seen:?}: lines are missing or were edited"
                        )));
                    }
                    let mut rest = [0u8; 1];
                    if reader.read(&mut rest).map_err(|e| at.error(format!("cannot read: {e}")))? != 0 {
                        return Err(at.error("content after the end line".to_owned()));
                    }
                    for input in &mut part.inputs {
                        for spool in &mut input.spools {
                            spool.close().map_err(|e| at.error(e.to_string()))?;
                        }
                    }
                    return Ok((part, options.clone()));
                }
            }
            at.offset += n as u64;
        }
    }
}

/// Adds a record to the last input read.
fn push_record(part: &mut Part, which: Streamed, raw: &RawValue, at: &Position) -> Result<(), PartialError> {
    let Some(input) = part.inputs.last_mut() else {
        return Err(at.error("a record before any input".to_owned()));
    };
    let mut text = Vec::with_capacity(raw.get().len() + 1);
    text.extend_from_slice(raw.get().as_bytes());
    text.push(b'\n');
    input.records += 1;
    match input.spools.get_mut(which as usize) {
        Some(spool) => spool.push_line(&text).map_err(|e| at.error(e.to_string())),
        None => Ok(()),
    }
}

/// Where a partial report went wrong.
#[derive(Clone, Debug)]
struct Position {
    name: String,
    line: u64,
    offset: u64,
}

impl Position {
    fn error(&self, message: String) -> PartialError {
        PartialError { name: self.name.clone(), line: self.line, offset: self.offset, message }
    }
}

/// A partial report that cannot be merged: which file, where, and why.
#[derive(Debug)]
pub struct PartialError {
    pub name: String,
    pub line: u64,
    pub offset: u64,
    pub message: String,
}

impl std::fmt::Display for PartialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {} (byte offset {}): {}", self.name, self.line, self.offset, self.message)
    }
}

/// The tool that wrote a partial report.
fn tool() -> String {
    format!("wvcir {}", env!("CARGO_PKG_VERSION"))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: u32,
    tool: String,
    options: String,
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    inputs: u64,
    records: u64,
    sessions: u64,
}

/// One line of a partial report: a one-key object whose key says what it holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line<'a> {
    /// The first line.
    Partial(Header),
    /// An input's record; the records after it are its own.
    #[serde(borrow)]
    Input(&'a RawValue),
    #[serde(borrow)]
    Message(&'a RawValue),
    #[serde(borrow)]
    TcpChannel(&'a RawValue),
    #[serde(borrow)]
    Flow(&'a RawValue),
    Counts(Counts),
    Session(SessionState),
    /// The last line: how many of each the file holds, so that a cut file is never merged.
    End(End),
}

fn line(out: &mut dyn Write, l: &Line<'_>) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, l)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partial report of `udp-cir.pcap`, as `wvcir analyze --partial` wrote it.
    const UDP: &str = include_str!("../fuzz/seeds/merge_partial/udp-cir.pcap.partial");

    fn read(text: &str) -> Result<Part, String> {
        Part::read_partial(text.as_bytes(), "t.partial").map(|(p, _)| p).map_err(|e| e.to_string())
    }

    fn lines() -> Vec<String> {
        UDP.lines().map(str::to_owned).collect()
    }

    fn join(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn a_partial_reads_back_and_writes_the_same_bytes() {
        let (part, options) = Part::read_partial(UDP.as_bytes(), "udp").unwrap();
        assert_eq!((part.inputs.len(), part.sessions.len(), part.inputs[0].records), (1, 1, 5));
        let mut out = Vec::new();
        part.write_partial(&options, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), UDP);
    }

    #[test]
    fn a_cut_or_edited_partial_is_refused_with_its_line() {
        let mut l = lines();
        let n = l.len();
        let cut = join(&l[..n - 1]);
        assert!(read(&cut).unwrap_err().contains(&format!("line {n} ")), "{}", read(&cut).unwrap_err());
        assert!(read(&cut).unwrap_err().contains("cut short"));
        let dropped = join(&[&l[..2], &l[3..]].concat());
        assert!(read(&dropped).unwrap_err().contains("lines are missing or were edited"));
        assert!(read(&format!("{UDP}{{}}\n")).unwrap_err().contains("after the end line"));
        assert!(read(&join(&l[1..])).unwrap_err().contains("no header line"));
        assert!(read(&join(&[l[0].clone(), l[2].clone()])).unwrap_err().contains("before any input"));
        l[1] = l[1].replace("\"error\":null", "\"error\":{\"kind\":\"gremlins\",\"message\":\"\",\"offset\":0}");
        assert!(read(&join(&l)).unwrap_err().contains("unknown input error kind 'gremlins'"));
        let huge = format!("{}\n{}\n", l[0], " ".repeat(MAX_PARTIAL_LINE as usize + 1));
        assert!(read(&huge).unwrap_err().contains("line 2 "), "{}", read(&huge).unwrap_err());
    }

    #[test]
    fn hostile_sessions_and_counts_are_refused_or_bounded_never_a_panic() {
        let l = lines();
        let session = l.iter().position(|x| x.starts_with("{\"session\"")).unwrap();
        let edit = |from: &str, to: &str| {
            let mut l = l.clone();
            assert!(l[session].contains(from), "{}", l[session]);
            l[session] = l[session].replacen(from, to, 1);
            read(&join(&l))
        };
        assert!(edit("\"inputs\":[0]", "\"inputs\":[1]").unwrap_err().contains("lists 1 inputs"));
        assert!(edit("\"first\":[", "\"first\":[1,1000000000],\"x\":[").is_err());
        let first = l[session].split("\"first\":").nth(1).unwrap().split(']').next().unwrap().to_owned() + "]";
        let bad = first.replace(']', "").split(',').next().unwrap().to_owned() + ",1000000000]";
        assert!(edit(&first, &bad).unwrap_err().contains("1000000000 nanoseconds"));
        // Counts at the top of u64, merged twice: saturated, not wrapped or panicked.
        let counts = l.iter().position(|x| x.starts_with("{\"counts\"")).unwrap();
        let mut big = l.clone();
        big[counts] = big[counts].replacen("\"messages\":4", &format!("\"messages\":{}", u64::MAX), 1);
        let (a, b) = (read(&join(&big)).unwrap(), read(&join(&big)).unwrap());
        let mut m = Part::default();
        m.merge(a);
        m.merge(b);
        assert_eq!(m.finish().summary.messages, u64::MAX);
    }
}
