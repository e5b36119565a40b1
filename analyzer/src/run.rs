//! `wvcir analyze`: inputs in (files, directories, gzip), inputs analysed in parallel, one report
//! or NDJSON stream out.

use crate::analysis::{self, Config, InputResult, Progress, Record};
use crate::report::{ErrorRec, InputRec, MessageRec, Report, SCHEMA_VERSION, Summary, Tool};
use crate::sessions::Sessions;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Extensions searched for in a directory (case-insensitive), each also with `.gz`.
pub const CAPTURE_EXTENSIONS: [&str; 3] = ["pcap", "pcapng", "cap"];

/// One input as given on the command line, expanded.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file to read.
    File(PathBuf),
    /// A path that cannot be read as an input, and why.
    Unreadable(PathBuf, &'static str, String),
}

fn is_capture_name(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    CAPTURE_EXTENSIONS.iter().any(|ext| name.ends_with(&format!(".{ext}")))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && depth < 32 {
            walk(&p, out, depth + 1)?;
        } else if p.is_file() && is_capture_name(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Expands the command line's paths: files as given, directories searched (recursively, sorted)
/// for captures. Paths that cannot be inputs become [`Input::Unreadable`] entries, so the report
/// says what happened to each.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            match walk(p, &mut found, 0) {
                Err(e) => inputs.push(Input::Unreadable(p.clone(), "io", format!("cannot list the directory: {e}"))),
                Ok(()) if found.is_empty() => inputs.push(Input::Unreadable(
                    p.clone(),
                    "no-captures",
                    "the directory holds no .pcap, .pcapng or .cap file (plain or .gz)".to_owned(),
                )),
                Ok(()) => inputs.extend(found.into_iter().map(Input::File)),
            }
        } else if p.exists() {
            inputs.push(Input::File(p.clone()));
        } else {
            inputs.push(Input::Unreadable(p.clone(), "not-found", "no such file or directory".to_owned()));
        }
    }
    inputs
}

fn failed_input(path: &Path, kind: &'static str, message: String) -> InputResult {
    InputResult {
        input: InputRec {
            error: Some(ErrorRec { kind, message, offset: 0 }),
            ..InputRec::new(path.display().to_string())
        },
        sessions: Sessions::default(),
    }
}

