#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// progenitor's generated mock helpers, re-exported at the crate root. Lints
// are relaxed for generated code only.
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
mod generated;

pub use generated::*;
