//! `cargo xtask check` and `generate`, run against a temporary copy of the
//! workspace's spec and generated client so the real files are never touched.

use std::path::{Path, PathBuf};
use std::process::Command;

const SPEC: &str = "spec/liner.yaml";
const CLIENT: &str = "crates/liner-api/src/generated.rs";
const MOCKS: &str = "crates/liner-api-httpmock/src/generated.rs";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A temporary root holding copies of the spec and the generated client.
fn copy_of_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in [SPEC, CLIENT, MOCKS] {
        let target = dir.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(workspace().join(file), target).unwrap();
    }
    dir
}

struct Outcome {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `cargo xtask <task>` (words split at spaces) on `root`.
fn xtask(task: &str, root: &Path) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(task.split(' '))
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    Outcome {
        success: output.status.success(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Replaces the first `from` in `file` by `to`; returns the 1-based line of
/// the edit, so tests can check reported positions without pinning line
/// numbers that every spec change would shift.
fn edit(root: &Path, file: &str, from: &str, to: &str) -> usize {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{file} contains {from:?}"));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    text[..at].lines().count() + 1
}

/// The 1-based line of the first line of `file` that is exactly `line`.
fn line_of(root: &Path, file: &str, line: &str) -> usize {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    text.lines().position(|l| l == line).unwrap() + 1
}

#[test]
fn check_passes_on_the_checked_in_files() {
    let root = copy_of_workspace();
    let outcome = xtask("check", root.path());
    assert!(outcome.success, "{}", outcome.stderr);
    insta::assert_snapshot!(outcome.stdout);
}

#[test]
fn an_edited_description_makes_check_fail_until_generate_runs() {
    let root = copy_of_workspace();
    edit(
        root.path(),
        SPEC,
        "description: Client name.",
        "description: The client's full name.",
    );
    let stale = xtask("check", root.path());
    assert!(!stale.success);
    // The hunk's line numbers move with every change to the generated file;
    // the lines themselves are what this test is about.
    let stderr = stale
        .stderr
        .lines()
        .map(|line| {
            if line.starts_with("@@ ") {
                "@@ (lines) @@"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(stderr);
    // rust-analyzer's spelling of the same check writes nothing either.
    let also_stale = xtask("generate --check", root.path());
    assert!(!also_stale.success);
    assert_eq!(also_stale.stderr, stale.stderr);

    let generated = xtask("generate", root.path());
    assert!(generated.success, "{}", generated.stderr);
    // Descriptions are documentation of the client only; the mocks stay.
    assert_eq!(
        generated.stdout,
        format!("wrote {CLIENT}\nunchanged {MOCKS}\n")
    );

    let fresh = xtask("check", root.path());
    assert!(fresh.success, "{}", fresh.stderr);
}

#[test]
fn generate_is_deterministic() {
    let root = copy_of_workspace();
    let first = xtask("generate", root.path());
    assert!(first.success, "{}", first.stderr);
    // The checked-in files already are the generator's output: nothing changes.
    assert_eq!(
        first.stdout,
        format!("unchanged {CLIENT}\nunchanged {MOCKS}\n")
    );
    for file in [CLIENT, MOCKS] {
        let after = std::fs::read(root.path().join(file)).unwrap();
        assert_eq!(
            after,
            std::fs::read(workspace().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_missing_generated_file_is_reported() {
    let root = copy_of_workspace();
    std::fs::remove_file(root.path().join(CLIENT)).unwrap();
    let outcome = xtask("check", root.path());
    assert!(!outcome.success);
    insta::assert_snapshot!(outcome.stderr);
}

#[test]
fn a_yaml_syntax_error_names_the_file_and_line() {
    let root = copy_of_workspace();
    let line = edit(
        root.path(),
        SPEC,
        "  title: Liner API\n",
        "  title: \"Liner API\n",
    );
    let outcome = xtask("check", root.path());
    assert!(!outcome.success);
    // An unterminated quote runs into the next line, where the parser notices.
    let expected = format!("error: {SPEC}:{}:13: did not find expected key\n", line + 1);
    assert_eq!(outcome.stderr, expected);
}

#[test]
fn a_wrongly_typed_node_names_the_file_and_line() {
    let root = copy_of_workspace();
    // `required` of a parameter must be a boolean.
    edit(
        root.path(),
        SPEC,
        "          required: false\n",
        "          required: sometimes\n",
    );
    let outcome = xtask("check", root.path());
    assert!(!outcome.success);
    // openapiv3 reads path items through untagged enums, so serde can only
    // blame the start of the `paths` map (its first entry, column 3), not the
    // node itself. The message still names the bad value and what was expected.
    let line = line_of(root.path(), SPEC, "  /v2/lead/detail/{leadId}/:");
    let expected = format!(
        "error: {SPEC}:{line}:3: paths: invalid type: string \"sometimes\", expected a boolean\n"
    );
    assert_eq!(outcome.stderr, expected);
}

#[test]
fn a_spec_progenitor_rejects_names_the_file() {
    let root = copy_of_workspace();
    edit(root.path(), SPEC, "      operationId: getCall\n", "");
    let outcome = xtask("check", root.path());
    assert!(!outcome.success);
    let line = line_of(root.path(), SPEC, "  /v2/call/detail/{callId}/:");
    // The validator reports it first, at the operation ...
    let validator = format!(
        "spec/liner.yaml:{}: /paths/~1v2~1call~1detail~1{{callId}}~1/get: operation has no operationId (progenitor needs one)\n",
        line + 1
    );
    // ... then progenitor's own error, at the path it names.
    let progenitor = format!(
        "error: {SPEC}:{line}: progenitor cannot generate a client: unexpected or unhandled \
         format in the OpenAPI document path /v2/call/detail/{{callId}}/ is missing operation ID\n"
    );
    assert_eq!(outcome.stderr, format!("{validator}{progenitor}"));
}

#[test]
fn openapi_3_1_is_refused_with_advice() {
    let root = copy_of_workspace();
    let line = edit(root.path(), SPEC, "openapi: 3.0.3", "openapi: 3.1.0");
    let outcome = xtask("check", root.path());
    assert!(!outcome.success);
    // The line moves whenever the spec's header comment grows: the snapshot
    // says "the edited line", and only matches if that is the line reported.
    let stderr = outcome.stderr.replace(
        &format!("{SPEC}:{line}:"),
        &format!("{SPEC}:<edited line>:"),
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn an_unknown_task_prints_usage() {
    let root = copy_of_workspace();
    let outcome = xtask("regenerate", root.path());
    assert!(!outcome.success);
    assert!(
        outcome
            .stderr
            .contains("unrecognized subcommand 'regenerate'"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("Usage: cargo xtask"),
        "{}",
        outcome.stderr
    );
}
