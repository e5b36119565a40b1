//! `wvcir`: see `wvcir --help`.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use wvcir::{Channel, PortMap, PortRange};
use wvcir_analyzer::analysis::Config;
use wvcir_analyzer::decode;
use wvcir_analyzer::inputs::{self, Input};
use wvcir_analyzer::run::{self, MergeError, MergeOptions, Options, OutFormat};
use wvcir_analyzer::vocab::{InputErrorKind, Vocabulary};

#[derive(Parser)]
#[command(name = "wvcir", version, about = "Make Wireless Village CSP CIR traffic visible")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse captures (pcap, pcapng, plain or gzip; directories are searched) into a JSON report.
    ///
    /// Exit status: 0 every input read completely, 1 report written but some input incomplete or
    /// unreadable, 2 usage error.
    Analyze(Box<AnalyzeArgs>),
    /// Decode one payload (hex argument, or raw bytes on stdin) and print it as JSON.
    ///
    /// Exit status: 0 decoded, 1 not decodable as the channel, 2 usage error.
    Decode {
        /// The payload as hex (`57 56 43 49 ...`); without it, raw bytes are read from stdin.
        hex: Option<String>,
        /// Decode as this channel instead of guessing from the bytes.
        #[arg(long, value_enum, default_value_t = ChannelArg::Auto)]
        channel: ChannelArg,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Merge partial reports (`analyze --partial`) into the report one `analyze` run over all their
    /// inputs would write, byte for byte, whatever their grouping and order.
    ///
    /// Exit status: 0 every input read completely, 1 report written but some input incomplete or
    /// unreadable, 2 a partial report cannot be merged (nothing written) or usage error.
    Merge(MergeArgs),
    /// List the inputs `analyze` would read for these paths (directories walked, duplicates and
    /// loops found), one JSON object per line: `{"path":...,"error":null}` or with an error's
    /// `kind` and `message`. Drivers that run `analyze` per input (`wvcir-dask`) use it, so
    /// that their inputs are named and found exactly as `analyze` names and finds them.
    Inputs {
        /// Capture files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Follow symbolic links to directories while walking.
        #[arg(short = 'L', long)]
        follow: bool,
    },
    /// Print the JSON Schema of the report `analyze` writes.
    Schema,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Partial reports written by `analyze --partial` or `merge --partial`; `-` reads one from
    /// standard input.
    #[arg(required = true)]
    partials: Vec<PathBuf>,
    /// Write a partial report (to merge again) instead of the report.
    #[arg(long)]
    partial: bool,
    /// Write the report here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Indent the JSON document.
    #[arg(long, conflicts_with = "partial")]
    pretty: bool,
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Capture files or directories; `-` reads a capture from standard input (plain or gzip).
    #[arg(required_unless_present = "files_from")]
    inputs: Vec<PathBuf>,
    /// Also read the paths listed in FILE, one per line (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// The --files-from list is NUL-separated (as `find -print0` writes it).
    #[arg(long, requires = "files_from")]
    null: bool,
    /// Follow symbolic links to directories while walking (loops are detected and reported).
    #[arg(short = 'L', long)]
    follow: bool,
    /// Write the report here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// One JSON document, or NDJSON events (one object per line, each with an `event` key).
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    format: FormatArg,
    /// Indent the JSON document.
    #[arg(long)]
    pretty: bool,
    /// Inputs analysed in parallel (default: all cores).
    #[arg(short, long)]
    jobs: Option<usize>,
    /// UDP ports of the UDP/IP CIR channel (default 3717), e.g. `3717,9000-9010`.
    #[arg(long, value_parser = ports, value_name = "PORTS")]
    udp_ports: Option<PortList>,
    /// TCP ports of the standalone TCP CIR channel (default 3716-3717).
    #[arg(long, value_parser = ports, value_name = "PORTS")]
    tcp_ports: Option<PortList>,
    /// UDP ports of SMS CIR over an IP bearer (default 3716).
    #[arg(long, value_parser = ports, value_name = "PORTS")]
    sms_ports: Option<PortList>,
    /// UDP ports of WAP Push (default 2948).
    #[arg(long, value_parser = ports, value_name = "PORTS")]
    wap_push_ports: Option<PortList>,
    /// TCP ports of SMPP, whose SMS CIRs are decoded (default 2775; a heuristic finds SMPP on
    /// other ports).
    #[arg(long, value_parser = ports, value_name = "PORTS")]
    smpp_ports: Option<PortList>,
    /// Only the configured ports: do not look for CIR on other ports.
    #[arg(long)]
    no_heuristic: bool,
    /// A progress line (bytes and packets per second) on stderr.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    progress: ProgressArg,
    /// Write a partial report, for `wvcir merge`, instead of the report.
    #[arg(long, conflicts_with_all = ["pretty", "format"])]
    partial: bool,
    /// The name the report gives standard input (`-`), e.g. the URL a driver streams in.
    #[arg(long, value_name = "NAME")]
    stdin_name: Option<PathBuf>,
    /// Do not read standard input: report it as unreadable with this message. For drivers that
    /// could not open the input they were to stream in.
    #[arg(long, value_name = "MESSAGE")]
    stdin_error: Option<String>,
    /// The kind of `--stdin-error` (a name of `inputs[].error.kind`; default `io`).
    #[arg(long, value_name = "KIND", value_parser = error_kind, requires = "stdin_error")]
    stdin_error_kind: Option<InputErrorKind>,
}

