//! What each real client would do with a message, as far as its bytes and the capture tell
//! (docs/protocol.md, sections 1-5). The session's own cookie is not known, so "acts" means the
//! client would act if the cookie is its session's.
//!
//! | client | CIR channels | how it reads |
//! |---|---|---|
//! | Android IM | TCP (`STCP`), raw SMS (`SSMS`, GSM 7-bit only) | any TCP line or SMS text starting with exactly `WVCI` makes it poll; an OK counts only as exactly `OK` |
//! | Symbian IMPS | UDP (`SUDP`), TCP (`STCP`), WAP Push | exactly `WVCI` at the start of a datagram, a TCP read or a push body, and a cookie; on TCP per socket read, not per line |

use crate::sms::Encoding;
use crate::{Anomaly, Command, MAX_CIR_DATAGRAM, Message};
use core::fmt;

/// The longest session cookie Symbian makes (`wv:nokia.<random>`): a read holds the cookie when it
/// holds this many of the cookie field's first bytes.
pub const SYMBIAN_MAX_COOKIE: usize = 50;

/// A real client whose behaviour wvcir reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Client {
    /// The Android IM app (AOSP `com.android.im.imps`).
    Android,
    /// The Symbian IMPS engine.
    Symbian,
}

impl Client {
    /// Both clients.
    pub const ALL: [Client; 2] = [Client::Android, Client::Symbian];

    /// `android` or `symbian`.
    pub const fn name(self) -> &'static str {
        match self {
            Client::Android => "android",
            Client::Symbian => "symbian",
        }
    }
}

/// What a client would do with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// It would act: poll the server for a CIR, take the OK as the answer.
    Acts,
    /// It would ignore or reject the message.
    Ignores,
    /// Symbian only: it would most likely never see the CIR, because of how it reads the TCP stream.
    Loses,
    /// The client has no such channel.
    NotApplicable,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 4] = [Verdict::Acts, Verdict::Ignores, Verdict::Loses, Verdict::NotApplicable];

    /// `acts`, `ignores`, `loses` or `n/a`.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::Acts => "acts",
            Verdict::Ignores => "ignores",
            Verdict::Loses => "loses",
            Verdict::NotApplicable => "n/a",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why Symbian would most likely lose a CIR on the TCP channel (it works per socket read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loss {
    /// The CIR does not start a segment: a read would start with something else (an OK, a blank
    /// line, the end of another line).
    NotAtSegmentStart,
    /// The segment the CIR starts in does not hold its cookie: the first read lacks it.
    CookieSplit,
    /// The CIR is in the server's first data after a HELO, which Symbian takes as the HELO's
    /// answer without looking at it.
    FirstReadAfterHelo,
}

impl Loss {
    /// Every reason.
    pub const ALL: [Loss; 3] = [Loss::NotAtSegmentStart, Loss::CookieSplit, Loss::FirstReadAfterHelo];

    /// `not-at-segment-start`, `cookie-split`, `first-read-after-helo`.
    pub const fn name(self) -> &'static str {
        match self {
            Loss::NotAtSegmentStart => "not-at-segment-start",
            Loss::CookieSplit => "cookie-split",
            Loss::FirstReadAfterHelo => "first-read-after-helo",
        }
    }
}

/// Both clients' verdicts on one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Verdicts {
    /// The Android IM app's.
    pub android: Verdict,
    /// The Symbian IMPS engine's.
    pub symbian: Verdict,
    /// When Symbian loses it, why.
    pub symbian_loss: Option<Loss>,
}

impl Verdicts {
    /// The verdict of one client.
    pub const fn of(self, client: Client) -> Verdict {
        match client {
            Client::Android => self.android,
            Client::Symbian => self.symbian,
        }
    }
}

/// How a TCP line was read, as far as a capture shows segments (Symbian works per socket read:
/// each read is one message).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpRead {
    /// The line starts a segment: a read would start with it.
    pub starts_segment: bool,
    /// The cookie (its first [`SYMBIAN_MAX_COOKIE`] bytes) lies in the segment the line starts
    /// in: the first read holds it.
    pub cookie_in_first_segment: bool,
    /// The line is in the server's first data after a HELO, which Symbian takes as the HELO's
    /// answer without looking at it.
    pub answers_helo: bool,
}

