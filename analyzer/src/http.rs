//! The first HTTP request and response of a flow, read from its TCP lines (so a head split over
//! segments, reordered or retransmitted is read as the peer read it): what names an HTTP exchange
//! on a CIR port in the report (`flows[].http`) and in the reason that flags it.

use crate::messages::text;
use serde::Serialize;
use wvcir::http::{HeadLine, MAX_HEAD_LINES, header_line, start_line};

/// The longest field kept, in bytes (longer ones are cut; the TCP framer bounds a line at 4 KiB).
pub const MAX_FIELD: usize = 512;

/// What a flow's HTTP heads said; `None` fields were not seen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HttpRec {
    pub method: Option<String>,
    pub uri: Option<String>,
    pub host: Option<String>,
    pub user_agent: Option<String>,
    pub status: Option<u16>,
    pub server: Option<String>,
}

/// Where one direction's head reading is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Head {
    /// Its first line not seen yet.
    #[default]
    Start,
    /// In a request's (true) or a response's (false) headers, this many lines read (at most
    /// `MAX_HEAD_LINES`, which fits a byte).
    Headers { request: bool, lines: u8 },
    /// Read, or not HTTP.
    Done,
}

/// Which field a header line fills.
#[derive(Clone, Copy)]
enum Wanted {
    Host,
    UserAgent,
    Server,
}

/// A flow's HTTP reading: one state per direction (client to server, server to client). Every
/// tracked flow has one, so it stays a few bytes until a request or status line is seen (a
/// million TCP connections must not cost a million [`HttpRec`]s).
#[derive(Debug, Default)]
pub struct HttpSeen {
    heads: [Head; 2],
    rec: Option<Box<HttpRec>>,
    /// Fields cut and heads given up (`limits.http_cut`).
    cut: u32,
}

impl HttpSeen {
    /// A field as the report keeps it: at most [`MAX_FIELD`] bytes (a cut one is counted).
    fn field(&mut self, bytes: &[u8]) -> String {
        self.cut = self.cut.saturating_add(u32::from(bytes.len() > MAX_FIELD));
        text(bytes.get(..MAX_FIELD).unwrap_or(bytes))
    }

    /// Fields cut and heads given up so far.
    pub fn cut(&self) -> u64 {
        u64::from(self.cut)
    }

    /// Reads one TCP line; `to_server`: which way it went. Only each direction's first head is
    /// read: a later request or response on the flow changes nothing.
    pub fn line(&mut self, to_server: bool, bytes: &[u8]) {
        let side = usize::from(!to_server);
        let Some(head) = self.heads.get(side).copied() else { return };
        let next = match head {
            Head::Done => return,
            Head::Start => self.start(bytes),
            Head::Headers { .. } if header_line(bytes) == HeadLine::End => Head::Done,
            Head::Headers { lines, .. } if usize::from(lines) >= MAX_HEAD_LINES => {
                self.cut = self.cut.saturating_add(1);
                Head::Done
            }
            Head::Headers { request, lines } => {
                self.header(request, bytes);
                Head::Headers { request, lines: lines.saturating_add(1) }
            }
        };
        if let Some(h) = self.heads.get_mut(side) {
            *h = next;
        }
    }

    /// A direction's first line: a request line, a status line, or not HTTP.
    fn start(&mut self, bytes: &[u8]) -> Head {
        match start_line(bytes) {
            HeadLine::Request { method, uri } => {
                let (method, uri) = (self.field(method), self.field(uri));
                let rec = self.rec.get_or_insert_default();
                (rec.method, rec.uri) = (Some(method), Some(uri));
                Head::Headers { request: true, lines: 0 }
            }
            HeadLine::Status { code } => {
                self.rec.get_or_insert_default().status = Some(code);
                Head::Headers { request: false, lines: 0 }
            }
            _ => Head::Done,
        }
    }

    /// A header line: Host and User-Agent of a request, Server of a response, the first of each.
    fn header(&mut self, request: bool, bytes: &[u8]) {
        let HeadLine::Header { name, value } = header_line(bytes) else { return };
        let wanted = match (request, name) {
            (true, n) if n.eq_ignore_ascii_case(b"host") => Wanted::Host,
            (true, n) if n.eq_ignore_ascii_case(b"user-agent") => Wanted::UserAgent,
            (false, n) if n.eq_ignore_ascii_case(b"server") => Wanted::Server,
            _ => return,
        };
        let unset = self.rec.as_deref().is_some_and(|r| match wanted {
            Wanted::Host => r.host.is_none(),
            Wanted::UserAgent => r.user_agent.is_none(),
            Wanted::Server => r.server.is_none(),
        });
        if !unset {
            return;
        }
        let v = Some(self.field(value));
        if let Some(r) = self.rec.as_deref_mut() {
            match wanted {
                Wanted::Host => r.host = v,
                Wanted::UserAgent => r.user_agent = v,
                Wanted::Server => r.server = v,
            }
        }
    }

    /// The fields, when a request or status line was seen.
    pub fn record(&self) -> Option<HttpRec> {
        self.rec.as_deref().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_and_response_heads_are_read_line_by_line() {
        let mut h = HttpSeen::default();
        for (to_server, line) in [
            (true, &b"GET /c2/checkin HTTP/1.1\r\n"[..]),
            (true, b"host: cir.example\r\n"),
            (true, b"User-Agent: curl/7.88.1\r\n"),
            (true, b"\r\n"),
            (true, b"User-Agent: after the head, ignored\r\n"),
            (false, b"HTTP/1.0 200 OK\r\n"),
            (false, b"Server: SimpleHTTP/0.6 Python/3.11.2\r\n"),
            (false, b"\r\n"),
            (true, b"GET /second HTTP/1.1\r\n"),
        ] {
            h.line(to_server, line);
        }
        let r = h.record().unwrap();
        assert_eq!((r.method.as_deref(), r.uri.as_deref()), (Some("GET"), Some("/c2/checkin")));
        assert_eq!((r.host.as_deref(), r.user_agent.as_deref()), (Some("cir.example"), Some("curl/7.88.1")));
        assert_eq!((r.status, r.server.as_deref()), (Some(200), Some("SimpleHTTP/0.6 Python/3.11.2")));
    }

    #[test]
    fn not_http_is_none_and_endless_heads_are_bounded() {
        let mut h = HttpSeen::default();
        h.line(true, b"WVCI 1.2 cookie\r\n");
        h.line(true, b"GET / HTTP/1.1\r\n");
        assert_eq!(h.record(), None, "a direction whose first line is not HTTP is not read further");
        let mut h = HttpSeen::default();
        h.line(true, b"GET / HTTP/1.1\r\n");
        for _ in 0..MAX_HEAD_LINES + 10 {
            h.line(true, b"X-Pad: x\r\n");
        }
        h.line(true, b"Host: too late\r\n");
        assert_eq!((h.record().unwrap().host, h.cut()), (None, 1), "the head given up is counted");
        let long = [b"Host: ".to_vec(), vec![b'a'; 4000], b"\r\n".to_vec()].concat();
        let mut h = HttpSeen::default();
        h.line(true, b"GET / HTTP/1.1\r\n");
        h.line(true, &long);
        assert_eq!((h.record().unwrap().host.unwrap().len(), h.cut()), (MAX_FIELD, 1), "the cut field is counted");
    }
}
