//! The Wireshark plugin: one build for Wireshark 3.4 to 4.6, linked against nothing.
//!
//! - [`abi`]: the numbers that differ between releases, one table per supported version;
//! - [`ffi`]: Wireshark's C layouts and the functions resolved at run time (`dlopen(NULL)`);
//! - [`plugin`]: the exported symbols, registration, and the dissectors, which hand the bytes to
//!   the safe [`crate::dissect`] and [`crate::tcp`] code and write what they find into the tree.

pub mod abi;
pub mod ffi;
pub mod plugin;
