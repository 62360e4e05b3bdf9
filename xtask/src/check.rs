//! `cargo xtask check` (or `generate --check`): the spec passes the
//! validator and progenitor, and every checked-in generated file is what the
//! spec produces now. Writes nothing; a stale file is reported with the
//! start of its diff and the command that fixes it.

use std::path::Path;
use std::process::ExitCode;

use similar::TextDiff;

use crate::codegen::{self, Artifact};
use crate::spec_file::{self, SPEC_PATH};

pub fn run(root: &Path) -> anyhow::Result<ExitCode> {
    // Every problem the validator finds is reported, not only the first;
    // generation and staleness are still checked after them.
    let problems = spec_file::validate(root)?;
    for problem in &problems {
        let line = problem
            .line
            .map(|line| format!("{line}:"))
            .unwrap_or_default();
        eprintln!(
            "{SPEC_PATH}:{line} {}: {}",
            problem.pointer, problem.message
        );
    }
    if problems.is_empty() {
        println!("ok: {SPEC_PATH} passes the spec validator");
    }
    let artifacts = codegen::render_all(root)?;
    println!("ok: {SPEC_PATH} is a valid OpenAPI 3.0 document that progenitor accepts");
    let mut stale = 0;
    for artifact in &artifacts {
        match stale_report(artifact)? {
            None => println!("ok: {} is up to date", artifact.display_path()),
            Some(report) => {
                stale += 1;
                eprintln!("{report}");
            }
        }
    }
    if !problems.is_empty() {
        eprintln!(
            "error: {} problem(s) in {SPEC_PATH}; see above.",
            problems.len()
        );
    }
    if stale > 0 {
        eprintln!(
            "error: {stale} generated file(s) out of date with {SPEC_PATH}.\n\
             fix: run `cargo xtask generate` and commit the result."
        );
        return Ok(ExitCode::FAILURE);
    }
    if !problems.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// How many diff lines a stale report shows before it stops.
const MAX_DIFF_LINES: usize = 40;

/// `None` when the file on disk is exactly `artifact.contents`; otherwise a
/// report naming the file with the start of a unified diff.
fn stale_report(artifact: &Artifact) -> anyhow::Result<Option<String>> {
    let on_disk = match std::fs::read_to_string(artifact.path()) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(format!(
                "stale: {} does not exist; `cargo xtask generate` creates it",
                artifact.display_path()
            )));
        }
        Err(err) => return Err(err.into()),
    };
    if on_disk == artifact.contents {
        return Ok(None);
    }
    let diff = TextDiff::from_lines(on_disk.as_str(), artifact.contents.as_str());
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{} (checked in)", artifact.display_path()),
            &format!("{} (generated from the spec)", artifact.display_path()),
        )
        .to_string();
    let total = unified.lines().count();
    let mut report = format!("stale: {} differs from the spec\n", artifact.display_path());
    for line in unified.lines().take(MAX_DIFF_LINES) {
        report.push_str(line);
        report.push('\n');
    }
    if total > MAX_DIFF_LINES {
        report.push_str(&format!(
            "... ({} more diff lines)\n",
            total - MAX_DIFF_LINES
        ));
    }
    Ok(Some(report))
}
