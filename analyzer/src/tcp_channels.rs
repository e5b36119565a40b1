//! TCP CIR channels over the core's engine (`wvcir::tcp`, see `docs/tcp-engine.md`): what each
//! connection's lines say, gathered for its record, and what its engine dropped, for the input's
//! limits.

use crate::flows::Endpoint;
use crate::flows::Names;
use crate::handshakes::Readers;
use crate::messages::{Found, Out};
use crate::report::{LimitsRec, TcpChannelRec, epoch, micros, rfc3339};
use crate::vocab::{ConnectionEnd, FlowKind};
use std::time::Duration;
use wvcir::clients::Carrier;
use wvcir::sms::Encoding;
use wvcir::tcp::{Chunk, Connection, Dir, Line, LineKind, Segment, Told};
use wvcir::{Channel, Command, PortMap, Transport};

/// PING round trips kept per TCP channel (the count is exact beyond it).
pub const MAX_PING_RTTS: usize = 1024;
/// Seconds within which an OK must answer a HELO (transport binding 1.3, section 8.1.3).
pub const HELO_TIMEOUT: f64 = 30.0;

/// Whether the responder of a TCP flow is the CIR channel's server: the side on a CIR TCP port,
/// failing that whoever was contacted.
pub fn server_is_responder(ports: &PortMap, initiator_port: u16, responder_port: u16) -> bool {
    ports.is_cir_port(Transport::Tcp, responder_port) || !ports.is_cir_port(Transport::Tcp, initiator_port)
}

/// Nanoseconds since the epoch, as the engine counts time.
pub fn nanos(ts: Duration) -> i64 {
    i64::try_from(ts.as_nanos()).unwrap_or(i64::MAX)
}

/// One TCP connection of a tracked flow: the engine, and what its lines said.
#[derive(Debug)]
pub struct TcpState {
    pub client: Endpoint,
    pub server: Endpoint,
    conn: Connection,
    info: ChannelInfo,
    /// TLS or SSH handshake readers, while a direction is being read (see `handshakes`).
    readers: Option<Box<Readers>>,
}

/// What a TCP channel's lines said, gathered for its record.
#[derive(Debug)]
struct ChannelInfo {
    first_frame: u64,
    last_frame: u64,
    last_ts: Duration,
    session_id: Option<String>,
    helo: Option<(u64, Duration)>,
    ok_latency: Option<f64>,
    ping_count: u64,
    ping_rtts: Vec<f64>,
    cir_count: u64,
    lines: u64,
    protocol_errors: u64,
    end: Option<ConnectionEnd>,
}

/// A flow's tally, which its TCP lines add to.
pub type FlowCounts<'a> = &'a mut crate::flows::Tally;

impl TcpState {
    pub fn new(client: Endpoint, server: Endpoint, frame: u64, ts: Duration) -> Self {
        let info = ChannelInfo {
            first_frame: frame,
            last_frame: frame,
            last_ts: ts,
            session_id: None,
            helo: None,
            ok_latency: None,
            ping_count: 0,
            ping_rtts: Vec::new(),
            cir_count: 0,
            lines: 0,
            protocol_errors: 0,
            end: None,
        };
        Self { client, server, conn: Connection::default(), info, readers: None }
    }

    /// Whether a new SYN on this 4-tuple starts a new connection: this one ended or said something.
    pub fn reusable(&self) -> bool {
        self.info.end.is_some() || self.info.lines > 0
    }

