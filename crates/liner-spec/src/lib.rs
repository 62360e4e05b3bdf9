//! `spec/liner.yaml` as data, for everything in the workspace that reads the
//! spec besides progenitor (which reads it into its own `openapiv3` types):
//! the xtask's validator and diff, and the tests. One reader, so that they
//! agree: one [`Spec`], one `$ref` resolver ([`resolve`]), one list of
//! [`METHODS`], the operations with their paths, the examples, the line of
//! any node, and validators of bodies against the schemas.
//!
//! OpenAPI 3.0 schemas are not JSON Schema: `nullable: true` has no JSON
//! Schema equivalent, and `$ref`s point into `#/components/schemas`. The
//! [`translate_schema`] rewrites them so that a standard JSON Schema validator
//! (the `jsonschema` crate) can check bodies against the spec itself rather
//! than against our own Rust types, which could drift from it.

mod bodies;
mod examples;
mod positions;
mod refs;
mod translate;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use bodies::{BodyValidator, ResponseValidators};
pub use examples::Example;
pub use refs::{MAX_REF_HOPS, resolve, resolve_or_self};
pub use translate::translate_schema;

/// The HTTP methods an OpenAPI path item can hold, in the order OpenAPI
/// lists them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The workspace's spec file.
pub fn workspace_spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/liner.yaml")
}

/// The spec, parsed into JSON, with the positions of its nodes.
#[derive(Debug, Clone)]
pub struct Spec {
    document: Value,
    positions: Option<positions::Positions>,
}

/// An operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    /// Upper case: `GET`, `POST`.
    pub method: String,
    /// As the spec writes it: `/v2/lead/detail/{leadId}/`.
    pub path: String,
}

impl Operation {
    /// The path with every `{parameter}` replaced by `value`.
    pub fn path_with(&self, value: &str) -> String {
        let mut filled = String::new();
        let mut rest = self.path.as_str();
        while let Some(open) = rest.find('{') {
            filled.push_str(&rest[..open]);
            match rest[open..].find('}') {
                Some(close) => {
                    filled.push_str(value);
                    rest = &rest[open + close + 1..];
                }
                None => {
                    rest = &rest[open..];
                    break;
                }
            }
        }
        filled.push_str(rest);
        filled
    }
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

    /// Parses spec text (YAML or JSON). A YAML error starts with
    /// `line:column: ` when the parser knows where the problem is.
    pub fn parse(text: &str) -> Result<Self, String> {
        let document = serde_yaml_ng::from_str(text).map_err(|err| yaml_error(&err))?;
        Ok(Self {
            document,
            positions: positions::Positions::parse(text),
        })
    }

    /// The whole document.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The 1-based line of the node at JSON pointer `pointer` (for a member
    /// of a mapping, the line of its key), or of its deepest ancestor found.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        self.positions.as_ref()?.line_of(pointer)
    }

    /// Every operation, by path, then in [`METHODS`] order.
    pub fn operations(&self) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in self.document["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                if let Some(id) = item.get(*method).and_then(|op| op["operationId"].as_str()) {
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

    /// The operation object with this `operationId`.
    pub fn operation(&self, operation_id: &str) -> Option<&Value> {
        let found = self
            .operations()
            .into_iter()
            .find(|operation| operation.id == operation_id)?;
        self.document["paths"][&found.path].get(found.method.to_ascii_lowercase())
    }

    /// [`resolve`] in this document.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> Option<&'a Value> {
        resolve(&self.document, value)
    }
}

/// A YAML error as `line:column: message` (or the message alone when the
/// parser does not know where).
fn yaml_error(err: &serde_yaml_ng::Error) -> String {
    let message = err.to_string();
    // serde_yaml_ng appends " at line L column C"; the location goes up
    // front, in the `file:line:column` form editors jump to.
    let message = match message.find(" at line ") {
        Some(index) => &message[..index],
        None => &message,
    };
    match err.location() {
        Some(at) => format!("{}:{}: {message}", at.line(), at.column()),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_spec_has_its_five_operations() {
        let spec = Spec::workspace().unwrap();
        let mut ids: Vec<String> = spec.operations().into_iter().map(|op| op.id).collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "createLead",
                "getCall",
                "getLead",
                "listLeads",
                "updateLead"
            ]
        );
        assert!(spec.operation("getLead").is_some());
        let get_lead = spec
            .operations()
            .into_iter()
            .find(|op| op.id == "getLead")
            .unwrap();
        assert_eq!(get_lead.path_with("7"), "/v2/lead/detail/7/");
        assert!(spec.line_of("/paths/~1v2~1lead~1/get").is_some());
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err = Spec::parse("openapi: 3.0.3\ninfo: [\n").unwrap_err();
        assert!(err.starts_with("3:") || err.starts_with("2:"), "{err}");
    }
}
