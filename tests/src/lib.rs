//! Helpers shared by the end-to-end tests in `tests/tests/`.
//!
//! * [`capture`]: a one-shot HTTP server on 127.0.0.1 that records the
//!   requests a client sends and answers with canned bodies.
//! * [`spec`]: the examples embedded in `spec/liner.yaml`.
//! * [`conformance`]: the fake Liner server with every response checked
//!   against the spec.
//! * [`logs`]: `tracing` output captured as text.

pub mod capture;
pub mod conformance;
pub mod logs;
pub mod spec;
