//! Pins the exact requests the generated client sends for each of the five
//! operations: method, path, query string, headers, JSON body. A change here is
//! a change on the wire, to be reviewed against the Liner docs.

use liner_api::Client;
use liner_api::types::{LeadPatch, LeadType, NewLead, VkIdInput};
use liner_test_support::capture::{CannedResponse, CaptureServer, CapturedRequest};

const API_KEY: &str = "wire-format-test-key";

/// What a snapshot shows of a request. The API key's value is checked here
/// and redacted from the snapshot; headers whose values vary between runs
/// (`host` carries the ephemeral port) are left out.
fn describe(request: &CapturedRequest) -> String {
    assert_eq!(
        request.header("x-api-key"),
        Some(API_KEY),
        "the key is sent as X-Api-Key"
    );
    let mut text = format!("{} {}\n", request.method, request.target);
    let mut headers: Vec<_> = request
        .headers
        .iter()
        .filter(|(name, _)| name != "host")
        .map(|(name, value)| {
            let value = if name == "x-api-key" {
                "[redacted]"
            } else {
                value.as_str()
            };
            format!("{name}: {value}")
        })
        .collect();
    headers.sort();
    for header in headers {
        text.push_str(&header);
        text.push('\n');
    }
    if !request.body.is_empty() {
        let body: serde_json::Value =
            serde_json::from_slice(&request.body).expect("the request body is JSON");
        text.push('\n');
        text.push_str(&serde_json::to_string_pretty(&body).expect("JSON prints"));
        text.push('\n');
    }
    text
}

async fn server_and_client(body: &str) -> (CaptureServer, Client) {
    let server = CaptureServer::start(vec![CannedResponse::ok(body)]).await;
    let client = Client::with_api_key(server.base_url(), API_KEY).expect("valid key");
    (server, client)
}

fn only_request(server: &CaptureServer) -> CapturedRequest {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request per call: {requests:?}");
    requests.into_iter().next().expect("one request")
}

const LEAD: &str = r#"{"success":true,"message":"","data":{"id":123}}"#;

#[tokio::test]
async fn get_lead() {
    let (server, client) = server_and_client(LEAD).await;
    client.get_lead().lead_id(123).send().await.expect("lead");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn list_leads_with_every_parameter() {
    let page = r#"{"success":true,"message":"","data":{"list":[],"next":50,"total":0}}"#;
    let (server, client) = server_and_client(page).await;
    client
        .list_leads()
        .created_at_0(
            "2023-01-01T00:00:00Z"
                .parse::<liner_api::jiff::Timestamp>()
                .unwrap(),
        )
        .created_at_1(
            "2023-01-31T23:59:59Z"
                .parse::<liner_api::jiff::Timestamp>()
                .unwrap(),
        )
        .order_ids(vec![100.try_into().unwrap(), 101.try_into().unwrap()])
        .status_ids(vec![1.try_into().unwrap(), 2.try_into().unwrap()])
        .offset(0)
        .limit(50)
        .send()
        .await
        .expect("page");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn list_leads_without_parameters() {
    let page = r#"{"success":true,"message":"","data":{"list":[]}}"#;
    let (server, client) = server_and_client(page).await;
    client.list_leads().send().await.expect("page");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn create_lead_with_the_required_fields() {
    let created = r#"{"success":true,"message":"","data":{"id":100200300}}"#;
    let (server, client) = server_and_client(created).await;
    let response = client
        .create_lead()
        .body(
            NewLead::builder()
                .lead_type(LeadType::Straight)
                .phone("79001234567")
                .order_id(202)
                .order_code("order-001"),
        )
        .send()
        .await
        .expect("created");
    let created = response
        .into_inner()
        .into_result()
        .expect("a success envelope");
    assert_eq!(created.data.id.get(), 100_200_300);
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn create_lead_with_optional_fields() {
    let created = r#"{"success":true,"message":"","data":{"id":7}}"#;
    let (server, client) = server_and_client(created).await;
    let mut custom = serde_json::Map::new();
    custom.insert("10".into(), "example value".into());
    client
        .create_lead()
        .body(
            NewLead::builder()
                .lead_type(LeadType::Selection)
                .phone("+79001234567")
                .order_id(202)
                .order_code("order-001")
                .name(Some("John Doe".to_owned()))
                .vk_id(Some(VkIdInput::Number(123456.try_into().unwrap())))
                .status_id(Some(10.try_into().unwrap()))
                .utc_offset(Some(-5))
                .custom_values(Some(custom.into())),
        )
        .send()
        .await
        .expect("created");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn update_lead_sends_only_the_fields_set() {
    let updated = r#"{"success":true,"message":"","data":[]}"#;
    let (server, client) = server_and_client(updated).await;
    client
        .update_lead()
        .lead_id(123)
        .body(LeadPatch::builder().status_id(Some(12.try_into().unwrap())))
        .send()
        .await
        .expect("updated");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn get_call() {
    let call = r#"{"success":true,"message":"","data":{"id":55}}"#;
    let (server, client) = server_and_client(call).await;
    client.get_call().call_id(55).send().await.expect("call");
    insta::assert_snapshot!(describe(&only_request(&server)));
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let (server, client) = server_and_client(LEAD).await;
    let zero_id = client.get_lead().lead_id(0).send().await.unwrap_err();
    let bad_phone = client
        .create_lead()
        .body(
            NewLead::builder()
                .lead_type(LeadType::Straight)
                .phone("call me maybe")
                .order_id(1)
                .order_code("x"),
        )
        .send()
        .await
        .unwrap_err();
    let missing_order = client
        .create_lead()
        .body(
            NewLead::builder()
                .lead_type(LeadType::Straight)
                .phone("79001234567"),
        )
        .send()
        .await
        .unwrap_err();
    insta::assert_snapshot!(format!("{zero_id}\n{bad_phone}\n{missing_order}"));
    assert!(server.requests().is_empty(), "nothing reached the server");
}

/// `Client::with_api_key` follows no redirect: the key stays with the base
/// URL's origin, and a create is not re-posted elsewhere.
#[tokio::test]
async fn a_redirect_is_not_followed() {
    use liner_test_support::hostile::{HostileServer, answer, json, script};
    let elsewhere = HostileServer::start(script(|_, stream| json(stream, LEAD))).await;
    let location = format!("{}/v2/lead/create/", elsewhere.base_url());
    let redirecting = HostileServer::start(script(move |_, stream| {
        let head = format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}");
        async move { answer(stream, &head, b"").await }
    }))
    .await;
    let client = Client::with_api_key(redirecting.base_url(), "canary-api-key").unwrap();
    let error = client
        .create_lead()
        .body(NewLead::new(
            LeadType::Straight,
            "79001234567",
            202,
            "order-001",
        ))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, liner_api::Error::UnexpectedResponse(response) if response.status() == 307),
        "{error:?}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other origin"
    );
}