fn error_kind(text: &str) -> Result<InputErrorKind, String> {
    InputErrorKind::ALL.iter().copied().find(|k| k.name() == text).ok_or_else(|| {
        let names: Vec<&str> = InputErrorKind::ALL.iter().map(|k| k.name()).collect();
        format!("'{text}' is not an input error kind ({})", names.join(", "))
    })
}

/// One option's port list (a newtype: clap would take a bare `Vec` as many values).
#[derive(Clone, Debug)]
struct PortList(Vec<PortRange>);

fn ports(text: &str) -> Result<PortList, String> {
    wvcir::parse_port_ranges(text)
        .map(PortList)
        .ok_or_else(|| format!("'{text}' is not a port list like 3717 or 3716-3717,9000"))
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Json,
    Ndjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProgressArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChannelArg {
    Auto,
    Udp,
    Tcp,
    Sms,
    WapPush,
}

/// Payloads are tiny; a bound keeps `decode` from reading an endless stdin into memory.
const MAX_DECODE_INPUT: u64 = 1 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze(*args),
        Command::Merge(args) => merge(args),
        Command::Inputs { paths, follow } => list_inputs(&paths, follow),
        Command::Decode { hex, channel, pretty } => decode_cmd(hex, channel, pretty),
        Command::Schema => {
            let mut out = std::io::stdout().lock();
            match out.write_all(wvcir_analyzer::report::SCHEMA.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(1),
            }
        }
    }
}

impl AnalyzeArgs {
    /// The validated options: ports mapped, inputs expanded, defaults filled in.
    fn into_options(self) -> Options {
        let mut ports = PortMap::default();
        for (slot, value) in [
            (&mut ports.udp, self.udp_ports),
            (&mut ports.tcp, self.tcp_ports),
            (&mut ports.sms, self.sms_ports),
            (&mut ports.wap_push, self.wap_push_ports),
        ] {
            if let Some(PortList(v)) = value {
                *slot = v;
            }
        }
        let jobs = self.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1);
        let mut inputs = inputs::expand(&self.inputs, inputs::Walk { follow: self.follow });
        for input in &mut inputs {
            if let Input::Stdin(name) = input {
                if let Some(n) = &self.stdin_name {
                    *name = n.clone();
                }
                if let Some(msg) = &self.stdin_error {
                    let kind = self.stdin_error_kind.unwrap_or(InputErrorKind::Io);
                    *input = Input::Unreadable(name.clone(), kind, msg.clone());
                }
            }
        }
        Options {
            inputs,
            config: Config {
                ports,
                heuristic: !self.no_heuristic,
                smpp_ports: self.smpp_ports.map_or_else(|| Config::default().smpp_ports, |PortList(v)| v),
            },
            format: match self.format {
                FormatArg::Json => OutFormat::Json,
                FormatArg::Ndjson => OutFormat::Ndjson,
            },
            pretty: self.pretty,
            jobs,
            progress: match self.progress {
                ProgressArg::Always => true,
                ProgressArg::Never => false,
                ProgressArg::Auto => std::io::stderr().is_terminal(),
            },
            partial: self.partial,
        }
    }
}

/// Adds the paths of `--files-from` to the inputs; a usage error says why it cannot.
fn read_files_from(args: &mut AnalyzeArgs) -> Result<(), String> {
    let Some(list) = &args.files_from else { return Ok(()) };
    let from_stdin = list.as_os_str() == inputs::STDIN_NAME;
    if from_stdin && args.inputs.iter().any(|p| p.as_os_str() == inputs::STDIN_NAME) {
        return Err("standard input cannot be both the --files-from list and a capture (`-`)".to_owned());
    }
    let text = if from_stdin {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(list)
    };
    let text = text.map_err(|e| format!("cannot read the --files-from list {}: {e}", list.display()))?;
    args.inputs.extend(inputs::paths_from(&text, args.null));
    Ok(())
}

