//! Checking JSON bodies against the spec's schemas, with OpenAPI 3.0
//! translated to JSON Schema (see `translate.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::translate::{all_of_parts, refuse_unknown_properties};
use crate::{Spec, translate_schema};

impl Spec {
    /// The body schema of one declared response, for one content type.
    fn body_schema(
        &self,
        operation_id: &str,
        key: &str,
        response: &Value,
        content_type: &str,
    ) -> Result<Value, String> {
        let response = self
            .resolve(response)
            .ok_or_else(|| format!("`{operation_id}`: dangling $ref in response {key}"))?;
        response["content"]
            .get(content_type)
            .and_then(|media| media.get("schema"))
            .cloned()
            .ok_or_else(|| {
                format!("`{operation_id}` response {key} declares no {content_type} body")
            })
    }

    /// A validator for `schema` (an OpenAPI schema that may `$ref` the spec's
    /// components).
    pub fn validator(&self, schema: &Value) -> Result<jsonschema::Validator, String> {
        self.validator_with(schema, Strictness::AsWritten)
    }

    fn validator_with(
        &self,
        schema: &Value,
        strictness: Strictness,
    ) -> Result<jsonschema::Validator, String> {
        let components = self.document.pointer("/components/schemas").cloned();
        let mut root = translate_schema(schema);
        if let (Value::Object(root), Some(Value::Object(components))) = (&mut root, components) {
            let defs: serde_json::Map<String, Value> = components
                .iter()
                .map(|(name, schema)| (name.clone(), translate_schema(schema)))
                .collect();
            root.insert("$defs".to_owned(), Value::Object(defs));
        }
        if strictness == Strictness::NoUnknownProperties {
            let parts = self
                .document
                .pointer("/components/schemas")
                .map(all_of_parts)
                .unwrap_or_default();
            refuse_unknown_properties(&mut root, &parts, false);
        }
        jsonschema::draft202012::new(&root).map_err(|err| format!("invalid schema: {err}"))
    }

    /// A validator of bodies for `schema`. A `oneOf` of envelopes that pin
    /// `success` gets one validator per branch, and a body is checked
    /// against the branch its `success` selects: a problem is reported where
    /// it is (`/data/id: ...`), not as "matches none of the branches".
    pub fn body_validator(&self, schema: &Value) -> Result<BodyValidator, String> {
        self.body_validator_with(schema, Strictness::AsWritten)
    }

    fn body_validator_with(
        &self,
        schema: &Value,
        strictness: Strictness,
    ) -> Result<BodyValidator, String> {
        let resolved = self
            .resolve(schema)
            .ok_or_else(|| format!("$ref {} does not resolve", schema["$ref"]))?;
        let branches: Option<Vec<(bool, &Value)>> = resolved["oneOf"].as_array().and_then(|all| {
            all.iter()
                .map(|branch| self.pinned_success(branch).map(|flag| (flag, branch)))
                .collect()
        });
        match branches {
            Some(branches) => Ok(BodyValidator::BySuccess(
                branches
                    .into_iter()
                    .map(|(flag, branch)| Ok((flag, self.validator_with(branch, strictness)?)))
                    .collect::<Result<_, String>>()?,
            )),
            None => Ok(BodyValidator::One(self.validator_with(schema, strictness)?)),
        }
    }

    /// The one value an envelope schema allows for `success`, if it pins it.
    fn pinned_success(&self, schema: &Value) -> Option<bool> {
        let schema = self.resolve(schema)?;
        if let Some(success) = schema.pointer("/properties/success") {
            let values = self.resolve(success)?["enum"].as_array()?;
            return match values.as_slice() {
                [Value::Bool(flag)] => Some(*flag),
                _ => None,
            };
        }
        schema["allOf"]
            .as_array()?
            .iter()
            .find_map(|part| self.pinned_success(part))
    }

    /// Response validators for every operation, declared status and content
    /// type, built once, for checking many bodies.
    pub fn response_validators(&self) -> Result<ResponseValidators, String> {
        self.response_validators_with(Strictness::AsWritten)
    }

    /// As [`Spec::response_validators`], with every object property the spec
    /// does not declare refused: for tests, where a misspelt optional field
    /// must not pass as an extra one (the spec itself allows extra keys).
    pub fn strict_response_validators(&self) -> Result<ResponseValidators, String> {
        self.response_validators_with(Strictness::NoUnknownProperties)
    }

