//! Loading `spec/liner.yaml` with errors that name the file and the line.

use std::path::Path;

use anyhow::Context as _;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/liner.yaml";

/// The spec, parsed.
pub struct Spec {
    pub document: openapiv3::OpenAPI,
    text: String,
}

impl Spec {
    /// Reads and parses the spec under `root`.
    ///
    /// The YAML is deserialized straight into `openapiv3` types (no
    /// intermediate JSON) so that serde's error carries the YAML line and
    /// column of the offending node, which we report as `file:line:column`.
    pub fn load(root: &Path) -> anyhow::Result<Self> {
        let path = root.join(SPEC_PATH);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let document = parse(&text).map_err(|err| anyhow::anyhow!("{SPEC_PATH}:{err}"))?;
        if !document.openapi.starts_with("3.0.") {
            anyhow::bail!(
                "{SPEC_PATH}: `openapi: {}` is not supported; progenitor reads OpenAPI 3.0.x only, \
                 write `openapi: 3.0.3`",
                document.openapi
            );
        }
        Ok(Self { document, text })
    }

    /// Prefixes a message about the spec with `spec/liner.yaml:LINE: ` when
    /// the message names a path or schema that appears as a key in the spec
    /// (progenitor's errors name the path but carry no position).
    pub fn locate(&self, message: &str) -> String {
        let schemas: Vec<&str> = self
            .document
            .components
            .iter()
            .flat_map(|components| components.schemas.keys())
            .map(String::as_str)
            .collect();
        match key_line(&self.text, message, &schemas) {
            Some(line) => format!("{SPEC_PATH}:{line}: {message}"),
            None => format!("{SPEC_PATH}: {message}"),
        }
    }
}

/// The 1-based line of the YAML key for the first word of `message` that
/// names a path (`/v2/...`) or one of `schemas`. Other words are ignored:
/// ordinary words such as "format" are keys too, all over the spec.
fn key_line(text: &str, message: &str, schemas: &[&str]) -> Option<usize> {
    let words: Vec<&str> = message
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| matches!(c, '`' | '\'' | '"' | ',' | ':' | '(' | ')'))
        })
        .filter(|word| word.starts_with('/') || schemas.contains(word))
        .collect();
    words.iter().find_map(|word| {
        text.lines()
            .position(|line| {
                let key = line.trim_start().trim_start_matches("- ");
                key.strip_prefix(word)
                    .is_some_and(|rest| rest.starts_with(':'))
                    || key
                        .strip_prefix(&format!("\"{word}\""))
                        .is_some_and(|rest| rest.starts_with(':'))
            })
            .map(|index| index + 1)
    })
}

/// Runs the spec validator over the spec under `root` (which must parse).
pub fn validate(root: &Path) -> anyhow::Result<Vec<crate::validate::Problem>> {
    let path = root.join(SPEC_PATH);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let document: serde_json::Value = serde_yaml_ng::from_str(&text)
        .map_err(|err| anyhow::anyhow!("{SPEC_PATH}:{}", parse_error(&err)))?;
    Ok(crate::validate::validate(&text, &document))
}

/// Parses spec text; the error message starts with `line:column: ` when the
/// parser knows where the problem is.
fn parse(text: &str) -> Result<openapiv3::OpenAPI, String> {
    serde_yaml_ng::from_str(text).map_err(|err| parse_error(&err))
}

/// A YAML error as `line:column: message` (or ` message` without a location).
fn parse_error(err: &serde_yaml_ng::Error) -> String {
    match err.location() {
        Some(at) => format!(
            "{}:{}: {}",
            at.line(),
            at.column(),
            strip_location(&err.to_string())
        ),
        None => format!(" {err}"),
    }
}

/// serde_yaml_ng appends " at line L column C" to its messages; we print the
/// location up front instead, in the `file:line:column` form editors jump to.
fn strip_location(message: &str) -> &str {
    match message.find(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_error_reports_its_line() {
        let text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: 1\npaths:\n  /x/:\n    get:\n      responses: 7\n";
        let err = parse(text).unwrap_err();
        // openapiv3 deserializes path items through untagged enums, so serde
        // can only blame the start of the `paths` map (line 6), not
        // `responses` itself.
        assert!(
            err.starts_with("6:3: paths: invalid type: integer `7`"),
            "{err}"
        );
    }

    #[test]
    fn a_message_naming_a_path_is_located() {
        let text = "paths:\n  /v2/lead/:\n    get: {}\n  /v2/call/detail/{callId}/:\n    get: {}\n";
        let message = "path /v2/call/detail/{callId}/ is missing operation ID";
        assert_eq!(key_line(text, message, &[]), Some(4));
        assert_eq!(key_line(text, "get nothing here", &[]), None);
        let text = "components:\n  schemas:\n    Lead:\n      type: object\n";
        assert_eq!(key_line(text, "bad type in Lead", &["Lead"]), Some(3));
    }

    #[test]
    fn a_syntax_error_reports_its_line() {
        let text = "openapi: 3.0.3\ninfo: [\n";
        let err = parse(text).unwrap_err();
        assert!(err.starts_with("3:") || err.starts_with("2:"), "{err}");
    }
}
