//! Sessions, one per (client, cookie), aggregated as CIRs arrive: memory grows with the number of
//! sessions, not with the number of CIRs.

use crate::report::{SessionRec, interval, micros};
use std::collections::HashMap;
use std::net::IpAddr;
use wvcir::Channel;

/// CIR times kept per session for the interval statistics (min/median/max are over the first
/// this many CIRs of a longer session; `cir_count`, `first_ts` and `last_ts` stay exact).
pub const MAX_SESSION_TIMES: usize = 1024;

/// One session's running totals, kept small: a channel bitmask and short vectors (a session
/// normally has one version and one input).
#[derive(Debug)]
struct Acc {
    server: IpAddr,
    channels: u8,
    versions: Vec<String>,
    count: u64,
    first: f64,
    last: f64,
    times: Vec<f64>,
    inputs: Vec<usize>,
}

const CHANNELS: [Channel; 4] = [Channel::Sms, Channel::Tcp, Channel::Udp, Channel::WapPush];

fn bit(c: Channel) -> u8 {
    CHANNELS.iter().position(|x| *x == c).map_or(0, |i| 1 << i)
}

fn add_sorted<T: Ord + Clone>(v: &mut Vec<T>, x: &T) {
    if let Err(i) = v.binary_search(x) {
        v.insert(i, x.clone());
    }
}

/// One well-formed CIR, as the session table needs it.
#[derive(Clone, Copy, Debug)]
pub struct SeenCir<'a> {
    /// The CIR's destination: the phone.
    pub client: IpAddr,
    /// The CIR's source: the IMPS server.
    pub server: IpAddr,
    pub cookie: &'a str,
    pub channel: Channel,
    pub version: Option<&'a str>,
    pub ts: f64,
    pub input: usize,
}

/// The sessions seen so far.
#[derive(Debug, Default)]
pub struct Sessions {
    map: HashMap<(IpAddr, String), Acc>,
}

impl Sessions {
    /// Counts one well-formed CIR.
    pub fn add(&mut self, cir: SeenCir<'_>) {
        let SeenCir { client, server, cookie, channel, version, ts, input } = cir;
        let acc = self.map.entry((client, cookie.to_owned())).or_insert_with(|| Acc {
            server,
            channels: 0,
            versions: Vec::new(),
            count: 0,
            first: ts,
            last: ts,
            times: Vec::new(),
            inputs: Vec::new(),
        });
        acc.channels |= bit(channel);
        if let Some(v) = version.filter(|v| acc.versions.binary_search_by(|x| x.as_str().cmp(v)).is_err()) {
            add_sorted(&mut acc.versions, &v.to_owned());
        }
        acc.count += 1;
        if ts < acc.first {
            acc.first = ts;
            acc.server = server;
        }
        acc.last = acc.last.max(ts);
        if acc.times.len() < MAX_SESSION_TIMES {
            acc.times.push(ts);
        }
        add_sorted(&mut acc.inputs, &input);
    }

    /// Adds another input's sessions to these.
    pub fn merge(&mut self, other: Sessions) {
        for (key, o) in other.map {
            match self.map.get_mut(&key) {
                None => {
                    self.map.insert(key, o);
                }
                Some(a) => {
                    if o.first < a.first {
                        a.server = o.server;
                    }
                    a.channels |= o.channels;
                    for v in &o.versions {
                        add_sorted(&mut a.versions, v);
                    }
                    a.count += o.count;
                    a.first = a.first.min(o.first);
                    a.last = a.last.max(o.last);
                    a.times.extend(o.times);
                    a.times.sort_by(f64::total_cmp);
                    a.times.truncate(MAX_SESSION_TIMES);
                    for i in &o.inputs {
                        add_sorted(&mut a.inputs, i);
                    }
                }
            }
        }
    }

    /// The records, ordered by first CIR, then cookie.
    pub fn into_records(self) -> Vec<SessionRec> {
        let mut out: Vec<SessionRec> = self
            .map
            .into_iter()
            .map(|((client, cookie), mut a)| {
                a.times.sort_by(f64::total_cmp);
                let gaps = a.times.windows(2).filter_map(|w| Some(micros(w.get(1)? - w.first()?))).collect();
                SessionRec {
                    cookie,
                    client_ip: client.to_string(),
                    server_ip: a.server.to_string(),
                    channels: CHANNELS.iter().filter(|c| a.channels & bit(**c) != 0).map(|c| c.name()).collect(),
                    versions: a.versions,
                    cir_count: a.count,
                    first_ts: a.first,
                    last_ts: a.last,
                    interval: interval(gaps),
                    inputs: a.inputs,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            a.first_ts
                .total_cmp(&b.first_ts)
                .then_with(|| a.cookie.cmp(&b.cookie))
                .then_with(|| a.client_ip.cmp(&b.client_ip))
        });
        out
    }
}
