//! Pagination against the fake Liner server (every response checked against
//! the spec): exact counts, filters, laziness, faults, a shifting list.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt as _;
use liner::{Error, RetryPolicy};
use liner_fake::{Config, Fault, Faults};
use liner_test_support::capture::{CannedResponse, CaptureServer};
use liner_test_support::conformance::CheckedFake;

use crate::support::{client, client_of};

fn assert_unique(ids: &[u64]) {
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "a lead was yielded twice"
    );
}

#[tokio::test]
async fn exact_counts_at_every_boundary() {
    for size in [0u64, 1, 99, 100, 101, 250, 10_000] {
        let fake = CheckedFake::start(Config::default().with_leads(size)).await;
        let leads = client(&fake).leads().collect_all().await.unwrap();
        let ids: Vec<u64> = leads.iter().map(|lead| lead.id.get()).collect();
        assert_eq!(ids, (1..=size).collect::<Vec<_>>(), "size {size}");
        // One request per full or partial page; an empty list costs one.
        let requests = fake.server.stats().requests;
        assert_eq!(
            requests,
            size.div_ceil(100).max(1),
            "requests for size {size}"
        );
    }
}

#[tokio::test]
async fn small_pages_and_a_start_offset() {
    let fake = CheckedFake::start(Config::default().with_leads(250)).await;
    let pages: Vec<_> = client(&fake)
        .leads()
        .page_size(30)
        .offset(100)
        .pages()
        .collect()
        .await;
    let pages: Vec<_> = pages.into_iter().map(Result::unwrap).collect();
    assert_eq!(pages.len(), 5);
    assert_eq!(
        pages.iter().map(|p| p.offset).collect::<Vec<_>>(),
        [100, 130, 160, 190, 220]
    );
    assert_eq!(pages.last().unwrap().items.len(), 30);
    let ids: Vec<u64> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|l| l.id.get()))
        .collect();
    assert_eq!(ids, (101..=250).collect::<Vec<_>>());
}

#[tokio::test]
async fn filters_select_what_they_should() {
    let fake = CheckedFake::start(Config::default().with_leads(3000)).await;
    let client = client(&fake);
    let everything = client.leads().collect_all().await.unwrap();
    let from: liner::jiff::Timestamp = "2023-01-01T05:00:00Z".parse().unwrap();
    let to: liner::jiff::Timestamp = "2023-01-01T20:00:00Z".parse().unwrap();
    let expected: Vec<u64> = everything
        .iter()
        .filter(|l| {
            matches!(l.order_id.map(|id| id.get()), Some(100 | 404))
                && matches!(l.status_id.map(|id| id.get()), Some(2 | 10))
        })
        .filter(|l| {
            let created = l.created_at.as_ref().unwrap().parse().unwrap();
            created >= from && created <= to
        })
        .map(|l| l.id.get())
        .collect();
    assert!(
        expected.len() > 100,
        "a multi-page selection: {}",
        expected.len()
    );
    let filtered: Vec<u64> = client
        .leads()
        .created_between(from, to)
        .order_ids([100, 404])
        .status_ids([2, 10])
        .items()
        .map(|lead| lead.unwrap().id.get())
        .collect()
        .await;
    assert_eq!(filtered, expected);
}

#[tokio::test]
async fn fetching_is_lazy() {
    let fake = CheckedFake::start(Config::default().with_leads(10_000)).await;
    let first: Vec<_> = client(&fake)
        .leads()
        .concurrency(1)
        .items()
        .take(150)
        .collect()
        .await;
    assert_eq!(first.len(), 150);
    assert_eq!(
        fake.server.stats().requests,
        2,
        "only the pages consumed were fetched"
    );

    // With prefetch, at most `2 * concurrency` pages beyond the first (see
    // `tests/prefetch.rs`). (Requests cancelled when the
    // stream is dropped may or may not reach the server, so only the bound is
    // certain.)
    let fake = CheckedFake::start(Config::default().with_leads(10_000)).await;
    let first: Vec<_> = client(&fake)
        .leads()
        .concurrency(3)
        .items()
        .take(150)
        .collect()
        .await;
    assert_eq!(first.len(), 150);
    let requests = fake.server.stats().requests;
    assert!(requests <= 1 + 2 * 3, "{requests} requests");
}