    /// Takes one segment of the connection (`src` sent it); its lines add to `counts`, its TLS
    /// or SSH handshakes to `names`.
    pub fn segment(
        &mut self,
        seg: Segment<'_>,
        src: Endpoint,
        ts: Duration,
        (counts, names): (FlowCounts<'_>, &mut Option<Box<Names>>),
        out: &mut Out<'_>,
    ) {
        let TcpState { client, server, conn, info, readers } = self;
        info.last_frame = seg.frame;
        info.last_ts = ts;
        info.end = match (seg.control, info.end) {
            (wvcir::tcp::Control::Rst, _) | (_, Some(ConnectionEnd::Rst)) => Some(ConnectionEnd::Rst),
            (wvcir::tcp::Control::Fin, _) => Some(ConnectionEnd::Fin),
            (_, end) => end,
        };
        let seg = Segment { dir: if src == *client { Dir::ToServer } else { Dir::ToClient }, ..seg };
        let mut lines = Lines { client: *client, server: *server, info, counts, out };
        let mut data = |dir: Dir, chunk: Chunk<'_>, told: Option<Told<'_>>| {
            if let Some(t) = told {
                readers.get_or_insert_default().start(dir, t.foreign, t.held, names.get_or_insert_default());
            }
            let Some(r) = readers.as_deref_mut() else { return };
            r.chunk(dir, chunk, names.get_or_insert_default());
            if r.idle() {
                *readers = None;
            }
        };
        conn.segment_with_data(&seg, &mut |line| lines.line(line), &mut data);
    }

    /// Ends the connection: lines still open are reported incomplete, what the engine dropped goes
    /// to `limits`, and the record comes back if the connection spoke the protocol (TLS or HTTP
    /// on the port is told by its flow record).
    pub fn close(
        mut self,
        input: usize,
        counts: FlowCounts<'_>,
        out: &mut Out<'_>,
        limits: &mut LimitsRec,
    ) -> Option<TcpChannelRec> {
        let TcpState { client, server, conn, info, .. } = &mut self;
        let (frame, ts) = (info.last_frame, nanos(info.last_ts));
        let mut lines = Lines { client: *client, server: *server, info, counts, out };
        conn.end_of_capture(frame, ts, &mut |line| lines.line(line));
        add_limits(conn, limits);
        let rec = self.record(input);
        (rec.lines > rec.protocol_errors).then_some(rec)
    }

    fn record(&self, input: usize) -> TcpChannelRec {
        let i = &self.info;
        TcpChannelRec {
            input,
            client_ip: self.client.0.to_string(),
            client_port: self.client.1,
            server_ip: self.server.0.to_string(),
            server_port: self.server.1,
            community_id: crate::community_id::community_id(wvcir::Transport::Tcp, self.client, self.server),
            first_frame: i.first_frame,
            last_frame: i.last_frame,
            session_id: i.session_id.clone(),
            helo_frame: i.helo.map(|h| h.0),
            helo_ts: i.helo.map(|h| epoch(h.1)),
            helo_time: i.helo.map(|h| rfc3339(h.1)),
            ok_latency: i.ok_latency,
            unanswered_helo: i.helo.is_some() && i.ok_latency.is_none_or(|l| l > HELO_TIMEOUT),
            ping_count: i.ping_count,
            ping_rtts: i.ping_rtts.clone(),
            cir_count: i.cir_count,
            lines: i.lines,
            protocol_errors: i.protocol_errors,
            end: i.end.unwrap_or(ConnectionEnd::CaptureEnd),
        }
    }
}

/// What a closed connection's engine dropped, skipped or could not pair.
fn add_limits(conn: &Connection, limits: &mut LimitsRec) {
    let stats = conn.stats();
    for s in stats.streams {
        limits.tcp_gap_bytes += s.gap_bytes;
        limits.tcp_bytes_dropped += s.after_end;
    }
    limits.tcp_bytes_dropped += stats.held_at_end;
    limits.tcp_resync_bytes += stats.resync_bytes;
    limits.tcp_cut_lines += stats.cut_lines;
    limits.long_lines += stats.long_lines;
    limits.requests_dropped += stats.requests_dropped;
}

/// Where one connection's lines go.
struct Lines<'a, 'o> {
    client: Endpoint,
    server: Endpoint,
    info: &'a mut ChannelInfo,
    counts: FlowCounts<'a>,
    out: &'a mut Out<'o>,
}

impl Lines<'_, '_> {
    fn line(&mut self, line: &Line<'_>) {
        // HTTP heads are read from every line, blank ones too (they end a head); a tail whose
        // start was lost is no line to read.
        if line.kind != LineKind::Tail {
            self.counts.http.line(line.dir == Dir::ToServer, line.bytes);
        }
        let info = &mut *self.info;
        if line.is_blank() {
            return;
        }
        info.lines += 1;
        let Ok(m) = &line.message else {
            info.protocol_errors += 1;
            let kind = match line.foreign {
                Some(wvcir::tcp::Foreign::Tls) => FlowKind::Tls,
                Some(wvcir::tcp::Foreign::Ssh) => FlowKind::Ssh,
                None => FlowKind::from(wvcir::classify(line.bytes, Transport::Tcp).kind),
            };
            self.counts.other(kind);
            return;
        };
        self.counts.messages += 1;
        self.counts.clean_messages += u64::from(m.malformed.is_none());
        let ts = Duration::from_nanos(u64::try_from(line.ts).unwrap_or(0));
        info.take(line, m.command, m.session_id.map(|f| crate::messages::text(f.bytes)), ts);
        let (src, dst) = match line.dir {
            Dir::ToServer => (self.client, self.server),
            Dir::ToClient => (self.server, self.client),
        };
        let carrier = Carrier::Tcp(line.read);
        let at = Found { frame: line.frame, ts, channel: Channel::Tcp, src, dst, encoding: Encoding::Ascii, carrier };
        self.out.message(&at, m, self.client.0, self.server.0);
    }
}

impl ChannelInfo {
    /// What a decoded line says of the channel: its HELO, PINGs, the OKs' delays, its CIRs.
    fn take(&mut self, line: &Line<'_>, command: Command, session_id: Option<String>, ts: Duration) {
        match command {
            Command::Helo if self.helo.is_none() => {
                self.helo = Some((line.frame, ts));
                self.session_id = session_id;
            }
            Command::Helo => {}
            Command::Ping => self.ping_count += 1,
            Command::Wvci => self.cir_count += 1,
            Command::Ok => {
                let Some(req) = line.answers else { return };
                let secs = micros((line.ts - req.ts) as f64 / 1e9);
                match req.command {
                    Command::Helo => self.ok_latency = self.ok_latency.or(Some(secs)),
                    _ if self.ping_rtts.len() < MAX_PING_RTTS => self.ping_rtts.push(secs),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::Sessions;
    use std::net::{IpAddr, Ipv4Addr};
    use wvcir::tcp::Control;

    #[test]
    fn a_channel_pairs_its_helo_counts_its_lines_and_says_how_it_ended() {
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
        let (client, server) = ((ip, 49_201), (ip, 3717));
        let mut state = TcpState::new(client, server, 1, Duration::ZERO);
        let (mut sessions, mut records, mut limits) = (Sessions::default(), 0, LimitsRec::default());
        let mut tally = crate::flows::Tally::default();
        let mut on_record = |_| records += 1;
        let mut out = Out { input: 0, sessions: &mut sessions, on_record: &mut on_record, tunnel: &[] };
        let segs: [(u64, Endpoint, u32, Control, &[u8]); 4] = [
            (4, client, 1, Control::None, b"HELO 3a9f0c1e\r\n"),
            (6, server, 1, Control::None, b"OK\r\nWVCI 1.2 c\r\nbogus\r\n"),
            (8, server, 24, Control::Fin, b"WVCI 1.2 no-eol"),
            (9, client, 16, Control::None, b"PING"),
        ];
        for (frame, src, seq, control, payload) in segs {
            let ts = Duration::from_millis(frame * 10);
            let seg = Segment { frame, ts: nanos(ts), dir: Dir::ToServer, seq, control, payload };
            state.segment(seg, src, ts, (&mut tally, &mut None), &mut out);
        }
        let rec = state.close(0, &mut tally, &mut out, &mut limits).expect("it spoke the protocol");
        let (messages, other) = (tally.messages, tally.other_payloads);
        assert_eq!((rec.helo_frame, rec.ok_latency, rec.cir_count), (Some(4), Some(0.02), 2));
        assert_eq!((rec.lines, rec.protocol_errors, rec.end), (6, 1, ConnectionEnd::Fin));
        assert_eq!((messages, other, records), (5, 1, 5), "the PING the capture ended in is a message too");
    }
}
