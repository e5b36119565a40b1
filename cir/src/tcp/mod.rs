//! The TCP channel engine: the one place where TCP segments become CIR channel lines.
//!
//! | module | holds |
//! |---|---|
//! | [`seq`] | wrap-aware sequence numbers, the SYN/FIN/RST control flag |
//! | [`reassembly`] | one direction put back in order: reordering, overlaps, gaps, bounds |
//! | [`connection`] | both directions framed into lines, decoded, OKs paired with requests |
//!
//! ```
//! use wvcir::tcp::{Connection, Control, Dir, Segment};
//! let mut c = Connection::default();
//! let mut seen = Vec::new();
//! let seg = |frame, seq, payload: &'static [u8]| Segment {
//!     frame, ts: 0, dir: Dir::ToClient, seq, control: Control::None, payload,
//! };
//! // The second segment of a split CIR is captured first.
//! for s in [seg(1, 1, b"OK\r\n"), seg(2, 10, b"1.2 abc\r\n"), seg(3, 5, b"WVCI ")] {
//!     c.segment(&s, &mut |line| seen.push((line.frame, line.message.as_ref().unwrap().command)));
//! }
//! assert_eq!(seen, [(1, wvcir::Command::Ok), (3, wvcir::Command::Wvci)]);
//! ```

pub mod connection;
pub mod reassembly;
pub mod seq;

pub use connection::{Connection, ConnectionStats, Dir, Foreign, Line, LineKind, Request, Segment, Sniffer, Told};
pub use reassembly::{Chunk, MAX_HELD_BYTES, MAX_HELD_SEGMENTS, Reassembler, StreamStats};
pub use seq::{Control, SeqNumber};
