//! What the plugin's statistics count: one [`Tally`] per decoded message, handed by the dissector
//! to Wireshark's tap and read back by the stats tree (`tshark -z wvcir,tree`, Statistics > WV-CIR)
//! and the service response time table (`tshark -z wvcir,srt`).
//!
//! The stats tree counts exactly what the analyzer's `summary` counts (`by_channel`, `by_command`,
//! `by_version`, `by_anomaly`, `by_client_verdict`), under the same names, so the two can be laid
//! side by side; the response times are the analyzer's `ok_latency` and `ping_rtts`. Plain data,
//! no Wireshark: the glue copies a tally into the packet's memory pool and queues it.

use crate::dissect::Expert;
use wvcir::clients::{Verdict, Verdicts};
use wvcir::{Channel, Command, Escaped, Message};

/// Bytes of a CIR's version kept for the tree. Real versions are `1.1` to `1.3`; a longer one (a
/// made-up token) is cut here and ends in `…`.
pub const MAX_VERSION: usize = 48;

/// The findings a tally can carry: every anomaly and malformation a decoded message can have, in
/// [`Expert::all`]'s order (a bit each).
const _: () = assert!(Expert::COUNT <= 32);

/// One decoded message, as the statistics count it. `Copy` plain data: Wireshark keeps it in the
/// packet's pool until the taps have read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub channel: Channel,
    pub command: Command,
    /// A CIR's version text (escaped as the tree shows it), `version_len` bytes.
    version: [u8; MAX_VERSION],
    version_len: u8,
    /// One bit per [`Expert::all`] entry.
    findings: u32,
    pub verdicts: Option<(Verdict, Verdict)>,
    /// For an OK: the request it answers and how long after it came.
    pub answers: Option<Answer>,
}

/// An OK's request and its response time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// HELO or PING.
    pub request: Command,
    pub nanos: i64,
}

impl Tally {
    /// The tally of a decoded message on `channel`, with the client verdicts the plugin showed.
    pub fn of(m: &Message<'_>, channel: Channel, clients: Option<Verdicts>) -> Tally {
        let mut version = [0u8; MAX_VERSION];
        let mut version_len = 0;
        if let (Command::Wvci, Some(v)) = (m.command, m.version) {
            let text = Escaped(v.text.bytes).to_string();
            let cut = if text.len() > MAX_VERSION {
                // Cut at a character boundary and mark the cut.
                let mut end = MAX_VERSION - '…'.len_utf8();
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}…", &text[..end])
            } else {
                text
            };
            for (slot, b) in version.iter_mut().zip(cut.bytes()) {
                *slot = b;
            }
            version_len = cut.len().min(MAX_VERSION) as u8;
        }
        let all = Expert::all();
        let mut findings = 0u32;
        let found =
            m.anomalies.iter().map(|(a, _)| Expert::Anomaly(a)).chain(m.malformed.map(|e| Expert::Error(e.kind)));
        for e in found {
            if let Some(i) = all.iter().position(|x| *x == e) {
                findings |= 1 << i;
            }
        }
        Tally {
            channel,
            command: m.command,
            version,
            version_len,
            findings,
            verdicts: clients.map(|v| (v.android, v.symbian)),
            answers: None,
        }
    }

    /// A CIR's version, if it has one.
    pub fn version(&self) -> Option<&str> {
        let bytes = self.version.get(..usize::from(self.version_len))?;
        std::str::from_utf8(bytes).ok().filter(|s| !s.is_empty())
    }

    /// The message's anomalies and malformation, by name.
    pub fn findings(&self) -> impl Iterator<Item = Expert> + '_ {
        Expert::all().into_iter().enumerate().filter(|(i, _)| self.findings & (1 << i) != 0).map(|(_, e)| e)
    }

    /// Every node the message ticks: a branch and the name of the leaf under it.
    pub fn ticks(&self) -> Vec<(Branch, String)> {
        let mut v = vec![
            (Branch::Channel, self.channel.name().to_owned()),
            (Branch::Command, self.command.as_str().to_owned()),
        ];
        if let Some(version) = self.version() {
            v.push((Branch::Version, version.to_owned()));
        }
        v.extend(self.findings().map(|e| (Branch::Finding, e.name().to_owned())));
        if let Some((android, symbian)) = self.verdicts {
            v.push((Branch::Android, android.name().to_owned()));
            v.push((Branch::Symbian, symbian.name().to_owned()));
        }
        v
    }
}

/// A top-level node of the stats tree; each counts its leaves' ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Branch {
    Channel,
    Command,
    Version,
    Finding,
    Android,
    Symbian,
}

impl Branch {
    pub const ALL: [Branch; 6] =
        [Branch::Channel, Branch::Command, Branch::Version, Branch::Finding, Branch::Android, Branch::Symbian];

