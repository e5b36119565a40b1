//! JSON renderings of the core's types. Input bytes never reach a terminal raw: valid UTF-8 goes
//! into JSON strings (serde escapes control characters), anything else is shown `\xNN`-escaped.

use serde_json::{Map, Value, json};
use wvcir::clients::Verdicts;
use wvcir::{Escaped, Field, Message, Span};

/// A byte string as JSON text: UTF-8 as is (controls escaped by JSON), otherwise `\xNN` escapes.
pub fn text(bytes: &[u8]) -> Value {
    match core::str::from_utf8(bytes) {
        Ok(s) => Value::from(s),
        Err(_) => Value::from(Escaped(bytes).to_string()),
    }
}

/// `{"offset": o, "len": l}`, after mapping through `map` (identity except for GSM 7-bit).
pub fn span(s: Span, map: &dyn Fn(Span) -> Span) -> Value {
    let s = map(s);
    json!({"offset": s.offset, "len": s.len})
}

/// One message: its fields as text, the stable anomaly names, what each real client would do with
/// it, and every span in payload bytes.
pub fn message(m: &Message<'_>, clients: Option<Verdicts>, map: &dyn Fn(Span) -> Span) -> Value {
    let field = |f: Option<Field<'_>>| f.map_or(Value::Null, |f| text(f.bytes));
    let mut spans = Map::new();
    let mut put = |name: &str, f: Option<Field<'_>>| {
        if let Some(f) = f {
            spans.insert(name.to_owned(), span(f.span, map));
        }
    };
    put("keyword", Some(m.keyword));
    put("version", m.version.map(|v| v.text));
    put("cookie", m.cookie);
    put("session_id", m.session_id);
    put("extra", m.extra);
    spans.insert("message".to_owned(), span(m.span, map));
    let anomaly_spans: Map<String, Value> =
        m.anomalies.iter().map(|(a, s)| (a.name().to_owned(), span(s, map))).collect();
    let mut anomalies: Vec<&str> = m.anomalies.iter().map(|(a, _)| a.name()).collect();
    if let Some(e) = m.malformed {
        anomalies.push(e.kind.name());
    }
    json!({
        "command": m.command.as_str(),
        "version": m.version.map_or(Value::Null, |v| text(v.text.bytes)),
        "cookie": field(m.cookie),
        "session_id": field(m.session_id),
        "extra": field(m.extra),
        "line_end": m.line_end.name(),
        "malformed": m.malformed.is_some(),
        "error": m.malformed.map_or(Value::Null, |e| json!({"kind": e.kind.name(), "offset": map(Span::new(e.offset, 0)).offset, "message": e.detail})),
        "anomalies": anomalies,
        "clients": clients.map_or(Value::Null, |v| {
            let mut c = json!({"android": v.android.name(), "symbian": v.symbian.name()});
            if let (Some(loss), Some(obj)) = (v.symbian_loss, c.as_object_mut()) {
                obj.insert("symbian_loss".to_owned(), Value::from(loss.name()));
            }
            c
        }),
        "spans": spans,
        "anomaly_spans": anomaly_spans,
    })
}
