//! The spec validator of `cargo xtask check`, on copies of the spec with
//! one planted defect each (`tests/broken-specs/*.edits`): every defect is
//! reported with its JSON pointer and line. (The defects are planted by
//! editing a copy of the real spec, so they stay in step with it; each file
//! says what it breaks.)

use std::path::Path;
use std::process::Command;

const SPEC: &str = "spec/liner.yaml";
const CLIENT: &str = "crates/liner-api/src/generated.rs";
const MOCKS: &str = "crates/liner-api-httpmock/src/generated.rs";

fn copy_with(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for file in [SPEC, CLIENT, MOCKS] {
        let target = dir.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(workspace.join(file), &target).unwrap();
    }
    let path = dir.path().join(SPEC);
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "the spec contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(path, text).unwrap();
    dir
}

/// The validator's lines of `cargo xtask check`'s stderr, with line numbers
/// masked (they move whenever the spec is edited; `line_numbers_point_at_the_defect`
/// checks one for real).
fn report(edits: &[(&str, &str)]) -> String {
    let root = copy_with(edits);
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    assert!(!output.status.success(), "check must fail");
    let stderr = String::from_utf8(output.stderr).unwrap();
    stderr
        .lines()
        .filter(|line| line.starts_with("spec/liner.yaml:") && line.contains(": /"))
        .map(|line| {
            let rest = line.trim_start_matches("spec/liner.yaml:");
            let rest = rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches(':');
            format!("spec/liner.yaml:LINE:{rest}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One file of `tests/broken-specs/`: what it breaks (its comment lines)
/// and its edits (see that folder's README for the format).
struct BrokenSpec {
    what: String,
    edits: Vec<(String, String)>,
}

fn parse_edits(text: &str) -> BrokenSpec {
    let mut what = Vec::new();
    let mut edits: Vec<(String, String)> = Vec::new();
    let mut block: Option<&mut String> = None;
    for line in text.lines() {
        match line {
            "--- from" => {
                edits.push((String::new(), String::new()));
                block = edits.last_mut().map(|edit| &mut edit.0);
            }
            "--- to" => {
                let edit = edits
                    .last_mut()
                    .expect("`--- to` follows a `--- from` block");
                block = Some(&mut edit.1);
            }
            _ => match block.as_deref_mut() {
                Some(text) => {
                    text.push_str(line);
                    text.push('\n');
                }
                None if line.starts_with('#') => what.push(line.trim_start_matches('#').trim()),
                None => assert!(line.trim().is_empty(), "stray line {line:?}"),
            },
        }
    }
    assert!(!edits.is_empty(), "no edits");
    BrokenSpec {
        what: what.join(" "),
        edits,
    }
}

/// Every file of `tests/broken-specs/` is rejected by `cargo xtask check`,
/// with the report in a snapshot of its own.
#[test]
fn every_broken_spec_is_rejected() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken-specs");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "edits"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the broken specs are missing: {files:?}");
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let broken = parse_edits(&std::fs::read_to_string(&file).unwrap());
        let edits: Vec<(&str, &str)> = broken
            .edits
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        let report = report(&edits);
        assert!(!report.is_empty(), "{name}: no problem reported");
        insta::with_settings!({ snapshot_suffix => name.clone(), description => broken.what }, {
            insta::assert_snapshot!("broken_spec", report);
        });
    }
}

#[test]
fn line_numbers_point_at_the_defect() {
    let root = copy_with(&[("operationId: getCall", "operationId: getLead")]);
    let text = std::fs::read_to_string(root.path().join(SPEC)).unwrap();
    // The problem is reported at the `operationId` of the lead detail (paths
    // are compared in sorted order, so it is the one found second).
    let line = text
        .lines()
        .position(|l| l.trim() == "operationId: getLead")
        .unwrap()
        + 1;
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let expected = format!(
        "spec/liner.yaml:{line}: /paths/~1v2~1lead~1detail~1{{leadId}}~1/get/operationId: operationId getLead is also used by"
    );
    assert!(
        stderr.contains(&expected),
        "expected {expected:?} in:\n{stderr}"
    );
}
