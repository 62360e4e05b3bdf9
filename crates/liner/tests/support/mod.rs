//! Helpers shared by `liner`'s integration tests; each test file includes
//! this module (`mod support;`) and uses what it needs.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::time::Duration;

use liner::{Liner, RetryPolicy};
use liner_test_support::conformance::CheckedFake;

/// A client of the server at `base_url` that sends `key`, with the default
/// settings.
pub fn client_of(base_url: &str, key: &str) -> Liner {
    client_of_with(base_url, key, RetryPolicy::default())
}

/// A client of the server at `base_url` that sends `key` and retries as
/// `policy` says.
pub fn client_of_with(base_url: &str, key: &str, policy: RetryPolicy) -> Liner {
    Liner::builder()
        .base_url(base_url)
        .api_key(key)
        .retry_policy(policy)
        .build()
        .expect("a client of a local server builds")
}

/// A client of the fake, with the default settings.
pub fn client(fake: &CheckedFake) -> Liner {
    client_of(fake.base_url(), fake.api_key())
}

/// A client of the fake that retries as `policy` says.
pub fn client_with(fake: &CheckedFake, policy: RetryPolicy) -> Liner {
    client_of_with(fake.base_url(), fake.api_key(), policy)
}

/// Quick retries for tests, many of them: the backoff's shape is
/// unit-tested in `retry.rs`.
pub fn patient() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(8)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(20))
}
