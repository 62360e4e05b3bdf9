//! The exact requests each `liner` method sends, captured on 127.0.0.1.
//! They must match what the spec (and the generated client) send.

use futures_util::StreamExt as _;
use liner::{LeadPatch, LeadType, Liner, NewLead};
use liner_test_support::capture::{CannedResponse, CaptureServer, CapturedRequest};

const KEY: &str = "requests-test-key";

fn describe(request: &CapturedRequest) -> String {
    assert_eq!(request.header("x-api-key"), Some(KEY));
    let mut text = format!("{} {}\n", request.method, request.target);
    let mut headers: Vec<String> = request
        .headers
        .iter()
        .filter(|(name, _)| name != "host")
        .map(|(name, value)| match name.as_str() {
            "x-api-key" => format!("{name}: [redacted]"),
            // The version changes with every release; the snapshot keeps
            // its place, and the value is checked here.
            "user-agent" => {
                assert_eq!(
                    value,
                    concat!("liner-rust/", env!("CARGO_PKG_VERSION")),
                    "the default User-Agent"
                );
                format!("{name}: liner-rust/[version]")
            }
            _ => format!("{name}: {value}"),
        })
        .collect();
    headers.sort();
    text.push_str(&headers.join("\n"));
    text.push('\n');
    if !request.body.is_empty() {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        text.push_str(&format!(
            "\n{}\n",
            serde_json::to_string_pretty(&body).unwrap()
        ));
    }
    text
}

async fn capture(responses: &[&str]) -> (CaptureServer, Liner) {
    let server = CaptureServer::start(
        responses
            .iter()
            .map(|body| CannedResponse::ok(*body))
            .collect(),
    )
    .await;
    let client = Liner::builder()
        .base_url(format!("{}/", server.base_url()))
        .api_key(KEY)
        .build()
        .unwrap();
    (server, client)
}

fn all(server: &CaptureServer) -> String {
    server
        .requests()
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[tokio::test]
async fn lead_and_call() {
    let (server, client) = capture(&[
        r#"{"success":true,"message":"","data":{"id":123}}"#,
        r#"{"success":true,"message":"","data":{"id":55}}"#,
    ])
    .await;
    assert_eq!(client.lead(123).await.unwrap().id.get(), 123);
    assert_eq!(client.call(55).await.unwrap().id.get(), 55);
    insta::assert_snapshot!(all(&server));
}

#[tokio::test]
async fn create_lead() {
    let (server, client) =
        capture(&[r#"{"success":true,"message":"","data":{"id":100200300}}"#]).await;
    let lead = NewLead::new(LeadType::Straight, "79001234567", 202, "order-001")
        .name("John Doe")
        .vk_id(123456)
        .status_id(10)
        .utc_offset(3)
        .custom_values([(10, "example value")]);
    assert_eq!(client.create_lead(lead).await.unwrap().get(), 100_200_300);
    insta::assert_snapshot!(all(&server));
}

#[tokio::test]
async fn update_lead() {
    let (server, client) = capture(&[r#"{"success":true,"message":"","data":[]}"#]).await;
    client
        .update_lead(123, LeadPatch::new().status_id(12).phone("+79001234567"))
        .await
        .unwrap();
    insta::assert_snapshot!(all(&server));
}

#[tokio::test]
async fn list_with_every_filter_and_two_pages() {
    let (server, client) = capture(&[
        r#"{"success":true,"message":"","data":{"list":[{"id":1},{"id":2}],"next":2,"total":3}}"#,
        r#"{"success":true,"message":"","data":{"list":[{"id":3}],"next":null,"total":3}}"#,
    ])
    .await;
    let from: liner::jiff::Timestamp = "2023-01-01T03:00:00+03:00".parse().unwrap();
    let ids: Vec<u64> = client
        .leads()
        .created_between(from, "2023-01-31T23:59:59Z")
        .order_ids([100, 101])
        .status_ids([1, 2])
        .page_size(2)
        .items()
        .map(|lead| lead.unwrap().id.get())
        .collect()
        .await;
    assert_eq!(ids, [1, 2, 3]);
    insta::assert_snapshot!(all(&server));
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, client) = capture(&[]).await;
    let errors = [
        client.lead(0).await.unwrap_err(),
        client.call(0).await.unwrap_err(),
        client.update_lead(1, LeadPatch::new()).await.unwrap_err(),
        client
            .create_lead(NewLead::new(LeadType::Selection, "12", 1, "x"))
            .await
            .unwrap_err(),
        client.leads().page_size(101).page().await.unwrap_err(),
        client.leads().page_size(0).page().await.unwrap_err(),
        client
            .leads()
            .created_from("yesterday")
            .page()
            .await
            .unwrap_err(),
        client
            .leads()
            .created_between("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z")
            .page()
            .await
            .unwrap_err(),
        client
            .leads()
            .order_ids([0])
            .collect_all()
            .await
            .unwrap_err(),
        client
            .leads()
            .status_ids([1 << 63])
            .page()
            .await
            .unwrap_err(),
        client.leads().offset(u64::MAX).page().await.unwrap_err(),
    ];
    let printed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(printed.join("\n"));
    assert!(server.requests().is_empty());
}
