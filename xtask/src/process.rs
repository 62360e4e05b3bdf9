//! Running the tools the tasks ask (git, cargo): their output, or an error
//! that names the command and quotes what it said.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

/// The stdout of `program args...` run in `dir`, as text; an error naming
/// the command, with its stderr, when it cannot run or fails.
pub fn stdout_of(dir: &Path, program: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run {program}"))?;
    if !output.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("{program} wrote no UTF-8"))
}

/// The cargo that runs this xtask (`$CARGO`), else the one on the `PATH`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `cargo metadata --format-version 1 --locked ARGS...` in `dir`, parsed.
pub fn cargo_metadata(dir: &Path, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let all = [&["metadata", "--format-version", "1", "--locked"], args].concat();
    Ok(serde_json::from_str(&stdout_of(dir, &cargo(), &all)?)?)
}
