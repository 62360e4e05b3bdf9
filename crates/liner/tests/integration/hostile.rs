//! The client against servers that misbehave on purpose, on 127.0.0.1, as an
//! attacker or a broken proxy would: redirects elsewhere, bodies without
//! end, pages longer than asked, a pager that ignores offsets, silence.
//! Each test fails against the client as it was before its fix.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use liner::{Error, LeadType, Liner, NewLead, RetryPolicy};
use liner_test_support::hostile::{HostileServer, answer, json, script};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;

use crate::support::{client_of, client_of_with};

const KEY: &str = "canary-hostile-key-9183";
const LEAD: &str = r#"{"success":true,"message":"","data":{"id":1}}"#;

fn new_lead() -> liner::Draft<NewLead> {
    NewLead::new(LeadType::Straight, "79001234567", 202, "order-202")
}

/// A server that answers every request with `status` and a `Location`.
async fn redirecting_to(status: u16, location: String) -> HostileServer {
    HostileServer::start(script(move |_, stream| {
        let head = format!("HTTP/1.1 {status} Moved\r\nLocation: {location}");
        async move { answer(stream, &head, b"").await }
    }))
    .await
}

/// A redirect to another origin (another port), for a read and for a
/// create, with every redirect status: refused, named, not retried, and
/// nothing, the key least of all, reaches the other origin.
#[tokio::test]
async fn a_redirect_is_refused_and_the_key_goes_nowhere_else() {
    let elsewhere = HostileServer::start(script(|_, stream| json(stream, LEAD))).await;
    let location = format!("{}/steal/?token=1", elsewhere.base_url());
    for status in [301, 302, 303, 307, 308] {
        let redirecting = redirecting_to(status, location.clone()).await;
        let client = client_of(redirecting.base_url(), KEY);
        let read = client.lead(1).await.unwrap_err();
        let create = client.create_lead(new_lead()).await.unwrap_err();
        for error in [&read, &create] {
            assert!(
                matches!(error, Error::Redirect { status: s, .. } if s.as_u16() == status),
                "{status}: {error:?}"
            );
            assert!(!error.is_retryable(), "{error}");
            assert!(error.to_string().contains(&location), "{error}");
        }
        assert_eq!(redirecting.requests().len(), 2, "{status}: nothing retried");
    }
    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other origin"
    );
}

/// A server that redirects to itself, forever: one request, one error.
#[tokio::test]
async fn a_redirect_loop_is_one_request() {
    let looping = HostileServer::start(script(|request, stream| {
        let head = format!("HTTP/1.1 302 Found\r\nLocation: {}", request.target);
        async move { answer(stream, &head, b"").await }
    }))
    .await;
    let error = client_of(looping.base_url(), KEY)
        .lead(1)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Redirect { .. }), "{error:?}");
    assert_eq!(looping.requests().len(), 1);
}

/// A caller's HTTP client brings its own redirect policy, and reqwest's
/// default follows a redirect to another host with the `X-Api-Key` header.
/// That cannot be stopped from outside (the README and
/// `LinerBuilder::http_client` say so), but the answer is not taken for
/// the API's: it is an error that names where it came from.
#[tokio::test]
async fn a_callers_client_that_follows_redirects_is_noticed() {
    let elsewhere = HostileServer::start(script(|_, stream| json(stream, LEAD))).await;
    let redirecting =
        redirecting_to(302, format!("{}/v2/lead/detail/1/", elsewhere.base_url())).await;
    let client = Liner::builder()
        .base_url(redirecting.base_url())
        .api_key(KEY)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let error = client.lead(1).await.unwrap_err();
    assert!(matches!(error, Error::Redirect { .. }), "{error:?}");
    assert!(error.to_string().contains(elsewhere.base_url()), "{error}");
    // What the documentation warns of: the followed request carried the key.
    assert_eq!(elsewhere.requests()[0].header("x-api-key"), Some(KEY));
}

/// An answer that announces more than the limit is refused before its body
/// is read.
#[tokio::test]
async fn an_announced_body_above_the_limit_is_not_read() {
    let huge = HostileServer::start(script(|_, mut stream| async move {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(b"{\"success\":true,\"data\":{\"id\":1,\"name\":\"").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }))
    .await;
    let error = client_of(huge.base_url(), KEY).lead(1).await.unwrap_err();
    match error {
        Error::TooLarge {
            limit, announced, ..
        } => {
            assert_eq!(limit, liner::LinerBuilder::DEFAULT_MAX_RESPONSE_BYTES);
            assert_eq!(announced, Some(2_000_000_000));
        }
        other => panic!("{other:?}"),
    }
}

