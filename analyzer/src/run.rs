//! `wvcir analyze`: inputs analysed in parallel, one report, partial report or NDJSON stream
//! out; and `wvcir merge`. Both build the report through [`crate::merge`].

use crate::analysis::{Config, InputResult, Progress, Record};
use crate::inputs::{self, Input};
use crate::merge::{InputPart, Part, PartialError};
use crate::summary::Counts;
use crate::vocab::InputErrorKind;
use crate::writer::{self, Document, Event, Spools};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Test-only hook: an input whose path contains this variable's value makes its worker panic,
/// so that tests can check what a bug in the analysis costs (that input, nothing else).
pub const PANIC_HOOK_VAR: &str = "WVCIR_TEST_PANIC_ON";

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
    /// Write a partial report (for `wvcir merge`) instead of the report.
    pub partial: bool,
}

impl Options {
    /// What the inputs are analysed for, as a partial report's header names it: partial reports
    /// made with other options are not merged.
    pub fn description(&self) -> String {
        format!("{:?}", self.config)
    }
}

/// What one input's worker leaves for the merge: its result, its spools (JSON), its counts.
type Finished = (InputResult, Option<Spools>, Counts);

/// The output, shared by the workers (NDJSON lines) and the end (the document, sessions).
struct Output {
    out: Mutex<std::io::BufWriter<Box<dyn Write + Send>>>,
    /// The first write error (a closed pipe, a full disk), reported once the workers stop.
    error: Mutex<Option<std::io::Error>>,
}

impl Output {
    fn line(&self, event: &Event<'_>) -> std::io::Result<()> {
        let line = event.line().map_err(std::io::Error::other)?;
        let mut w = self.out.lock().map_err(|_| std::io::Error::other("output writer poisoned"))?;
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")
    }

    fn remember(&self, e: std::io::Error) {
        if let Ok(mut s) = self.error.lock() {
            s.get_or_insert(e);
        }
    }
}

/// Runs the analysis and writes the report to `out`. Returns whether every input was complete.
pub fn run(mut opts: Options, out: Box<dyn Write + Send>) -> std::io::Result<bool> {
    // The report lists inputs by path; analysed in that order, every record's index is final.
    opts.inputs.sort_by_cached_key(|i| i.path().display().to_string());
    let output =
        Output { out: Mutex::new(std::io::BufWriter::with_capacity(256 * 1024, out)), error: Mutex::new(None) };
    let finished = analyze_all(&opts, &output);
    if let Some(e) = output.error.lock().ok().and_then(|mut e| e.take()) {
        return Err(e);
    }
    let mut part = Part::default();
    for (r, spools, counts) in finished {
        let mut input = InputPart::new(&r.input).map_err(std::io::Error::other)?;
        input.spools = spools.unwrap_or_else(writer::new_spools);
        let mut sessions = r.sessions;
        sessions.set_single_input();
        part.merge(Part { inputs: vec![input], counts, sessions });
    }
    let mut w = output.out.into_inner().map_err(|_| std::io::Error::other("output writer poisoned"))?;
    if opts.partial {
        let all_complete = part.inputs.iter().all(|i| !i.failed);
        part.write_partial(&opts.description(), &mut w)?;
        return Ok(all_complete);
    }
    let report = part.finish();
    match opts.format {
        OutFormat::Json => {
            let doc = Document {
                inputs: &report.inputs,
                summary: &report.summary,
                sessions: &report.sessions,
                pretty: opts.pretty,
            };
            doc.write(&mut w)?;
        }
        OutFormat::Ndjson => {
            for s in &report.sessions {
                write_line(&mut w, &Event::Session(s))?;
            }
            write_line(&mut w, &Event::Summary(&report.summary))?;
        }
    }
    w.flush()?;
    Ok(report.all_complete)
}

fn write_line(w: &mut dyn Write, event: &Event<'_>) -> std::io::Result<()> {
    let line = event.line().map_err(std::io::Error::other)?;
    w.write_all(line.as_bytes())?;
    w.write_all(b"\n")
}

/// What `wvcir merge` was asked to do.
#[derive(Debug)]
pub struct MergeOptions {
    /// Partial reports: paths, `-` for standard input.
    pub partials: Vec<std::path::PathBuf>,
    /// Write a partial report instead of the report.
    pub partial: bool,
    pub pretty: bool,
}

/// Why a merge failed.
#[derive(Debug)]
pub enum MergeError {
    /// A partial report cannot be read or merged: nothing is written.
    Partial(PartialError),
    /// Partial reports made with different options.
    Options { first: String, other: String, name: String },
}