/// Opens and analyses one input; gzip is recognised by its magic number, whatever the name.
pub fn analyze_input(
    index: usize,
    input: &Input,
    cfg: &Config,
    progress: &Progress,
    on_record: &mut dyn FnMut(Record),
) -> InputResult {
    let path = match input {
        Input::File(p) => p,
        Input::Unreadable(p, kind, msg) => return failed_input(p, kind, msg.clone()),
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return failed_input(path, "io", format!("cannot open: {e}")),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let gz = match reader.fill_buf() {
        Ok(head) => crate::capture::is_gzip(head),
        Err(e) => return failed_input(path, "io", format!("cannot read: {e}")),
    };
    let name = path.display().to_string();
    let src: Box<dyn Read> = if gz { Box::new(flate2::bufread::MultiGzDecoder::new(reader)) } else { Box::new(reader) };
    analysis::analyze(index, &name, src, cfg, progress, on_record)
}

/// Versions counted by name in `summary.by_version`; past it, CIRs of further versions are counted
/// under [`OTHER_VERSIONS`]. CSP has four versions: a flood of made-up ones must not grow the
/// summary.
pub const MAX_VERSION_KEYS: usize = 256;

/// The `summary.by_version` key of the versions past [`MAX_VERSION_KEYS`] (no version is named so:
/// a version is digits, a dot, digits).
pub const OTHER_VERSIONS: &str = "other";

/// Adds `n` CIRs of `version` to a `by_version` table, keeping it within [`MAX_VERSION_KEYS`].
fn count_version(table: &mut BTreeMap<String, u64>, version: &str, n: u64) {
    let key = if table.len() < MAX_VERSION_KEYS || table.contains_key(version) { version } else { OTHER_VERSIONS };
    match table.get_mut(key) {
        Some(c) => *c += n,
        None => drop(table.insert(key.to_owned(), n)),
    }
}

/// Counts kept while messages stream past (the NDJSON format does not keep the messages).
#[derive(Debug, Default)]
struct Counts {
    messages: u64,
    cir: u64,
    malformed: u64,
    anomalies: u64,
    by_channel: BTreeMap<&'static str, u64>,
    by_version: BTreeMap<String, u64>,
    by_command: BTreeMap<&'static str, u64>,
    by_anomaly: BTreeMap<&'static str, u64>,
    tcp_channels: usize,
    flows: usize,
    suspicious_flows: usize,
}

impl Counts {
    fn add(&mut self, m: &MessageRec) {
        self.messages += 1;
        self.cir += u64::from(m.command == "WVCI");
        self.malformed += u64::from(m.malformed);
        self.anomalies += m.anomalies.len() as u64;
        *self.by_channel.entry(m.channel).or_default() += 1;
        *self.by_command.entry(m.command).or_default() += 1;
        if let (Some(v), "WVCI") = (&m.version, m.command) {
            count_version(&mut self.by_version, v, 1);
        }
        for a in &m.anomalies {
            *self.by_anomaly.entry(a).or_default() += 1;
        }
    }

    fn merge(&mut self, o: Counts) {
        self.messages += o.messages;
        self.cir += o.cir;
        self.malformed += o.malformed;
        self.anomalies += o.anomalies;
        for (k, v) in o.by_channel {
            *self.by_channel.entry(k).or_default() += v;
        }
        for (k, v) in o.by_version {
            count_version(&mut self.by_version, &k, v);
        }
        for (k, v) in o.by_command {
            *self.by_command.entry(k).or_default() += v;
        }
        for (k, v) in o.by_anomaly {
            *self.by_anomaly.entry(k).or_default() += v;
        }
        self.tcp_channels += o.tcp_channels;
        self.flows += o.flows;
        self.suspicious_flows += o.suspicious_flows;
    }
}

/// What one input's worker leaves for the merge: its result, its spooled records (JSON format),
/// its counts.
type Finished = (InputResult, Option<[Spool; 3]>, Counts);

/// The streamed arrays of the JSON document, in document order; each input has a spool for each.
const SPOOLED: [&str; 3] = ["messages", "tcp_channels", "flows"];

/// An input's messages, TCP channels or flows, serialized one by one into a temporary file as
/// they are made, so that the JSON document's memory does not grow with them; spliced into their
/// array when the document is written, in input order, then deleted.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    writer: Option<std::io::BufWriter<File>>,
    count: u64,
}

impl Spool {
    fn create(index: usize, what: &str) -> std::io::Result<Spool> {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("wvcir-{}-{n}-{index}-{what}.spool", std::process::id()));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(Spool { path, writer: Some(std::io::BufWriter::with_capacity(256 * 1024, file)), count: 0 })
    }

    fn push<T: Serialize>(&mut self, m: &T, pretty: bool) -> std::io::Result<()> {
        let w = self.writer.as_mut().ok_or_else(|| std::io::Error::other("spool already closed"))?;
        if pretty {
            // Indented as the array items of the pretty document are (two levels), one per line block.
            let text = serde_json::to_string_pretty(m)?;
            let mut first = true;
            for line in text.lines() {
                if !first {
                    w.write_all(b"\n")?;
                }
                first = false;
                w.write_all(b"    ")?;
                w.write_all(line.as_bytes())?;
            }
            w.write_all(b"\n\x1e")?;
        } else {
            serde_json::to_writer(&mut *w, m)?;
            w.write_all(b"\n\x1e")?;
        }
        self.count += 1;
        Ok(())
    }

    /// Copies the items into `out`, separated by commas, in the document's style.
    fn splice(&mut self, out: &mut dyn Write, first: &mut bool, pretty: bool) -> std::io::Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush()?;
        }
        let mut reader = BufReader::with_capacity(256 * 1024, File::open(&self.path)?);
        let mut item = Vec::new();
        loop {
            item.clear();
            // Items end with "\n\x1e": a record separator that JSON text never contains raw.
            if reader.read_until(0x1E, &mut item)? == 0 {
                break;
            }
            let body = item.strip_suffix(b"\n\x1e").unwrap_or(&item);
            out.write_all(match (*first, pretty) {
                (true, true) => b"\n",
                (true, false) => b"",
                (false, true) => b",\n",
                (false, false) => b",",
            })?;
            out.write_all(body)?;
            *first = false;
        }
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        drop(self.writer.take());
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Json,
    Ndjson,
}

/// What `analyze` was asked to do.
#[derive(Debug)]
pub struct Options {
    pub inputs: Vec<Input>,
    pub config: Config,
    pub format: OutFormat,
    pub pretty: bool,
    pub jobs: usize,
    pub progress: bool,
}

