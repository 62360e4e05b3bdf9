//! OpenAPI 3.0 schema objects to JSON Schema 2020-12.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// Translates one OpenAPI 3.0 schema (recursively) into JSON Schema:
///
/// * `nullable: true` becomes `anyOf: [<the schema>, {type: null}]`. A type
///   union (`type: [string, null]`) would be shorter but wrong next to `enum`
///   or `oneOf`, which would still reject `null`.
/// * `$ref: '#/components/schemas/X'` becomes `$ref: '#/$defs/X'`; the caller
///   puts the translated components under `$defs`.
/// * Draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers.
/// * OpenAPI-only annotations (`example`, `xml`, `externalDocs`,
///   `discriminator`, `deprecated`) are dropped; they do not constrain.
pub fn translate_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in object {
        match key.as_str() {
            "nullable" => nullable = value == &Value::Bool(true),
            "$ref" => {
                let reference = value.as_str().unwrap_or_default();
                let translated = reference
                    .strip_prefix("#/components/schemas/")
                    .map(|name| format!("#/$defs/{name}"))
                    .unwrap_or_else(|| reference.to_owned());
                out.insert(key.clone(), Value::String(translated));
            }
            "example" | "xml" | "externalDocs" | "discriminator" | "deprecated" => {}
            "properties" | "patternProperties" => {
                let map = value
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(name, schema)| (name.clone(), translate_schema(schema)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(map));
            }
            "items" | "additionalProperties" | "not" => {
                out.insert(key.clone(), translate_schema(value));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = value
                    .as_array()
                    .map(|schemas| schemas.iter().map(translate_schema).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(list));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if out.get(flag) == Some(&Value::Bool(true)) {
            if let Some(limit) = out.remove(bound) {
                out.insert(flag.to_owned(), limit);
            }
        } else if out.get(flag) == Some(&Value::Bool(false)) {
            out.remove(flag);
        }
    }
    if nullable {
        json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
    } else {
        Value::Object(out)
    }
}

/// Makes `schema` (translated) refuse object properties it does not declare:
/// `unevaluatedProperties: false` on every schema that declares properties or
/// combines parts with `allOf`, except the parts themselves. A part judges
/// alone, so it would refuse its siblings' properties; the schema that holds
/// the `allOf` sees every part's (JSON Schema 2020-12 collects them through
/// `allOf` and `$ref`). `parts` names the components used as an `allOf` part
/// somewhere: they are left open wherever they appear.
///
/// The spec itself lets a response carry keys it does not list (the API may
/// add fields). Tests use this stricter reading to catch a field the fake (or
/// the spec) misspells, which the open reading would silently accept.
pub fn refuse_unknown_properties(schema: &mut Value, parts: &BTreeSet<String>, is_part: bool) {
    let Value::Object(object) = schema else {
        return;
    };
    let combines = object.contains_key("properties") || object.contains_key("allOf");
    if combines
        && !is_part
        && !object.contains_key("additionalProperties")
        && !object.contains_key("unevaluatedProperties")
    {
        object.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
    }
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "properties" | "$defs" => {
                for (name, child) in value.as_object_mut().into_iter().flatten() {
                    let is_part = key == "$defs" && parts.contains(name);
                    refuse_unknown_properties(child, parts, is_part);
                }
            }
            "allOf" => {
                for part in value.as_array_mut().into_iter().flatten() {
                    refuse_unknown_properties(part, parts, true);
                }
            }
            "anyOf" | "oneOf" => {
                for branch in value.as_array_mut().into_iter().flatten() {
                    refuse_unknown_properties(branch, parts, is_part);
                }
            }
            "items" | "additionalProperties" | "not" => {
                refuse_unknown_properties(value, parts, false);
            }
            _ => {}
        }
    }
}

/// The components of `components` that some schema uses as an `allOf` part
/// (`allOf: [{$ref: '#/components/schemas/X'}]`).
pub fn all_of_parts(components: &Value) -> BTreeSet<String> {
    fn visit(schema: &Value, found: &mut BTreeSet<String>) {
        match schema {
            Value::Object(object) => {
                for part in object
                    .get("allOf")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(name) = part["$ref"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        found.insert(name.to_owned());
                    }
                }
                object.values().for_each(|child| visit(child, found));
            }
            Value::Array(items) => items.iter().for_each(|child| visit(child, found)),
            _ => {}
        }
    }
    let mut found = BTreeSet::new();
    visit(components, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(schema: Value, instance: Value) -> bool {
        jsonschema::draft202012::new(&translate_schema(&schema))
            .expect("valid schema")
            .is_valid(&instance)
    }

    #[test]
    fn nullable_admits_null_even_with_an_enum() {
        let schema = json!({"type": "string", "enum": ["a"], "nullable": true});
        assert!(accepts(schema.clone(), json!(null)));
        assert!(accepts(schema.clone(), json!("a")));
        assert!(!accepts(schema, json!("b")));
        assert!(!accepts(json!({"type": "string"}), json!(null)));
    }

    #[test]
    fn nested_nullable_and_refs_are_translated() {
        let schema = json!({
            "type": "object",
            "properties": {"x": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]}}
        });
        let translated = translate_schema(&schema);
        assert_eq!(
            translated.pointer("/properties/x/anyOf/1/type"),
            Some(&json!("null"))
        );
        assert_eq!(
            translated.pointer("/properties/x/anyOf/0/allOf/0/$ref"),
            Some(&json!("#/$defs/X"))
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true});
        assert!(!accepts(schema.clone(), json!(0)));
        assert!(accepts(schema, json!(1)));
    }

    #[test]
    fn unknown_properties_are_refused_but_allof_parts_stay_open() {
        let components = json!({
            "Envelope": {"type": "object", "properties": {"success": {"type": "boolean"}}},
            "Lead": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "LeadEnvelope": {"allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Lead"}}}
            ]}
        });
        let parts = all_of_parts(&components);
        assert_eq!(parts, BTreeSet::from(["Envelope".to_owned()]));
        let defs: Map<String, Value> = components
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, schema)| (name.clone(), translate_schema(schema)))
            .collect();
        let mut root = json!({"$ref": "#/$defs/LeadEnvelope", "$defs": defs});
        refuse_unknown_properties(&mut root, &parts, false);
        let validator = jsonschema::draft202012::new(&root).expect("valid schema");
        assert!(validator.is_valid(&json!({"success": true, "data": {"id": 1}})));
        assert!(!validator.is_valid(&json!({"success": true, "data": {"id": 1}, "extra": 1})));
        assert!(!validator.is_valid(&json!({"success": true, "data": {"id": 1, "idd": 2}})));
    }
}
