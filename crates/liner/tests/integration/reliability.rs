//! Retries, timeouts and pagination guards against the fake server's fault
//! injection. Every number here is asserted (and printed, for the README).
//! Secret hygiene is in `secrets.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use liner::{Error, LeadPatch, LeadType, NewLead, RetryPolicy};
use liner_fake::{Config, Fault, Faults, Latency};
use liner_test_support::conformance::CheckedFake;

use crate::support::{client_with as client, many_quick_retries};

/// Exports 10,000 leads, `concurrency` pages in flight, while 30% of
/// requests fail (10% 429, 10% 503, 10% connection cut mid-body, drawn
/// from `seed`); the ids yielded, and the faults injected by kind.
async fn export_under_faults(seed: u64, concurrency: usize) -> (Vec<u64>, BTreeMap<Fault, u64>) {
    let faults = Faults::default()
        .with_seed(seed)
        .with_retry_after(0)
        .with(Fault::TooManyRequests, 0.1)
        .with(Fault::Unavailable, 0.1)
        .with(Fault::CutMidBody, 0.1);
    let fake = CheckedFake::start(Config::default().with_leads(10_000).with_faults(faults)).await;
    let leads = client(&fake, many_quick_retries())
        .leads()
        .concurrency(concurrency)
        .collect_all()
        .await
        .unwrap();
    let stats = fake.server.stats();
    let injected: u64 = stats.faults.values().sum();
    println!(
        "export with {concurrency} in flight survived {injected} faults: {:?}",
        stats.faults
    );
    // Every fault costs exactly one more request: nothing else is retried,
    // and nothing is asked twice.
    assert_eq!(
        stats.requests,
        100 + injected,
        "one retry per injected fault"
    );
    (
        leads.iter().map(|lead| lead.id.get()).collect(),
        stats.faults,
    )
}

/// Exporting 10,000 leads while 30% of requests fail still yields exactly
/// the 10,000, once each. The faults are drawn per request in arrival order
/// and every fault costs one retry, so their number is the same on every run.
#[tokio::test]
async fn an_export_survives_thirty_percent_faults() {
    let (ids, faults) = export_under_faults(30, 1).await;
    assert_eq!(ids, (1..=10_000).collect::<Vec<_>>());
    assert_eq!(
        faults,
        BTreeMap::from([
            (Fault::TooManyRequests, 19),
            (Fault::Unavailable, 18),
            (Fault::CutMidBody, 16)
        ])
    );
}

/// The same with 8 pages in flight: prefetched pages are retried like any.
#[tokio::test]
async fn a_concurrent_export_survives_thirty_percent_faults() {
    let (ids, faults) = export_under_faults(31, 8).await;
    assert_eq!(ids, (1..=10_000).collect::<Vec<_>>());
    assert_eq!(
        faults,
        BTreeMap::from([
            (Fault::TooManyRequests, 16),
            (Fault::Unavailable, 14),
            (Fault::CutMidBody, 8)
        ])
    );
}

/// Creates under faults: a create is retried only when the connection could
/// not be made, so no lead is ever created twice. Each call either returns
/// the new id, or fails; leads the server created for failed calls (their
/// answer was cut) exist once.
#[tokio::test]
async fn creates_under_faults_never_duplicate() {
    let faults = Faults::default()
        .with_seed(7)
        .with(Fault::Unavailable, 0.15)
        .with(Fault::CutMidBody, 0.15)
        .with(Fault::InternalError, 0.05);
    let fake = CheckedFake::start(Config::default().with_leads(0).with_faults(faults)).await;
    let client = client(&fake, many_quick_retries());
    let mut created = Vec::new();
    let mut failed = 0;
    for n in 0..200u64 {
        let lead = NewLead::new(
            LeadType::Straight,
            format!("7900{:07}", n),
            202,
            "order-202",
        )
        .name(format!("lead {n}"));
        match client.create_lead(lead).await {
            Ok(id) => created.push(id),
            Err(err) => {
                assert!(
                    !err.is_connect(),
                    "the fake always accepts connections: {err}"
                );
                failed += 1;
            }
        }
    }
    println!(
        "200 creates: {} succeeded, {failed} failed, {} leads exist",
        created.len(),
        fake.server.stats().leads_created
    );
    // The faults are drawn per request in arrival order and no create is
    // retried: the same counts on every run.
    assert_eq!(
        (created.len(), failed),
        (142, 58),
        "creates that succeeded and failed"
    );
    let stats = fake.server.stats();
    assert_eq!(stats.requests, 200, "no create was retried");
    assert_eq!(
        stats.leads_created, 169,
        "the 142, and the 27 whose answer was cut after the server acted"
    );
    let all = client.leads().collect_all().await.unwrap();
    let names: Vec<String> = all.iter().filter_map(|lead| lead.name.clone()).collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a lead was created twice");
    assert_eq!(all.len() as u64, stats.leads_created);
    assert!(
        created
            .iter()
            .all(|id| all.iter().any(|lead| lead.id == *id))
    );
}