/// One NDJSON line: the record with an `event` key first.
pub fn event_line<T: Serialize>(event: &str, rec: &T) -> serde_json::Result<String> {
    let body = serde_json::to_string(rec)?;
    let rest = body.strip_prefix('{').unwrap_or(&body);
    let sep = if rest.starts_with('}') { "" } else { "," };
    Ok(format!("{{\"event\":\"{event}\"{sep}{rest}"))
}

/// Runs the analysis and writes the report to `out`. Returns whether every input was complete.
pub fn run(opts: Options, out: Box<dyn Write + Send>) -> std::io::Result<bool> {
    let out = Mutex::new(std::io::BufWriter::with_capacity(256 * 1024, out));
    let write_line = |line: serde_json::Result<String>| -> std::io::Result<()> {
        let line = line.map_err(std::io::Error::other)?;
        let mut w = out.lock().map_err(|_| std::io::Error::other("output writer poisoned"))?;
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")
    };
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let n = opts.inputs.len();
    let slots: Vec<Mutex<Option<Finished>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let write_error: Mutex<Option<std::io::Error>> = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|scope| {
        if opts.progress {
            scope.spawn(|| progress_loop(&progress, &done, started));
        }
        let workers: Vec<_> = (0..opts.jobs.clamp(1, n.max(1)))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = opts.inputs.get(i) else { break };
                        let mut counts = Counts::default();
                        // JSON: each input's streamed records go to spool files (NDJSON: straight out).
                        let spool = |what| match opts.format {
                            OutFormat::Json => Spool::create(i, what)
                                .map_err(|e| {
                                    let dir = std::env::temp_dir();
                                    let msg = format!("cannot create a spool file in {}: {e}", dir.display());
                                    remember(&write_error, std::io::Error::other(msg));
                                })
                                .ok(),
                            OutFormat::Ndjson => None,
                        };
                        let mut spools = SPOOLED.map(spool);
                        let [messages, tcp_channels, flows] = &mut spools;
                        let on_record = &mut |r: Record| match r {
                            Record::Message(m) => {
                                counts.add(&m);
                                deliver(messages.as_mut(), &opts, "message", &m, &write_line, &write_error);
                            }
                            Record::TcpChannel(t) => {
                                counts.tcp_channels += 1;
                                deliver(tcp_channels.as_mut(), &opts, "tcp_channel", &t, &write_line, &write_error);
                            }
                            Record::Flow(f) => {
                                counts.flows += 1;
                                counts.suspicious_flows += usize::from(f.suspicious);
                                deliver(flows.as_mut(), &opts, "flow", &f, &write_line, &write_error);
                            }
                        };
                        let result = analyze_input(i, input, &opts.config, &progress, on_record);
                        let [m, t, f] = spools;
                        let spool = m.zip(t).zip(f).map(|((m, t), f)| [m, t, f]);
                        if opts.format == OutFormat::Ndjson
                            && let Err(e) = write_line(event_line("input", &result.input))
                        {
                            remember(&write_error, e);
                        }
                        if let Some(Ok(mut s)) = slots.get(i).map(Mutex::lock) {
                            *s = Some((result, spool, counts));
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
        done.store(true, Ordering::Relaxed);
    });
    if let Some(e) = write_error.into_inner().ok().flatten() {
        return Err(e);
    }

    let mut inputs: Vec<InputRec> = Vec::with_capacity(n);
    let mut spooled: Vec<[Spool; 3]> = Vec::new();
    let mut all_sessions = Sessions::default();
    let mut counts = Counts::default();
    for slot in slots {
        let Some((r, spools, c)) = slot.into_inner().ok().flatten() else { continue };
        inputs.push(r.input);
        spooled.extend(spools);
        all_sessions.merge(r.sessions);
        counts.merge(c);
    }
    let sessions = all_sessions.into_records();
    let all_complete = inputs.iter().all(|i| i.complete);
    let summary = Summary {
        inputs: inputs.len(),
        complete_inputs: inputs.iter().filter(|i| i.complete).count(),
        packets: inputs.iter().map(|i| i.packets).sum(),
        bytes: inputs.iter().map(|i| i.bytes).sum(),
        messages: counts.messages,
        cir: counts.cir,
        malformed: counts.malformed,
        anomalies: counts.anomalies,
        sessions: sessions.len(),
        tcp_channels: counts.tcp_channels,
        flows: counts.flows,
        suspicious_flows: counts.suspicious_flows,
        by_channel: counts.by_channel,
        by_version: counts.by_version,
        by_command: counts.by_command,
        by_anomaly: counts.by_anomaly,
    };
    match opts.format {
        OutFormat::Json => {
            let report = Report {
                schema_version: SCHEMA_VERSION,
                tool: Tool { name: "wvcir", version: env!("CARGO_PKG_VERSION") },
                inputs,
                summary,
                messages: Vec::new(),
                sessions,
                tcp_channels: Vec::new(),
                flows: Vec::new(),
            };
            // The document with empty messages, TCP channels and flows arrays, which the spools
            // then fill: the text held here is only inputs, summary and sessions.
            let text =
                if opts.pretty { serde_json::to_string_pretty(&report)? } else { serde_json::to_string(&report)? };
            let mut w = out.lock().map_err(|_| std::io::Error::other("output writer poisoned"))?;
            let mut rest = text.as_str();
            for (k, key) in SPOOLED.iter().enumerate() {
                let marker = if opts.pretty { format!("\"{key}\": []") } else { format!("\"{key}\":[]") };
                let at =
                    rest.find(&marker).ok_or_else(|| std::io::Error::other(format!("report without a {key} array")))?;
                let (head, tail) = rest.split_at(at + marker.len() - 1);
                w.write_all(head.as_bytes())?;
                let mut first = true;
                for spool in spooled.iter_mut().filter_map(|s| s.get_mut(k)) {
                    spool.splice(&mut *w, &mut first, opts.pretty)?;
                }
                if opts.pretty && !first {
                    w.write_all(b"\n  ")?;
                }
                rest = tail;
            }
            w.write_all(rest.as_bytes())?;
            w.write_all(b"\n")?;
        }
        OutFormat::Ndjson => {
            for s in &sessions {
                write_line(event_line("session", s))?;
            }
            write_line(event_line("summary", &summary))?;
        }
    }
    out.into_inner().map_err(|_| std::io::Error::other("output writer poisoned"))?.flush()?;
    Ok(all_complete)
}

