//! The generated mocks drive the generated client.

use httpmock::MockServer;
use liner_api::Client;
use liner_api::types::{FailureEnvelope, LeadPageOrFailure, LeadPatch, UpdatedLeadOrFailure};
use liner_api_httpmock::MockServerExt as _;
use serde_json::json;

fn envelope<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid envelope")
}

#[tokio::test]
async fn typed_mocks_answer_the_generated_client() {
    let server = MockServer::start_async().await;
    let client = Client::with_api_key(&server.base_url(), "test-key").unwrap();

    let page: LeadPageOrFailure = envelope(json!({
        "success": true, "message": "",
        "data": { "list": [{ "id": 1 }, { "id": 2 }], "next": 2, "total": 3 }
    }));
    let list = server.list_leads(|when, then| {
        // The array parameters have no typed matcher (progenitor #1260).
        when.limit(std::num::NonZeroU64::new(2))
            .into_inner()
            .query_param("orderIds[]", "100");
        then.ok(&page);
    });
    let got = client
        .list_leads()
        .limit(2)
        .order_ids(vec![100.try_into().unwrap()])
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .expect("a success envelope");
    assert_eq!(got.data.total, Some(3));
    list.assert();

    let missing: FailureEnvelope =
        envelope(json!({ "success": false, "message": "Lead not found", "data": [] }));
    let not_found = server.update_lead(|when, then| {
        when.lead_id(9.try_into().unwrap());
        then.not_found(&missing);
    });
    let err = client
        .update_lead()
        .lead_id(9)
        .body(LeadPatch::builder().name(Some("x".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    not_found.assert();

    let ack: UpdatedLeadOrFailure = envelope(json!({ "success": true, "message": "", "data": [] }));
    let updated = server.update_lead(|when, then| {
        when.lead_id(1.try_into().unwrap());
        then.ok(&ack);
    });
    let answer = client
        .update_lead()
        .lead_id(1)
        .body(LeadPatch::builder().status_id(Some(3.try_into().unwrap())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(answer.into_result().is_ok());
    updated.assert();

    // A failure reported with 200, as the envelope allows: a typed value,
    // not an undecodable payload.
    let refused: UpdatedLeadOrFailure =
        envelope(json!({ "success": false, "message": "Lead is locked", "data": [] }));
    let locked = server.update_lead(|when, then| {
        when.lead_id(2.try_into().unwrap());
        then.ok(&refused);
    });
    let answer = client
        .update_lead()
        .lead_id(2)
        .body(LeadPatch::builder().status_id(Some(3.try_into().unwrap())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.into_result().unwrap_err().message, "Lead is locked");
    locked.assert();
}
