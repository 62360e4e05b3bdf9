//! Maintainer tasks for the Liner workspace, run as `cargo xtask <task>`.
//!
//! * `cargo xtask generate` regenerates every checked-in file derived from
//!   `spec/liner.yaml` (today: `crates/liner-api/src/generated.rs`).
//! * `cargo xtask check` validates the spec and fails when a checked-in
//!   generated file differs from what `generate` would write. CI runs it.
//!
//! Like rust-analyzer's xtask, generation writes by default and the check
//! mode never writes: it prints a short diff and the command that fixes it.

mod codegen;
mod diff;
mod extend;
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
                file; default: the merge base with main); fails on breaking
                changes unless --accept-breaking is given

options:
  --root <dir>         the workspace to work on (default: the one this xtask belongs to)
  --accept-breaking    (diff) report breaking changes but succeed: the maintainer
                       has decided to make them
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
            let (label, base) = diff::load_base(&root, positionals.first().map(String::as_str))?;
            let current = liner_spec::Spec::load(&root.join(spec::SPEC_PATH))
                .map_err(|err| anyhow::anyhow!("{err}"))?
                .document()
                .clone();
            let changes = diff::compare(&base, &current);
            print!("{}", diff::report(&label, &changes));
            let breaking = changes.iter().filter(|change| change.breaking).count();
            if breaking > 0 && !accept_breaking {
                eprintln!(
                    "error: {breaking} breaking change(s) for clients built on {label}.\n\
                     If they are intended, say so: `cargo xtask diff --accept-breaking`, and see\n\
                     \"Breaking changes\" in the README for what else to do."
                );
                return Ok(ExitCode::FAILURE);
            }
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
