//! The `wvcir` command line: `analyze` captures into a JSON report, `decode` single payloads,
//! print the report's `schema`.
//!
//! The binary is a thin shell over this library so that tests and fuzzers drive the same code.
//! Data flows one way: capture bytes ([`capture`]) -> link/IP/transport ([`packet`], [`defrag`])
//! -> flows, TCP reassembly ([`reassembly`]) and the core's decoders ([`analysis`]) -> [`report`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

pub mod analysis;
pub mod capture;
pub mod decode;
pub mod defrag;
pub mod packet;
pub mod render;
pub mod report;
pub mod run;
pub mod sessions;