#[tokio::test]
async fn updates_retry_only_when_the_policy_says_so() {
    let faults = Faults::always(Fault::Unavailable);
    let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
    let patch = || LeadPatch::new().status_id(3);
    let err = client(&fake, many_quick_retries())
        .update_lead(1, patch())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(fake.server.stats().requests, 1);
    let err = client(
        &fake,
        many_quick_retries().max_retries(2).retry_updates(true),
    )
    .update_lead(1, patch())
    .await
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        fake.server.stats().requests,
        4,
        "1 + 1 first attempt and 2 retries"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_capped() {
    let faults = Faults::default()
        .with_retry_after(1)
        .with(Fault::TooManyRequests, 1.0);
    let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
    let started = Instant::now();
    let err = client(&fake, RetryPolicy::default().max_retries(1))
        .lead(1)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited the Retry-After"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(fake.server.stats().requests, 2);

    let faults = Faults::default()
        .with_retry_after(120)
        .with(Fault::TooManyRequests, 1.0);
    let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
    let started = Instant::now();
    let err = client(&fake, RetryPolicy::default())
        .lead(1)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not sleep past the cap"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        fake.server.stats().requests,
        1,
        "above the cap the error comes back at once"
    );
}

#[tokio::test]
async fn a_hung_server_times_out_and_the_deadline_holds() {
    let faults = Faults::default().with_latency(Latency::Fixed(Duration::from_secs(30)));
    let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
    let quick = client(&fake, RetryPolicy::none()).with_timeout(Duration::from_millis(200));
    let started = Instant::now();
    let err = quick.lead(1).await.unwrap_err();
    assert!(err.is_timeout() && !err.is_connect(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let bounded = client(
        &fake,
        RetryPolicy::default()
            .max_retries(10)
            .deadline(Duration::from_millis(700)),
    )
    .with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = bounded.lead(1).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let took = started.elapsed();
    // Without the deadline, 11 attempts of 300 ms and their backoffs would
    // take over 3.3 s; the bound leaves a loaded machine 2.3 s of slack.
    assert!(
        took < Duration::from_secs(3),
        "the deadline bounds retries: {took:?}"
    );
}

/// A create whose connection was refused never reached the server, so it
/// is sent again: the fake starts on that port after the refusal, and the
/// lead is created exactly once.
#[tokio::test]
async fn a_create_refused_at_connect_is_retried_once_the_server_is_up() {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // The first attempt is refused at once; the fake is up 200 ms later;
    // the retry waits 1.5 to 3 s (the backoff's jitter).
    let policy = RetryPolicy::default()
        .max_retries(1)
        .initial_backoff(Duration::from_secs(3));
    let creator =
        crate::support::client_of_with(&format!("http://{address}"), "create-key", policy);
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        liner_fake::FakeServer::start(
            Config::default()
                .with_leads(0)
                .with_api_key("create-key")
                .with_bind(address),
        )
        .await
        .expect("the fake binds the port just freed")
    });
    let started = Instant::now();
    let id = creator
        .create_lead(NewLead::new(
            LeadType::Straight,
            "79001234567",
            202,
            "order-202",
        ))
        .await
        .expect("created on the retry");
    assert!(
        started.elapsed() >= Duration::from_millis(1_500),
        "the first attempt failed and the retry waited its backoff: {:?}",
        started.elapsed()
    );
    let fake = server.await.unwrap();
    assert_eq!(id.get(), 1);
    assert_eq!(
        fake.stats().requests,
        1,
        "only the retry reached the server"
    );
    assert_eq!(fake.stats().leads_created, 1);
}