/// Sends one streamed record where the format wants it: its spool (JSON) or out at once as an
/// NDJSON event; a write error is kept for the end.
fn deliver<T: Serialize>(
    spool: Option<&mut Spool>,
    opts: &Options,
    event: &str,
    rec: &T,
    write_line: &dyn Fn(serde_json::Result<String>) -> std::io::Result<()>,
    errors: &Mutex<Option<std::io::Error>>,
) {
    let written = match spool {
        Some(s) => s.push(rec, opts.pretty),
        None if opts.format == OutFormat::Ndjson => write_line(event_line(event, rec)),
        None => Ok(()),
    };
    if let Err(e) = written {
        remember(errors, e);
    }
}

/// Keeps the first write error (a closed pipe, a full disk) to report once the workers stop.
fn remember(slot: &Mutex<Option<std::io::Error>>, e: std::io::Error) {
    if let Ok(mut s) = slot.lock() {
        s.get_or_insert(e);
    }
}

/// Prints bytes, packets and their rates on stderr, over one line, until `done`.
fn progress_loop(p: &Progress, done: &AtomicBool, started: Instant) {
    let mut stderr = std::io::stderr();
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        let (bytes, packets) = (p.bytes.load(Ordering::Relaxed), p.packets.load(Ordering::Relaxed));
        let _ = write!(
            stderr,
            "\r\x1b[2Kwvcir: {:.1} MB, {} packets, {:.1} MB/s, {:.0} kpackets/s",
            bytes as f64 / 1e6,
            packets,
            bytes as f64 / 1e6 / secs,
            packets as f64 / 1e3 / secs
        );
    }
    let _ = write!(stderr, "\r\x1b[2K");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_version_names_at_most_max_version_keys_and_counts_the_rest_as_other() {
        let mut t = BTreeMap::new();
        for i in 0..MAX_VERSION_KEYS + 10 {
            count_version(&mut t, &format!("1.{i}"), 1);
        }
        count_version(&mut t, "1.0", 5);
        let mut o = BTreeMap::new();
        count_version(&mut o, "7.7", 3);
        for (k, v) in o {
            count_version(&mut t, &k, v);
        }
        assert_eq!(t.len(), MAX_VERSION_KEYS + 1);
        assert_eq!((t["1.0"], t[OTHER_VERSIONS]), (6, 10 + 3), "a known version still counts; the rest is other");
    }
}
