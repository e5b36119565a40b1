//! The TCP framer under random segmentation: the first byte picks the bound, the next ones the
//! segment sizes; the lines must equal those of one-shot framing, and the buffer stays bounded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::framer::{Frame, LineFramer};

fn frames(max: usize, segments: &mut dyn Iterator<Item = &[u8]>) -> Vec<(u64, Vec<u8>, bool)> {
    let mut framer = LineFramer::new(max);
    let mut out = Vec::new();
    let mut on = |f: Frame<'_>| {
        out.push(match f {
            Frame::Line { offset, line, .. } => (offset, line.to_vec(), false),
            Frame::TooLong { offset, prefix } => (offset, prefix.to_vec(), true),
            Frame::Skipped { .. } => unreachable!("no gap, nothing skipped"),
        })
    };
    for seg in segments {
        framer.push(seg, &mut on);
        assert!(framer.buffered() <= max.max(1));
    }
    framer.finish(&mut on);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else { return };
    let max = usize::from(max % 64) + 1;
    let (sizes, stream) = rest.split_at(rest.len().min(16));
    let whole = frames(max, &mut std::iter::once(stream));
    let mut cut = Vec::new();
    let mut s = stream;
    for &n in sizes.iter().cycle().take(stream.len() + 1) {
        if s.is_empty() {
            break;
        }
        let (a, b) = s.split_at(usize::from(n % 8).min(s.len()).max(1));
        cut.push(a);
        s = b;
    }
    assert_eq!(frames(max, &mut cut.into_iter()), whole);
    for (_, line, too_long) in &whole {
        if !too_long {
            let _ = wvcir::parse_line(line);
        }
    }
});
