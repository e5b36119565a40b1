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
    /// In a request's (true) or a response's (false) headers, this many lines read.
    Headers { request: bool, lines: usize },
    /// Read, or not HTTP.
    Done,
}

/// A flow's HTTP reading: one state per direction (client to server, server to client).
#[derive(Debug, Default)]
pub struct HttpSeen {
    heads: [Head; 2],
    rec: HttpRec,
    seen: bool,
}

fn field(bytes: &[u8]) -> String {
    text(bytes.get(..MAX_FIELD).unwrap_or(bytes))
}

impl HttpSeen {
    /// Reads one TCP line; `to_server`: which way it went.
    pub fn line(&mut self, to_server: bool, bytes: &[u8]) {
        let Some(head) = self.heads.get_mut(usize::from(!to_server)) else { return };
        match *head {
            Head::Done => {}
            Head::Start => {
                *head = match start_line(bytes) {
                    HeadLine::Request { method, uri } if self.rec.method.is_none() => {
                        self.rec.method = Some(field(method));
                        self.rec.uri = Some(field(uri));
                        self.seen = true;
                        Head::Headers { request: true, lines: 0 }
                    }
                    HeadLine::Status { code } if self.rec.status.is_none() => {
                        self.rec.status = Some(code);
                        self.seen = true;
                        Head::Headers { request: false, lines: 0 }
                    }
                    _ => Head::Done,
                };
            }
            Head::Headers { request, lines } => {
                *head = if lines >= MAX_HEAD_LINES { Head::Done } else { Head::Headers { request, lines: lines + 1 } };
                match header_line(bytes) {
                    HeadLine::End => *head = Head::Done,
                    HeadLine::Header { name, value } => {
                        let slot = match (request, name) {
                            (true, n) if n.eq_ignore_ascii_case(b"host") => &mut self.rec.host,
                            (true, n) if n.eq_ignore_ascii_case(b"user-agent") => &mut self.rec.user_agent,
                            (false, n) if n.eq_ignore_ascii_case(b"server") => &mut self.rec.server,
                            _ => return,
                        };
                        slot.get_or_insert_with(|| field(value));
                    }
                    _ => {}
                }
            }
        }
    }

    /// The fields, when a request or status line was seen.
    pub fn record(&self) -> Option<HttpRec> {
        self.seen.then(|| self.rec.clone())
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
        assert_eq!(h.record().unwrap().host, None);
        let long = [b"Host: ".to_vec(), vec![b'a'; 4000], b"\r\n".to_vec()].concat();
        let mut h = HttpSeen::default();
        h.line(true, b"GET / HTTP/1.1\r\n");
        h.line(true, &long);
        assert_eq!(h.record().unwrap().host.unwrap().len(), MAX_FIELD);
    }
}
