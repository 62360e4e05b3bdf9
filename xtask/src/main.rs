//! Maintainer tasks for the Liner workspace, run as `cargo xtask <task>`.
//!
//! * `cargo xtask generate` regenerates every checked-in file derived from
//!   `spec/liner.yaml` (today: `crates/liner-api/src/generated.rs`).
//! * `cargo xtask check` validates the spec and fails when a checked-in
//!   generated file differs from what `generate` would write. CI runs it.
//! * `cargo xtask diff [BASE]` classifies the spec's changes since BASE and
//!   checks that the changelog and the versions say so. CI runs it.
//! * `cargo xtask msrv` checks what can be checked of the rust-version claim
//!   without an older toolchain. CI runs it.
//!
//! Like rust-analyzer's xtask, generation writes by default and the check
//! mode never writes: it prints a short diff and the command that fixes it.

mod codegen;
mod diff;
mod draft_setters;
mod msrv;
mod release;
mod spec;
mod staleness;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [--root <workspace dir>]

tasks:
  generate      regenerate the files derived from spec/liner.yaml
  check         validate spec/liner.yaml and fail if a generated file is stale
  diff [BASE]   classify the spec's changes since BASE (a git revision or a
                file; default: the merge base with main). Against a revision,
                fails when a change has no entry in CHANGELOG.md's Unreleased
                section, or a breaking one no version bump of liner-api,
                liner and liner-api-httpmock; against a file, fails on a
                breaking change unless --accept-breaking is given

  msrv          check the rust-version claim: every published crate declares
                it, no locked dependency needs a newer Rust

options:
  --root <dir>         the workspace to work on (default: the one this xtask belongs to)
  --accept-breaking    (diff with a file BASE) report breaking changes but succeed
  --changelog          (diff) print the changelog lines for the changes
  --write-changelog    (diff) add them to CHANGELOG.md under ## [Unreleased]
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> anyhow::Result<ExitCode> {
    let mut task = None;
    let mut root = None;
    let mut positionals = Vec::new();
    let mut accept_breaking = false;
    let mut print_changelog = false;
    let mut write_changelog = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => {
                let dir = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--root needs a directory\n\n{USAGE}"))?;
                root = Some(PathBuf::from(dir));
            }
            "-h" | "--help" | "help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "--accept-breaking" => accept_breaking = true,
            "--changelog" => print_changelog = true,
            "--write-changelog" => write_changelog = true,
            other if task.is_none() && !other.starts_with('-') => task = Some(arg),
            other if !other.starts_with('-') => positionals.push(arg),
            other => anyhow::bail!("unexpected argument `{other}`\n\n{USAGE}"),
        }
    }
    let root = root.unwrap_or_else(default_root);
    match task.as_deref() {
        Some("generate") => {
            for artifact in codegen::render_all(&root)? {
                if artifact.write_if_changed()? {
                    println!("wrote {}", artifact.display_path());
                } else {
                    println!("unchanged {}", artifact.display_path());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("check") => {
            // Every problem the validator finds is reported, not only the
            // first; generation and staleness are still checked after them.
            let problems = spec::validate(&root)?;
            for problem in &problems {
                let line = problem
                    .line
                    .map(|line| format!("{line}:"))
                    .unwrap_or_default();
                eprintln!(
                    "{}:{line} {}: {}",
                    spec::SPEC_PATH,
                    problem.pointer,
                    problem.message
                );
            }
            if problems.is_empty() {
                println!("ok: {} passes the spec validator", spec::SPEC_PATH);
            }
            let artifacts = codegen::render_all(&root)?;
            println!(
                "ok: {} is a valid OpenAPI 3.0 document that progenitor accepts",
                spec::SPEC_PATH
            );
            let mut stale = 0;
            for artifact in &artifacts {
                match staleness::compare(artifact)? {
                    None => println!("ok: {} is up to date", artifact.display_path()),
                    Some(report) => {
                        stale += 1;
                        eprintln!("{report}");
                    }
                }
            }
            if !problems.is_empty() {
                eprintln!(
                    "error: {} problem(s) in {}; see above.",
                    problems.len(),
                    spec::SPEC_PATH
                );
            }
            if stale > 0 {
                eprintln!(
                    "error: {stale} generated file(s) out of date with {}.\n\
                     fix: run `cargo xtask generate` and commit the result.",
                    spec::SPEC_PATH
                );
                return Ok(ExitCode::FAILURE);
            }
            if !problems.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("diff") => {
            if positionals.len() > 1 {
                anyhow::bail!("diff takes at most one BASE\n\n{USAGE}");
            }
            let base = diff::load_base(&root, positionals.first().map(String::as_str))?;
            let label = &base.label;
            let current = liner_spec::Spec::load(&root.join(spec::SPEC_PATH))
                .map_err(|err| anyhow::anyhow!("{err}"))?
                .document()
                .clone();
            let changes = diff::compare(&base.document, &current);
            print!("{}", diff::report(label, &changes));
            let lines = release::changelog_lines(&changes);
            if print_changelog {
                print!("\n{}", release::changelog_fragment(&lines));
            }
            if write_changelog && !lines.is_empty() {
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
                    let missing = release::missing(&root, revision, &changes)?;
                    if !missing.is_empty() {
                        eprintln!(
                            "error: the spec changed since {label}, and the release does not say so yet:"
                        );
                        for line in &missing {
                            eprintln!("  - {line}");
                        }
                        eprintln!("See \"Breaking changes\" in the README.");
                        return Ok(ExitCode::FAILURE);
                    }
                    if breaking > 0 {
                        println!(
                            "ok: {breaking} breaking change(s), with the version bumps and changelog entry they need"
                        );
                    }
                }
                None if breaking > 0 && !accept_breaking => {
                    eprintln!(
                        "error: {breaking} breaking change(s) for clients built on {label}.\n\
                         If they are intended, say so: `cargo xtask diff --accept-breaking`, and see\n\
                         \"Breaking changes\" in the README for what else to do."
                    );
                    return Ok(ExitCode::FAILURE);
                }
                None => {}
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("msrv") => {
            println!("{}", msrv::check(&root)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => anyhow::bail!("unknown task `{other}`\n\n{USAGE}"),
        None => anyhow::bail!("no task given\n\n{USAGE}"),
    }
}

/// The workspace root: the parent of this crate's directory.
fn default_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