    /// The node's title in the tree (NUL-terminated for Wireshark). Titles are unique: Wireshark
    /// finds a top-level node by its name alone.
    pub const fn title(self) -> &'static std::ffi::CStr {
        match self {
            Branch::Channel => c"Messages by channel",
            Branch::Command => c"Messages by command",
            Branch::Version => c"CIRs by CSP version",
            Branch::Finding => c"Anomalies and malformations",
            Branch::Android => c"Android would",
            Branch::Symbian => c"Symbian would",
        }
    }

    /// The analyzer's summary key whose counts this branch shows.
    pub const fn summary_key(self) -> &'static str {
        match self {
            Branch::Channel => "by_channel",
            Branch::Command => "by_command",
            Branch::Version => "by_version",
            Branch::Finding => "by_anomaly",
            Branch::Android => "by_client_verdict.android",
            Branch::Symbian => "by_client_verdict.symbian",
        }
    }
}

/// The versions one stats tree names: the first [`wvcir::MAX_VERSION_NAMES`] it sees; the CIRs
/// of later ones are counted under [`wvcir::OTHER_VERSIONS`], as the analyzer's summary counts
/// those past its most frequent [`wvcir::MAX_VERSION_NAMES`]. The two tables are the same up to
/// that many versions; past it (a flood of made-up ones) they may name different ones. Without
/// the bound, 200,000 distinct versions kept tshark 4.0 busy for 562 s (0.72 s without the tree).
#[derive(Debug, Default)]
pub struct VersionNames {
    named: std::collections::HashSet<String>,
}

impl VersionNames {
    /// The leaf a CIR of `version` ticks.
    pub fn leaf<'v>(&mut self, version: &'v str) -> &'v str {
        if self.named.contains(version) {
            return version;
        }
        if self.named.len() < wvcir::MAX_VERSION_NAMES {
            self.named.insert(version.to_owned());
            return version;
        }
        wvcir::OTHER_VERSIONS
    }
}

/// The rows of the response time table, in order: `(index, request)`.
pub const SRT_ROWS: [(Command, &std::ffi::CStr); 2] = [(Command::Helo, c"HELO"), (Command::Ping, c"PING")];

/// The response time table's row of an answer's request.
pub fn srt_row(request: Command) -> Option<usize> {
    SRT_ROWS.iter().position(|(c, _)| *c == request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wvcir::Anomaly;

    #[test]
    fn a_cir_ticks_its_channel_command_version_findings_and_verdicts() {
        let m = wvcir::parse_cir(b"wvci 1.3 wv:x\r\n").unwrap();
        let v = Verdicts { android: Verdict::Ignores, symbian: Verdict::Ignores, symbian_loss: None };
        let t = Tally::of(&m, Channel::Udp, Some(v));
        assert_eq!(
            t.ticks(),
            [
                (Branch::Channel, "udp".to_owned()),
                (Branch::Command, "WVCI".to_owned()),
                (Branch::Version, "1.3".to_owned()),
                (Branch::Finding, "keyword-case".to_owned()),
                (Branch::Android, "ignores".to_owned()),
                (Branch::Symbian, "ignores".to_owned()),
            ]
        );
        assert!(t.findings().eq([Expert::Anomaly(Anomaly::KeywordCase)]));
    }

    #[test]
    fn only_cirs_count_a_version_and_a_malformation_is_a_finding() {
        let helo = wvcir::parse_line(b"HELO\r\n").unwrap();
        let t = Tally::of(&helo, Channel::Tcp, None);
        assert_eq!(t.version(), None);
        assert!(t.findings().eq([Expert::Error(wvcir::ErrorKind::MissingSessionId)]), "{:?}", t.ticks());
    }

    #[test]
    fn a_long_made_up_version_is_cut_and_marked() {
        let line = format!("WVCI 1.{} wv:x\r\n", "3".repeat(80));
        let m = wvcir::parse_cir(line.as_bytes()).unwrap();
        let t = Tally::of(&m, Channel::Udp, None);
        let v = t.version().unwrap();
        assert!(v.len() <= MAX_VERSION && v.ends_with('…') && v.starts_with("1."), "{v}");
    }

    #[test]
    fn a_tree_names_the_first_versions_and_counts_the_rest_as_other() {
        let mut names = VersionNames::default();
        let versions: Vec<String> = (0..wvcir::MAX_VERSION_NAMES + 3).map(|i| format!("1.{i}")).collect();
        let leaves: Vec<&str> = versions.iter().map(|v| names.leaf(v)).collect();
        assert!(leaves[..wvcir::MAX_VERSION_NAMES].iter().zip(&versions).all(|(l, v)| l == v));
        assert_eq!(leaves[wvcir::MAX_VERSION_NAMES..], ["other"; 3]);
        assert_eq!(names.leaf("1.0"), "1.0", "a named version stays named");
    }

    #[test]
    fn titles_are_unique_and_rows_are_helo_then_ping() {
        let titles: std::collections::HashSet<_> = Branch::ALL.iter().map(|b| b.title()).collect();
        assert_eq!(titles.len(), Branch::ALL.len());
        assert_eq!((srt_row(Command::Helo), srt_row(Command::Ping), srt_row(Command::Ok)), (Some(0), Some(1), None));
    }
}
