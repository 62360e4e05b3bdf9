//! `cargo xtask diff [BASE]`: what changed in `spec/liner.yaml` since BASE,
//! classified by what it does to a client built on the old spec.
//!
//! BASE is a file, or a git revision (default: the merge base with `main`).
//! What a change asks of the release (changelog, versions) is `release.rs`'s.

mod base;
pub(crate) mod change;
mod compare;
mod constraints;
mod schema;

use std::path::Path;
use std::process::ExitCode;

pub use base::load_base;
pub use compare::{compare, report};

use crate::release;
use crate::spec_file::SPEC_PATH;

/// The diff task's arguments.
#[derive(clap::Args)]
pub struct Options {
    /// A git revision or a file (default: the merge base with main).
    base: Option<String>,
    /// (with a file BASE) Report breaking changes but succeed.
    #[arg(long)]
    accept_breaking: bool,
    /// Print the changelog lines for the changes.
    #[arg(long)]
    changelog: bool,
    /// Add the changelog lines to CHANGELOG.md under `## [Unreleased]`.
    #[arg(long)]
    write_changelog: bool,
}

pub fn run(root: &Path, options: &Options) -> anyhow::Result<ExitCode> {
    let base = load_base(root, options.base.as_deref())?;
    let label = &base.label;
    let current = liner_spec::Spec::load(&root.join(SPEC_PATH))
        .map_err(|err| anyhow::anyhow!("{err}"))?
        .document()
        .clone();
    let changes = compare(&base.document, &current);
    print!("{}", report(label, &changes));
    let lines = release::changelog_lines(&changes);
    if options.changelog {
        print!("\n{}", release::changelog_fragment(&lines));
    }
    if options.write_changelog && !lines.is_empty() {
        let path = root.join(release::CHANGELOG);
        let text = std::fs::read_to_string(&path)
            .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
        let updated = release::insert_into_changelog(&text, &lines)?;
        if updated != text {
            std::fs::write(&path, updated)?;
            println!("wrote {}", release::CHANGELOG);
        }
    }
    let breaking = changes.iter().filter(|change| change.breaking).count();
    match &base.revision {
        Some(revision) => {
            let missing = release::missing(root, revision, &changes)?;
            if !missing.is_empty() {
                eprintln!(
                    "error: the spec changed since {label}, and the release does not say so yet:"
                );
                for line in &missing {
                    eprintln!("  - {line}");
                }
                eprintln!("See \"Breaking changes\" in CONTRIBUTING.md.");
                return Ok(ExitCode::FAILURE);
            }
            if breaking > 0 {
                println!(
                    "ok: {breaking} breaking change(s), with the version bumps and changelog entry they need"
                );
            }
        }
        None if breaking > 0 && !options.accept_breaking => {
            eprintln!(
                "error: {breaking} breaking change(s) for clients built on {label}.\n\
                 If they are intended, say so: `cargo xtask diff --accept-breaking`, and see\n\
                 \"Breaking changes\" in CONTRIBUTING.md for what else to do."
            );
            return Ok(ExitCode::FAILURE);
        }
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}
