//! Decoded messages: their records, and where they go (out to the caller's sink as they are made,
//! and a well-formed CIR into its session).

use crate::analysis::Record;
use crate::community_id::community_id;
use crate::flows::Endpoint;
use crate::report::{ClientsRec, MessageRec, TunnelRec, epoch, rfc3339};
use crate::sessions::{SeenCir, Sessions};
use crate::vocab::{Finding, Name};
use std::net::IpAddr;
use std::time::Duration;
use wvcir::clients::{Carrier, TcpRead, verdicts};
use wvcir::sms::Encoding;
use wvcir::{Anomaly, Channel, Command, Message};

/// Where and when a message was found.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    pub frame: u64,
    pub ts: Duration,
    pub channel: Channel,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub encoding: Encoding,
    /// What the clients' verdicts depend on.
    pub carrier: Carrier,
}

/// The carrier of a datagram of `channel` whose text was `encoding`.
pub fn datagram_carrier(channel: Channel, encoding: Encoding) -> Carrier {
    match channel {
        Channel::Udp => Carrier::Udp,
        Channel::Sms => Carrier::Sms(encoding),
        Channel::WapPush => Carrier::WapPush,
        // A TCP payload decoded on its own reads as one segment holding the line.
        Channel::Tcp => {
            Carrier::Tcp(TcpRead { starts_segment: true, cookie_in_first_segment: true, answers_helo: false })
        }
    }
}

/// Input bytes as JSON text: UTF-8 as is, anything else `\xNN`-escaped.
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => wvcir::Escaped(bytes).to_string(),
    }
}

/// The record of a decoded message that came through `tunnel`.
pub fn record(input: usize, at: &Found, m: &Message<'_>, tunnel: &[TunnelRec]) -> MessageRec {
    let mut anomalies: Vec<Name<Finding>> = m.anomalies.iter().map(|(a, _)| Name(Finding::Anomaly(a))).collect();
    if let Some(e) = m.malformed {
        anomalies.push(Name(Finding::Malformed(e.kind)));
    }
    MessageRec {
        input,
        frame: at.frame,
        ts: epoch(at.ts),
        time: rfc3339(at.ts),
        channel: Name(at.channel),
        src_ip: at.src.0.to_string(),
        src_port: at.src.1,
        dst_ip: at.dst.0.to_string(),
        dst_port: at.dst.1,
        community_id: community_id(at.channel.transport(), at.src, at.dst),
        tunnel: tunnel.to_vec(),
        command: Name(m.command),
        version: m.version.map(|v| text(v.text.bytes)),
        cookie: m.cookie.map(|c| text(c.bytes)),
        session_id: m.session_id.map(|s| text(s.bytes)),
        encoding: Name(at.encoding),
        line_end: Name(m.line_end),
        malformed: m.malformed.is_some(),
        anomalies,
        clients: verdicts(at.carrier, m).map(|v| ClientsRec {
            android: Name(v.android),
            symbian: Name(v.symbian),
            symbian_loss: v.symbian_loss.map(Name),
        }),
        sms: None,
    }
}

/// Where an input's messages go.
pub struct Out<'a> {
    pub input: usize,
    pub sessions: &'a mut Sessions,
    pub on_record: &'a mut dyn FnMut(Record),
    /// The tunnel of the flow the messages belong to (empty outside tunnels).
    pub tunnel: &'a [TunnelRec],
}

impl Out<'_> {
    /// Hands a message out, and counts a whole, well-formed CIR in its session (the CIR goes to
    /// `client`, from `server`).
    pub fn message(&mut self, at: &Found, m: &Message<'_>, client: IpAddr, server: IpAddr) {
        self.message_with_sms(at, m, client, server, None);
    }

    /// [`Out::message`] for a message an SMS carried, with what its SMS transport showed.
    pub fn message_with_sms(
        &mut self,
        at: &Found,
        m: &Message<'_>,
        client: IpAddr,
        server: IpAddr,
        sms: Option<crate::report::SmsRec>,
    ) {
        let mut rec = record(self.input, at, m, self.tunnel);
        rec.sms = sms;
        if rec.sms.as_ref().is_some_and(|s| s.transport.0 == crate::vocab::SmsTransport::Smpp) {
            // Its endpoints are the SMPP connection's, on TCP (the channel's own transport is UDP).
            rec.community_id = community_id(wvcir::Transport::Tcp, at.src, at.dst);
        }
        let phone = rec.sms.as_ref().map(|s| s.destination_addr.as_str()).filter(|p| !p.is_empty());
        let whole = m.malformed.is_none() && !m.anomalies.contains(Anomaly::Incomplete);
        if let (Command::Wvci, true, Some(cookie)) = (m.command, whole, &rec.cookie) {
            let version = rec.version.as_deref();
            let channel = at.channel;
            let (ts, input, tunnel) = (at.ts, self.input, self.tunnel);
            self.sessions.add(SeenCir { client, server, cookie, channel, version, ts, input, tunnel, phone });
        }
        (self.on_record)(Record::Message(rec));
    }
}

impl std::fmt::Debug for Out<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Out").field("input", &self.input).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn records_name_their_findings_and_only_whole_cirs_join_sessions() {
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let at = Found {
            frame: 3,
            ts: Duration::new(1_237_024_812, 417_000_000),
            channel: Channel::Udp,
            src: (ip, 40_000),
            dst: (ip, 3717),
            encoding: Encoding::Ascii,
            carrier: Carrier::Udp,
        };
        let m = wvcir::parse_cir(b"wvci 1.2 abc").unwrap();
        let rec = record(0, &at, &m, &[]);
        assert_eq!(serde_json::to_value(&rec.anomalies).unwrap(), serde_json::json!(["keyword-case"]));
        assert_eq!((rec.ts, rec.time.as_str()), (1_237_024_812.417, "2009-03-14T10:00:12.417000000Z"));
        let mut sessions = Sessions::default();
        let mut records = 0;
        let mut cut = m;
        cut.anomalies.add(Anomaly::Incomplete, m.span);
        {
            let mut out = Out { input: 0, sessions: &mut sessions, on_record: &mut |_| records += 1, tunnel: &[] };
            out.message(&at, &m, ip, ip);
            out.message(&at, &cut, ip, ip);
        }
        assert_eq!(sessions.into_records().len(), 1);
        assert_eq!(records, 2, "both are messages");
    }
}
