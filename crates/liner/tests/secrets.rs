//! Secret hygiene: a canary key must not appear in anything a user can print.
//!
//! This test has a binary of its own: `tracing` caches per call site whether
//! anyone listens, process-wide, so a test running on another thread without
//! a subscriber could hide the events this test captures.

mod support;

use liner::{LeadType, Liner, NewLead};
use liner_fake::{Config, Fault, Faults};
use liner_test_support::conformance::CheckedFake;
use liner_test_support::logs::Captured;

use support::many_quick_retries;

/// With a canary key, nothing a user can print of a failing client (Debug,
/// Display, every error, every tracing event at every level) contains it.
#[tokio::test]
async fn the_key_never_leaks() {
    const CANARY: &str = "canary-7f3a9e41-key";
    let logs = Captured::default();
    let _guard = logs.install();

    let faults = Faults::default()
        .with_seed(5)
        .with(Fault::Unavailable, 0.5)
        .with(Fault::CutMidBody, 0.2);
    let fake = CheckedFake::start(
        Config::default()
            .with_leads(300)
            .with_api_key(CANARY)
            .with_faults(faults),
    )
    .await;
    let good = Liner::builder()
        .base_url(fake.base_url())
        .api_key(CANARY)
        .retry_policy(many_quick_retries().max_retries(3))
        .build()
        .unwrap();
    let wrong = Liner::builder()
        .base_url(fake.base_url())
        .api_key("not-the-canary")
        .build()
        .unwrap();
    let mut printed = format!("{good:?} {:?}", Liner::builder().api_key(CANARY));
    let mut errors = Vec::new();
    for id in 1..=40 {
        if let Err(err) = good.lead(id).await {
            errors.push(err);
        }
    }
    errors.extend(good.leads().collect_all().await.err());
    errors.extend(wrong.lead(1).await.err());
    errors.extend(
        good.create_lead(NewLead::new(LeadType::Straight, "79001234567", 1, "x"))
            .await
            .err(),
    );
    assert!(!errors.is_empty(), "failures were staged");
    for err in &errors {
        printed.push_str(&format!("{err} {err:?} {err:#?}"));
    }
    let logs = logs.text();
    assert!(
        logs.contains("retrying Liner API request"),
        "retries were logged:\n{logs}"
    );
    assert!(
        !printed.contains(CANARY),
        "the key leaked into an error or Debug output"
    );
    assert!(!logs.contains(CANARY), "the key leaked into the logs");
}
