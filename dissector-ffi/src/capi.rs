//! A small C API over the core, for tools other than Wireshark: decode a buffer into a message
//! with byte spans. It allocates nothing: spans index the caller's buffer (for GSM 7-bit SMS, the
//! text `wvcir_gsm7_unpack` writes), so there is nothing to free. `include/wvcir.h` is generated
//! from [`c_header`] and a test keeps it current.

use std::ffi::{c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};
use wvcir::sms;
use wvcir::{Anomaly, Channel, Command, LineEnd, Message, Span};

/// A byte range; `len` 0 means absent.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WvcirSpan {
    pub offset: u32,
    pub len: u32,
}

/// A decoded message. `size` must be set by the caller to `sizeof(wvcir_message)`: fields added in
/// later versions go at the end, and an older caller's smaller struct is filled only as far as it
/// reaches.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WvcirMessage {
    pub size: u32,
    /// `WVCIR_CMD_*`
    pub command: i32,
    /// `WVCIR_CHANNEL_*`
    pub channel: i32,
    /// `WVCIR_ENC_*`
    pub encoding: i32,
    /// `WVCIR_EOL_*`
    pub line_end: i32,
    /// 0, or `WVCIR_ERR_*` when the message is malformed.
    pub malformed: i32,
    /// Offset of the byte where the malformation was found.
    pub error_offset: u32,
    /// `WVCIR_ANOMALY_*` bits.
    pub anomalies: u32,
    pub message: WvcirSpan,
    pub keyword: WvcirSpan,
    pub version: WvcirSpan,
    pub cookie: WvcirSpan,
    pub session_id: WvcirSpan,
    pub extra: WvcirSpan,
}

const COMMANDS: [(&str, Command); 4] = [
    ("WVCIR_CMD_WVCI", Command::Wvci),
    ("WVCIR_CMD_HELO", Command::Helo),
    ("WVCIR_CMD_OK", Command::Ok),
    ("WVCIR_CMD_PING", Command::Ping),
];
const CHANNELS: [(&str, Channel); 4] = [
    ("WVCIR_CHANNEL_UDP", Channel::Udp),
    ("WVCIR_CHANNEL_TCP", Channel::Tcp),
    ("WVCIR_CHANNEL_SMS", Channel::Sms),
    ("WVCIR_CHANNEL_WAP_PUSH", Channel::WapPush),
];
/// Malformations and their codes. Codes never change meaning: 1 (a missing version) and 5 (a line
/// too long) were malformations once and are anomalies now (`WVCIR_ANOMALY_*`), so they are not
/// used again.
const ERRORS: [(&str, i32, wvcir::ErrorKind); 4] = [
    ("WVCIR_ERR_MISSING_COOKIE", 2, wvcir::ErrorKind::MissingCookie),
    ("WVCIR_ERR_MISSING_SESSION_ID", 3, wvcir::ErrorKind::MissingSessionId),
    ("WVCIR_ERR_UNKNOWN_COMMAND", 4, wvcir::ErrorKind::UnknownCommand),
    ("WVCIR_ERR_TRUNCATED_PDU", 6, wvcir::ErrorKind::TruncatedPdu),
];

/// `wvcir_message.malformed` for a malformation: every kind the core can put in
/// [`Message::malformed`] has its own code. The match is exhaustive, so a new kind does not
/// compile until it is given one: it can never reach a C caller as 0, "well-formed".
fn malformed_code(kind: wvcir::ErrorKind) -> i32 {
    use wvcir::ErrorKind as K;
    match kind {
        K::MissingCookie | K::MissingSessionId | K::UnknownCommand | K::TruncatedPdu => {
            ERRORS.iter().find(|(_, _, k)| *k == kind).map_or(WVCIR_ERR_OTHER, |(_, c, _)| *c)
        }
        // Not malformations: the input is not this protocol. They never sit in a message, and a
        // message that said so would still not read as well-formed.
        K::NotCir | K::NotPush | K::NotCirContentType => WVCIR_ERR_OTHER,
    }
}

/// `wvcir_message.malformed` for a kind with no code of its own (never produced today).
pub const WVCIR_ERR_OTHER: i32 = 99;
const EOLS: [(&str, LineEnd); 4] = [
    ("WVCIR_EOL_NONE", LineEnd::None),
    ("WVCIR_EOL_LF", LineEnd::Lf),
    ("WVCIR_EOL_CR", LineEnd::Cr),
    ("WVCIR_EOL_CRLF", LineEnd::CrLf),
];