/// A server that streams `status` with a chunked body of `total` bytes of
/// `fill`, counting what it managed to write before the client hung up.
async fn streaming(status: u16, total: u64, written: Arc<AtomicU64>) -> HostileServer {
    HostileServer::start(script(move |_, mut stream| {
        let written = Arc::clone(&written);
        async move {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            let mut sent = 0;
            while sent < total {
                if stream.write_all(&framed).await.is_err() {
                    return;
                }
                sent += chunk.len() as u64;
                written.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
    }))
    .await
}

/// A body that turns out longer than the limit, with no Content-Length, is
/// read up to the limit and no further; a failure's body is read only as far
/// as an error needs. The server, which had a gigabyte to send, managed only
/// what fits in the connection's buffers.
#[tokio::test]
async fn bodies_are_read_up_to_the_limit_and_no_further() {
    const GIGABYTE: u64 = 1 << 30;
    let written = Arc::new(AtomicU64::new(0));
    let endless = streaming(200, GIGABYTE, Arc::clone(&written)).await;
    let client = Liner::builder()
        .base_url(endless.base_url())
        .api_key(KEY)
        .max_response_bytes(1024 * 1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.lead(1).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::TooLarge {
                announced: None,
                limit: 1048576,
                ..
            }
        ),
        "{error:?}"
    );
    drop(client);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = written.load(Ordering::Relaxed);
    assert!(
        sent < 64 << 20,
        "the server wrote {sent} bytes of its gigabyte"
    );

    let written = Arc::new(AtomicU64::new(0));
    let failing = streaming(500, GIGABYTE, Arc::clone(&written)).await;
    let error = client_of_with(failing.base_url(), KEY, RetryPolicy::none())
        .lead(1)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(error.snippet().unwrap().len() <= liner::Error::SNIPPET_LIMIT + 3);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = written.load(Ordering::Relaxed);
    assert!(
        sent < 64 << 20,
        "the server wrote {sent} bytes of its gigabyte"
    );
}

/// A page holding more leads than asked for is an error, however many it
/// holds.
#[tokio::test]
async fn a_page_longer_than_asked_is_an_error() {
    for served in [51, 150, 100_000] {
        let page = json!({
            "success": true, "message": "",
            "data": { "list": (1..=served).map(|id| json!({"id": id})).collect::<Vec<_>>(), "next": served, "total": served * 2 }
        })
        .to_string();
        let server = HostileServer::start(script(move |_, stream| {
            let page = page.clone();
            async move { json(stream, &page).await }
        }))
        .await;
        let error = client_of(server.base_url(), KEY)
            .leads()
            .page_size(50)
            .page()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Pagination { .. }),
            "{served}: {error:?}"
        );
        assert!(error.to_string().contains("the 50 asked for"), "{error}");
    }
}

/// A server that ignores `offset` and keeps advancing `next`, with no
/// `total`: the same leads every time. The list ends with an error after the
/// default run of pages with nothing new, instead of being paged forever.
#[tokio::test]
async fn a_pager_that_ignores_offset_ends() {
    let page = json!({
        "success": true, "message": "",
        "data": { "list": (1..=100).map(|id| json!({"id": id})).collect::<Vec<_>>() }
    });
    let server = HostileServer::start(script(move |request, stream| {
        let mut page = page.clone();
        let offset: u64 = request
            .query_param("offset")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        page["data"]["next"] = json!(offset + 100);
        async move { json(stream, &page.to_string()).await }
    }))
    .await;
    let items: Vec<_> = client_of(server.base_url(), KEY)
        .leads()
        .items()
        .collect()
        .await;
    let yielded = items.iter().filter(|item| item.is_ok()).count();
    let error = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(yielded, 100, "the first page's leads, once");
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    assert!(error.to_string().contains("10 pages in a row"), "{error}");
    assert_eq!(
        server.requests().len() as u32,
        1 + liner::LeadQuery::DEFAULT_MAX_STALE_PAGES,
        "the first page, then the run of stale ones"
    );
}

/// Offsets near the end of `u64`: an error, not an overflow panic.
#[tokio::test]
async fn an_offset_near_the_end_of_u64_is_an_error() {
    let server = HostileServer::start(script(|request, stream| {
        let next = u64::MAX - 1;
        let body = if request.target.contains(&format!("offset={next}")) {
            json!({"success": true, "message": "", "data": {"list": [{"id": 5}, {"id": 6}, {"id": 7}]}})
        } else {
            json!({"success": true, "message": "", "data": {"list": [{"id": 1}], "next": next}})
        };
        async move { json(stream, &body.to_string()).await }
    }))
    .await;
    let items: Vec<_> = client_of(server.base_url(), KEY)
        .leads()
        .page_size(3)
        .items()
        .collect()
        .await;
    let error = items.last().unwrap().as_ref().unwrap_err();
    assert!(
        error.to_string().contains("past the largest offset"),
        "{error}"
    );
    assert_eq!(items.len(), 2, "the first page's lead, then the error");
}

