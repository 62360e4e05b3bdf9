//! What a spec change asks of the release: a changelog entry for any change a
//! client can see, and a version bump of the crates whose public types come
//! from the spec for a breaking one. `cargo xtask diff` checks both against a
//! git revision, and can write the changelog lines itself.

use std::path::Path;

use anyhow::Context as _;

use crate::diff::change::Change;

/// The changelog, at the workspace root.
pub const CHANGELOG: &str = "CHANGELOG.md";

/// The heading of the section that collects what the next release will say.
const UNRELEASED: &str = "## [Unreleased]";

/// The crates whose public API is generated from the spec, so that a breaking
/// spec change is a breaking change of theirs: `liner-api` (the generated
/// client), `liner` (which re-exports its types) and `liner-api-httpmock`
/// (mocks typed by them).
pub const VERSIONED_WITH_SPEC: &[&str] = &["liner-api", "liner", "liner-api-httpmock"];

/// A crate's `major.minor.patch` (pre-release and build parts are not used
/// in this workspace, and are refused rather than misread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let parts: Vec<&str> = text.split('.').collect();
        let number = |part: &str| {
            part.parse::<u64>()
                .with_context(|| format!("version `{text}` is not major.minor.patch"))
        };
        match parts.as_slice() {
            [major, minor, patch] => Ok(Self {
                major: number(major)?,
                minor: number(minor)?,
                patch: number(patch)?,
            }),
            _ => anyhow::bail!("version `{text}` is not major.minor.patch"),
        }
    }

    /// The first version a breaking change may have, after this one: the
    /// next minor while the major is 0 (Cargo's reading of `0.x`), else the
    /// next major.
    pub fn next_breaking(self) -> Self {
        if self.major == 0 {
            Self {
                major: 0,
                minor: self.minor + 1,
                patch: 0,
            }
        } else {
            Self {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            }
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The `version` of a manifest's `[package]` table. A line reader, not a
/// TOML parser: the workspace's manifests write `version = "x.y.z"` on a line
/// of its own, and anything else is an error, not a guess.
pub fn package_version(manifest: &str) -> anyhow::Result<Version> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if in_package
            && let Some(value) = line.strip_prefix("version")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            let quoted = value.trim();
            let version = quoted
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
                .with_context(|| format!("`version = {quoted}` is not a quoted string"))?;
            return Version::parse(version);
        }
    }
    anyhow::bail!("no `version = \"x.y.z\"` line in the [package] table")
}

/// The lines of the `## [Unreleased]` section that are entries (`- ...`).
pub fn unreleased_entries(changelog: &str) -> Vec<String> {
    let mut inside = false;
    let mut entries = Vec::new();
    for line in changelog.lines() {
        if line.starts_with("## ") {
            inside = line.trim() == UNRELEASED;
            continue;
        }
        if inside && line.trim_start().starts_with("- ") {
            entries.push(line.trim().to_owned());
        }
    }
    entries
}

/// The changelog subsection a change belongs to (Keep a Changelog's names).
fn section(change: &Change) -> &'static str {
    if change.what.contains("removed") || change.what.contains("dropped") {
        "Removed"
    } else if change.what.contains("added") && !change.breaking {
        "Added"
    } else {
        "Changed"
    }
}

/// One changelog line per change, with its subsection.
pub fn changelog_lines(changes: &[Change]) -> Vec<(&'static str, String)> {
    changes
        .iter()
        .map(|change| {
            let breaking = if change.breaking {
                "**Breaking:** "
            } else {
                ""
            };
            (
                section(change),
                format!(
                    "- {breaking}spec: `{}`: {} (`liner-api`, `liner`)",
                    change.place, change.what
                ),
            )
        })
        .collect()
}