/// Return values of `wvcir_decode`.
pub const WVCIR_DECODED: c_int = 1;
pub const WVCIR_NOT_CIR: c_int = 0;
pub const WVCIR_BAD_ARGUMENT: c_int = -1;
pub const WVCIR_INTERNAL_ERROR: c_int = -2;

fn code<T: PartialEq>(table: &[(&str, T)], v: T) -> i32 {
    table.iter().position(|(_, x)| *x == v).map_or(0, |i| i as i32 + 1)
}

fn span(s: Span) -> WvcirSpan {
    WvcirSpan { offset: u32::try_from(s.offset).unwrap_or(u32::MAX), len: u32::try_from(s.len).unwrap_or(u32::MAX) }
}

/// Fills `out` from a decoded message (safe; the unsafe copy is in `wvcir_decode`).
pub fn fill(m: &Message<'_>, channel: Channel, gsm7: bool, out: &mut WvcirMessage) {
    let f = |x: Option<wvcir::Field<'_>>| x.map_or(WvcirSpan::default(), |f| span(f.span));
    *out = WvcirMessage {
        size: out.size,
        command: code(&COMMANDS, m.command),
        channel: code(&CHANNELS, channel),
        encoding: if gsm7 { 2 } else { 1 },
        line_end: code(&EOLS, m.line_end),
        malformed: m.malformed.map_or(0, |e| malformed_code(e.kind)),
        error_offset: m.malformed.map_or(0, |e| u32::try_from(e.offset).unwrap_or(u32::MAX)),
        anomalies: m.anomalies.iter().fold(0, |bits, (a, _)| bits | 1 << (a as u32)),
        message: span(m.span),
        keyword: span(m.keyword.span),
        version: f(m.version.map(|v| v.text)),
        cookie: f(m.cookie),
        session_id: f(m.session_id),
        extra: f(m.extra),
    };
}

/// Decodes `buf` as `channel` into a [`WvcirMessage`] (safe core of `wvcir_decode`), with the
/// core's one payload decoder: for `WVCIR_CHANNEL_TCP` the buffer is an excerpt of the stream and
/// the first line is decoded.
pub fn decode_into(buf: &[u8], channel: i32, out: &mut WvcirMessage) -> c_int {
    let Some((_, channel)) = usize::try_from(channel - 1).ok().and_then(|i| CHANNELS.get(i)) else {
        return WVCIR_BAD_ARGUMENT;
    };
    let mut scratch = wvcir::payload::Scratch::default();
    let d = wvcir::payload::decode(*channel, buf, &mut scratch);
    match d.messages.first() {
        Some(m) => {
            fill(m, *channel, d.encoding == sms::Encoding::Gsm7, out);
            WVCIR_DECODED
        }
        None => WVCIR_NOT_CIR,
    }
}

/// Decodes one payload. Returns `WVCIR_DECODED` (1), `WVCIR_NOT_CIR` (0), `WVCIR_BAD_ARGUMENT`
/// (-1: a null pointer, an unknown channel, `out->size` too small) or `WVCIR_INTERNAL_ERROR`
/// (-2: a caught panic).
///
/// # Safety
/// `buf` points to `len` readable bytes (or `len` is 0); `out` points to a writable
/// `wvcir_message` whose `size` field is set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wvcir_decode(buf: *const u8, len: usize, channel: c_int, out: *mut WvcirMessage) -> c_int {
    catch_unwind(AssertUnwindSafe(|| {
        if out.is_null() || (buf.is_null() && len > 0) {
            return WVCIR_BAD_ARGUMENT;
        }
        // SAFETY: `out` is non-null and the caller promises it points to a writable message whose
        // `size` is set; reading one u32 at its start is within any version of the struct.
        let size = unsafe { std::ptr::read_unaligned(out.cast::<u32>()) } as usize;
        if size < std::mem::offset_of!(WvcirMessage, message) {
            return WVCIR_BAD_ARGUMENT;
        }
        let input: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: non-null (checked) and the caller promises `len` readable bytes.
            unsafe { std::slice::from_raw_parts(buf, len) }
        };
        let mut msg = WvcirMessage { size: size as u32, ..WvcirMessage::default() };
        let rc = decode_into(input, channel, &mut msg);
        let n = size.min(std::mem::size_of::<WvcirMessage>());
        // SAFETY: `out` is writable for `size` bytes (caller's promise) and we copy at most
        // min(size, our size) bytes from a local message.
        unsafe { std::ptr::copy_nonoverlapping((&raw const msg).cast::<u8>(), out.cast::<u8>(), n) };
        rc
    }))
    .unwrap_or(WVCIR_INTERNAL_ERROR)
}

