//! Checks every response the fake sends against `spec/liner.yaml`.
//!
//! The fake calls an observer for each exchange; this one validates the body
//! against the JSON schema the spec declares for that operation and status,
//! translated from OpenAPI by `liner-spec`, with one strictness the spec
//! leaves out: a property the spec does not declare is refused, so a field
//! the fake misspells is a violation rather than an extra key. Bodies broken
//! on purpose (an injected fault) are skipped; everything else must conform.

use std::sync::{Arc, Mutex, OnceLock};

use liner_fake::{Config, Exchange, FakeServer, Fault};
use liner_spec::{ResponseValidators, Spec};

fn validators() -> &'static ResponseValidators {
    static VALIDATORS: OnceLock<ResponseValidators> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        Spec::workspace()
            .and_then(|spec| spec.strict_response_validators())
            .expect("spec/liner.yaml yields response validators")
    })
}

/// What the conformance observer saw.
#[derive(Debug, Default)]
pub struct Report {
    /// Responses checked against the spec.
    pub checked: usize,
    /// Responses skipped: injected faults and paths outside the API.
    pub skipped: usize,
    /// One line per problem: operation, status, JSON pointer, what is wrong.
    pub violations: Vec<String>,
}

/// Checks one exchange; `None` when it is not checked: a path outside the
/// API, or a body broken on purpose (a connection cut, truncated JSON).
/// Every other injected fault (429, 500, the proxy's HTML 502 and 503, a
/// failure at 200) is an answer the spec describes, and is checked.
pub fn check(exchange: &Exchange<'_>) -> Option<Vec<String>> {
    let operation = exchange.operation_id?;
    if exchange.fault.is_some_and(Fault::after_handling) {
        return None;
    }
    let status = exchange.status;
    let content_type = exchange.content_type;
    let body = if content_type == "application/json" {
        match serde_json::from_slice(exchange.body) {
            Ok(body) => body,
            Err(err) => return Some(vec![format!("{operation} {status}: not JSON: {err}")]),
        }
    } else {
        serde_json::Value::String(String::from_utf8_lossy(exchange.body).into_owned())
    };
    let problems = validators().check(operation, status, content_type, &body);
    Some(
        problems
            .into_iter()
            .map(|problem| format!("{operation} {status} {content_type}: {problem}"))
            .collect(),
    )
}

/// A fake whose every response is checked against the spec.
pub struct CheckedFake {
    pub server: FakeServer,
    report: Arc<Mutex<Report>>,
}

impl CheckedFake {
    /// Starts the fake with `config` and the conformance observer.
    pub async fn start(config: Config) -> Self {
        let report = Arc::new(Mutex::new(Report::default()));
        let seen = Arc::clone(&report);
        let config = config.with_observer(Arc::new(move |exchange: &Exchange<'_>| {
            let outcome = check(exchange);
            let mut report = seen.lock().expect("not poisoned");
            match outcome {
                Some(problems) => {
                    report.checked += 1;
                    report.violations.extend(problems);
                }
                None => report.skipped += 1,
            }
        }));
        let server = FakeServer::start(config).await.expect("the fake starts");
        Self { server, report }
    }

    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    pub fn api_key(&self) -> &str {
        self.server.api_key()
    }

    /// How many responses were checked so far.
    pub fn checked(&self) -> usize {
        self.report.lock().expect("not poisoned").checked
    }
}

impl Drop for CheckedFake {
    /// Fails the test if any response broke the spec. (Not while already
    /// panicking: the first failure is the one to read.)
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let report = self.report.lock().expect("not poisoned");
        assert!(
            report.violations.is_empty(),
            "the fake sent {} response(s) that do not conform to spec/liner.yaml:\n{}",
            report.violations.len(),
            report.violations.join("\n")
        );
    }
}
