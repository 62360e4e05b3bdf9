//! `liner`'s integration tests that share no global state, in one binary
//! (ripgrep's layout): one link instead of one per file. A test that
//! installs a `tracing` subscriber or captures logs has a binary of its own
//! (`../spans.rs`, `../prefetch.rs`, ...), since a global hook would see the
//! other tests' events.

#[path = "../support/mod.rs"]
mod support;

mod blocking;
mod errors;
mod hostile;
mod pagination;
mod readme_numbers;
mod reliability;
mod requests;
mod slowing_down;
mod spec_examples;
mod tls;