/// The wait of an answered page for a slow consumer is not the server's
/// time: a consumer that pauses for longer than the client's timeout gets
/// every lead, without a timeout and without a retry.
///
/// Real time, not tokio's paused clock: the paused clock jumps ahead
/// whenever the runtime waits on a socket, and would fire the timeout during
/// an ordinary local request. The timeout (2 s) leaves a local page of the
/// fake a wide margin on a loaded machine; the pauses exceed it by 1 s.
#[tokio::test]
async fn a_consumer_slower_than_the_timeout_sees_no_timeouts() {
    let fake = CheckedFake::start(Config::default().with_leads(1_000)).await;
    let impatient = client(&fake)
        .with_timeout(Duration::from_secs(2))
        .with_retry_policy(RetryPolicy::none());
    let mut pages = std::pin::pin!(impatient.leads().concurrency(2).pages());
    let mut leads = 0;
    while let Some(page) = pages.next().await {
        leads += page.unwrap().items.len();
        if leads == 100 || leads == 500 {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    }
    assert_eq!(leads, 1_000);
    assert_eq!(fake.server.stats().requests, 10, "no page was retried");
}

/// Nor does that wait count against a retry deadline: a 503 read once the
/// consumer gets to its page, long after the deadline would have passed, is
/// still retried. (Real time, as above: a 2 s deadline for a few local
/// requests, and the consumer pauses 3 s after each page.)
#[tokio::test]
async fn a_consumer_slower_than_the_deadline_still_gets_retries() {
    let faults = Faults::default().with_seed(3).with(Fault::Unavailable, 0.3);
    let fake = CheckedFake::start(Config::default().with_leads(300).with_faults(faults)).await;
    let policy = RetryPolicy::default()
        .max_retries(8)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .deadline(Duration::from_secs(2));
    let slow = client(&fake).with_retry_policy(policy);
    let mut pages = std::pin::pin!(slow.leads().concurrency(2).pages());
    let mut leads = 0;
    while let Some(page) = pages.next().await {
        leads += page.unwrap().items.len();
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    assert_eq!(leads, 300);
    let stats = fake.server.stats();
    assert!(
        stats.faults.values().sum::<u64>() > 0,
        "503s were injected: {:?}",
        stats.faults
    );
}

/// Prefetching pages concurrently yields the same leads, in the same order,
/// as paging one at a time, at every concurrency.
#[tokio::test]
async fn prefetch_yields_what_sequential_paging_yields() {
    let fake = CheckedFake::start(Config::default().with_leads(2_345)).await;
    let ids = |query: liner::LeadQuery| async move {
        query
            .items()
            .map(|lead| lead.unwrap().id.get())
            .collect::<Vec<u64>>()
            .await
    };
    let sequential = ids(client(&fake).leads().concurrency(1)).await;
    assert_eq!(sequential, (1..=2_345).collect::<Vec<_>>());
    for concurrency in [2, 4, 8, 32] {
        let prefetched = ids(client(&fake).leads().concurrency(concurrency).page_size(70)).await;
        assert_eq!(prefetched, sequential, "concurrency {concurrency}");
    }
    let filtered = ids(client(&fake)
        .leads()
        .order_ids([101])
        .concurrency(8)
        .page_size(10))
    .await;
    let expected = ids(client(&fake).leads().order_ids([101]).concurrency(1)).await;
    assert_eq!(filtered, expected);
    let err = client(&fake)
        .leads()
        .concurrency(0)
        .page()
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("invalid concurrency"), "{err}");
}

#[tokio::test]
async fn a_shifting_list_yields_each_lead_once_and_loses_none() {
    let fake = CheckedFake::start(Config::default().with_leads(1000).with_shift_per_page(13)).await;
    let ids: Vec<u64> = client(&fake)
        .leads()
        .items()
        .map(|lead| lead.unwrap().id.get())
        .collect()
        .await;
    assert_unique(&ids);
    let original: BTreeSet<u64> = (1..=1000).collect();
    let seen: BTreeSet<u64> = ids.iter().copied().collect();
    assert!(
        original.is_subset(&seen),
        "lost {:?}",
        original.difference(&seen).collect::<Vec<_>>()
    );
}

/// Without retries, each injected fault ends the iteration with the
/// documented error; what was yielded before it is neither duplicated nor
/// invented. (With the default retries, see `reliability.rs`.)
#[tokio::test]
async fn faults_end_the_iteration_with_the_documented_error() {
    for fault in Fault::ALL {
        let expected = match fault {
            Fault::TooManyRequests => "Api 429",
            Fault::InternalError => "Api 500",
            Fault::BadGateway => "Http 502",
            Fault::Unavailable => "Http 503",
            Fault::CutBeforeAnswer => "Transport, before any answer",
            Fault::CutMidBody => "Transport, while reading",
            Fault::MalformedJson => "Decode 200",
            Fault::SuccessFalse => "Api 200",
            other => panic!("a fault this test does not know: {other}"),
        };
        let fake = CheckedFake::start(
            Config::default()
                .with_leads(300)
                .with_faults(Faults::always(fault)),
        )
        .await;
        let results: Vec<_> = client(&fake)
            .leads()
            .retry_policy(RetryPolicy::none())
            .items()
            .collect()
            .await;
        assert_eq!(results.len(), 1, "{fault}: the stream ends at the error");
        let error = results.into_iter().next().unwrap().unwrap_err();
        let kind = match &error {
            Error::Api { status, .. } => format!("Api {}", status.as_u16()),
            Error::Http { status, .. } => format!("Http {}", status.as_u16()),
            Error::Decode { status, .. } => format!("Decode {}", status.as_u16()),
            Error::Transport { .. } if error.to_string().contains("while reading") => {
                "Transport, while reading".to_owned()
            }
            Error::Transport { .. } => "Transport, before any answer".to_owned(),
            other => format!("{other:?}"),
        };
        let name = fault;
        assert_eq!(kind, expected, "{name}: {error}");
    }
}

/// With a fraction of requests failing, every page either arrives whole or
/// stops the stream: the leads yielded are a prefix of the list, in order.
#[tokio::test]
async fn a_partial_iteration_is_a_clean_prefix() {
    let faults = Faults::default().with_seed(3).with(Fault::Unavailable, 0.3);
    let fake = CheckedFake::start(Config::default().with_leads(2000).with_faults(faults)).await;
    let mut ids = Vec::new();
    let mut items = std::pin::pin!(
        client(&fake)
            .leads()
            .retry_policy(RetryPolicy::none())
            .items()
    );
    let mut error = None;
    while let Some(item) = items.next().await {
        match item {
            Ok(lead) => ids.push(lead.id.get()),
            Err(err) => error = Some(err),
        }
    }
    assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
    assert!(error.is_some_and(|err| err.status() == Some(liner::StatusCode::SERVICE_UNAVAILABLE)));
}

#[tokio::test]
async fn one_odd_lead_does_not_fail_its_page() {
    let server = CaptureServer::start(vec![CannedResponse::ok(
        r#"{"success":true,"message":"","data":{"list":[{"id":1},{"name":"no id"},{"id":3}],"total":3}}"#,
    )])
    .await;
    let client = client_of(server.base_url(), "k");
    let page = client.leads().page().await.unwrap();
    assert_eq!(
        page.items.iter().map(|l| l.id.get()).collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(page.undecodable.len(), 1);
    let server = CaptureServer::start(vec![CannedResponse::ok(
        r#"{"success":true,"message":"","data":{"list":[{"id":1},{"name":"no id"},{"id":3}],"total":3}}"#,
    )])
    .await;
    let client = client_of(server.base_url(), "k");
    let items: Vec<_> = client.leads().items().collect().await;
    let printed: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(lead) => format!("lead {}", lead.id),
            Err(err) => err.to_string(),
        })
        .collect();
    insta::assert_snapshot!(printed.join("\n"));
}

