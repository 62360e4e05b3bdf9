//! Helpers of the workspace's tests (not a crate for users):
//!
//! * [`bench_results`]: the benchmarks' `benches/RESULTS.md`, written.
//! * [`capture`]: an HTTP server on 127.0.0.1 that records the requests a
//!   client sends and answers each with the next canned body.
//! * [`conformance`]: the fake Liner server with every response checked
//!   against the spec.
//! * [`hostile`]: a server on 127.0.0.1 that misbehaves on purpose
//!   (redirects, endless bodies, silence), run by a script per request.
//! * [`logs`]: `tracing` output captured as text.
//! * [`spans`]: `tracing` spans and events captured as snapshot text.
//! * [`new_leads`]: files of new leads for the import.
//! * [`proxy`]: an HTTP proxy on 127.0.0.1 that tunnels, forwards or
//!   refuses, and records what it was asked.
//! * [`server`]: the accept loop and request reader under `capture` and
//!   `hostile`.
//!
//! The spec's examples and operations come from `liner-spec`.

pub mod bench_results;
pub mod capture;
pub mod conformance;
pub mod hostile;
pub mod logs;
pub mod new_leads;
pub mod proxy;
pub mod server;
pub mod spans;
