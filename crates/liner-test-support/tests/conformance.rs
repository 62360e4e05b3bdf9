//! The conformance check itself: it accepts what the spec describes and
//! rejects a response whose shape drifted, naming where.

use liner_spec::Spec;
fn examples() -> Vec<liner_spec::Example> {
    Spec::workspace().expect("the spec reads").examples()
}
use serde_json::{Value, json};

const JSON: &str = "application/json";

/// Every response example embedded in the spec is valid against the schema
/// it illustrates (with OpenAPI's `nullable` translated for the validator),
/// read strictly: no property the schema does not declare.
#[test]
fn every_response_example_validates_against_its_schema() {
    let spec = Spec::workspace().unwrap();
    let validators = spec.strict_response_validators().unwrap();
    let mut checked = 0;
    for example in examples().iter().filter(|e| e.place != "request") {
        let status = match example.place.as_str() {
            "4XX" => 400,
            "5XX" => 500,
            exact => exact.parse().unwrap(),
        };
        let problems = validators.check(
            &example.operation_id,
            status,
            &example.content_type,
            &example.value,
        );
        assert!(
            problems.is_empty(),
            "{} {} {}: {problems:#?}",
            example.operation_id,
            example.place,
            example.name
        );
        checked += 1;
    }
    // The five documentation examples of the 200s, getLead's failure at
    // 200, the three illustrative failures under every operation that
    // declares them (5 x 401, 3 x 404, 5 x 4XX), the proxy's page under each
    // 5XX (5).
    assert_eq!(
        checked,
        5 + 1 + 13 + 5,
        "every response example was checked"
    );
}

/// Real fake responses, then the same with the drifts a refactoring of the
/// fake could introduce. The untouched ones pass; each drift is caught.
#[tokio::test]
async fn a_drifted_response_is_caught() {
    let fake = liner_fake::FakeServer::start(liner_fake::Config::default().with_leads(5))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let request = http
            .get(format!("{}{path}", fake.base_url()))
            .header("X-Api-Key", "test-key");
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let lead = get("/v2/lead/detail/1/".into()).await;
    let page = get("/v2/lead/?limit=2".into()).await;
    let call = get("/v2/call/detail/1/".into()).await;

    let spec = Spec::workspace().unwrap();
    let validators = spec.strict_response_validators().unwrap();
    assert_eq!(
        validators.check("getLead", 200, JSON, &lead),
        Vec::<String>::new()
    );
    assert_eq!(
        validators.check("listLeads", 200, JSON, &page),
        Vec::<String>::new()
    );
    assert_eq!(
        validators.check("getCall", 200, JSON, &call),
        Vec::<String>::new()
    );

    let drifts: Vec<(&str, &str, Value)> = vec![
        (
            "getLead",
            "id sent as a string",
            patched(&lead, "/data/id", json!("1")),
        ),
        (
            "getLead",
            "success sent as a string",
            patched(&lead, "/success", json!("true")),
        ),
        (
            "getLead",
            "isSecondary as 0/1",
            patched(&lead, "/data/isSecondary", json!(1)),
        ),
        (
            "getLead",
            "customValues as a string",
            patched(&lead, "/data/customValues", json!("none")),
        ),
        (
            "listLeads",
            "the list renamed",
            renamed(&page, "/data", "list", "items"),
        ),
        (
            "listLeads",
            "total as a string",
            patched(&page, "/data/total", json!("5")),
        ),
        (
            "getCall",
            "direction as a number",
            patched(&call, "/data/direction", json!(1)),
        ),
        ("getCall", "no message", removed(&call, "", "message")),
        (
            "getLead",
            "an optional field misspelt",
            renamed(&lead, "/data", "telegramUserName", "telegramUsername"),
        ),
        (
            "listLeads",
            "an optional field of a listed lead misspelt",
            renamed(&page, "/data/list/0", "createdAt", "created_at"),
        ),
        (
            "getCall",
            "an optional field misspelt",
            renamed(&call, "/data", "hasRecords", "hasRecordings"),
        ),
    ];
    let mut report = String::new();
    for (operation, drift, body) in drifts {
        let problems = validators.check(operation, 200, JSON, &body);
        assert!(!problems.is_empty(), "{drift} went unnoticed");
        report.push_str(&format!(
            "{operation}, {drift}:\n  {}\n",
            problems.join("\n  ")
        ));
    }
    insta::assert_snapshot!(report);

    // The strictness is the tests' own: the spec as written lets a response
    // carry keys it does not list, so a misspelling passes there.
    let as_written = spec.response_validators().unwrap();
    let misspelt = renamed(&lead, "/data", "telegramUserName", "telegramUsername");
    assert_eq!(
        as_written.check("getLead", 200, JSON, &misspelt),
        Vec::<String>::new()
    );
}

fn patched(body: &Value, pointer: &str, value: Value) -> Value {
    let mut body = body.clone();
    *body.pointer_mut(pointer).unwrap() = value;
    body
}

fn removed(body: &Value, parent: &str, key: &str) -> Value {
    let mut body = body.clone();
    body.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    body
}

fn renamed(body: &Value, parent: &str, from: &str, to: &str) -> Value {
    let mut body = body.clone();
    let object = body.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    let value = object.remove(from).unwrap();
    object.insert(to.to_owned(), value);
    body
}
