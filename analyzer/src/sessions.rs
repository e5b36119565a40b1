//! Sessions, one per (client, cookie), aggregated as CIRs arrive: memory grows with the number of
//! sessions, not with the number of CIRs, and the number of sessions is bounded.
//!
//! A session's `server_ip`, `tunnel` and `client_phone` are its first CIR's: the earliest, and on
//! a tie the one whose (server, tunnel, phone) sorts first, so that the record does not depend on the order or the
//! grouping in which CIRs were read. A session whose CIRs came through different tunnels (a
//! phone that moved between bearers) still shows one, its first; each message keeps its own.

use crate::report::{SessionRec, TunnelRec, epoch, interval, micros};
use crate::vocab::Name;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use wvcir::Channel;

/// CIR times kept per session for the interval statistics (min/median/max are over the earliest
/// this many CIRs of a longer session, whatever order they were read in; `cir_count`, `first_ts`
/// and `last_ts` stay exact).
pub const MAX_SESSION_TIMES: usize = 1024;

/// Sessions tracked per input. Past it, a CIR of a new session is still reported as a message
/// but joins no session, and is counted (`limits.untracked_cirs`): a million made-up cookies must
/// not cost a million sessions' memory.
pub const MAX_SESSIONS: usize = 100_000;

/// Distinct versions listed per session, the smallest names (so the list does not depend on the
/// order CIRs were read in): CSP has four; more are made up, and are not listed.
pub const MAX_SESSION_VERSIONS: usize = 8;
/// The longest phone number a partial report's session may carry (an SMPP address is at most
/// 65 bytes; a SIP user part is bounded here).
pub const MAX_PHONE: usize = 255;

/// One session's running totals, kept small: a channel bitmask and short vectors (a session
/// normally has one version and one input).
#[derive(Debug)]
struct Acc {
    server: IpAddr,
    /// The first CIR's tunnel (see the module's doc for which is first).
    tunnel: Vec<TunnelRec>,
    /// The phone the first CIR went to, when an SMS transport named it.
    phone: Option<String>,
    channels: u8,
    versions: Vec<String>,
    count: u64,
    first: Duration,
    last: Duration,
    times: Vec<Duration>,
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

/// Keeps the [`MAX_SESSION_TIMES`] earliest times, sorted.
fn keep_earliest(times: &mut Vec<Duration>) {
    times.sort_unstable();
    times.truncate(MAX_SESSION_TIMES);
}

/// A time as a partial report carries it: `[seconds, nanoseconds]`, exact.
type Time = (u64, u32);

fn to_time(d: Duration) -> Time {
    (d.as_secs(), d.subsec_nanos())
}

fn from_time((secs, nanos): Time) -> Result<Duration, String> {
    if nanos >= 1_000_000_000 {
        return Err(format!("a time with {nanos} nanoseconds"));
    }
    Ok(Duration::new(secs, nanos))
}

/// One session as a partial report carries it: what a merge needs (every kept CIR time, not the
/// interval statistics, which cannot be merged), exact.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionState {
    client: IpAddr,
    cookie: String,
    server: IpAddr,
    /// The first CIR's tunnel; left out when empty, as partial reports written before sessions
    /// had one left it out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tunnel: Vec<TunnelRec>,
    /// The first CIR's phone number; left out when there is none, as in earlier partial reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    /// A bit per channel, in the order sms, tcp, udp, wap-push.
    channels: u8,
    versions: Vec<String>,
    count: u64,
    first: Time,
    last: Time,
    times: Vec<Time>,
    /// Indices into the partial report's inputs.
    inputs: Vec<usize>,
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
    pub ts: Duration,
    pub input: usize,
    /// The tunnel it came through (its flow's), outermost first; empty when none.
    pub tunnel: &'a [TunnelRec],
    /// The phone it went to, when an SMS transport named it (an SMPP `destination_addr`).
    pub phone: Option<&'a str>,
}

/// The sessions seen so far.
#[derive(Debug, Default)]
pub struct Sessions {
    map: HashMap<(IpAddr, String), Acc>,
    /// Well-formed CIRs that joined no session: [`MAX_SESSIONS`] were tracked already.
    untracked: u64,
}

