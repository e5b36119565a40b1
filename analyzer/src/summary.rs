//! The summary's counts, kept while records stream past (NDJSON does not keep the records) and
//! merged across inputs.

use crate::merge::InputPart;
use crate::report::{MessageRec, Summary};
use crate::vocab::{Finding, Name};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wvcir::clients::{Client, Verdict};
use wvcir::{Channel, Command};

/// Versions named in `summary.by_version`: the most frequent, ties by name; the CIRs of the others
/// are counted under [`OTHER_VERSIONS`] (the core's bound, which the plugin's stats tree keeps too).
pub const MAX_VERSION_KEYS: usize = wvcir::MAX_VERSION_NAMES;

/// Versions counted exactly while inputs are read: the smallest names seen. Keeping the smallest
/// names (not the first seen) makes the table a function of the multiset of CIRs, so any order and
/// any grouping of inputs give the same summary; the bound keeps memory small under a flood.
pub const MAX_VERSIONS_TRACKED: usize = 4096;

/// The `summary.by_version` key of the versions past [`MAX_VERSION_KEYS`].
pub const OTHER_VERSIONS: &str = wvcir::OTHER_VERSIONS;

/// CIRs by version, bounded and independent of the order they arrive in.
///
/// Invariant: `named` holds the [`MAX_VERSIONS_TRACKED`] smallest names seen, with exact counts. A
/// name is dropped only when it is the largest and a smaller one arrives, so the largest name kept
/// never grows once the table is full: a dropped name can never come back, and every CIR is counted
/// once, in `named` or in `other`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(from = "VersionCountsRepr")]
struct VersionCounts {
    named: BTreeMap<String, u64>,
    other: u64,
}

/// [`VersionCounts`] as a partial report carries it, put back in its bounds when read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionCountsRepr {
    named: BTreeMap<String, u64>,
    other: u64,
}

impl From<VersionCountsRepr> for VersionCounts {
    fn from(r: VersionCountsRepr) -> Self {
        let mut c = VersionCounts { named: BTreeMap::new(), other: r.other };
        for (k, n) in r.named {
            c.add(&k, n);
        }
        c
    }
}

impl VersionCounts {
    /// Adds `n` CIRs of `version`.
    fn add(&mut self, version: &str, n: u64) {
        if let Some(c) = self.named.get_mut(version) {
            *c = c.saturating_add(n);
            return;
        }
        if self.named.len() >= MAX_VERSIONS_TRACKED {
            match self.named.last_key_value() {
                Some((largest, _)) if version < largest.as_str() => {
                    self.other = self.other.saturating_add(self.named.pop_last().map_or(0, |(_, c)| c));
                }
                _ => {
                    self.other = self.other.saturating_add(n);
                    return;
                }
            }
        }
        self.named.insert(version.to_owned(), n);
    }

    fn merge(&mut self, o: VersionCounts) {
        self.other = self.other.saturating_add(o.other);
        for (k, n) in o.named {
            self.add(&k, n);
        }
    }

    /// The report's table: the [`MAX_VERSION_KEYS`] most frequent versions (ties by name) and the
    /// rest under [`OTHER_VERSIONS`].
    fn into_table(self) -> BTreeMap<String, u64> {
        let mut by_count: Vec<(String, u64)> = self.named.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let rest = by_count.split_off(by_count.len().min(MAX_VERSION_KEYS));
        let other = rest.iter().fold(self.other, |a, (_, n)| a.saturating_add(*n));
        let mut table: BTreeMap<String, u64> = by_count.into_iter().collect();
        if other > 0 {
            table.insert(OTHER_VERSIONS.to_owned(), other);
        }
        table
    }
}

