//! `wvcir`: see `wvcir --help`.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{Read, Write};
use std::process::ExitCode;
use wvcir::Channel;
use wvcir_analyzer::decode;

#[derive(Parser)]
#[command(name = "wvcir", version, about = "Make Wireless Village CSP CIR traffic visible")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        Command::Decode { hex, channel, pretty } => {
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
    }
}