/// Unpacks GSM 7-bit text into `out` (at most `cap` bytes) and returns its length; the spans of
/// an SMS message decoded as `WVCIR_ENC_GSM7` index this text. Returns 0 for bad arguments.
///
/// # Safety
/// `buf` points to `len` readable bytes; `out` to `cap` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wvcir_gsm7_unpack(buf: *const u8, len: usize, out: *mut u8, cap: usize) -> usize {
    catch_unwind(AssertUnwindSafe(|| {
        if buf.is_null() || out.is_null() {
            return 0;
        }
        // SAFETY: both non-null; the caller promises their sizes.
        let (input, output) =
            unsafe { (std::slice::from_raw_parts(buf, len), std::slice::from_raw_parts_mut(out, cap)) };
        wvcir::gsm7::unpack_ascii(input, output)
    }))
    .unwrap_or(0)
}

/// The stable name of anomaly bit `bit` (`"keyword-case"`...), or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn wvcir_anomaly_name(bit: c_int) -> *const c_char {
    // NUL-terminated copies of the core's names, made once (Anomaly::ALL is the one list).
    static NAMES: std::sync::OnceLock<Vec<std::ffi::CString>> = std::sync::OnceLock::new();
    catch_unwind(|| {
        let names =
            NAMES.get_or_init(|| Anomaly::ALL.iter().filter_map(|a| std::ffi::CString::new(a.name()).ok()).collect());
        usize::try_from(bit).ok().and_then(|i| names.get(i)).map_or(std::ptr::null(), |n| n.as_ptr())
    })
    .unwrap_or(std::ptr::null())
}

/// The library version, `"0.1.0"`.
#[unsafe(no_mangle)]
pub extern "C" fn wvcir_version() -> *const c_char {
    static V: &std::ffi::CStr =
        match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    V.as_ptr()
}