/// Counts of the records seen so far (a partial report carries them as they are).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    messages: u64,
    cir: u64,
    malformed: u64,
    anomalies: u64,
    by_channel: BTreeMap<Name<Channel>, u64>,
    by_version: VersionCounts,
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
            self.by_version.add(v, 1);
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
        // Saturating: a partial report read back may hold any number.
        self.messages = self.messages.saturating_add(o.messages);
        self.cir = self.cir.saturating_add(o.cir);
        self.malformed = self.malformed.saturating_add(o.malformed);
        self.anomalies = self.anomalies.saturating_add(o.anomalies);
        merge_map(&mut self.by_channel, o.by_channel);
        merge_map(&mut self.by_command, o.by_command);
        merge_map(&mut self.by_anomaly, o.by_anomaly);
        for (client, verdicts) in o.by_client_verdict {
            merge_map(self.by_client_verdict.entry(client).or_default(), verdicts);
        }
        self.by_version.merge(o.by_version);
        self.tcp_channels = self.tcp_channels.saturating_add(o.tcp_channels);
        self.flows = self.flows.saturating_add(o.flows);
        self.suspicious_flows = self.suspicious_flows.saturating_add(o.suspicious_flows);
    }

    /// The summary of these counts, the inputs and the number of sessions.
    pub fn summary(self, inputs: &[InputPart], sessions: usize) -> Summary {
        Summary {
            inputs: inputs.len(),
            complete_inputs: inputs.iter().filter(|i| i.complete).count(),
            packets: inputs.iter().fold(0, |a, i| a.saturating_add(i.packets)),
            bytes: inputs.iter().fold(0, |a, i| a.saturating_add(i.bytes)),
            messages: self.messages,
            cir: self.cir,
            malformed: self.malformed,
            anomalies: self.anomalies,
            sessions,
            tcp_channels: self.tcp_channels,
            flows: self.flows,
            suspicious_flows: self.suspicious_flows,
            by_channel: self.by_channel,
            by_version: self.by_version.into_table(),
            by_command: self.by_command,
            by_anomaly: self.by_anomaly,
            by_client_verdict: self.by_client_verdict,
        }
    }
}

fn merge_map<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
    for (k, v) in from {
        let slot = into.entry(k).or_default();
        *slot = slot.saturating_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(items: &[(String, u64)]) -> VersionCounts {
        let mut c = VersionCounts::default();
        for (v, n) in items {
            c.add(v, *n);
        }
        c
    }

    #[test]
    fn by_version_names_the_most_frequent_and_counts_the_rest_as_other() {
        let mut items: Vec<(String, u64)> = (0..MAX_VERSION_KEYS + 10).map(|i| (format!("1.{i}"), 1)).collect();
        items.push(("9.9".to_owned(), 5));
        let t = counts(&items).into_table();
        assert_eq!(t.len(), MAX_VERSION_KEYS + 1);
        assert_eq!(t["9.9"], 5, "the most frequent version is named though its name sorts last");
        assert_eq!(t[OTHER_VERSIONS], 11, "ties are broken by name: the 11 largest names of count 1 are other");
        assert_eq!(t.values().sum::<u64>(), MAX_VERSION_KEYS as u64 + 10 + 5);
    }

    #[test]
    fn by_version_is_the_same_in_any_order_and_grouping_even_past_the_tracking_bound() {
        let n = MAX_VERSIONS_TRACKED + 300;
        let items: Vec<(String, u64)> = (0..n).map(|i| (format!("{}.{}", i % 7, i), 1 + (i % 5) as u64)).collect();
        let forward = counts(&items).into_table();
        let mut reversed = items.clone();
        reversed.reverse();
        assert_eq!(counts(&reversed).into_table(), forward);
        for cut in [1, n / 3, n - 1] {
            let (a, b) = items.split_at(cut);
            let mut merged = counts(b);
            merged.merge(counts(a));
            assert_eq!(merged.into_table(), forward, "split at {cut}");
        }
        let total: u64 = items.iter().map(|(_, n)| n).sum();
        assert_eq!(forward.values().sum::<u64>(), total, "every CIR is counted once");
    }
}
