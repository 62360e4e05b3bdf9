//! The generated client against the fake Liner server, every response of
//! which is checked against the spec (see `liner_test_support::conformance`).

use std::collections::BTreeSet;

use liner_api::types::{
    CustomValuesInput, FailureEnvelope, LeadPatch, LeadType, NewLead, VkIdInput,
};
use liner_api::values::Timestamp;
use liner_api::{Client, Error};
use liner_fake::Config;
use liner_test_support::conformance::CheckedFake;
use serde_json::json;

pub(crate) fn client(fake: &CheckedFake) -> Client {
    Client::with_api_key(fake.base_url(), fake.api_key()).expect("valid key")
}

/// Lead `id`, which must exist.
async fn lead_at(client: &Client, id: std::num::NonZeroU64) -> liner_api::types::Lead {
    client
        .get_lead()
        .lead_id(id)
        .send()
        .await
        .expect("detail")
        .into_inner()
        .into_result()
        .expect("a success envelope")
        .data
}

/// The 100 leads at `offset`, unfiltered.
async fn page_at(client: &Client, offset: u64) -> liner_api::types::LeadPage {
    client
        .list_leads()
        .offset(offset)
        .limit(100)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .expect("a success envelope")
        .data
}

pub(crate) fn new_lead(phone: &str) -> liner_api::types::builder::NewLead {
    NewLead::builder()
        .lead_type(LeadType::Straight)
        .phone(phone)
        .order_id(202)
        .order_code("order-202")
}

#[tokio::test]
async fn all_five_operations_round_trip() {
    let fake = CheckedFake::start(Config::default().with_leads(20).with_calls(5)).await;
    let client = client(&fake);

    let mut custom = serde_json::Map::new();
    custom.insert("10".into(), json!("hot"));
    let created = client
        .create_lead()
        .body(
            new_lead("+79001112233")
                .name(Some("Anna Test".to_owned()))
                .vk_id(Some(VkIdInput::Number(777.try_into().unwrap())))
                .custom_values(Some(CustomValuesInput(custom))),
        )
        .send()
        .await
        .expect("create")
        .into_inner()
        .into_result()
        .expect("a success envelope");
    let id = created.data.id;
    assert_eq!(id.get(), 21, "ids continue after the 20 seeded leads");

    let lead = lead_at(&client, id).await;
    assert_eq!(lead.name.as_deref(), Some("Anna Test"));
    assert_eq!(lead.phone.as_deref(), Some("+79001112233"));
    assert_eq!(lead.order_id.map(|id| id.get()), Some(202));

    client
        .update_lead()
        .lead_id(id)
        // A draft, checked when the generated client converts it.
        .body(LeadPatch::new().status_id(12).name("Anna Updated"))
        .send()
        .await
        .expect("update");
    let updated = lead_at(&client, id).await;
    assert_eq!(updated.status_id.map(|id| id.get()), Some(12));
    assert_eq!(updated.name.as_deref(), Some("Anna Updated"));
    assert_eq!(updated.phone, lead.phone, "fields not sent are kept");
    let custom = updated.custom_values.expect("custom values kept");
    assert_eq!(custom["10"], json!("hot"));

    let page = client
        .list_leads()
        .offset(20)
        .limit(10)
        .send()
        .await
        .expect("list")
        .into_inner()
        .into_result()
        .expect("a success envelope")
        .data;
    assert_eq!(page.total, Some(21));
    assert_eq!(
        page.list.iter().map(|l| l.id.get()).collect::<Vec<_>>(),
        vec![21]
    );
    assert_eq!(page.next, None, "no page after the last one");

    let call = client
        .get_call()
        .call_id(3)
        .send()
        .await
        .expect("call")
        .into_inner()
        .into_result()
        .expect("a success envelope")
        .data;
    assert_eq!(call.id.get(), 3);
    let lead_of_call = call.lead_id.expect("calls belong to leads");
    client
        .get_lead()
        .lead_id(lead_of_call)
        .send()
        .await
        .expect("the call's lead exists");
    assert_eq!(
        fake.checked(),
        7,
        "every response was checked against the spec"
    );
}