/// The channel a message came on, with what a verdict depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Carrier {
    /// One UDP datagram (`SUDP`).
    Udp,
    /// A TCP line (`STCP`).
    Tcp(TcpRead),
    /// Raw SMS text (`SSMS`), ASCII or GSM 7-bit.
    Sms(Encoding),
    /// A WAP Push body.
    WapPush,
}

/// The clients' verdicts on a CIR or an OK; `None` for what clients send (HELO, PING).
///
/// ```
/// use wvcir::clients::{Carrier, TcpRead, Verdict, verdicts};
/// let m = wvcir::parse_line(b"WVCI 1.2 wv:nokia.1\r\n").unwrap();
/// // Behind an OK in the same segment: Android acts, Symbian's read starts with the OK.
/// let read = TcpRead { starts_segment: false, cookie_in_first_segment: true, answers_helo: false };
/// let v = verdicts(Carrier::Tcp(read), &m).unwrap();
/// assert_eq!((v.android, v.symbian), (Verdict::Acts, Verdict::Loses));
/// ```
pub fn verdicts(carrier: Carrier, m: &Message<'_>) -> Option<Verdicts> {
    match m.command {
        Command::Wvci => {
            let (symbian, symbian_loss) = symbian_cir(carrier, m);
            Some(Verdicts { android: android_cir(carrier, m), symbian, symbian_loss })
        }
        Command::Ok => Some(ok(carrier, m)),
        Command::Helo | Command::Ping => None,
    }
}

fn exact_keyword(m: &Message<'_>) -> bool {
    m.keyword.bytes == m.command.as_str().as_bytes()
}

/// Android: `line.startsWith("WVCI")` on TCP and on GSM 7-bit SMS text; nothing else is parsed.
fn android_cir(carrier: Carrier, m: &Message<'_>) -> Verdict {
    let starts = exact_keyword(m);
    match carrier {
        // `BufferedReader.readLine` never returned a line the capture ended in.
        Carrier::Tcp(_) if m.anomalies.contains(Anomaly::Incomplete) => Verdict::Ignores,
        Carrier::Tcp(_) if starts => Verdict::Acts,
        Carrier::Sms(e) if starts && e.reaches_phone_as_gsm7() => Verdict::Acts,
        Carrier::Tcp(_) | Carrier::Sms(_) => Verdict::Ignores,
        Carrier::Udp | Carrier::WapPush => Verdict::NotApplicable,
    }
}

/// Symbian: exactly `WVCI` at offset 0 of the datagram, read or push body, and the session cookie
/// somewhere in its 512-byte buffer (a cookie that starts there may be it: Symbian's are at most
/// 50 characters); no raw SMS CIR.
fn symbian_cir(carrier: Carrier, m: &Message<'_>) -> (Verdict, Option<Loss>) {
    let readable = exact_keyword(m) && m.cookie.is_some_and(|c| c.span.offset < MAX_CIR_DATAGRAM);
    let loss = match carrier {
        // The first read after HELO is taken as its answer whatever it holds.
        Carrier::Tcp(r) if r.answers_helo => Some(Loss::FirstReadAfterHelo),
        Carrier::Tcp(r) if !r.starts_segment => Some(Loss::NotAtSegmentStart),
        Carrier::Tcp(r) if !r.cookie_in_first_segment => Some(Loss::CookieSplit),
        _ => None,
    };
    match carrier {
        Carrier::Sms(_) => (Verdict::NotApplicable, None),
        _ if !readable => (Verdict::Ignores, None),
        Carrier::Tcp(_) if loss.is_some() => (Verdict::Loses, loss),
        _ => (Verdict::Acts, None),
    }
}

