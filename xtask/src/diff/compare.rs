//! The changes between two specs, operation by operation: parameters,
//! request bodies and responses, each schema compared by `schema.rs`.

use serde_json::Value;

use liner_spec::{METHODS, resolve_or_self as resolve};

use super::change::{Change, Side};
use super::schema::{Context, compare_schema};

/// Every change from `old` to `new`, in a stable order.
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let operations = |document: &Value| -> Vec<(String, Value)> {
        let mut found = Vec::new();
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                if let Some(operation) = item.get(*method) {
                    found.push((
                        format!("{} {path}", method.to_uppercase()),
                        operation.clone(),
                    ));
                }
            }
        }
        found
    };
    let (before, after) = (operations(old), operations(new));
    for (name, operation) in &before {
        match after.iter().find(|(other, _)| other == name) {
            None => changes.push(Change {
                breaking: true,
                place: name.clone(),
                what: "operation removed".into(),
            }),
            Some((_, now)) => compare_operation(old, new, name, operation, now, &mut changes),
        }
    }
    for (name, _) in &after {
        if !before.iter().any(|(other, _)| other == name) {
            changes.push(Change {
                breaking: false,
                place: name.clone(),
                what: "operation added".into(),
            });
        }
    }
    changes
}

fn compare_operation(
    old: &Value,
    new: &Value,
    name: &str,
    before: &Value,
    after: &Value,
    changes: &mut Vec<Change>,
) {
    let parameters = |document: &Value, operation: &Value| -> Vec<Value> {
        operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| resolve(document, p).clone())
            .collect()
    };
    let (old_params, new_params) = (parameters(old, before), parameters(new, after));
    let key = |p: &Value| {
        format!(
            "{} parameter {}",
            p["in"].as_str().unwrap_or("?"),
            p["name"].as_str().unwrap_or("?")
        )
    };
    for parameter in &old_params {
        let place = format!("{name}: {}", key(parameter));
        match new_params.iter().find(|p| key(p) == key(parameter)) {
            None => changes.push(Change {
                breaking: true,
                place,
                what: "parameter removed".into(),
            }),
            Some(now) => {
                if now["required"] == true && parameter["required"] != true {
                    changes.push(Change {
                        breaking: true,
                        place: place.clone(),
                        what: "parameter became required".into(),
                    });
                }
                compare_schema(
                    Context {
                        old,
                        new,
                        side: Side::Request,
                    },
                    &parameter["schema"],
                    &now["schema"],
                    &place,
                    changes,
                );
            }
        }
    }
    for parameter in &new_params {
        if !old_params.iter().any(|p| key(p) == key(parameter)) {
            let required = parameter["required"] == true;
            changes.push(Change {
                breaking: required,
                place: format!("{name}: {}", key(parameter)),
                what: if required {
                    "required parameter added".into()
                } else {
                    "optional parameter added".into()
                },
            });
        }
    }
    let body = |operation: &Value| {
        operation
            .pointer("/requestBody/content/application~1json/schema")
            .cloned()
    };
    if let (Some(before_body), Some(after_body)) = (body(before), body(after)) {
        compare_schema(
            Context {
                old,
                new,
                side: Side::Request,
            },
            &before_body,
            &after_body,
            &format!("{name}: request body"),
            changes,
        );
    }
    for (status, response) in before["responses"].as_object().into_iter().flatten() {
        let place = format!("{name}: response {status}");
        let Some(now) = after["responses"].get(status) else {
            changes.push(Change {
                breaking: status.starts_with('2'),
                place,
                what: "response removed".into(),
            });
            continue;
        };
        let schema = |document: &Value, response: &Value| {
            resolve(document, response)
                .pointer("/content/application~1json/schema")
                .cloned()
        };
        if let (Some(before_schema), Some(after_schema)) = (schema(old, response), schema(new, now))
        {
            compare_schema(
                Context {
                    old,
                    new,
                    side: Side::Response,
                },
                &before_schema,
                &after_schema,
                &place,
                changes,
            );
        }
    }
}

/// The report, one line per change, breaking ones first.
pub fn report(label: &str, changes: &[Change]) -> String {
    let mut text = format!("spec/liner.yaml compared with {label}:\n");
    if changes.is_empty() {
        text.push_str("  no changes a client can see\n");
    }
    for change in changes
        .iter()
        .filter(|c| c.breaking)
        .chain(changes.iter().filter(|c| !c.breaking))
    {
        let kind = if change.breaking {
            "BREAKING"
        } else {
            "ok      "
        };
        text.push_str(&format!("  {kind} {}: {}\n", change.place, change.what));
    }
    text
}