/// Pages through a filtered list to the end and checks the result against
/// the same filter applied to the unfiltered list.
#[tokio::test]
async fn paging_to_the_end_with_filters() {
    let fake = CheckedFake::start(Config::default().with_leads(1234)).await;
    let client = client(&fake);

    let mut everything = Vec::new();
    let mut offset = 0;
    loop {
        let page = page_at(&client, offset).await;
        everything.extend(page.list);
        match page.next {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(everything.len(), 1234);

    let (from, to) = ("2023-01-01T02:00:00Z", "2023-01-01T09:59:59Z");
    let instant = |text: &str| text.parse::<liner_api::jiff::Timestamp>().unwrap();
    let in_range = |lead: &liner_api::types::Lead| {
        let created = match &lead.created_at {
            Some(Timestamp::Text(text)) => text.clone(),
            other => panic!("seeded leads have text timestamps: {other:?}"),
        };
        created.as_str() >= from && created.as_str() <= to
    };
    let expected: Vec<u64> = everything
        .iter()
        .filter(|l| [100, 303].contains(&l.order_id.unwrap().get()))
        .filter(|l| [1, 2, 3, 5].contains(&l.status_id.unwrap().get()))
        .filter(|l| in_range(l))
        .map(|l| l.id.get())
        .collect();
    assert!(
        expected.len() > 30,
        "the filter selects a multi-page sample: {}",
        expected.len()
    );

    let mut seen = Vec::new();
    let mut offset = 0;
    let mut pages = 0;
    loop {
        let page = client
            .list_leads()
            .created_at_0(instant(from))
            .created_at_1(instant(to))
            .order_ids(vec![100.try_into().unwrap(), 303.try_into().unwrap()])
            .status_ids([1, 2, 3, 5].map(|s| s.try_into().unwrap()).to_vec())
            .offset(offset)
            .limit(10)
            .send()
            .await
            .unwrap()
            .into_inner()
            .into_result()
            .expect("a success envelope")
            .data;
        pages += 1;
        assert_eq!(page.total, Some(expected.len() as u64));
        seen.extend(page.list.iter().map(|l| l.id.get()));
        match page.next {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, expected.len().div_ceil(10));
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        seen.len(),
        "no lead twice"
    );
}

/// Requests the spec forbids, sent raw (the generated client would refuse
/// most of them), and how the fake answers each.
#[tokio::test]
async fn every_validation_error() {
    let fake = CheckedFake::start(Config::default().with_leads(10)).await;
    let http = reqwest::Client::new();
    let base = fake.base_url();
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .header("X-Api-Key", "test-key")
    };
    let post = |path: &str, body: &str| {
        http.post(format!("{base}{path}"))
            .header("X-Api-Key", "test-key")
            .header("Content-Type", "application/json")
            .body(body.to_owned())
    };
    let cases = [
        ("limit above 100", get("/v2/lead/?limit=101")),
        ("limit 0", get("/v2/lead/?limit=0")),
        ("negative offset", get("/v2/lead/?offset=-1")),
        (
            "offset beyond int64",
            get("/v2/lead/?offset=9223372036854775808"),
        ),
        (
            "unparsable createdAt",
            get("/v2/lead/?createdAt%5B0%5D=last%20week"),
        ),
        (
            "createdAt as a date, not a date-time",
            get("/v2/lead/?createdAt%5B1%5D=2023-01-31"),
        ),
        ("non-numeric orderIds", get("/v2/lead/?orderIds%5B%5D=abc")),
        ("orderIds without brackets", get("/v2/lead/?orderIds=1")),
        ("lead id 0", get("/v2/lead/detail/0/")),
        ("lead id not a number", get("/v2/lead/detail/abc/")),
        (
            "lead id beyond int64",
            get("/v2/lead/detail/9223372036854775808/"),
        ),
        ("unknown lead", get("/v2/lead/detail/11/")),
        ("unknown call", get("/v2/call/detail/99999/")),
        ("create without fields", post("/v2/lead/create/", "{}")),
        (
            "create with bad leadType",
            post(
                "/v2/lead/create/",
                r#"{"leadType":"vip","phone":"79001234567","orderId":1,"orderCode":"a"}"#,
            ),
        ),
        (
            "create with orderId 0",
            post(
                "/v2/lead/create/",
                r#"{"leadType":"straight","phone":"79001234567","orderId":0,"orderCode":"a"}"#,
            ),
        ),
        (
            "create with orderId and statusId beyond int64",
            post(
                "/v2/lead/create/",
                r#"{"leadType":"straight","phone":"79001234567","orderId":9223372036854775808,"orderCode":"a","statusId":18446744073709551615}"#,
            ),
        ),
        (
            "create with a malformed phone",
            post(
                "/v2/lead/create/",
                r#"{"leadType":"straight","phone":"8 (900) 123","orderId":1,"orderCode":"a"}"#,
            ),
        ),
        (
            "create with a quoted statusId",
            post(
                "/v2/lead/create/",
                r#"{"leadType":"straight","phone":"79001234567","orderId":1,"orderCode":"a","statusId":"10"}"#,
            ),
        ),
        (
            "create with invalid JSON",
            post("/v2/lead/create/", "{\"leadType\":"),
        ),
        ("empty update", post("/v2/lead/update/1/", "{}")),
        (
            "update with a vkId of 0",
            post("/v2/lead/update/1/", r#"{"vkId":"0"}"#),
        ),
        (
            "update of an unknown lead",
            post("/v2/lead/update/11/", r#"{"name":"x"}"#),
        ),
        ("GET on a POST endpoint", get("/v2/lead/create/")),
        ("unknown path", get("/v2/leads/")),
    ];
    let mut table = String::new();
    for (name, request) in cases {
        let response = request.send().await.expect("the fake answers");
        let status = response.status().as_u16();
        // Decoding proves `success: false`: `FailureEnvelope::success` accepts
        // nothing else.
        let body: FailureEnvelope = response.json().await.expect("a failure envelope");
        table.push_str(&format!("{name}: {status} {}\n", body.message));
    }
    insta::assert_snapshot!(table);
}

/// RFC 9110: a 405 says which methods the path allows, and `HEAD` works
/// wherever `GET` does.
#[tokio::test]
async fn a_405_names_the_allowed_methods_and_head_is_a_get() {
    let fake = CheckedFake::start(Config::default().with_leads(3)).await;
    let http = reqwest::Client::new();
    let mut seen = String::new();
    for (method, path) in [
        ("TRACE", "/v2/lead/detail/1/"),
        ("POST", "/v2/lead/"),
        ("GET", "/v2/lead/create/"),
        ("DELETE", "/v2/lead/update/1/"),
    ] {
        let response = http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", fake.base_url()),
            )
            .header("X-Api-Key", "test-key")
            .send()
            .await
            .unwrap();
        let allow = response.headers().get("allow").cloned();
        seen.push_str(&format!(
            "{method} {path}: {} Allow: {allow:?}\n",
            response.status().as_u16()
        ));
    }
    insta::assert_snapshot!(seen, @r#"
    TRACE /v2/lead/detail/1/: 405 Allow: Some("GET, HEAD")
    POST /v2/lead/: 405 Allow: Some("GET, HEAD")
    GET /v2/lead/create/: 405 Allow: Some("POST")
    DELETE /v2/lead/update/1/: 405 Allow: Some("POST")
    "#);
    let head = http
        .head(format!("{}/v2/lead/detail/1/", fake.base_url()))
        .header("X-Api-Key", "test-key")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    let length: usize = head.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(length > 100, "the length of the GET's body: {length}");
    assert!(head.bytes().await.unwrap().is_empty(), "no body for HEAD");
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_401() {
    let fake = CheckedFake::start(Config::default().with_leads(3)).await;
    let wrong = Client::with_api_key(fake.base_url(), "not-the-key").unwrap();
    let missing = Client::new(fake.base_url());
    let mut seen = Vec::new();
    for client in [wrong, missing] {
        match client.get_lead().lead_id(1).send().await {
            Err(Error::ErrorResponse(response)) => {
                assert_eq!(response.status().as_u16(), 401);
                seen.push(response.into_inner().message);
            }
            other => panic!("expected a 401 envelope, got {other:?}"),
        }
    }
    assert_eq!(seen, ["Invalid API key", "Missing X-Api-Key header"]);
}

#[tokio::test]
async fn trailing_slashes_are_optional_on_the_fake() {
    // The docs' own examples call `/v2/lead/detail/{id}` without the slash.
    let fake = CheckedFake::start(Config::default().with_leads(3)).await;
    let http = reqwest::Client::new();
    for path in [
        "/v2/lead/detail/2",
        "/v2/lead/detail/2/",
        "/v2/lead",
        "/v2/call/detail/1",
    ] {
        let response = http
            .get(format!("{}{path}", fake.base_url()))
            .header("X-Api-Key", "test-key")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
}

/// In shifting mode, offset paging sees leads move: the naive loop reads
/// some twice. (The ergonomic crate's pagination has to cope with this.)
#[tokio::test]
async fn shifting_mode_moves_the_list_under_a_pager() {
    let fake = CheckedFake::start(Config::default().with_leads(300).with_shift_per_page(7)).await;
    let client = client(&fake);
    let mut ids = Vec::new();
    let mut offset = 0;
    for _ in 0..3 {
        let page = page_at(&client, offset).await;
        ids.extend(page.list.iter().map(|l| l.id.get()));
        offset = page.next.unwrap();
    }
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 300);
    assert_eq!(unique.len(), 300 - 7 - 7, "each shift re-serves 7 leads");
    assert_eq!(fake.server.stats().leads_total, 314);
}

/// A million seeded leads start at once and serve their last page: they are
/// built on demand, not up front.
#[tokio::test]
async fn a_million_leads_are_served_lazily() {
    let fake = CheckedFake::start(Config::default().with_leads(1_000_000)).await;
    let page = client(&fake)
        .list_leads()
        .offset(999_950)
        .limit(100)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .expect("a success envelope")
        .data;
    assert_eq!(page.total, Some(1_000_000));
    assert_eq!(page.list.len(), 50);
    assert_eq!(page.list.last().unwrap().id.get(), 1_000_000);
}
