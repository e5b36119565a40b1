//! `wvcir merge`'s reader on arbitrary bytes: a partial report is refused with a position or read,
//! merged and written; never a panic. Seeds: partial reports of the samples (`seeds/merge_partial/`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir_analyzer::merge::Part;
use wvcir_analyzer::writer::Document;

fuzz_target!(|data: &[u8]| {
    let Ok((part, options)) = Part::read_partial(data, "fuzz") else { return };
    let mut again = Part::default();
    again.merge(part);
    let mut partial = Vec::new();
    again.write_partial(&options, &mut partial).unwrap();
    let (part, _) = Part::read_partial(&partial[..], "again").expect("what merge writes, merge reads");
    let r = part.finish();
    let mut out = Vec::new();
    Document { inputs: &r.inputs, summary: &r.summary, sessions: &r.sessions, pretty: false }.write(&mut out).unwrap();
});