/// The C header, generated from the same tables the code uses.
pub fn c_header() -> String {
    let mut h = String::from(
        "/* wvcir.h: C API of libwvcir_dissector.so (the wvcir Wireshark plugin doubles as a library).\n \
         * Generated by dissector-ffi/src/capi.rs (c_header); dissector-ffi/tests/dissect.rs keeps it current.\n \
         * Decoding allocates nothing and nothing needs freeing: spans index the caller's buffer\n \
         * (for GSM 7-bit SMS, the text wvcir_gsm7_unpack writes). */\n\
         #ifndef WVCIR_H\n#define WVCIR_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
    );
    let mut defines = |title: &str, items: Vec<(String, i64)>| {
        h.push_str(&format!("/* {title} */\n"));
        for (name, v) in items {
            h.push_str(&format!("#define {name} {v}\n"));
        }
        h.push('\n');
    };
    defines(
        "wvcir_decode results",
        vec![
            ("WVCIR_DECODED".into(), i64::from(WVCIR_DECODED)),
            ("WVCIR_NOT_CIR".into(), i64::from(WVCIR_NOT_CIR)),
            ("WVCIR_BAD_ARGUMENT".into(), i64::from(WVCIR_BAD_ARGUMENT)),
            ("WVCIR_INTERNAL_ERROR".into(), i64::from(WVCIR_INTERNAL_ERROR)),
        ],
    );
    defines(
        "wvcir_message.command",
        COMMANDS.iter().enumerate().map(|(i, (n, _))| ((*n).into(), i as i64 + 1)).collect(),
    );
    defines(
        "channel argument and wvcir_message.channel",
        CHANNELS.iter().enumerate().map(|(i, (n, _))| ((*n).into(), i as i64 + 1)).collect(),
    );
    defines("wvcir_message.encoding", vec![("WVCIR_ENC_ASCII".into(), 1), ("WVCIR_ENC_GSM7".into(), 2)]);
    defines("wvcir_message.line_end", EOLS.iter().enumerate().map(|(i, (n, _))| ((*n).into(), i as i64 + 1)).collect());
    let mut errors: Vec<(String, i64)> = ERRORS.iter().map(|(n, c, _)| ((*n).into(), i64::from(*c))).collect();
    errors.push(("WVCIR_ERR_OTHER".into(), i64::from(WVCIR_ERR_OTHER)));
    defines("wvcir_message.malformed (0: well-formed)", errors);
    defines(
        "wvcir_message.anomalies bits (1 << n); names from wvcir_anomaly_name(n)",
        Anomaly::ALL
            .iter()
            .map(|a| (format!("WVCIR_ANOMALY_{}", a.name().replace('-', "_").to_uppercase()), *a as i64))
            .collect(),
    );
    h.push_str(
        "typedef struct wvcir_span {\n    uint32_t offset;\n    uint32_t len; /* 0: absent */\n} wvcir_span;\n\n\
         typedef struct wvcir_message {\n    uint32_t size; /* set to sizeof(wvcir_message) before the call */\n    \
         int32_t command;\n    int32_t channel;\n    int32_t encoding;\n    int32_t line_end;\n    int32_t malformed;\n    \
         uint32_t error_offset;\n    uint32_t anomalies;\n    wvcir_span message;\n    wvcir_span keyword;\n    wvcir_span version;\n    \
         wvcir_span cookie;\n    wvcir_span session_id;\n    wvcir_span extra;\n} wvcir_message;\n\n\
         /* Decodes one payload of the given channel. Returns WVCIR_DECODED, WVCIR_NOT_CIR,\n   \
         WVCIR_BAD_ARGUMENT or WVCIR_INTERNAL_ERROR. Never aborts the caller. */\n\
         int wvcir_decode(const uint8_t *buf, size_t len, int channel, wvcir_message *out);\n\n\
         /* Unpacks GSM 7-bit text; returns the number of bytes written to out (at most cap). */\n\
         size_t wvcir_gsm7_unpack(const uint8_t *buf, size_t len, uint8_t *out, size_t cap);\n\n\
         /* The stable name of anomaly bit n, or NULL. */\nconst char *wvcir_anomaly_name(int n);\n\n\
         /* The library version. */\nconst char *wvcir_version(void);\n\n\
         #ifdef __cplusplus\n}\n#endif\n\n#endif /* WVCIR_H */\n",
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_with_spans_into_the_callers_buffer() {
        let buf = b"WVCI 1.3 wv:nokia.1804289383\r\n";
        let mut m = WvcirMessage { size: std::mem::size_of::<WvcirMessage>() as u32, ..Default::default() };
        assert_eq!(decode_into(buf, 1, &mut m), WVCIR_DECODED);
        assert_eq!((m.command, m.channel, m.line_end, m.malformed), (1, 1, 4, 0));
        assert_eq!(m.cookie, WvcirSpan { offset: 9, len: 19 });
        assert_eq!(decode_into(b"GET /", 1, &mut m), WVCIR_NOT_CIR);
        assert_eq!(decode_into(buf, 9, &mut m), WVCIR_BAD_ARGUMENT);
        assert_eq!(decode_into(b"wvci 1.2", 1, &mut m), WVCIR_DECODED);
        assert_eq!((m.malformed, m.anomalies), (2, 1), "missing-cookie, keyword-case");
        assert_eq!(decode_into(b"WVCI wv:nokia.1", 1, &mut m), WVCIR_DECODED);
        assert_eq!((m.malformed, m.anomalies), (0, 1 << 8), "missing-version is an anomaly now");
    }

    #[test]
    fn every_malformation_has_a_nonzero_code_and_every_anomaly_a_name() {
        use wvcir::ErrorKind as K;
        let all = [
            K::NotCir,
            K::MissingCookie,
            K::MissingSessionId,
            K::UnknownCommand,
            K::TruncatedPdu,
            K::NotPush,
            K::NotCirContentType,
        ];
        for k in all {
            assert_ne!(malformed_code(k), 0, "{k} would read as well-formed");
        }
        // A TCP line that is none of the commands: malformed, with its own code.
        let mut m = WvcirMessage { size: std::mem::size_of::<WvcirMessage>() as u32, ..Default::default() };
        assert_eq!(decode_into(b"HELO\r\n", 2, &mut m), WVCIR_DECODED);
        assert_eq!(m.malformed, 3, "missing-session-id");
        for (i, a) in Anomaly::ALL.iter().enumerate() {
            let name = wvcir_anomaly_name(i as c_int);
            // SAFETY: a NUL-terminated static string.
            assert_eq!(unsafe { std::ffi::CStr::from_ptr(name) }.to_str().unwrap(), a.name());
        }
        assert!(wvcir_anomaly_name(Anomaly::ALL.len() as c_int).is_null());
    }
}