/// A `message` of ten million characters, with control characters: the
/// error keeps and prints a bounded, escaped part of it.
#[tokio::test]
async fn a_huge_message_is_bounded_and_escaped() {
    let message = format!(
        "x\n2026-01-01 INFO forged\u{1b}[2J{}",
        "y".repeat(10_000_000)
    );
    let body = json!({"success": false, "message": message, "data": []}).to_string();
    let server = HostileServer::start(script(move |_, stream| {
        let body = body.clone();
        async move { json(stream, &body).await }
    }))
    .await;
    let error = client_of(server.base_url(), KEY).lead(1).await.unwrap_err();
    let Error::Api { message, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(message.chars().count() <= liner::Error::MESSAGE_LIMIT + 1);
    let shown = error.to_string();
    assert!(shown.len() < 1000, "{}", shown.len());
    assert!(
        !shown.contains('\n') && !shown.contains('\u{1b}'),
        "{shown}"
    );
}

/// A server that never answers, against the default settings: the call ends
/// at the default deadline, after two attempts. (Tokio's clock is paused:
/// time jumps whenever everything waits, so the test takes no 30 s.)
#[tokio::test(start_paused = true)]
async fn a_silent_server_meets_the_default_deadline() {
    let silent = HostileServer::start(script(|_, stream| async move {
        // Holds the connection open and says nothing.
        std::future::pending::<()>().await;
        drop(stream);
    }))
    .await;
    let client = client_of(silent.base_url(), KEY);
    let started = tokio::time::Instant::now();
    let error = client.lead(1).await.unwrap_err();
    let took = started.elapsed();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.request().unwrap().attempts, 2, "{error}");
    assert!(
        took >= liner::RetryPolicy::DEFAULT_DEADLINE - Duration::from_secs(1)
            && took <= liner::RetryPolicy::DEFAULT_DEADLINE,
        "{took:?}"
    );
}

/// The README's "a 700 ms deadline ends retries at 700 ms", on a paused
/// clock: against a server that never answers, attempts of 300 ms with up
/// to 10 retries end when the deadline does, not after 11 attempts.
#[tokio::test(start_paused = true)]
async fn a_deadline_ends_the_retries_when_it_runs_out() {
    let silent = HostileServer::start(script(|_, stream| async move {
        std::future::pending::<()>().await;
        drop(stream);
    }))
    .await;
    let client = crate::support::client_of_with(
        silent.base_url(),
        KEY,
        liner::RetryPolicy::default()
            .max_retries(10)
            .deadline(Duration::from_millis(700)),
    )
    .with_timeout(Duration::from_millis(300));
    let started = tokio::time::Instant::now();
    let error = client.lead(1).await.unwrap_err();
    let took = started.elapsed();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        took >= Duration::from_millis(600) && took <= Duration::from_millis(700),
        "{took:?}"
    );
    let attempts = error.request().unwrap().attempts;
    assert!((2..=3).contains(&attempts), "{attempts} attempts");
}

/// A server that ignores `offset`, sends no `total`, and puts one lead that
/// does not decode on each page, the same one (with an id) or one with no
/// readable id: such a lead proves nothing new, so the list still ends after
/// the run of stale pages (it used to reset the count, and page forever).
#[tokio::test]
async fn undecodable_leads_do_not_keep_a_stale_list_going() {
    for bad in [json!({"id": 7, "phone": 12}), json!({"id": "x"})] {
        let page = json!({
            "success": true, "message": "",
            "data": { "list": [ {"id": 1}, bad ] }
        });
        let server = HostileServer::start(script(move |request, stream| {
            let mut page = page.clone();
            let offset: u64 = request
                .query_param("offset")
                .and_then(|value| value.parse().ok())
                .unwrap_or(0);
            page["data"]["next"] = json!(offset + 2);
            async move { json(stream, &page.to_string()).await }
        }))
        .await;
        // Bounded: the bug this guards against pages forever.
        let items: Vec<_> = tokio::time::timeout(
            Duration::from_secs(30),
            client_of(server.base_url(), KEY)
                .leads()
                .page_size(2)
                .items()
                .take(100)
                .collect(),
        )
        .await
        .expect("the list ends");
        let error = items.last().unwrap().as_ref().unwrap_err();
        assert!(
            matches!(error, Error::Pagination { .. }),
            "{bad}: {error:?}"
        );
        assert_eq!(
            server.requests().len() as u32,
            1 + liner::LeadQuery::DEFAULT_MAX_STALE_PAGES,
            "{bad}: the first page, then the run of stale ones"
        );
        let undecodable = items
            .iter()
            .filter(|item| matches!(item, Err(Error::Decode { .. })))
            .count();
        // With an id: once. Without: on the first page and on each stale
        // page but the last, whose staleness ends the list.
        let expected = if bad["id"].is_u64() {
            1
        } else {
            1 + (liner::LeadQuery::DEFAULT_MAX_STALE_PAGES as usize - 1)
        };
        assert_eq!(undecodable, expected, "{bad}");
    }
}
