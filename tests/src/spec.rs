//! The examples embedded in `spec/liner.yaml`, read as JSON values.

use serde_json::Value;

/// The spec, parsed from YAML into a JSON value.
pub fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/liner.yaml");
    let text = std::fs::read_to_string(path).expect("spec/liner.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("spec/liner.yaml parses")
}

/// One named example of a request or response body.
#[derive(Debug, Clone)]
pub struct Example {
    pub operation_id: String,
    /// `request`, or the response status (`200`, `401`, ...).
    pub place: String,
    /// The media type the example is given for (`application/json`, ...).
    pub content_type: String,
    pub name: String,
    pub value: Value,
}

/// Every example of every operation, request bodies and responses, in
/// document order, with `$ref`'d responses resolved.
pub fn examples() -> Vec<Example> {
    let document = document();
    let mut found = Vec::new();
    for item in document["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            let Some(operation_id) = operation["operationId"].as_str() else {
                continue;
            };
            let mut push = |place: &str, content: &Value| {
                for (content_type, media) in content.as_object().into_iter().flatten() {
                    let mut named: Vec<(String, Value)> = media["examples"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, example)| (name.clone(), example["value"].clone()))
                        .collect();
                    if let Some(example) = media.get("example") {
                        named.push(("example".to_owned(), example.clone()));
                    }
                    for (name, value) in named {
                        found.push(Example {
                            operation_id: operation_id.to_owned(),
                            place: place.to_owned(),
                            content_type: content_type.clone(),
                            name,
                            value,
                        });
                    }
                }
            };
            push("request", &operation["requestBody"]["content"]);
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = resolve(&document, response);
                push(status, &response["content"]);
            }
        }
    }
    found
}

/// Follows a local `$ref` (`#/components/...`), once.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(pointer) => document
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {pointer}")),
        None => value,
    }
}
