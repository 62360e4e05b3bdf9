//! Helpers of the workspace's tests (not a crate for users):
//!
//! * [`bench_results`]: the benchmarks' `benches/RESULTS.md`, written.
//! * [`capture`]: a one-shot HTTP server on 127.0.0.1 that records the
//!   requests a client sends and answers with canned bodies.
//! * [`conformance`]: the fake Liner server with every response checked
//!   against the spec.
//! * [`hostile`]: a server on 127.0.0.1 that misbehaves on purpose
//!   (redirects, endless bodies, silence), run by a script per request.
//! * [`logs`]: `tracing` output captured as text.
//!
//! The spec's examples and operations come from `liner-spec`.

pub mod bench_results;
pub mod capture;
pub mod conformance;
pub mod hostile;
pub mod logs;
