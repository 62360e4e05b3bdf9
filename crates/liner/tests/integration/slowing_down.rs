//! The clones of one client slow down together: a `429` pauses all of them,
//! retries spend a shared budget that successes refill, and the client's own
//! rate limit spaces the requests of every clone.

use std::time::{Duration, Instant};

use liner::{Liner, RetryPolicy};
use liner_fake::{Config, Fault, Faults, RateLimit};
use liner_test_support::conformance::CheckedFake;

use crate::support::{client_with as client, many_quick_retries};

/// One `429` pauses every request of the client and of its clones, not only
/// the one that got it: a read started while the pause runs waits for it,
/// though its own request would have been answered at once.
#[tokio::test]
async fn a_429_pauses_every_request_of_the_client() {
    // The fake's faults are a function of the seed and the request's
    // number: the first seed that refuses the first request and answers the
    // next two.
    let faults = |seed| {
        Faults::default()
            .with_seed(seed)
            .with(Fault::TooManyRequests, 0.5)
            .with_retry_after(1)
    };
    let seed = (0..1000)
        .find(|&seed| {
            let faults = faults(seed);
            faults.decide(0).1 == Some(Fault::TooManyRequests)
                && faults.decide(1).1.is_none()
                && faults.decide(2).1.is_none()
        })
        .unwrap();
    let fake = CheckedFake::start(Config::default().with_leads(10).with_faults(faults(seed))).await;
    let liner = client(&fake, many_quick_retries());
    let other = liner.clone();
    let first = tokio::spawn(async move { liner.lead(1).await });
    // The first request has had its 429 by now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    other.lead(2).await.unwrap();
    let waited = started.elapsed();
    first.await.unwrap().unwrap();
    assert!(
        waited >= Duration::from_millis(600),
        "the second read went out during the pause: it took {waited:?}"
    );
}

/// The retry budget: against a server that fails every request, retries
/// stop once the client (all its clones) has spent its budget, and the error
/// says why; requests that succeed refill it, one token each.
#[tokio::test]
async fn the_retry_budget_empties_and_refills() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use liner_test_support::hostile::{HostileServer, answer, json, script};

    let healthy = Arc::new(AtomicBool::new(false));
    let server = {
        let healthy = Arc::clone(&healthy);
        HostileServer::start(script(move |_, stream| {
            let healthy = healthy.load(Ordering::SeqCst);
            async move {
                if healthy {
                    json(
                        stream,
                        r#"{"success":true,"message":"","data":{"list":[],"total":0}}"#,
                    )
                    .await;
                } else {
                    answer(
                        stream,
                        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html",
                        b"<html>down</html>",
                    )
                    .await;
                }
            }
        }))
        .await
    };
    let liner = crate::support::client_of_with(server.base_url(), "k", many_quick_retries());
    let page = || {
        let query = liner.leads().page_size(10);
        async move { query.page().await }
    };

    // 500 tokens, 5 a retry: 100 retries, then none.
    let mut calls = 0;
    let spent = loop {
        calls += 1;
        assert!(calls <= 20, "the budget never ran out");
        let err = page().await.unwrap_err();
        if err.is_retry_budget_spent() {
            break err;
        }
        assert_eq!(err.status(), Some(liner::StatusCode::SERVICE_UNAVAILABLE));
    };
    assert_eq!(server.requests().len(), 100 + calls);
    assert_eq!(spent.status(), Some(liner::StatusCode::SERVICE_UNAVAILABLE));
    assert!(
        spent
            .to_string()
            .contains("not retried: the client's retry budget is spent"),
        "{spent}"
    );
    let before = server.requests().len();
    let err = page().await.unwrap_err();
    assert!(err.is_retry_budget_spent());
    assert_eq!(
        server.requests().len(),
        before + 1,
        "no retry with an empty budget"
    );

    // Five successes buy one retry.
    healthy.store(true, Ordering::SeqCst);
    for _ in 0..5 {
        page().await.unwrap();
    }
    healthy.store(false, Ordering::SeqCst);
    let before = server.requests().len();
    let err = page().await.unwrap_err();
    assert!(err.is_retry_budget_spent(), "{err}");
    assert_eq!(server.requests().len(), before + 2, "one retry, then none");
}

/// 21 reads through two clones of a client limited to 20 requests a second
/// leave at least 50 ms apart (a second from the first to the last), and a
/// fake that serves 25 a second (a burst of 2) refuses none of them. The
/// same reads without the limit, sent at once, meet its `429`s.
#[tokio::test]
async fn a_rate_limit_spaces_the_requests_of_every_clone() {
    let fake = CheckedFake::start(
        Config::default()
            .with_leads(30)
            .with_rate_limit(RateLimit::per_second(25).with_burst(2)),
    )
    .await;
    let limited = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .retry_policy(RetryPolicy::none())
        .rate_limit(20)
        .build()
        .unwrap();
    let clone = limited.clone();
    let started = Instant::now();
    let reads = (1..=21).map(|id| {
        let client = if id % 2 == 0 { &limited } else { &clone };
        client.lead(id)
    });
    let read = futures_util::future::join_all(reads).await;
    assert!(read.iter().all(Result::is_ok), "{read:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.server.stats().rate_limited, 0);

    let unlimited = client(&fake, RetryPolicy::none());
    let read = futures_util::future::join_all((1..=21).map(|id| unlimited.lead(id))).await;
    let refused = read
        .iter()
        .filter(|result| {
            result
                .as_ref()
                .is_err_and(|error| error.status() == Some(liner::StatusCode::TOO_MANY_REQUESTS))
        })
        .count();
    assert!(refused > 0, "{read:?}");
    assert_eq!(fake.server.stats().rate_limited, refused as u64);
}

/// A request whose slot of the rate limit comes after its call's deadline
/// ends with a timeout at once, rather than wait for a slot it cannot use.
#[tokio::test]
async fn a_slot_past_the_deadline_is_a_timeout() {
    let fake = CheckedFake::start(Config::default().with_leads(5)).await;
    let client = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .retry_policy(RetryPolicy::none().deadline(Duration::from_millis(500)))
        .rate_limit(1)
        .build()
        .unwrap();
    client.lead(1).await.unwrap();
    // The next slot is a second away, past the 500 ms deadline: the call
    // ends before either.
    let started = Instant::now();
    let error = client.lead(2).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}
