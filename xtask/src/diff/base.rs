//! The base a spec is compared with: a file, or the spec at a git revision.

use std::path::Path;

use serde_json::Value;

/// The spec a change is compared with.
pub struct Base {
    /// How the report names it.
    pub label: String,
    /// The git revision it was read at; `None` for a file (which has no
    /// manifests or changelog beside it to check).
    pub revision: Option<String>,
    pub document: Value,
}

/// Reads the base spec: a file if `base` names one under `root` or as given,
/// else `git show <base>:spec/liner.yaml`.
pub fn load_base(root: &Path, base: Option<&str>) -> anyhow::Result<Base> {
    let git = |args: &[&str]| crate::process::stdout_of(root, "git", args);
    let (label, revision, text) = match base {
        Some(file) if Path::new(file).is_file() => {
            (file.to_owned(), None, std::fs::read_to_string(file)?)
        }
        Some(file) if root.join(file).is_file() => (
            file.to_owned(),
            None,
            std::fs::read_to_string(root.join(file))?,
        ),
        Some(revision) => (
            revision.to_owned(),
            Some(revision.to_owned()),
            git(&["show", &format!("{revision}:spec/liner.yaml")])?,
        ),
        None => {
            let merge_base = git(&["merge-base", "HEAD", "main"])?.trim().to_owned();
            (
                format!("merge base {merge_base}"),
                Some(merge_base.clone()),
                git(&["show", &format!("{merge_base}:spec/liner.yaml")])?,
            )
        }
    };
    let spec = liner_spec::Spec::parse(&text)
        .map_err(|err| anyhow::anyhow!("the base spec ({label}) does not parse: {err}"))?;
    Ok(Base {
        label,
        revision,
        document: spec.document().clone(),
    })
}
