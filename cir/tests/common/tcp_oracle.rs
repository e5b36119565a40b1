//! The TCP engine's oracle, shared by the property test and the `tcp_engine` fuzz target: a stream
//! delivered as any segments, in any order, with any retransmissions and overlaps, frames to the
//! same lines as the whole stream delivered at once, each completed by the frame that made its
//! last byte deliverable.

use wvcir::tcp::{Connection, Control, Dir, LineKind, Segment};

/// A line as the oracle compares it.
#[derive(Debug, PartialEq, Eq, Clone)]
pub(crate) struct Seen {
    pub(crate) frame: u64,
    pub(crate) offset: u64,
    pub(crate) bytes: Vec<u8>,
    pub(crate) kind: LineKind,
    /// For an OK, the id of the request it answers.
    pub(crate) answers: Option<u64>,
}

fn run(isn: Option<u32>, segments: &[(u64, usize, &[u8])], fin_frame: u64, stream_len: usize) -> Vec<Seen> {
    let (syn, isn) = (isn.is_some(), isn.unwrap_or(0x1000_0000));
    let mut c = Connection::default();
    let mut out = Vec::new();
    let mut push = |line: &wvcir::tcp::Line<'_>| {
        // Lines say where they lie in their frame only when they do.
        out.push(Seen {
            frame: line.frame,
            offset: line.offset,
            bytes: line.bytes.to_vec(),
            kind: line.kind,
            answers: line.answers.map(|r| r.id),
        });
    };
    if syn {
        let syn = Segment { frame: 0, ts: 0, dir: Dir::ToClient, seq: isn, control: Control::Syn, payload: &[] };
        c.segment(&syn, &mut push);
    }
    for &(frame, at, bytes) in segments {
        let seq = isn.wrapping_add(1).wrapping_add(at as u32);
        let seg = Segment { frame, ts: frame as i64, dir: Dir::ToClient, seq, control: Control::None, payload: bytes };
        c.segment(&seg, &mut push);
    }
    let end = isn.wrapping_add(1).wrapping_add(stream_len as u32);
    let fin = Segment { frame: fin_frame, ts: 0, dir: Dir::ToClient, seq: end, control: Control::Fin, payload: &[] };
    c.segment(&fin, &mut push);
    out
}

/// Checks the engine on `stream` delivered as `pieces` (start, len), in that order, frame i + 1
/// each. The pieces must cover the stream; they may overlap and repeat. Without an `isn` no SYN
/// is fed (a connection joined mid-stream), and the first piece must start the stream.
pub(crate) fn check(isn: Option<u32>, stream: &[u8], pieces: &[(usize, usize)]) {
    let segments: Vec<(u64, usize, &[u8])> = pieces
        .iter()
        .enumerate()
        .filter_map(|(i, &(at, len))| Some((i as u64 + 1, at, stream.get(at..at.checked_add(len)?)?)))
        .collect();
    let fin_frame = segments.len() as u64 + 1;
    // Frame that first delivers each byte: the latest arrival among the bytes up to it.
    let mut first = vec![u64::MAX; stream.len()];
    for &(frame, at, bytes) in &segments {
        for slot in first.iter_mut().skip(at).take(bytes.len()) {
            *slot = (*slot).min(frame);
        }
    }
    assert!(first.iter().all(|&f| f != u64::MAX), "the pieces must cover the stream");
    let mut ready = Vec::with_capacity(stream.len());
    let mut latest = 0;
    for &f in &first {
        latest = latest.max(f);
        ready.push(latest);
    }
    let whole = run(isn, &[(1, 0, stream)], 2, stream.len());
    let expected: Vec<Seen> = whole
        .into_iter()
        .map(|mut l| {
            let end = l.offset as usize + l.bytes.len();
            if l.kind == LineKind::Tail {
                // A skipped tail is out when its first line end byte arrives.
                let tail = stream.get(l.offset as usize..).unwrap_or_default();
                let eol = tail.iter().position(|&b| b == b'\r' || b == b'\n');
                let frame = eol.map_or(fin_frame, |p| ready.get(l.offset as usize + p).copied().unwrap_or(fin_frame));
                return Seen { frame, ..l };
            }
            l.frame = match l.kind {
                LineKind::Closed => fin_frame,
                // A line ending in a lone CR is out once the next byte shows no LF follows.
                _ if l.bytes.last() == Some(&b'\r') => ready.get(end).copied().unwrap_or(fin_frame),
                _ => ready.get(end.saturating_sub(1)).copied().unwrap_or(fin_frame),
            };
            l
        })
        .collect();
    let got = run(isn, &segments, fin_frame, stream.len());
    assert_eq!(got, expected, "segmented delivery differs from the whole stream");
    for l in &got {
        let ends = matches!(l.bytes.last(), Some(b'\r' | b'\n'));
        assert!(l.kind != LineKind::Complete || ends, "a complete line has a line end: {l:?}");
    }
}
