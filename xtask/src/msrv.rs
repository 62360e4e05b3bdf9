//! `cargo xtask msrv`: the part of the minimum-supported-Rust claim that can
//! be checked without that older toolchain. Every crate meant for users
//! declares the workspace's `rust-version`, and no package in `Cargo.lock`
//! declares a newer one (a dependency that needs a newer compiler would break
//! the claim whatever our code does). The standard library APIs our code uses
//! are checked by clippy's `incompatible_msrv` lint, which reads the same
//! `rust-version` and runs in CI with `-D warnings`.

use std::cmp::Ordering;
use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;

/// A `rust-version`, compared numerically part by part (`1.9` < `1.88`);
/// a missing part counts as 0.
fn compare(a: &str, b: &str) -> Ordering {
    let parts = |text: &str| -> Vec<u64> {
        text.split('.')
            .map(|part| part.parse().unwrap_or(u64::MAX))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    for index in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(index).copied().unwrap_or(0),
            b.get(index).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}

/// `cargo xtask msrv`: prints what was checked.
pub fn run(root: &Path) -> anyhow::Result<std::process::ExitCode> {
    println!("{}", check(root)?);
    Ok(std::process::ExitCode::SUCCESS)
}

/// Checks the workspace at `root`; the report on success, the problems as
/// the error.
pub fn check(root: &Path) -> anyhow::Result<String> {
    let metadata = crate::process::cargo_metadata(root, &[])?;
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let packages = metadata["packages"].as_array().into_iter().flatten();
    let mut claimed: Option<String> = None;
    let mut problems = Vec::new();
    let mut dependencies = Vec::new();
    for package in packages.clone() {
        let name = package["name"].as_str().unwrap_or("?");
        let version = package["rust_version"].as_str();
        let is_member = members.contains(&package["id"].as_str().unwrap_or(""));
        let published = package["publish"] != Value::Array(Vec::new());
        if is_member && published {
            match (version, &claimed) {
                (None, _) => problems.push(format!(
                    "{name} is published but declares no rust-version (add `rust-version.workspace = true`)"
                )),
                (Some(version), None) => claimed = Some(version.to_owned()),
                (Some(version), Some(claim)) if version != claim => problems.push(format!(
                    "{name} declares rust-version {version}, the other published crates {claim}"
                )),
                _ => {}
            }
        } else if !is_member && let Some(version) = version {
            dependencies.push((
                name.to_owned(),
                package["version"].as_str().unwrap_or("?"),
                version,
            ));
        }
    }
    let claim = claimed.context("no published crate declares a rust-version")?;
    dependencies.sort_by(|a, b| compare(b.2, a.2).then(a.0.cmp(&b.0)));
    for (name, version, needs) in &dependencies {
        if compare(needs, &claim) == Ordering::Greater {
            problems.push(format!(
                "{name} {version} needs Rust {needs}, newer than the claimed {claim}: pin an older \
                 {name} (`cargo update -p {name} --precise <version>`) or raise rust-version"
            ));
        }
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "the rust-version claim does not hold:\n  {}",
            problems.join("\n  ")
        );
    }
    let newest: Vec<String> = dependencies
        .iter()
        .take_while(|(_, _, needs)| compare(needs, dependencies[0].2) == Ordering::Equal)
        .map(|(name, version, _)| format!("{name} {version}"))
        .collect();
    let named = match newest.len() {
        0..=3 => newest.join(", "),
        more => format!("{} and {} more", newest[..3].join(", "), more - 3),
    };
    Ok(format!(
        "ok: rust-version {claim}: every published crate declares it, and none of the {} locked \
         packages that declare one needs more (the newest need: {} by {named})",
        dependencies.len(),
        dependencies.first().map_or("none", |d| d.2),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare("1.9", "1.88"), Ordering::Less);
        assert_eq!(compare("1.88", "1.88.0"), Ordering::Equal);
        assert_eq!(compare("1.89", "1.88.1"), Ordering::Greater);
        assert_eq!(compare("1.88.1", "1.88"), Ordering::Greater);
    }
}
