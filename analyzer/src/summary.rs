//! The summary's counts, kept while records stream past (NDJSON does not keep the records) and
//! merged across inputs.

use crate::report::{InputRec, MessageRec, Summary};
use crate::vocab::{Finding, Name};
use std::collections::BTreeMap;
use wvcir::clients::{Client, Verdict};
use wvcir::{Channel, Command};

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

/// Counts of the records seen so far.
#[derive(Debug, Default)]
pub struct Counts {
    messages: u64,
    cir: u64,
    malformed: u64,
    anomalies: u64,
    by_channel: BTreeMap<Name<Channel>, u64>,
    by_version: BTreeMap<String, u64>,
    by_command: BTreeMap<Name<Command>, u64>,
    by_anomaly: BTreeMap<Name<Finding>, u64>,
    by_client_verdict: BTreeMap<Name<Client>, BTreeMap<Name<Verdict>, u64>>,
    pub tcp_channels: usize,
    pub flows: usize,
    pub suspicious_flows: usize,
}

impl Counts {
    /// Counts one message.
    pub fn add(&mut self, m: &MessageRec) {
        self.messages += 1;
        let cir = m.command.0 == Command::Wvci;
        self.cir += u64::from(cir);
        self.malformed += u64::from(m.malformed);
        self.anomalies += m.anomalies.len() as u64;
        *self.by_channel.entry(m.channel).or_default() += 1;
        *self.by_command.entry(m.command).or_default() += 1;
        if let (Some(v), true) = (&m.version, cir) {
            count_version(&mut self.by_version, v, 1);
        }
        for a in &m.anomalies {
            *self.by_anomaly.entry(*a).or_default() += 1;
        }
        if let Some(c) = m.clients {
            for (client, verdict) in [(Client::Android, c.android), (Client::Symbian, c.symbian)] {
                *self.by_client_verdict.entry(Name(client)).or_default().entry(verdict).or_default() += 1;
            }
        }
    }

    /// Adds another input's counts.
    pub fn merge(&mut self, o: Counts) {
        self.messages += o.messages;
        self.cir += o.cir;
        self.malformed += o.malformed;
        self.anomalies += o.anomalies;
        merge_map(&mut self.by_channel, o.by_channel);
        merge_map(&mut self.by_command, o.by_command);
        merge_map(&mut self.by_anomaly, o.by_anomaly);
        for (client, verdicts) in o.by_client_verdict {
            merge_map(self.by_client_verdict.entry(client).or_default(), verdicts);
        }
        for (k, v) in o.by_version {
            count_version(&mut self.by_version, &k, v);
        }
        self.tcp_channels += o.tcp_channels;
        self.flows += o.flows;
        self.suspicious_flows += o.suspicious_flows;
    }

    /// The summary of these counts, the inputs and the number of sessions.
    pub fn summary(self, inputs: &[InputRec], sessions: usize) -> Summary {
        Summary {
            inputs: inputs.len(),
            complete_inputs: inputs.iter().filter(|i| i.complete).count(),
            packets: inputs.iter().map(|i| i.packets).sum(),
            bytes: inputs.iter().map(|i| i.bytes).sum(),
            messages: self.messages,
            cir: self.cir,
            malformed: self.malformed,
            anomalies: self.anomalies,
            sessions,
            tcp_channels: self.tcp_channels,
            flows: self.flows,
            suspicious_flows: self.suspicious_flows,
            by_channel: self.by_channel,
            by_version: self.by_version,
            by_command: self.by_command,
            by_anomaly: self.by_anomaly,
            by_client_verdict: self.by_client_verdict,
        }
    }
}

fn merge_map<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
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