fn analyze(mut args: AnalyzeArgs) -> ExitCode {
    if let Err(e) = read_files_from(&mut args) {
        eprintln!("wvcir analyze: {e}");
        return ExitCode::from(2);
    }
    if (args.stdin_name.is_some() || args.stdin_error.is_some())
        && !args.inputs.iter().any(|p| p.as_os_str() == inputs::STDIN_NAME)
    {
        eprintln!("wvcir analyze: --stdin-name and --stdin-error are about standard input: give `-` as an input");
        return ExitCode::from(2);
    }
    let Some(out) = output("analyze", args.output.take()) else { return ExitCode::from(2) };
    let opts = args.into_options();
    let unreadable: Vec<String> = opts
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::Unreadable(p, kind, msg) => Some(format!("{}: {}: {msg}", p.display(), kind.name())),
            Input::File(_) | Input::Stdin(_) => None,
        })
        .collect();
    match run::run(opts, out) {
        Ok(all_complete) => {
            for u in unreadable {
                eprintln!("wvcir analyze: {}", wvcir::Escaped(u.as_bytes()));
            }
            if all_complete {
                return ExitCode::SUCCESS;
            }
            eprintln!("wvcir analyze: some inputs were not read completely; see inputs[].error in the report");
            ExitCode::from(1)
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            eprintln!("wvcir analyze: cannot write the report: {e}");
            ExitCode::from(1)
        }
    }
}

fn list_inputs(paths: &[PathBuf], follow: bool) -> ExitCode {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for input in inputs::expand(paths, inputs::Walk { follow }) {
        let error = match &input {
            Input::Unreadable(_, kind, message) => serde_json::json!({"kind": kind.name(), "message": message}),
            Input::File(_) | Input::Stdin(_) => serde_json::Value::Null,
        };
        let line = serde_json::json!({"path": input.path().display().to_string(), "error": error});
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(1);
        }
    }
    if out.flush().is_err() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The output: the file asked for (created), or stdout; `None` after saying why it cannot be.
fn output(cmd: &str, path: Option<PathBuf>) -> Option<Box<dyn Write + Send>> {
    match path {
        Some(path) => match std::fs::File::create(&path) {
            Ok(f) => Some(Box::new(f)),
            Err(e) => {
                eprintln!("wvcir {cmd}: cannot create the output file {}: {e}", path.display());
                None
            }
        },
        None => Some(Box::new(std::io::stdout())),
    }
}

fn merge(args: MergeArgs) -> ExitCode {
    if args.partials.iter().filter(|p| p.as_os_str() == inputs::STDIN_NAME).count() > 1 {
        eprintln!("wvcir merge: standard input (`-`) can hold one partial report only");
        return ExitCode::from(2);
    }
    let opts = MergeOptions { partials: args.partials, partial: args.partial, pretty: args.pretty };
    // Every partial is read before the output is created: a failed merge must not clobber it.
    let (part, description) = match run::read_partials(&opts) {
        Ok(read) => read,
        Err(MergeError::Partial(e)) => {
            eprintln!("wvcir merge: cannot merge {e}");
            return ExitCode::from(2);
        }
        Err(MergeError::Options { first, other, name }) => {
            eprintln!(
                "wvcir merge: {name} was analysed with other options than the partial reports before it \
                 ({other} against {first}); analyse every input with the same ports and heuristic"
            );
            return ExitCode::from(2);
        }
    };
    let Some(mut out) = output("merge", args.output) else { return ExitCode::from(2) };
    match run::write_merged(part, &description, &opts, &mut out) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("wvcir merge: some inputs were not read completely; see inputs[].error in the report");
            ExitCode::from(1)
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            eprintln!("wvcir merge: cannot write the report: {e}");
            ExitCode::from(1)
        }
    }
}

fn decode_cmd(hex: Option<String>, channel: ChannelArg, pretty: bool) -> ExitCode {
    let payload = match hex {
        Some(h) => match decode::parse_hex(&h) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("wvcir decode: the hex argument is not valid: {e}");
                return ExitCode::from(2);
            }
        },
        None => {
            let mut buf = Vec::new();
            if let Err(e) = std::io::stdin().take(MAX_DECODE_INPUT + 1).read_to_end(&mut buf) {
                eprintln!("wvcir decode: cannot read stdin: {e}");
                return ExitCode::from(2);
            }
            if buf.len() as u64 > MAX_DECODE_INPUT {
                eprintln!("wvcir decode: stdin holds more than {MAX_DECODE_INPUT} bytes; give one payload");
                return ExitCode::from(2);
            }
            buf
        }
    };
    let channel = match channel {
        ChannelArg::Auto => decode::guess_channel(&payload),
        ChannelArg::Udp => Channel::Udp,
        ChannelArg::Tcp => Channel::Tcp,
        ChannelArg::Sms => Channel::Sms,
        ChannelArg::WapPush => Channel::WapPush,
    };
    let (doc, ok) = decode::decode(&payload, channel);
    let out = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) };
    let mut stdout = std::io::stdout().lock();
    if out.map_err(std::io::Error::from).and_then(|s| writeln!(stdout, "{s}")).is_err() {
        return ExitCode::from(1);
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