/// `Retry-After` as an HTTP date (RFC 9110's other form), read from a real
/// answer: returned with the error, and waited for before the retry.
#[tokio::test]
async fn retry_after_as_an_http_date_is_read_and_waited_for() {
    use std::sync::{Arc, Mutex};

    use liner_test_support::hostile::{HostileServer, answer, json, script};

    // Each request's arrival; the first is answered 503 with a date 3 s
    // ahead (whole seconds: the wait is 2 to 3 s), the others with a lead.
    let arrivals = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let seen = Arc::clone(&arrivals);
    let server = HostileServer::start(script(move |_, stream| {
        let first = {
            let mut arrivals = seen.lock().unwrap();
            arrivals.push(Instant::now());
            arrivals.len() == 1
        };
        async move {
            if first {
                let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3);
                let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                    .timestamp_to_rfc9110_string(&later)
                    .unwrap();
                let head = format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: {date}"
                );
                let body = br#"{"success":false,"message":"maintenance","data":[]}"#;
                answer(stream, &head, body).await;
            } else {
                json(stream, r#"{"success":true,"message":"","data":{"id":7}}"#).await;
            }
        }
    }))
    .await;

    let once = crate::support::client_of_with(server.base_url(), "k", RetryPolicy::none());
    let err = once.lead(7).await.unwrap_err();
    let wait = err.retry_after().expect("the date was read");
    assert!(
        wait > Duration::from_secs(1) && wait <= Duration::from_secs(3),
        "{wait:?}"
    );

    arrivals.lock().unwrap().clear();
    let lead = crate::support::client_of(server.base_url(), "k")
        .lead(7)
        .await
        .unwrap();
    assert_eq!(lead.id.get(), 7);
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 2);
    let waited = arrivals[1] - arrivals[0];
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
}

/// The fake's latency is its response time, its work included (as on a real
/// server): a create the client gave up waiting for has still happened, and
/// the timeout is not retried, so it happened once.
#[tokio::test]
async fn a_create_that_timed_out_may_still_have_happened() {
    let faults = Faults::default().with_latency(Latency::Fixed(Duration::from_secs(30)));
    let fake = CheckedFake::start(Config::default().with_leads(0).with_faults(faults)).await;
    let impatient = client(&fake, many_quick_retries()).with_timeout(Duration::from_millis(500));
    let err = impatient
        .create_lead(NewLead::new(
            LeadType::Straight,
            "79001234567",
            202,
            "order-202",
        ))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let stats = fake.server.stats();
    assert_eq!(stats.requests, 1, "a create that timed out is not retried");
    assert_eq!(stats.leads_created, 1, "the fake did the work on arrival");
}

#[tokio::test]
async fn a_shifting_list_is_an_error_only_in_strict_mode() {
    let fake = CheckedFake::start(Config::default().with_leads(500).with_shift_per_page(5)).await;
    let lenient = client(&fake, RetryPolicy::none())
        .leads()
        .collect_all()
        .await
        .unwrap();
    assert!(lenient.len() >= 500);
    let fake = CheckedFake::start(Config::default().with_leads(500).with_shift_per_page(5)).await;
    let results: Vec<_> = client(&fake, RetryPolicy::none())
        .leads()
        .strict()
        .pages()
        .collect()
        .await;
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(error, Error::Pagination { .. }), "{error}");
    assert!(
        error.to_string().contains("total changed from 500 to 505"),
        "{error}"
    );
}

/// 64 tasks share one client for 10,000 reads with 10% injected faults:
/// every lead is read exactly once, none lost, none twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_client_under_concurrent_load() {
    let faults = Faults::default()
        .with_seed(64)
        .with(Fault::Unavailable, 0.05)
        .with(Fault::CutMidBody, 0.05);
    let fake = CheckedFake::start(Config::default().with_leads(10_000).with_faults(faults)).await;
    let client = client(&fake, many_quick_retries());
    let tasks: Vec<_> = (0..64u64)
        .map(|task| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for id in (1..=10_000u64).filter(|id| id % 64 == task) {
                    ids.push(client.lead(id).await.map(|lead| lead.id.get()));
                }
                ids
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        for result in task.await.unwrap() {
            ids.push(result.expect("every read succeeds after retries"));
        }
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=10_000).collect::<Vec<_>>());
    let stats = fake.server.stats();
    let injected: u64 = stats.faults.values().sum();
    println!("64 tasks, 10,000 reads, {injected} injected faults survived");
    // Each fault costs one retry, whichever task meets it: the total is the
    // same on every run, however the tasks interleave.
    assert_eq!(injected, 1103, "faults injected and survived");
    assert_eq!(stats.requests, 10_000 + injected);
}