#[tokio::test]
async fn a_next_that_does_not_advance_is_an_error_not_a_loop() {
    let server = CaptureServer::start(vec![
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"list":[{"id":1}],"next":1}}"#),
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"list":[{"id":2}],"next":1}}"#),
    ])
    .await;
    let client = client_of(server.base_url(), "k");
    let items: Vec<_> = client.leads().items().collect().await;
    assert_eq!(items.len(), 3);
    assert!(
        matches!(items[2], Err(Error::Pagination { .. })),
        "{:?}",
        items[2]
    );
    assert_eq!(server.requests().len(), 2);
}

/// A prefetched page that turns out short: lenient mode drops the rest of
/// the prefetch, warns, and pages on one page at a time from where that page
/// says, losing nothing. (The warning's wording is pinned in
/// `inconsistent_pages.rs`.)
#[tokio::test]
async fn a_short_prefetched_page_stops_the_prefetch() {
    let server = crate::support::list_server(&[
        (0, r#"{"list":[{"id":1},{"id":2}],"total":6,"next":2}"#),
        (2, r#"{"list":[{"id":3}],"total":6,"next":3}"#),
        (3, r#"{"list":[{"id":4},{"id":5}],"total":6,"next":5}"#),
        (4, r#"{"list":[{"id":5},{"id":6}],"total":6,"next":6}"#),
        (5, r#"{"list":[{"id":6}],"total":6}"#),
    ])
    .await;
    let leads = crate::support::client_of_with(server.base_url(), "k", RetryPolicy::none())
        .leads()
        .page_size(2)
        .concurrency(2)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<u64> = leads.iter().map(|lead| lead.id.get()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let asked = crate::support::offsets(&server);
    assert_eq!(asked[0], 0);
    assert!(
        asked.contains(&2) && asked.contains(&3) && asked.contains(&5),
        "{asked:?}"
    );
}

/// Each page of a list that shifts by 13 leads between requests starts with
/// the 13 leads the previous page ended with: each is dropped, and counted.
#[tokio::test]
async fn a_shifted_page_counts_the_duplicates_it_dropped() {
    let fake = CheckedFake::start(Config::default().with_leads(300).with_shift_per_page(13)).await;
    let pages: Vec<liner::Page> = client(&fake)
        .leads()
        .concurrency(1)
        .pages()
        .map(|page| page.unwrap())
        .collect()
        .await;
    let dropped: Vec<usize> = pages.iter().map(|page| page.duplicates_dropped).collect();
    assert_eq!(dropped[0], 0);
    assert!(dropped[1..].iter().all(|&n| n == 13), "{dropped:?}");
    // The leads shifted in land before the offsets already read: every
    // original lead is yielded once, and each page served 13 again.
    let yielded: usize = pages.iter().map(|page| page.items.len()).sum();
    assert_eq!(yielded, 300);
    let served: usize = pages
        .iter()
        .map(|page| page.items.len() + page.duplicates_dropped)
        .sum();
    assert_eq!(served, 300 + 13 * (pages.len() - 1));
}

/// With adaptive concurrency every lead still comes exactly once, in
/// order, whether the server answers cleanly or refuses a fifth of the
/// requests (each refusal halves the pages in flight, and retries recover).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adaptive_concurrency_yields_every_lead_once_in_order() {
    for faults in [
        Faults::default(),
        Faults::default().with(Fault::Unavailable, 0.2),
    ] {
        let fake =
            CheckedFake::start(Config::default().with_leads(2_000).with_faults(faults)).await;
        let liner = crate::support::client_with(&fake, crate::support::many_quick_retries());
        let ids: Vec<u64> = liner
            .leads()
            .concurrency(8)
            .adaptive_concurrency(true)
            .collect_all()
            .await
            .unwrap()
            .into_iter()
            .map(|lead| lead.id.get())
            .collect();
        assert_eq!(ids, (1..=2_000).collect::<Vec<_>>());
    }
}