impl Sessions {
    /// Counts one well-formed CIR in its session (see [`MAX_SESSIONS`] for when it joins none).
    pub fn add(&mut self, cir: SeenCir<'_>) {
        let SeenCir { client, server, cookie, channel, version, ts, input, tunnel, phone } = cir;
        let key = (client, cookie.to_owned());
        if self.map.len() >= MAX_SESSIONS && !self.map.contains_key(&key) {
            self.untracked += 1;
            return;
        }
        let acc = self.map.entry(key).or_insert_with(|| Acc {
            server,
            tunnel: tunnel.to_vec(),
            phone: phone.map(str::to_owned),
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
            acc.versions.truncate(MAX_SESSION_VERSIONS);
        }
        acc.count += 1;
        if (ts, server, tunnel, phone) < (acc.first, acc.server, &acc.tunnel[..], acc.phone.as_deref()) {
            acc.first = ts;
            acc.server = server;
            tunnel.clone_into(&mut acc.tunnel);
            acc.phone = phone.map(str::to_owned);
        }
        acc.last = acc.last.max(ts);
        acc.times.push(ts);
        if acc.times.len() >= 2 * MAX_SESSION_TIMES {
            keep_earliest(&mut acc.times);
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
                    if (o.first, o.server, &o.tunnel, &o.phone) < (a.first, a.server, &a.tunnel, &a.phone) {
                        a.server = o.server;
                        a.tunnel = o.tunnel;
                        a.phone = o.phone;
                    }
                    a.channels |= o.channels;
                    for v in &o.versions {
                        add_sorted(&mut a.versions, v);
                    }
                    a.versions.truncate(MAX_SESSION_VERSIONS);
                    a.count = a.count.saturating_add(o.count);
                    a.first = a.first.min(o.first);
                    a.last = a.last.max(o.last);
                    a.times.extend(o.times);
                    keep_earliest(&mut a.times);
                    for i in &o.inputs {
                        add_sorted(&mut a.inputs, i);
                    }
                }
            }
        }
    }

    /// How many sessions.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds `by` to every input index (these sessions' inputs are listed after `by` others).
    pub fn shift_inputs(&mut self, by: usize) {
        for acc in self.map.values_mut() {
            acc.inputs.iter_mut().for_each(|i| *i += by);
        }
    }

    /// Marks these sessions as one input's, the first of its part.
    pub fn set_single_input(&mut self) {
        for acc in self.map.values_mut() {
            acc.inputs.clear();
            acc.inputs.push(0);
        }
    }

    /// Renames every input index `i` to `new_of_old[i]`.
    pub fn remap_inputs(&mut self, new_of_old: &[usize]) {
        for acc in self.map.values_mut() {
            for i in &mut acc.inputs {
                *i = new_of_old.get(*i).copied().unwrap_or(*i);
            }
            acc.inputs.sort_unstable();
        }
    }

    /// Every session's state, ordered by client and cookie.
    pub fn into_states(self) -> Vec<SessionState> {
        let mut out: Vec<SessionState> = self
            .map
            .into_iter()
            .map(|((client, cookie), mut a)| {
                keep_earliest(&mut a.times);
                SessionState {
                    client,
                    cookie,
                    server: a.server,
                    tunnel: a.tunnel,
                    phone: a.phone,
                    channels: a.channels,
                    versions: a.versions,
                    count: a.count,
                    first: to_time(a.first),
                    last: to_time(a.last),
                    times: a.times.into_iter().map(to_time).collect(),
                    inputs: a.inputs,
                }
            })
            .collect();
        out.sort_by(|a, b| (a.client, &a.cookie).cmp(&(b.client, &b.cookie)));
        out
    }

    /// Adds a session read from a partial report with `inputs` inputs; says why it cannot.
    /// Whatever the report's writer could not have written is refused; lists are put back in
    /// their bounds and order.
    pub fn insert_state(&mut self, s: SessionState, inputs: usize) -> Result<(), String> {
        let key = (s.client, s.cookie);
        if self.map.contains_key(&key) {
            return Err(format!("session ({}, {:?}) listed twice", key.0, key.1));
        }
        if let Some(i) = s.inputs.iter().find(|i| **i >= inputs) {
            return Err(format!("a session of input {i}, but the partial report lists {inputs} inputs"));
        }
        if s.tunnel.len() > crate::carriers::MAX_TUNNEL_DEPTH {
            return Err(format!("a session in {} tunnel layers", s.tunnel.len()));
        }
        if s.phone.as_ref().is_some_and(|p| p.len() > MAX_PHONE) {
            return Err(format!("a session's phone number of {} bytes", s.phone.as_ref().map_or(0, String::len)));
        }
        let (first, last) = (from_time(s.first)?, from_time(s.last)?);
        if s.inputs.is_empty() || s.count == 0 || first > last || s.channels >> CHANNELS.len() != 0 {
            return Err(
                "a session with no input, no CIR, its first CIR after its last, or an unknown channel".to_owned()
            );
        }
        let mut times = s.times.into_iter().map(from_time).collect::<Result<Vec<_>, _>>()?;
        keep_earliest(&mut times);
        let mut versions = s.versions;
        versions.sort_unstable();
        versions.dedup();
        versions.truncate(MAX_SESSION_VERSIONS);
        let mut input_list = s.inputs;
        input_list.sort_unstable();
        input_list.dedup();
        let acc = Acc {
            server: s.server,
            tunnel: s.tunnel,
            phone: s.phone,
            channels: s.channels,
            versions,
            count: s.count,
            first,
            last,
            times,
            inputs: input_list,
        };
        self.map.insert(key, acc);
        Ok(())
    }

    /// Well-formed CIRs of this input that joined no session.
    pub fn untracked(&self) -> u64 {
        self.untracked
    }

    /// The records, ordered by first CIR, then cookie.
    pub fn into_records(self) -> Vec<SessionRec> {
        let mut out: Vec<(Duration, SessionRec)> = self
            .map
            .into_iter()
            .map(|((client, cookie), mut a)| {
                let first = a.first;
                keep_earliest(&mut a.times);
                let gap = |w: &[Duration]| Some(micros(w.get(1)?.saturating_sub(*w.first()?).as_secs_f64()));
                let gaps = a.times.windows(2).filter_map(gap).collect();
                let rec = SessionRec {
                    cookie,
                    client_ip: client.to_string(),
                    server_ip: a.server.to_string(),
                    tunnel: a.tunnel,
                    client_phone: a.phone,
                    channels: CHANNELS.iter().filter(|c| a.channels & bit(**c) != 0).map(|c| Name(*c)).collect(),
                    versions: a.versions,
                    cir_count: a.count,
                    first_ts: epoch(a.first),
                    last_ts: epoch(a.last),
                    interval: interval(gaps),
                    inputs: a.inputs,
                };
                (first, rec)
            })
            .collect();
        out.sort_by(|(ta, a), (tb, b)| {
            ta.cmp(tb).then_with(|| a.cookie.cmp(&b.cookie)).then_with(|| a.client_ip.cmp(&b.client_ip))
        });
        out.into_iter().map(|(_, r)| r).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cir<'a>(cookie: &'a str, version: &'a str) -> SeenCir<'a> {
        let ip = IpAddr::from([198, 51, 100, 23]);
        SeenCir {
            client: ip,
            server: ip,
            cookie,
            channel: Channel::Udp,
            version: Some(version),
            ts: Duration::from_secs(1),
            input: 0,
            tunnel: &[],
            phone: None,
        }
    }

    #[test]
    fn past_max_sessions_a_new_session_is_counted_not_tracked() {
        let mut s = Sessions::default();
        for i in 0..MAX_SESSIONS {
            s.add(cir(&format!("c{i}"), "1.3"));
        }
        s.add(cir("one too many", "1.3"));
        s.add(cir("c7", "1.3"));
        assert_eq!((s.map.len(), s.untracked()), (MAX_SESSIONS, 1), "a known session still counts its CIRs");
        assert_eq!(s.map[&(IpAddr::from([198, 51, 100, 23]), "c7".to_owned())].count, 2);
    }

    #[test]
    fn a_session_names_the_phone_of_its_first_cir() {
        let at = |secs, phone| SeenCir { ts: Duration::from_secs(secs), phone, ..cir("c", "1.3") };
        let (mut s, mut t) = (Sessions::default(), Sessions::default());
        for c in [at(5, Some("447700900456")), at(2, Some("447700900123")), at(9, None)] {
            s.add(c);
        }
        t.add(at(2, Some("447700900123")));
        let mut later = Sessions::default();
        later.add(at(5, Some("447700900456")));
        t.merge(later);
        for rec in [s.into_records(), t.into_records()] {
            assert_eq!(rec[0].client_phone.as_deref(), Some("447700900123"), "the earliest CIR's, in any grouping");
        }
    }

    #[test]
    fn a_session_carries_its_first_cirs_tunnel_in_any_order() {
        use crate::carriers::CarrierKind;
        use crate::vocab::Name;
        let layer = |kind, id| TunnelRec { kind: Name(kind), outer_src: None, outer_dst: None, id: Some(id) };
        let (gtp_a, gtp_b) = ([layer(CarrierKind::GtpU, 7)], [layer(CarrierKind::GtpU, 8)]);
        let erspan = [layer(CarrierKind::Erspan, 1)];
        let at = |secs, tunnel| SeenCir { ts: Duration::from_secs(secs), tunnel, ..cir("c", "1.3") };
        // The phone moved: two CIRs tie at 5 s, before the one in TEID 7; kinds order by name.
        let cirs = [at(9, &gtp_a[..]), at(5, &erspan[..]), at(5, &gtp_b[..]), at(12, &[])];
        let mut orders = vec![cirs.to_vec()];
        orders.push(cirs.iter().rev().copied().collect());
        for order in orders {
            for cut in 0..=order.len() {
                let (mut a, mut b) = (Sessions::default(), Sessions::default());
                order[..cut].iter().for_each(|c| a.add(*c));
                order[cut..].iter().for_each(|c| b.add(*c));
                a.merge(b);
                let rec = a.into_records();
                assert_eq!(rec[0].tunnel, erspan, "cut at {cut}: erspan sorts before gtp-u on the tie");
            }
        }
        let mut one = Sessions::default();
        one.add(at(1, &[]));
        one.add(at(2, &gtp_a));
        assert!(one.into_records()[0].tunnel.is_empty(), "the first CIR came through no tunnel");
    }

    #[test]
    fn a_session_lists_at_most_max_session_versions() {
        let mut s = Sessions::default();
        for i in 0..100 {
            s.add(cir("c", &format!("1.{i}")));
        }
        let mut other = Sessions::default();
        other.add(cir("c", "9.9"));
        s.merge(other);
        let rec = s.into_records();
        assert_eq!((rec[0].versions.len(), rec[0].cir_count), (MAX_SESSION_VERSIONS, 101));
    }

    #[test]
    fn a_session_is_the_same_in_any_order_and_grouping() {
        let n = 3 * MAX_SESSION_TIMES as u64;
        let versions: Vec<String> = (0..20).map(|i| format!("{}.{}", 20 - i, i)).collect();
        let cirs: Vec<SeenCir<'_>> = (0..n)
            .map(|i| SeenCir {
                server: IpAddr::from([203, 0, 113, (i % 3) as u8]),
                version: Some(versions[(i % 20) as usize].as_str()),
                ts: Duration::from_millis((i * 7919) % n / 2),
                input: (i % 4) as usize,
                ..cir("c", "1.3")
            })
            .collect();
        let record = |order: &[SeenCir<'_>], cut: usize| {
            let (mut a, mut b) = (Sessions::default(), Sessions::default());
            order[..cut].iter().for_each(|c| a.add(*c));
            order[cut..].iter().for_each(|c| b.add(*c));
            b.merge(a);
            format!("{:?}", b.into_records())
        };
        let one_run = record(&cirs, 0);
        let mut reversed = cirs.clone();
        reversed.reverse();
        for (order, cut) in [(&cirs, 1), (&cirs, cirs.len() / 2), (&reversed, 0), (&reversed, 777)] {
            assert_eq!(record(order, cut), one_run, "cut at {cut}");
        }
        assert!(one_run.contains("server_ip: \"203.0.113.0\""), "ties on the first CIR go to the smallest server");
    }
}