/// An OK (TCP only): Android compares the whole line with `OK`; Symbian checks `OK` as a prefix.
fn ok(carrier: Carrier, m: &Message<'_>) -> Verdicts {
    let Carrier::Tcp(_) = carrier else {
        return Verdicts { android: Verdict::NotApplicable, symbian: Verdict::NotApplicable, symbian_loss: None };
    };
    let exact = exact_keyword(m)
        && m.extra.is_none()
        && !m.anomalies.contains(Anomaly::BadSeparator)
        && !m.anomalies.contains(Anomaly::NonPrintable)
        && !m.anomalies.contains(Anomaly::Incomplete);
    let verdict = |acts: bool| if acts { Verdict::Acts } else { Verdict::Ignores };
    Verdicts { android: verdict(exact), symbian: verdict(exact_keyword(m)), symbian_loss: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_cir, parse_line};

    const AT_START: TcpRead = TcpRead { starts_segment: true, cookie_in_first_segment: true, answers_helo: false };

    fn v(carrier: Carrier, input: &[u8]) -> (Verdict, Verdict) {
        let m = if matches!(carrier, Carrier::Tcp(_)) { parse_line(input) } else { parse_cir(input) }.unwrap();
        let v = verdicts(carrier, &m).unwrap();
        (v.android, v.symbian)
    }

    #[test]
    fn cirs_on_every_channel() {
        use Verdict::*;
        assert_eq!(v(Carrier::Udp, b"WVCI 1.2 c"), (NotApplicable, Acts));
        assert_eq!(v(Carrier::Udp, b"wvci 1.2 c"), (NotApplicable, Ignores), "case-sensitive keyword");
        assert_eq!(v(Carrier::Udp, b"WVCI 1.2"), (NotApplicable, Ignores), "no cookie: unauthorized");
        assert_eq!(v(Carrier::WapPush, b"WVCI 1.2 c"), (NotApplicable, Acts));
        assert_eq!(v(Carrier::Sms(Encoding::Gsm7), b"WVCI 1.2"), (Acts, NotApplicable), "Android only logs a warning");
        assert_eq!(v(Carrier::Sms(Encoding::Ascii), b"WVCI 1.2 c"), (Ignores, NotApplicable));
        assert_eq!(v(Carrier::Tcp(AT_START), b"WVCI wv:nokia.1\r\n"), (Acts, Acts), "missing version");
        assert_eq!(v(Carrier::Tcp(AT_START), b"Wvci 1.2 c\r\n"), (Ignores, Ignores));
        let answers_helo = TcpRead { answers_helo: true, ..AT_START };
        assert_eq!(v(Carrier::Tcp(answers_helo), b"WVCI 1.2 c\r\n"), (Acts, Loses));
        let m = parse_line(b"WVCI 1.2 c\r\n").unwrap();
        assert_eq!(verdicts(Carrier::Tcp(answers_helo), &m).unwrap().symbian_loss, Some(Loss::FirstReadAfterHelo));
        let split = TcpRead { cookie_in_first_segment: false, ..AT_START };
        assert_eq!(v(Carrier::Tcp(split), b"WVCI 1.2 c\r\n"), (Acts, Loses));
        let mut long = b"WVCI 1.2 ".to_vec();
        long.resize(600, b'x');
        assert_eq!(v(Carrier::Udp, &long), (NotApplicable, Acts), "the first 512 bytes are read");
        let mut late = b"WVCI 1.2".to_vec();
        late.resize(520, b' ');
        late.extend_from_slice(b"c");
        assert_eq!(v(Carrier::Udp, &late), (NotApplicable, Ignores), "the cookie starts past Symbian's 512 bytes");
    }

    #[test]
    fn oks_and_requests() {
        use Verdict::*;
        assert_eq!(v(Carrier::Tcp(AT_START), b"OK\r\n"), (Acts, Acts));
        assert_eq!(v(Carrier::Tcp(AT_START), b"OK \r\n"), (Ignores, Acts), "Android compares the whole line");
        assert_eq!(v(Carrier::Tcp(AT_START), b"ok\r\n"), (Ignores, Ignores));
        assert!(verdicts(Carrier::Tcp(AT_START), &parse_line(b"PING\r\n").unwrap()).is_none());
    }
}
