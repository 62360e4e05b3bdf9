//! The spans a service sees: one per operation and one per attempt, named
//! and described as the OpenTelemetry conventions for HTTP clients say
//! (`GET /v2/lead/detail/{leadId}/`, never the path), with the status or
//! the error's type, retries counted, a page's offset; never the key and
//! never a filter's values.
//!
//! A binary of its own: it installs a `tracing` subscriber.

mod support;

use liner::{LeadType, NewLead};
use liner_fake::{Config, Fault, Faults};
use liner_test_support::conformance::CheckedFake;
use liner_test_support::spans::SpanLog;

use support::{client, client_with, many_quick_retries};

#[tokio::test]
async fn operations_and_attempts_have_spans() {
    let log = SpanLog::default();
    let _guard = log.install();
    let fake = CheckedFake::start(Config::default().with_leads(150)).await;
    let liner = client(&fake);

    liner.lead(7).await.unwrap();
    insta::assert_snapshot!("a_read", log.take());

    liner
        .create_lead(NewLead::new(LeadType::Straight, "79001234567", 202, "S-1"))
        .await
        .unwrap();
    insta::assert_snapshot!("a_create", log.take());

    let page = liner
        .leads()
        .order_ids([202])
        .page_size(20)
        .offset(20)
        .page()
        .await
        .unwrap();
    assert!(!page.items.is_empty());
    let text = log.take();
    assert!(!text.contains("202"), "a filter's value in a span: {text}");
    insta::assert_snapshot!("a_page", text);

    let err = liner.lead(999_999).await.unwrap_err();
    assert!(err.is_not_found());
    insta::assert_snapshot!("a_refused_read", log.take());
}

/// A read that meets a 503 and is retried: the operation's span counts
/// the resend and ends with the status of the attempt that answered; each
/// attempt has its own span; the retry is an event of the operation.
#[tokio::test]
async fn a_retried_read_shows_each_attempt() {
    // The fake's faults are a function of the seed and the request's
    // number: the first seed that fails the first request and lets the
    // second through.
    let seed = (0..1000)
        .find(|&seed| {
            let faults = Faults::default()
                .with_seed(seed)
                .with(Fault::Unavailable, 0.5);
            faults.decide(0).1 == Some(Fault::Unavailable) && faults.decide(1).1.is_none()
        })
        .unwrap();
    let faults = Faults::default()
        .with_seed(seed)
        .with(Fault::Unavailable, 0.5);
    let log = SpanLog::default();
    let _guard = log.install();
    let fake = CheckedFake::start(Config::default().with_leads(10).with_faults(faults)).await;
    let liner = client_with(&fake, many_quick_retries());
    liner.lead(3).await.unwrap();
    insta::assert_snapshot!("a_retried_read", log.take());
}