    fn response_validators_with(
        &self,
        strictness: Strictness,
    ) -> Result<ResponseValidators, String> {
        let mut validators = BTreeMap::new();
        for operation in self.operations() {
            let responses = self
                .operation(&operation.id)
                .and_then(|op| op["responses"].as_object())
                .into_iter()
                .flatten();
            for (key, response) in responses {
                let resolved = self.resolve(response).ok_or_else(|| {
                    format!("`{}`: dangling $ref in response {key}", operation.id)
                })?;
                let content_types = resolved["content"].as_object().into_iter().flatten();
                for (content_type, _) in content_types {
                    let schema = self.body_schema(&operation.id, key, response, content_type)?;
                    validators.insert(
                        (operation.id.clone(), key.clone(), content_type.clone()),
                        self.body_validator_with(&schema, strictness)?,
                    );
                }
            }
        }
        Ok(ResponseValidators { validators })
    }
}

/// How a validator reads object schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// As the spec says: a property it does not declare is allowed.
    AsWritten,
    /// A property the spec does not declare is refused: for tests, where a
    /// misspelt optional field must not pass as an extra one.
    NoUnknownProperties,
}

/// The response keys that can describe `status`, most specific first.
fn response_keys(status: u16) -> [String; 3] {
    [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".to_owned(),
    ]
}

/// Checks bodies against one schema (see [`Spec::body_validator`]).
pub enum BodyValidator {
    One(jsonschema::Validator),
    /// A `oneOf` of envelopes told apart by `success`: the branch whose
    /// `success` the body carries.
    BySuccess(Vec<(bool, jsonschema::Validator)>),
}

impl BodyValidator {
    /// Every problem with `body`, each `<JSON pointer>: <what is wrong>`.
    pub fn problems(&self, body: &Value) -> Vec<String> {
        match self {
            Self::One(validator) => problems(validator, body),
            Self::BySuccess(branches) => match body.get("success").and_then(Value::as_bool) {
                Some(flag) => branches
                    .iter()
                    .find(|(pinned, _)| *pinned == flag)
                    .map(|(_, validator)| problems(validator, body))
                    .unwrap_or_else(|| {
                        vec![format!("/success: no envelope has `success: {flag}`")]
                    }),
                None => vec![format!(
                    "/success: must be true or false (it tells the envelopes apart), got {}",
                    body.get("success")
                        .map_or("nothing".to_owned(), Value::to_string)
                )],
            },
        }
    }
}

/// Prebuilt response validators, keyed by operation id, response key and
/// content type.
pub struct ResponseValidators {
    validators: BTreeMap<(String, String, String), BodyValidator>,
}

impl ResponseValidators {
    /// Checks `body`, sent by `operation_id` with `status` as `content_type`
    /// (a `text/html` body is checked as a JSON string), against the spec.
    pub fn check(
        &self,
        operation_id: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Vec<String> {
        let validator = response_keys(status).iter().find_map(|key| {
            self.validators.get(&(
                operation_id.to_owned(),
                key.clone(),
                content_type.to_owned(),
            ))
        });
        match validator {
            Some(validator) => validator.problems(body),
            None => vec![format!(
                "`{operation_id}` declares no {content_type} response for HTTP {status}"
            )],
        }
    }
}

/// Every problem with `body`, each `<JSON pointer>: <what is wrong>`.
///
/// A property reported unexpected (by the tests' `unevaluatedProperties`)
/// is reported only where nothing else is wrong at or below its object: a
/// failed part of an `allOf` drops what it evaluated, so a body with one
/// wrong field would also list that field's object and siblings as
/// "unexpected", burying the real problem. Fix the rest first.
fn problems(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    let errors: Vec<_> = validator.iter_errors(body).collect();
    let at = |error: &jsonschema::ValidationError<'_>| error.instance_path().to_string();
    let unexpected = |error: &jsonschema::ValidationError<'_>| {
        matches!(
            error.kind(),
            jsonschema::error::ValidationErrorKind::UnevaluatedProperties { .. }
        )
    };
    errors
        .iter()
        .enumerate()
        .filter(|(index, error)| {
            if !unexpected(error) {
                return true;
            }
            let object = at(error);
            !errors.iter().enumerate().any(|(other, problem)| {
                let path = at(problem);
                other != *index
                    && ((path.len() > object.len() && path.starts_with(&format!("{object}/")))
                        || (path == object && !unexpected(problem)))
            })
        })
        .map(|(_, error)| {
            let at = at(error);
            format!("{}: {error}", if at.is_empty() { "/" } else { at.as_str() })
        })
        .collect()
}