/// The lines as a Keep a Changelog fragment, for pasting under
/// `## [Unreleased]`.
pub fn changelog_fragment(lines: &[(&'static str, String)]) -> String {
    let mut text = String::new();
    for heading in ["Added", "Changed", "Removed"] {
        let under: Vec<&String> = lines
            .iter()
            .filter(|(section, _)| *section == heading)
            .map(|(_, line)| line)
            .collect();
        if under.is_empty() {
            continue;
        }
        text.push_str(&format!("### {heading}\n"));
        for line in under {
            text.push_str(line);
            text.push('\n');
        }
        text.push('\n');
    }
    text
}

/// `changelog` with `lines` inserted under `## [Unreleased]`, each under its
/// `### Section` (created at the top of the Unreleased section when
/// missing). A line already there is not added twice.
pub fn insert_into_changelog(
    changelog: &str,
    lines: &[(&'static str, String)],
) -> anyhow::Result<String> {
    let mut out: Vec<String> = changelog.lines().map(str::to_owned).collect();
    let start = out
        .iter()
        .position(|line| line.trim() == UNRELEASED)
        .with_context(|| format!("{CHANGELOG} has no `{UNRELEASED}` section"))?;
    let present = unreleased_entries(changelog);
    for heading in ["Removed", "Changed", "Added"] {
        let new: Vec<&String> = lines
            .iter()
            .filter(|(section, line)| *section == heading && !present.contains(line))
            .map(|(_, line)| line)
            .collect();
        if new.is_empty() {
            continue;
        }
        let end = out[start + 1..]
            .iter()
            .position(|line| line.starts_with("## "))
            .map_or(out.len(), |at| start + 1 + at);
        let wanted = format!("### {heading}");
        let at = match out[start + 1..end]
            .iter()
            .position(|line| line.trim() == wanted)
        {
            Some(at) => start + 1 + at + 1,
            None => {
                out.splice(start + 1..start + 1, ["".to_owned(), wanted]);
                start + 3
            }
        };
        for (offset, line) in new.into_iter().enumerate() {
            out.insert(at + offset, line.clone());
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// A file of the workspace as of git revision `base`; `None` if it did not
/// exist there. A revision git does not know, or git failing, is an error:
/// taken for a missing file, it would turn every check here into "new".
fn at_revision(root: &Path, base: &str, path: &str) -> anyhow::Result<Option<String>> {
    let commit = format!("{base}^{{commit}}");
    crate::process::stdout_of(root, "git", &["rev-parse", "--verify", "--quiet", &commit])
        .with_context(|| format!("{base} is not a git revision of {}", root.display()))?;
    let object = format!("{base}:{path}");
    let exists = std::process::Command::new("git")
        .args(["cat-file", "-e", &object])
        .current_dir(root)
        .status()
        .context("cannot run git")?
        .success();
    if !exists {
        return Ok(None);
    }
    crate::process::stdout_of(root, "git", &["show", &object]).map(Some)
}

/// What the release still lacks for `changes` since git revision `base`:
/// one line per missing bump or entry, each saying how to fix it. Empty
/// when nothing is missing.
pub fn missing(root: &Path, base: &str, changes: &[Change]) -> anyhow::Result<Vec<String>> {
    let mut missing = Vec::new();
    if changes.is_empty() {
        return Ok(missing);
    }
    if changes.iter().any(|change| change.breaking) {
        for name in VERSIONED_WITH_SPEC {
            let path = format!("crates/{name}/Cargo.toml");
            let Some(was) = at_revision(root, base, &path)? else {
                continue; // new since the base: nothing to bump from
            };
            let was = package_version(&was).with_context(|| format!("{path} at {base}"))?;
            let now = std::fs::read_to_string(root.join(&path))
                .with_context(|| format!("cannot read {path}"))?;
            let now = package_version(&now).with_context(|| path.clone())?;
            let needed = was.next_breaking();
            if now < needed {
                missing.push(format!(
                    "{name} is {now}; a breaking spec change needs at least {needed} (it was {was}): \
                     set `version = \"{needed}\"` in {path} and in [workspace.dependencies] of Cargo.toml"
                ));
            }
        }
    }
    let before = at_revision(root, base, CHANGELOG)?
        .map(|text| unreleased_entries(&text))
        .unwrap_or_default();
    let now = std::fs::read_to_string(root.join(CHANGELOG))
        .map(|text| unreleased_entries(&text))
        .unwrap_or_default();
    if !now.iter().any(|entry| !before.contains(entry)) {
        missing.push(format!(
            "{CHANGELOG} has no new entry under `{UNRELEASED}` for these spec changes: \
             `cargo xtask diff --write-changelog` adds one line per change (edit them to taste)"
        ));
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaking_versions_follow_cargo() {
        let v = |text| Version::parse(text).unwrap();
        assert_eq!(v("0.1.0").next_breaking(), v("0.2.0"));
        assert_eq!(v("0.1.7").next_breaking(), v("0.2.0"));
        assert_eq!(v("1.4.2").next_breaking(), v("2.0.0"));
        assert!(Version::parse("1.0").is_err());
        assert!(Version::parse("1.0.0-beta.1").is_err());
    }

    #[test]
    fn the_package_version_is_read_from_its_table() {
        let manifest = "[workspace]\nversion = \"9.9.9\"\n\n[package]\nname = \"x\"\nversion = \"0.3.1\"\n\n[dependencies]\nversion = \"1.0.0\"\n";
        assert_eq!(
            package_version(manifest).unwrap(),
            Version::parse("0.3.1").unwrap()
        );
        assert!(package_version("[package]\nversion.workspace = true\n").is_err());
    }

    #[test]
    fn lines_go_under_their_sections_once() {
        let changelog = "# Changelog\n\n## [Unreleased]\n\n### Added\n- something\n\n## [0.1.0] - 2026-01-01\n\n### Added\n- old\n";
        let lines = vec![
            ("Added", "- new field".to_owned()),
            ("Removed", "- gone".to_owned()),
            ("Added", "- something".to_owned()),
        ];
        let updated = insert_into_changelog(changelog, &lines).unwrap();
        assert_eq!(
            updated,
            "# Changelog\n\n## [Unreleased]\n\n### Removed\n- gone\n\n### Added\n- new field\n- something\n\n## [0.1.0] - 2026-01-01\n\n### Added\n- old\n"
        );
        assert_eq!(
            unreleased_entries(&updated),
            ["- gone", "- new field", "- something"]
        );
        // Idempotent.
        assert_eq!(insert_into_changelog(&updated, &lines).unwrap(), updated);
    }
}