/// Reads and merges partial reports; returns the merged part and the options its inputs were
/// analysed with. Nothing is written: a partial that cannot be merged costs no output.
pub fn read_partials(opts: &MergeOptions) -> Result<(Part, String), MergeError> {
    let mut part = Part::default();
    let mut options: Option<(String, String)> = None;
    for path in &opts.partials {
        let name = path.display().to_string();
        let read = if path.as_os_str() == inputs::STDIN_NAME {
            Part::read_partial(std::io::stdin().lock(), &name)
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Part::read_partial(f, &name),
                Err(e) => {
                    Err(PartialError { name: name.clone(), line: 0, offset: 0, message: format!("cannot open: {e}") })
                }
            }
        };
        let (p, o) = read.map_err(MergeError::Partial)?;
        match &options {
            Some((first, _)) if *first != o => {
                return Err(MergeError::Options { first: first.clone(), other: o, name });
            }
            Some(_) => {}
            None => options = Some((o, name)),
        }
        part.merge(p);
    }
    let description = options.map_or_else(|| format!("{:?}", Config::default()), |(o, _)| o);
    Ok((part, description))
}

/// Writes a merged part as the report (or a partial one) to `out`. Returns whether every input
/// was complete.
pub fn write_merged(part: Part, description: &str, opts: &MergeOptions, out: &mut dyn Write) -> std::io::Result<bool> {
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, out);
    if opts.partial {
        let all_complete = part.inputs.iter().all(|i| !i.failed);
        part.write_partial(description, &mut w)?;
        return Ok(all_complete);
    }
    let report = part.finish();
    let doc =
        Document { inputs: &report.inputs, summary: &report.summary, sessions: &report.sessions, pretty: opts.pretty };
    doc.write(&mut w)?;
    w.flush()?;
    Ok(report.all_complete)
}

/// Analyses every input on a pool of workers; the results come back in input order.
fn analyze_all(opts: &Options, output: &Output) -> Vec<Finished> {
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let n = opts.inputs.len();
    let slots: Vec<Mutex<Option<Finished>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let started = Instant::now();
    std::thread::scope(|scope| {
        if opts.progress {
            scope.spawn(|| progress_loop(&progress, &done, started));
        }
        let worker = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = opts.inputs.get(i) else { break };
                let done = one_input(i, input, opts, &progress, output);
                if let Some(Ok(mut slot)) = slots.get(i).map(Mutex::lock) {
                    *slot = Some(done);
                }
            }
        };
        let workers: Vec<_> = (0..opts.jobs.clamp(1, n.max(1))).map(|_| scope.spawn(worker)).collect();
        for w in workers {
            let _ = w.join();
        }
        done.store(true, Ordering::Relaxed);
    });
    slots.into_iter().filter_map(|s| s.into_inner().ok().flatten()).collect()
}

/// Analyses one input behind a panic boundary: a bug in the analysis costs that input (reported
/// with kind `internal-error`, so the exit status is 1), never the others or the report.
fn one_input(i: usize, input: &Input, opts: &Options, progress: &Progress, output: &Output) -> Finished {
    let mut counts = Counts::default();
    // JSON: each input's streamed records go to spools, in memory then files (NDJSON: straight out).
    let mut spools = match opts.format {
        OutFormat::Json => Some(writer::new_spools().map(|mut s| {
            s.set_records_index(i);
            s
        })),
        OutFormat::Ndjson => None,
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        if std::env::var_os(PANIC_HOOK_VAR)
            .is_some_and(|v| input.path().to_string_lossy().contains(&*v.to_string_lossy()))
        {
            panic!("{PANIC_HOOK_VAR}: a test asked this input's worker to panic");
        }
        let on_record = &mut |r: Record| deliver(r, &mut counts, spools.as_mut(), output);
        inputs::analyze(i, input, &opts.config, progress, on_record)
    }));
    let result = result.unwrap_or_else(|_| {
        let msg = "the analysis of this input failed (a bug in wvcir: please report it); records already written \
                   for it are kept"
            .to_owned();
        inputs::failed(input.path(), InputErrorKind::InternalError, msg)
    });
    if let Some(s) = spools.as_mut() {
        for spool in s.iter_mut() {
            if let Err(e) = spool.close() {
                output.remember(e);
            }
        }
    }
    if opts.format == OutFormat::Ndjson
        && let Err(e) = output.line(&Event::Input(&result.input))
    {
        output.remember(e);
    }
    (result, spools, counts)
}

/// Counts one streamed record and sends it where the format wants it: its spool (JSON) or out at
/// once as an NDJSON event; a write error is kept for the end.
fn deliver(r: Record, counts: &mut Counts, spools: Option<&mut Spools>, output: &Output) {
    let written = match (&r, spools) {
        (Record::Message(m), s) => {
            counts.add(m);
            s.map_or_else(|| output.line(&Event::Message(m)), |[s, _, _]| s.push(m))
        }
        (Record::TcpChannel(t), s) => {
            counts.tcp_channels += 1;
            s.map_or_else(|| output.line(&Event::TcpChannel(t)), |[_, s, _]| s.push(t))
        }
        (Record::Flow(f), s) => {
            counts.flows += 1;
            counts.suspicious_flows += usize::from(f.suspicious);
            s.map_or_else(|| output.line(&Event::Flow(f)), |[_, _, s]| s.push(f))
        }
    };
    if let Err(e) = written {
        output.remember(e);
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
