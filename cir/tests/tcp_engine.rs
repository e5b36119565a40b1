//! The TCP engine against its oracle (see `common/tcp_oracle.rs`): random lines, cut into random
//! segments, delivered out of order within a window, with retransmissions and overlapping copies.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

#[path = "common/tcp_oracle.rs"]
mod tcp_oracle;

use proptest::prelude::*;

fn line() -> impl Strategy<Value = Vec<u8>> {
    let body = prop_oneof![
        proptest::collection::vec(0x21u8..=0x7E, 1..20).prop_map(|c| [b"WVCI 1.2 ".to_vec(), c].concat()),
        Just(b"OK".to_vec()),
        Just(b"PING ".to_vec()),
        proptest::collection::vec(0x21u8..=0x7E, 1..12).prop_map(|c| [b"HELO ".to_vec(), c].concat()),
        proptest::collection::vec(any::<u8>(), 0..30),
    ];
    let eol = prop_oneof![Just(&b"\r\n"[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b""[..])];
    (body, eol).prop_map(|(b, e)| [b, e.to_vec()].concat())
}

/// (stream, pieces in arrival order)
fn delivery() -> impl Strategy<Value = (Vec<u8>, Vec<(usize, usize)>)> {
    proptest::collection::vec(line(), 1..25).prop_map(|l| l.concat()).prop_flat_map(|stream| {
        let n = stream.len();
        let cuts = proptest::collection::vec(1usize..=n.max(1), 0..40);
        let swaps = proptest::collection::vec((0usize..64, 1usize..4), 0..20);
        let extra = proptest::collection::vec((0usize..=n, 1usize..40, 0usize..64), 0..8);
        (Just(stream), cuts, swaps, extra).prop_map(|(stream, mut cuts, swaps, extra)| {
            let n = stream.len();
            cuts.push(0);
            cuts.push(n);
            cuts.sort_unstable();
            cuts.dedup();
            let mut pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1] - w[0])).collect();
            // Reordering: a piece moved up to 3 places later.
            for (i, by) in swaps {
                if pieces.len() > 1 {
                    let i = i % pieces.len();
                    let j = (i + by).min(pieces.len() - 1);
                    let p = pieces.remove(i);
                    pieces.insert(j, p);
                }
            }
            // Retransmissions and overlapping copies of any range, anywhere in the order.
            for (at, len, pos) in extra {
                let at = at.min(n);
                let len = len.min(n - at);
                if len > 0 {
                    let pos = pos % (pieces.len() + 1);
                    pieces.insert(pos, (at, len));
                }
            }
            (stream, pieces)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_segmentation_order_and_duplication_frames_like_the_whole_stream(
        (stream, pieces) in delivery(),
        isn in any::<u32>(),
    ) {
        tcp_oracle::check(Some(isn), &stream, &pieces);
    }

    #[test]
    fn joined_mid_stream_a_lost_lines_tail_is_skipped_however_it_arrives(
        (stream, mut pieces) in delivery(),
        head in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        // No SYN: the stream starts with the tail of a line; the first piece starts the stream.
        let stream = [head.clone(), stream].concat();
        let shift = head.len();
        let mut all = vec![(0, shift.max(1).min(stream.len()))];
        all.extend(pieces.drain(..).map(|(a, l)| (a + shift, l)));
        tcp_oracle::check(None, &stream, &all);
    }
}

#[test]
fn the_sack_shape_from_wiresharks_own_captures() {
    // A B C D sent; B lost; C, D captured; B retransmitted after D.
    let stream = b"WVCI 1.2 aaaa\r\nWVCI 1.2 bb|bb\r\nWVCI 1.2 cccc\r\nOK\r\n";
    tcp_oracle::check(Some(7), stream, &[(0, 15), (31, 16), (47, 3), (15, 16)]);
}
