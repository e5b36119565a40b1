//! SMS over SIP (3GPP TS 24.341): a SIP `MESSAGE` whose body, of type
//! `application/vnd.3gpp.sms`, is an RP-DATA message holding an SMS TPDU. This is how an IMS core
//! hands an SMS, a CIR to port 3716 included, to a phone; the TPDU is read by
//! [`wvcir::tpdu`] and its user data goes where an SMPP short message's does
//! ([`crate::smpp::SmsIn`]).

/// SIP's registered UDP port.
pub const SIP_PORT: u16 = 5060;

const CONTENT_TYPE: &[u8] = b"application/vnd.3gpp.sms";

/// The user part of the Request-URI (the phone, `+447700900123` in
/// `sip:+447700900123@ims.example`) and the body of a SIP `MESSAGE` request whose `Content-Type`
/// (or compact `c`) is `application/vnd.3gpp.sms`; `None` for anything else. The body ends at
/// `Content-Length` when it says less than the datagram holds.
pub fn sms_body(payload: &[u8]) -> Option<(&[u8], &[u8])> {
    let uri = payload.strip_prefix(b"MESSAGE ")?;
    let uri = uri.get(..uri.iter().position(|&b| b == b' ' || b == b'\r')?)?;
    let user = uri.splitn(2, |&b| b == b':').nth(1).unwrap_or(uri);
    let user = user.get(..user.iter().position(|&b| b == b'@' || b == b';').unwrap_or(user.len()))?;
    let end = payload.windows(4).position(|w| w == b"\r\n\r\n")?;
    let (head, body) = (payload.get(..end)?, payload.get(end + 4..)?);
    let mut is_sms = false;
    let mut length = None;
    for line in head.split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (line.get(..colon)?.trim_ascii(), line.get(colon + 1..)?.trim_ascii());
        if name.eq_ignore_ascii_case(b"content-type") || name.eq_ignore_ascii_case(b"c") {
            is_sms = value.get(..CONTENT_TYPE.len()).is_some_and(|v| v.eq_ignore_ascii_case(CONTENT_TYPE));
        } else if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            length = std::str::from_utf8(value).ok().and_then(|v| v.parse::<usize>().ok());
        }
    }
    is_sms.then(|| (user, body.get(..length.unwrap_or(body.len()).min(body.len())).unwrap_or(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_message_carrying_an_sms_has_a_body() {
        let m = b"MESSAGE sip:+447700900123@ims.example SIP/2.0\r\nc: application/vnd.3gpp.sms\r\nContent-Length: 2\r\n\r\n\x01\x07xx";
        assert_eq!(sms_body(m), Some((&b"+447700900123"[..], &b"\x01\x07"[..])));
        let text = b"MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\n\r\nhello";
        assert_eq!(sms_body(text), None);
        assert_eq!(sms_body(b"INVITE sip:a@b SIP/2.0\r\n\r\n"), None);
        assert_eq!(sms_body(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Type: application/vnd.3gpp.sms"), None, "no body");
    }
}
