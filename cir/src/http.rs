//! The head of an HTTP/1.x message, read line by line as the TCP engine frames it: what an analyst
//! needs to name an HTTP exchange on a CIR port (method, URI, Host, User-Agent; status, Server).
//!
//! Zero-copy: every field borrows the line it came from. Only the first request and the first
//! response of a connection are read, and only their heads: [`MAX_HEAD_LINES`] lines at most.

/// Header lines read from one head before it is given up (the fields seen so far are kept).
pub const MAX_HEAD_LINES: usize = 100;

/// One line of an HTTP/1.x head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadLine<'a> {
    /// `METHOD SP URI SP HTTP/x.y`.
    Request {
        /// `GET`, `POST`, ...
        method: &'a [u8],
        /// As sent.
        uri: &'a [u8],
    },
    /// `HTTP/x.y SP CODE [SP REASON]`.
    Status {
        /// 100 to 599.
        code: u16,
    },
    /// `Name: value`.
    Header {
        /// As sent (names are case-insensitive).
        name: &'a [u8],
        /// Without surrounding blanks.
        value: &'a [u8],
    },
    /// The empty line that ends the head.
    End,
    /// Anything else.
    Other,
}

/// The line without its line end.
fn trim_eol(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|&b| b != b'\r' && b != b'\n').map_or(0, |i| i + 1);
    line.get(..end).unwrap_or_default()
}

fn trim_blanks(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

fn is_version(v: &[u8]) -> bool {
    matches!(v, [b'H', b'T', b'T', b'P', b'/', b'0'..=b'9', b'.', b'0'..=b'9'])
}

/// A method is a token: letters (upper case in practice), at most 16 of them.
fn is_method(m: &[u8]) -> bool {
    !m.is_empty() && m.len() <= 16 && m.iter().all(u8::is_ascii_uppercase)
}

/// Reads a request line or status line (the first line of a head).
pub fn start_line(line: &[u8]) -> HeadLine<'_> {
    let line = trim_eol(line);
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else { return HeadLine::Other };
    let c = parts.next();
    if is_version(a) {
        let code = match b {
            [d0 @ b'1'..=b'5', d1 @ b'0'..=b'9', d2 @ b'0'..=b'9'] => {
                u16::from(d0 - b'0') * 100 + u16::from(d1 - b'0') * 10 + u16::from(d2 - b'0')
            }
            _ => return HeadLine::Other,
        };
        return HeadLine::Status { code };
    }
    match c {
        Some(v) if is_method(a) && is_version(v) && !b.is_empty() => HeadLine::Request { method: a, uri: b },
        _ => HeadLine::Other,
    }
}

/// Reads a line after the start line.
pub fn header_line(line: &[u8]) -> HeadLine<'_> {
    let line = trim_eol(line);
    if line.is_empty() {
        return HeadLine::End;
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else { return HeadLine::Other };
    let (name, value) = line.split_at(colon);
    let valid_name = !name.is_empty() && name.iter().all(|b| b.is_ascii_graphic() && *b != b':');
    if !valid_name {
        return HeadLine::Other;
    }
    HeadLine::Header { name, value: trim_blanks(value.get(1..).unwrap_or_default()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        assert_eq!(
            start_line(b"GET /c2/checkin?id=7 HTTP/1.1\r\n"),
            HeadLine::Request { method: b"GET", uri: b"/c2/checkin?id=7" }
        );
        assert_eq!(start_line(b"HTTP/1.0 404 Not Found\n"), HeadLine::Status { code: 404 });
        assert_eq!(start_line(b"HTTP/1.1 200\r\n"), HeadLine::Status { code: 200 });
        for other in [&b"WVCI 1.2 x\r\n"[..], b"get / HTTP/1.1", b"GET  HTTP/1.1", b"HTTP/1.1 99 x", b"", b"GET /"] {
            assert_eq!(start_line(other), HeadLine::Other, "{:?}", crate::Escaped(other));
        }
    }

    #[test]
    fn header_lines() {
        assert_eq!(
            header_line(b"Host:  cir.example:3716 \r\n"),
            HeadLine::Header { name: b"Host", value: b"cir.example:3716" }
        );
        assert_eq!(header_line(b"X-Empty:\r\n"), HeadLine::Header { name: b"X-Empty", value: b"" });
        assert_eq!(header_line(b"\r\n"), HeadLine::End);
        assert_eq!(header_line(b"no colon here\r\n"), HeadLine::Other);
        assert_eq!(header_line(b": no name\r\n"), HeadLine::Other);
    }
}
