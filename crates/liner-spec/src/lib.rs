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

    /// The JSON schema of the response `operation_id` declares for `status`:
    /// the exact status if declared, else its range (`4XX`), else `default`.
    pub fn response_schema(&self, operation_id: &str, status: u16) -> Result<Value, String> {
        let operation = self
            .operation(operation_id)
            .ok_or_else(|| format!("the spec has no operation `{operation_id}`"))?;
        let key = response_keys(status)
            .into_iter()
            .find(|key| operation["responses"].get(key).is_some())
            .ok_or_else(|| format!("`{operation_id}` declares no response for HTTP {status}"))?;
        self.body_schema(operation_id, &key, &operation["responses"][&key])
    }

    /// The JSON body schema of one declared response.
    fn body_schema(
        &self,
        operation_id: &str,
        key: &str,
        response: &Value,
    ) -> Result<Value, String> {
        let response = self
            .resolve(response)
            .ok_or_else(|| format!("`{operation_id}`: dangling $ref in response {key}"))?;
        response
            .pointer("/content/application~1json/schema")
            .cloned()
            .ok_or_else(|| format!("`{operation_id}` response {key} has no JSON body"))
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

    /// Checks `body` against the response schema of `operation_id` at
    /// `status`. Each problem names the JSON pointer of the offending value.
    pub fn check_response(&self, operation_id: &str, status: u16, body: &Value) -> Vec<String> {
        let schema = match self.response_schema(operation_id, status) {
            Ok(schema) => schema,
            Err(err) => return vec![err],
        };
        match self.validator(&schema) {
            Ok(validator) => problems(&validator, body),
            Err(err) => vec![err],
        }
    }

    /// Response validators for every operation and declared status, built
    /// once, for checking many bodies.
    pub fn response_validators(&self) -> Result<ResponseValidators, String> {
        let mut validators = BTreeMap::new();
        for operation in self.operations() {
            let responses = self
                .operation(&operation.id)
                .and_then(|op| op["responses"].as_object())
                .into_iter()
                .flatten();
            for (key, response) in responses {
                let schema = self.body_schema(&operation.id, key, response)?;
                validators.insert(
                    (operation.id.clone(), key.clone()),
                    self.validator(&schema)?,
                );
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

/// Prebuilt response validators, keyed by operation id and response key.
pub struct ResponseValidators {
    validators: BTreeMap<(String, String), jsonschema::Validator>,
}

impl ResponseValidators {
    /// Checks `body`, sent by `operation_id` with `status`, against the spec.
    pub fn check(&self, operation_id: &str, status: u16, body: &Value) -> Vec<String> {
        let validator = response_keys(status)
            .iter()
            .find_map(|key| self.validators.get(&(operation_id.to_owned(), key.clone())));
        match validator {
            Some(validator) => problems(validator, body),
            None => vec![format!(
                "`{operation_id}` declares no response for HTTP {status}"
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
