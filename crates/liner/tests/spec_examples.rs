//! `liner`'s own types decode every response example in the spec, so they
//! cannot drift from `spec/liner.yaml` unnoticed.

use liner::{Call, Lead};
use liner_tests::spec::examples;

#[test]
fn every_response_example_decodes_into_liner_types() {
    let mut decoded = 0;
    let successes = examples()
        .into_iter()
        .filter(|e| e.place == "200" && e.value["success"] == true);
    for example in successes {
        let data = &example.value["data"];
        match example.operation_id.as_str() {
            "getLead" => {
                let lead: Lead = serde_json::from_value(data.clone()).unwrap();
                assert_eq!(lead.id, 123);
                assert_eq!(lead.custom_values["10"], "example value");
            }
            "listLeads" => {
                let leads: Vec<Lead> = serde_json::from_value(data["list"].clone()).unwrap();
                assert!(!leads.is_empty());
            }
            "getCall" => {
                let call: Call = serde_json::from_value(data.clone()).unwrap();
                assert_eq!(call.status_code.as_deref(), Some("answered"));
            }
            _ => continue,
        }
        decoded += 1;
    }
    assert_eq!(decoded, 3, "the lead, list and call examples");
}
