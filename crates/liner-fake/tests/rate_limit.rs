//! The fake's rate limit: a burst is served, the requests past it are
//! answered `429` with `Retry-After` and the failure envelope, not handled,
//! and counted.

use liner_fake::{Config, FakeServer, RateLimit};

#[tokio::test]
async fn requests_past_the_limit_get_429_with_retry_after() {
    // One token a second, two at once: of four requests sent at once, two
    // are served and two refused, however slow this machine is (the third
    // would need a second to pass between the requests).
    let fake = FakeServer::start(
        Config::default()
            .with_leads(3)
            .with_rate_limit(RateLimit::per_second(1).with_burst(2)),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut retry_after = Vec::new();
    for id in 1..=4 {
        let response = http
            .get(format!("{}/v2/lead/detail/{id}/", fake.base_url()))
            .header("X-Api-Key", fake.api_key())
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if let Some(after) = response.headers().get("retry-after") {
            retry_after.push(after.to_str().unwrap().to_owned());
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["success"], false, "{body}");
        }
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
    assert_eq!(retry_after, ["1", "1"]);
    let stats = fake.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.requests, 4);
    assert!(stats.faults.is_empty(), "{:?}", stats.faults);
}
