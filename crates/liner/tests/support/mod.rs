//! Helpers shared by `liner`'s integration tests; each test file includes
//! this module (`mod support;`) and uses what it needs.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use liner::{Liner, RetryPolicy};
use liner_test_support::conformance::CheckedFake;
use liner_test_support::hostile::{HostileServer, answer, json, script};

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
pub fn many_quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(8)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(20))
}

/// A list server: the page for each offset, as its `data`; any other offset
/// is a 404.
pub async fn list_server(pages: &[(u64, &str)]) -> HostileServer {
    let pages: BTreeMap<u64, String> = pages
        .iter()
        .map(|(offset, data)| {
            (
                *offset,
                format!(r#"{{"success":true,"message":"","data":{data}}}"#),
            )
        })
        .collect();
    HostileServer::start(script(move |request, stream| {
        let body = pages.get(&offset_of(&request.target)).cloned();
        async move {
            match body {
                Some(body) => json(stream, &body).await,
                None => {
                    answer(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json",
                        br#"{"success":false,"message":"no such page in this test","data":[]}"#,
                    )
                    .await
                }
            }
        }
    }))
    .await
}

/// The `offset` query parameter of a request target (0 when absent).
pub fn offset_of(target: &str) -> u64 {
    target
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("offset="))
        .map_or(0, |offset| offset.parse().expect("a numeric offset"))
}

/// The offsets asked for, in order of arrival.
pub fn offsets(server: &HostileServer) -> Vec<u64> {
    server
        .requests()
        .iter()
        .map(|request| offset_of(&request.target))
        .collect()
}
