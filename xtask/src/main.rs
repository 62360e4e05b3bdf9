//! Maintainer tasks for the Liner workspace, run as `cargo xtask <task>`.
//! This file only parses the command line and dispatches: each task is a
//! module of its own.
//!
//! * `cargo xtask generate` regenerates every checked-in file derived from
//!   `spec/liner.yaml` (today: `crates/liner-api/src/generated.rs`);
//!   `--check` (or `cargo xtask check`) writes nothing: it validates the
//!   spec and fails when a checked-in generated file is stale.
//! * `cargo xtask diff [BASE]` classifies the spec's changes since BASE and
//!   checks that the changelog and the versions say so.
//! * `cargo xtask snippets` checks that every README's Rust snippets
//!   compile in a fresh crate with only the dependencies the README lists.
//! * `cargo xtask msrv` checks what can be checked of the rust-version claim
//!   without an older toolchain.
//!
//! CI runs `check`, `diff`, `msrv` and `snippets`. Like rust-analyzer's xtask,
//! generation writes by default and the check mode never writes: it prints a
//! short diff and the command that fixes it.

mod check;
mod codegen;
mod diff;
mod draft_setters;
mod generate;
mod msrv;
mod process;
mod release;
mod snippets;
mod spec_file;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Maintainer tasks: regenerate and check the code derived from spec/liner.yaml.
#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    disable_version_flag = true
)]
struct Cli {
    /// The workspace to work on (default: the one this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the files derived from spec/liner.yaml.
    Generate {
        /// Write nothing: validate the spec and fail if a generated file is
        /// stale (the same as `cargo xtask check`).
        #[arg(long)]
        check: bool,
    },
    /// Validate spec/liner.yaml and fail if a generated file is stale.
    Check,
    /// Classify the spec's changes since BASE.
    ///
    /// Against a git revision, fails when a change has no entry in
    /// CHANGELOG.md's Unreleased section, or a breaking one no version bump
    /// of liner-api, liner and liner-api-httpmock; against a file, fails on
    /// a breaking change unless --accept-breaking is given.
    Diff(diff::Options),
    /// Check the rust-version claim: every published crate declares it, no
    /// locked dependency needs a newer Rust.
    Msrv,
    /// Check that every Rust snippet of every README compiles in a fresh
    /// crate with only the dependencies the README lists.
    Snippets,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(default_root);
    let outcome = match cli.task {
        Task::Generate { check: false } => generate::run(&root),
        Task::Generate { check: true } | Task::Check => check::run(&root),
        Task::Diff(options) => diff::run(&root, &options),
        Task::Msrv => msrv::run(&root),
        Task::Snippets => snippets::run(&root),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn default_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
