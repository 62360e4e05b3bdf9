//! Every example in the spec, and the odd-but-plausible bodies a PHP backend
//! may send instead, decode into the generated types. Snapshots show what a
//! user of `liner-api` gets out of each.

use liner_api::types::{
    CallEnvelope, CallOrFailure, CreatedLeadOrFailure, FailureEnvelope, LeadEnvelope,
    LeadListEnvelope, LeadOrFailure, LeadPageOrFailure, LeadPatch, NewLead, UpdatedLeadEnvelope,
    UpdatedLeadOrFailure,
};
use liner_spec::{Example, Spec};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `value` as `T`, returning a printable result.
fn decode<T: DeserializeOwned + std::fmt::Debug>(value: &Value) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|err| err.to_string())
}

/// Decodes one spec example into the type its place calls for and prints it.
fn decode_example(example: &Example) -> String {
    let value = &example.value;
    if example.content_type != "application/json" {
        // A proxy's HTML page: the generated client does not decode it.
        return value.as_str().expect("a text example").to_owned();
    }
    let decoded = match (example.operation_id.as_str(), example.place.as_str()) {
        ("createLead", "request") => round_trip::<NewLead>(value),
        ("updateLead", "request") => round_trip::<LeadPatch>(value),
        ("getLead", "200") => decode::<LeadOrFailure>(value).map(|v| format!("{v:#?}")),
        ("listLeads", "200") => decode::<LeadPageOrFailure>(value).map(|v| format!("{v:#?}")),
        ("createLead", "200") => decode::<CreatedLeadOrFailure>(value).map(|v| format!("{v:#?}")),
        ("updateLead", "200") => decode::<UpdatedLeadOrFailure>(value).map(|v| format!("{v:#?}")),
        ("getCall", "200") => decode::<CallOrFailure>(value).map(|v| format!("{v:#?}")),
        (_, status) if !status.starts_with('2') => {
            decode::<FailureEnvelope>(value).map(|v| format!("{v:#?}"))
        }
        (operation, place) => panic!("no type for the {place} example of {operation}"),
    };
    decoded.unwrap_or_else(|err| {
        panic!(
            "the {} example `{}` of {} does not decode: {err}",
            example.place, example.name, example.operation_id
        )
    })
}

/// Request examples decode and serialize back to the same JSON: the typed
/// request can say everything the docs' example says.
fn round_trip<T>(value: &Value) -> Result<String, String>
where
    T: DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let typed: T = decode(value)?;
    let back = serde_json::to_value(&typed).map_err(|err| err.to_string())?;
    assert_eq!(&back, value, "the request example survives a round trip");
    Ok(format!("{typed:#?}"))
}

#[test]
fn every_example_in_the_spec_decodes() {
    let examples = Spec::workspace().unwrap().examples();
    // Two request bodies with two examples each; five 200s with one
    // documentation example each, plus getLead's failure at 200; the three
    // illustrative failure envelopes (401, 404, 4XX) under every operation
    // that declares them (5 x 401, 3 x 404, 5 x 4XX); the proxy's HTML page
    // under each 5XX (5).
    assert_eq!(examples.len(), 4 + 6 + 13 + 5, "{examples:#?}");
    let mut seen = std::collections::BTreeSet::new();
    for example in &examples {
        let name = format!(
            "{}-{}-{}",
            example.operation_id, example.place, example.name
        );
        // The shared failure responses appear under several operations; one
        // snapshot of each is enough.
        let key = if example.place.starts_with('2') || example.place == "request" {
            name.clone()
        } else {
            format!("failure-{}-{}", example.place, example.name)
        };
        let printed = decode_example(example);
        if seen.insert(key.clone()) {
            insta::assert_snapshot!(key, printed);
        }
    }
}

/// Bodies that differ from the documentation's tables the ways the spec's
/// "Decision:" paragraphs anticipate. Each must decode.
#[test]
fn odd_but_plausible_bodies_decode() {
    let lead_page = json!({
        "success": true,
        "message": "",
        "data": {
            "list": [
                // vkId as a number, customValues as PHP's empty array, a Unix
                // timestamp, nulls where the tables say string/bool/int, a
                // lead type and create method the docs do not list.
                {
                    "id": 1,
                    "vkId": 123456,
                    "customValues": [],
                    "planningCallDateTime": 1704189600,
                    "isSecondary": null,
                    "previousLeadId": null,
                    "nextLeadId": 2,
                    "name": null,
                    "statusId": null,
                    "leadType": "callback",
                    "createMethod": "import"
                },
                // Only the id: every other field may be missing.
                { "id": 2 },
                // An empty object for customValues, vkId as a string.
                { "id": 3, "customValues": {}, "vkId": "42", "leadType": "selection" }
            ],
            "next": null,
            "total": 3
        }
    });
    let call_with_status_id = json!({
        "success": true, "message": "",
        "data": {
            "id": 9, "statusId": 4, "direction": "transfer", "finishInitiator": "timeout",
            "userId": null, "createdAt": "2024-01-01 00:00:00"
        }
    });
    let update_variants = [
        json!({"success": true, "message": "", "data": []}),
        json!({"success": true, "message": "", "data": {}}),
        json!({"success": true, "message": "", "data": null}),
        json!({"success": true, "message": ""}),
    ];
    let mut printed = String::new();
    printed += &format!(
        "{:#?}\n",
        decode::<LeadListEnvelope>(&lead_page).expect("odd page")
    );
    printed += &format!(
        "{:#?}\n",
        decode::<CallEnvelope>(&call_with_status_id).expect("odd call")
    );
    for body in &update_variants {
        printed += &format!(
            "{:?}\n",
            decode::<UpdatedLeadEnvelope>(body).expect("update ack")
        );
    }
    // The update's `data` is optional and untyped, so only `success` tells a
    // failure at 200 from an acknowledgement.
    let refused = json!({"success": false, "message": "Lead is locked", "data": []});
    match decode::<UpdatedLeadOrFailure>(&refused).expect("a failure at 200") {
        UpdatedLeadOrFailure::FailureEnvelope(failure) => {
            assert_eq!(failure.message, "Lead is locked")
        }
        other => panic!("a failure read as {other:?}"),
    }
    for body in &update_variants {
        assert!(
            matches!(
                decode::<UpdatedLeadOrFailure>(body),
                Ok(UpdatedLeadOrFailure::UpdatedLeadEnvelope(_))
            ),
            "{body}"
        );
    }
    insta::assert_snapshot!(printed);
}

/// Where tolerance ends: these are not Liner responses, and decoding them must
/// fail rather than invent data.
#[test]
fn bodies_that_are_not_leads_fail_to_decode() {
    let cases = [
        (
            "lead without id",
            json!({"success": true, "message": "", "data": {"name": "x"}}),
        ),
        (
            "lead id zero",
            json!({"success": true, "message": "", "data": {"id": 0}}),
        ),
        (
            "data is the failure []",
            json!({"success": false, "message": "Lead not found", "data": []}),
        ),
        (
            "customValues a string",
            json!({"success": true, "message": "", "data": {"id": 1, "customValues": "a"}}),
        ),
    ];
    let printed: Vec<String> = cases
        .iter()
        .map(|(name, body)| {
            let err = decode::<LeadEnvelope>(body).expect_err(name);
            format!("{name}: {err}")
        })
        .collect();
    insta::assert_snapshot!(printed.join("\n"));
}
