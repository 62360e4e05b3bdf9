//! `spec/liner.yaml` as data: its operations, their response schemas, and a
//! validator that checks a JSON body against them.
//!
//! OpenAPI 3.0 schemas are not JSON Schema: `nullable: true` has no JSON
//! Schema equivalent, and `$ref`s point into `#/components/schemas`. The
//! [`translate_schema`] rewrites them so that a standard JSON Schema validator
//! (the `jsonschema` crate) can check bodies against the spec itself rather
//! than against our own Rust types, which could drift from it.

mod translate;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

pub use translate::translate_schema;

/// The workspace's spec file.
pub fn workspace_spec_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/liner.yaml")
}

/// The spec, parsed into JSON.
#[derive(Debug, Clone)]
pub struct Spec {
    document: Value,
}

/// An operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
}

impl Spec {
    /// Reads `spec/liner.yaml` of this workspace.
    pub fn workspace() -> Result<Self, String> {
        Self::load(&workspace_spec_path())
    }

    /// Reads and parses a spec file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        Self::parse(&text).map_err(|err| format!("{}: {err}", path.display()))
    }

    /// Parses spec text (YAML or JSON).
    pub fn parse(text: &str) -> Result<Self, String> {
        let document = serde_yaml_ng::from_str(text).map_err(|err| err.to_string())?;
        Ok(Self { document })
    }

    /// The whole document.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in self.document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Some(id) = operation["operationId"].as_str() {
                    operations.push(Operation {
                        id: id.to_owned(),
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                    });
                }
            }
        }
        operations
    }

    fn operation(&self, operation_id: &str) -> Option<&Value> {
        self.document["paths"]
            .as_object()?
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|operation| operation["operationId"] == operation_id)
    }

    /// Follows a local `$ref` until it reaches a non-reference value.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    value = self.document.pointer(reference.strip_prefix('#')?)?;
                }
                None => return Some(value),
            }
        }
        None
    }

    /// The schema of the body the response `operation_id` declares for
    /// `status` (the exact status if declared, else its range, `4XX`, else
    /// `default`) has for `content_type`.
    pub fn response_schema(
        &self,
        operation_id: &str,
        status: u16,
        content_type: &str,
    ) -> Result<Value, String> {
        let operation = self
            .operation(operation_id)
            .ok_or_else(|| format!("the spec has no operation `{operation_id}`"))?;
        let key = response_keys(status)
            .into_iter()
            .find(|key| operation["responses"].get(key).is_some())
            .ok_or_else(|| format!("`{operation_id}` declares no response for HTTP {status}"))?;
        self.body_schema(
            operation_id,
            &key,
            &operation["responses"][&key],
            content_type,
        )
    }

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
        let components = self.document.pointer("/components/schemas").cloned();
        let mut root = translate_schema(schema);
        if let (Value::Object(root), Some(Value::Object(components))) = (&mut root, components) {
            let defs: serde_json::Map<String, Value> = components
                .iter()
                .map(|(name, schema)| (name.clone(), translate_schema(schema)))
                .collect();
            root.insert("$defs".to_owned(), Value::Object(defs));
        }
        jsonschema::draft202012::new(&root).map_err(|err| format!("invalid schema: {err}"))
    }

    /// A validator of bodies for `schema`. A `oneOf` of envelopes that pin
    /// `success` gets one validator per branch, and a body is checked
    /// against the branch its `success` selects: a problem is reported where
    /// it is (`/data/id: ...`), not as "matches none of the branches".
    pub fn body_validator(&self, schema: &Value) -> Result<BodyValidator, String> {
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
                    .map(|(flag, branch)| Ok((flag, self.validator(branch)?)))
                    .collect::<Result<_, String>>()?,
            )),
            None => Ok(BodyValidator::One(self.validator(schema)?)),
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

    /// Checks `body`, sent by `operation_id` with `status` as `content_type`,
    /// against the spec. Each problem names the JSON pointer of the offending
    /// value.
    pub fn check_response(
        &self,
        operation_id: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Vec<String> {
        let schema = match self.response_schema(operation_id, status, content_type) {
            Ok(schema) => schema,
            Err(err) => return vec![err],
        };
        match self.body_validator(&schema) {
            Ok(validator) => validator.problems(body),
            Err(err) => vec![err],
        }
    }

    /// Response validators for every operation, declared status and content
    /// type, built once, for checking many bodies.
    pub fn response_validators(&self) -> Result<ResponseValidators, String> {
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
                        self.body_validator(&schema)?,
                    );
                }
            }
        }
        Ok(ResponseValidators { validators })
    }
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

fn problems(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator
        .iter_errors(body)
        .map(|error| {
            let at = error.instance_path().to_string();
            format!("{}: {error}", if at.is_empty() { "/" } else { at.as_str() })
        })
        .collect()
}
