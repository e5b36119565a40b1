//! The `wvcir` command line: `analyze` captures into a JSON report, `decode` single payloads,
//! print the report's `schema`.
//!
//! The binary is a thin shell over this library so that tests and fuzzers drive the same code.
//! Data flows one way; the file names say where each stage lives:
//!
//! | stage | module |
//! |---|---|
//! | command-line paths to inputs, files opened (gzip too) | [`inputs`] |
//! | capture bytes to packets | [`capture`] |
//! | packets to UDP/TCP segments | [`packet`], [`defrag`] |
//! | one input's analysis: segments to records | [`analysis`] |
//! | flows: identity, counters, the bounded table; their Community ID | [`flows`], [`community_id`] |
//! | TCP CIR channels over the core's engine | [`tcp_channels`] |
//! | decoded messages to records; sessions | [`messages`], [`sessions`] |
//! | why a flow is suspicious, and the thresholds | [`suspicion`] |
//! | the records and the schema | [`report`], [`vocab`] |
//! | the summary's counts | [`summary`] |
//! | the report writer: JSON document, NDJSON events | [`writer`] |
//! | the one merge (analyze and `wvcir merge`), partial reports | [`merge`] |
//! | the worker pool, `analyze` and `merge` | [`run`] |
//! | `wvcir decode` | [`decode`], [`render`] |
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

pub mod analysis;
pub mod capture;
pub mod carriers;
pub mod community_id;
pub mod decode;
pub mod defrag;
pub mod flows;
pub mod handshakes;
pub mod http;
pub mod inputs;
pub mod merge;
pub mod messages;
pub mod packet;
pub mod render;
pub mod report;
pub mod run;
pub mod sessions;
pub mod sip_sms;
pub mod smpp;
pub mod summary;
pub mod suspicion;
pub mod tcp_channels;
pub mod vocab;
pub mod writer;
