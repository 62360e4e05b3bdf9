//! Loading `spec/liner.yaml` with errors that name the file and the line.

use std::path::Path;

use anyhow::Context as _;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/liner.yaml";

/// The spec, parsed.
pub struct SpecFile {
    pub document: openapiv3::OpenAPI,
    text: String,
}

impl SpecFile {
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
    /// the message names a path (`/v2/...`) or a component schema of the
    /// spec (progenitor's errors name them but carry no position). Other
    /// words are ignored: ordinary words such as "format" are keys too, all
    /// over the spec.
    pub fn locate(&self, message: &str) -> String {
        let line = liner_spec::Spec::parse(&self.text)
            .ok()
            .and_then(|spec| key_line(&spec, message));
        match line {
            Some(line) => format!("{SPEC_PATH}:{line}: {message}"),
            None => format!("{SPEC_PATH}: {message}"),
        }
    }
}

/// The line of the first word of `message` that names a path or a schema.
fn key_line(spec: &liner_spec::Spec, message: &str) -> Option<usize> {
    let escape = |token: &str| token.replace('~', "~0").replace('/', "~1");
    message
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| matches!(c, '`' | '\'' | '"' | ',' | ':' | '(' | ')'))
        })
        .find_map(|word| {
            let pointer = if word.starts_with('/') {
                format!("/paths/{}", escape(word))
            } else {
                format!("/components/schemas/{}", escape(word))
            };
            spec.document()
                .pointer(&pointer)
                .and_then(|_| spec.line_of(&pointer))
        })
}

/// Runs the spec validator over the spec under `root`.
pub fn validate(root: &Path) -> anyhow::Result<Vec<crate::validate::Problem>> {
    let path = root.join(SPEC_PATH);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let spec =
        liner_spec::Spec::parse(&text).map_err(|err| anyhow::anyhow!("{SPEC_PATH}:{err}"))?;
    Ok(crate::validate::validate(&spec))
}

/// Parses spec text into progenitor's types; the error message starts with
/// `line:column: ` when the parser knows where the problem is.
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
    fn a_message_naming_a_path_or_schema_is_located() {
        let text = "paths:\n  /v2/lead/:\n    get: {}\n  /v2/call/detail/{callId}/:\n    get: {}\ncomponents:\n  schemas:\n    Lead:\n      type: object\n";
        let spec = liner_spec::Spec::parse(text).unwrap();
        let message = "path /v2/call/detail/{callId}/ is missing operation ID";
        assert_eq!(key_line(&spec, message), Some(4));
        assert_eq!(key_line(&spec, "get nothing here"), None);
        assert_eq!(key_line(&spec, "bad type in Lead"), Some(8));
        assert_eq!(key_line(&spec, "bad type in `Lead`, see format"), Some(8));
    }

    #[test]
    fn a_syntax_error_reports_its_line() {
        let text = "openapi: 3.0.3\ninfo: [\n";
        let err = parse(text).unwrap_err();
        assert!(err.starts_with("3:") || err.starts_with("2:"), "{err}");
    }
}
