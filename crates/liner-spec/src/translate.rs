//! OpenAPI 3.0 schema objects to JSON Schema 2020-12.

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
}
