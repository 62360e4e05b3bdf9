//! Loading `spec/liner.yaml` with errors that name the file and the line.

use std::path::Path;

use anyhow::Context as _;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/liner.yaml";

/// The spec, parsed.
pub struct Spec {
    pub document: openapiv3::OpenAPI,
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
        Ok(Self { document })
    }
}

/// Parses spec text; the error message starts with `line:column: ` when the
/// parser knows where the problem is.
fn parse(text: &str) -> Result<openapiv3::OpenAPI, String> {
    serde_yaml_ng::from_str(text).map_err(|err| match err.location() {
        Some(at) => format!(
            "{}:{}: {}",
            at.line(),
            at.column(),
            strip_location(&err.to_string())
        ),
        None => format!(" {err}"),
    })
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
        assert!(err.starts_with("8:"), "{err}");
    }

    #[test]
    fn a_syntax_error_reports_its_line() {
        let text = "openapi: 3.0.3\ninfo: [\n";
        let err = parse(text).unwrap_err();
        assert!(err.starts_with("3:") || err.starts_with("2:"), "{err}");
    }
}
