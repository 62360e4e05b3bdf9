//! `liner`'s types decode every response example in the spec in full: each
//! decoded value serializes back to the example (nulls aside), so a field the
//! types do not know, or know under another name, fails here instead of
//! silently becoming `None`.

use liner::{Call, Lead};
use liner_spec::Spec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `value` without the object members that are `null`: the types read an
/// explicit `null` as an absent field and do not write it back.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key.clone(), without_nulls(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Decodes `json` as `T` and checks that nothing was lost or renamed.
fn round_trip<T: DeserializeOwned + Serialize>(json: &Value, what: &str) -> T {
    let decoded: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|err| panic!("{what} does not decode: {err}"));
    let back = serde_json::to_value(&decoded).unwrap();
    assert_eq!(
        back,
        without_nulls(json),
        "{what} does not survive a round trip"
    );
    decoded
}

#[test]
fn every_success_example_decodes_in_full() {
    let successes: Vec<_> = Spec::workspace()
        .unwrap()
        .examples()
        .into_iter()
        .filter(|e| e.place == "200" && e.value["success"] == true)
        .collect();
    let mut decoded = Vec::new();
    for example in &successes {
        let data = &example.value["data"];
        let what = format!("{} {}", example.operation_id, example.name);
        match example.operation_id.as_str() {
            "getLead" => {
                let lead: Lead = round_trip(data, &what);
                assert_eq!(lead.id.get(), 123);
                assert_eq!(lead.telegram_user_name.as_deref(), Some("user_telegram"));
            }
            "listLeads" => {
                let leads = data["list"].as_array().expect("a list");
                assert!(!leads.is_empty(), "{what}");
                for lead in leads {
                    let _: Lead = round_trip(lead, &what);
                }
                assert_eq!(data["next"], 50);
                assert_eq!(data["total"], 12345);
            }
            "getCall" => {
                let call: Call = round_trip(data, &what);
                assert_eq!(call.status_code.as_deref(), Some("answered"));
            }
            "createLead" => {
                let _: liner_api::types::CreatedLead = round_trip(data, &what);
            }
            // The update's `data` is `[]` and carries nothing.
            "updateLead" => assert_eq!(data, &serde_json::json!([])),
            other => panic!("an example of an operation this test does not know: {other}"),
        }
        decoded.push(what);
    }
    decoded.sort();
    assert_eq!(
        decoded,
        [
            "createLead docs",
            "getCall docs",
            "getLead docs",
            "listLeads docs",
            "updateLead docs",
        ],
        "one documentation example per operation"
    );
}

/// A field renamed in the types (or in a server's answer) is caught: the
/// same check on the documentation's lead with `telegramUserName` misspelled
/// fails.
#[test]
#[should_panic(expected = "does not survive a round trip")]
fn a_renamed_field_is_caught() {
    let example = Spec::workspace()
        .unwrap()
        .examples()
        .into_iter()
        .find(|e| e.operation_id == "getLead" && e.name == "docs")
        .unwrap();
    let mut lead = example.value["data"].clone();
    let value = lead
        .as_object_mut()
        .unwrap()
        .remove("telegramUserName")
        .unwrap();
    lead["telegramUsername"] = value;
    let _: Lead = round_trip(&lead, "a lead with telegramUsername");
}

/// `liner`'s types are the generated ones, not copies: each of these
/// functions compiles only because the two names are one type.
#[test]
fn liner_types_are_the_generated_types() {
    fn same_lead(lead: liner::Lead) -> liner_api::types::Lead {
        lead
    }
    fn same_call(call: liner::Call) -> liner_api::types::Call {
        call
    }
    fn same_new_lead(lead: liner::NewLead) -> liner_api::types::NewLead {
        lead
    }
    fn same_patch(patch: liner::LeadPatch) -> liner_api::types::LeadPatch {
        patch
    }
    assert_eq!(
        std::any::TypeId::of::<liner::Lead>(),
        std::any::TypeId::of::<liner_api::types::Lead>()
    );
    let _ = (same_lead, same_call, same_new_lead, same_patch);
}

/// `liner::Page` is the one hand-written mirror of a schema: it carries
/// `LeadPage`'s paging metadata beside the leads (with what the iteration
/// adds: the offset asked for, undecodable leads, duplicates dropped). A
/// property added to `LeadPage` must be added there too; this test says so.
#[test]
fn page_carries_every_property_of_lead_page() {
    let spec = Spec::workspace().unwrap();
    let properties: Vec<&str> = spec.document()["components"]["schemas"]["LeadPage"]["properties"]
        .as_object()
        .expect("LeadPage has properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        properties,
        ["list", "next", "total"],
        "LeadPage's properties changed: give liner::Page (crates/liner/src/list/page.rs) \
         the new ones"
    );
}
