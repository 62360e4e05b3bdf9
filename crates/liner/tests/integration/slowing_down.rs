//! The clones of one client slow down together: a `429` pauses all of them,
//! and retries spend a shared budget that successes refill.

use std::time::{Duration, Instant};

use liner_fake::{Config, Fault, Faults};
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
