//! The TCP engine against its oracle: the input is a stream and a delivery plan (segment cuts,
//! reordering, retransmitted and overlapping copies); the lines must equal those of the whole
//! stream delivered at once, each in the frame that made its last byte deliverable.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/tcp_oracle.rs"]
#[allow(dead_code, unreachable_pub)]
mod tcp_oracle;

fuzz_target!(|data: &[u8]| {
    // [flags][plan length][plan bytes...][stream...]
    let Some((&flags, rest)) = data.split_first() else { return };
    let Some((&plan_len, rest)) = rest.split_first() else { return };
    let (plan, stream) = rest.split_at(usize::from(plan_len).min(rest.len()));
    if stream.is_empty() {
        return;
    }
    let n = stream.len();
    // Cuts from the plan's even bytes; swaps and extra copies from the odd ones.
    let mut cuts: Vec<usize> = plan.iter().step_by(2).map(|&b| usize::from(b) * n / 256).collect();
    cuts.extend([0, n]);
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1] - w[0])).filter(|p| p.1 > 0).collect();
    for (i, &b) in plan.iter().skip(1).step_by(2).enumerate() {
        let len = pieces.len();
        match b % 4 {
            // Move a piece up to three places later (reordering).
            0 | 1 if len > 1 => {
                let from = i % len;
                let p = pieces.remove(from);
                pieces.insert((from + usize::from(b >> 2) % 4).min(len - 1), p);
            }
            // A copy of any range, anywhere (retransmission, overlap).
            2 => {
                let at = usize::from(b) * n / 256;
                let l = (usize::from(b >> 3) + 1).min(n - at);
                pieces.insert(i % (len + 1), (at, l));
            }
            _ => {}
        }
    }
    let isn = u32::from_le_bytes([flags, plan_len, flags ^ 0x5A, 0xFF]);
    if flags & 1 == 0 {
        tcp_oracle::check(Some(isn), stream, &pieces);
    } else {
        // Joined mid-stream: the first piece must start the stream.
        let first = pieces.iter().position(|p| p.0 == 0).unwrap_or(0);
        let p = pieces.remove(first);
        pieces.insert(0, p);
        tcp_oracle::check(None, stream, &pieces);
    }
});
