//! The wvcir Wireshark plugin, and a small C API over the protocol core.
//!
//! One build loads into Wireshark 3.4, 3.6, 4.0, 4.2, 4.4 and 4.6 and needs no Wireshark headers or
//! libraries: the Wireshark API is resolved at run time from the process that loaded the plugin,
//! and the running version picks the constants and layouts to use ([`wireshark`]).
//!
//! This is the only crate of the workspace with `unsafe` code, kept to [`capi`] and the
//! `wireshark::ffi`/`wireshark::plugin` modules, each block with a SAFETY comment. The dissection
//! itself ([`dissect`], [`tcp`]) is safe Rust written against a small trait, tested without
//! Wireshark.

#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

pub mod capi;
pub mod dissect;
pub mod stats;
pub mod tcp;
pub mod wireshark;
