//! The `wvcir` command line: decoding single payloads now, whole captures with `analyze`.
//!
//! The binary is a thin shell over this library so that tests and fuzzers drive the same code.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

pub mod decode;
pub mod render;
