//! The spec validator of `cargo xtask check`, on copies of the spec with
//! one planted defect each: every defect is reported with its JSON pointer
//! and line. (The defects are planted by editing a copy of the real spec, so
//! they stay in step with it; each case says what it breaks.)

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

#[test]
fn an_example_that_does_not_match_its_schema() {
    insta::assert_snapshot!(report(&[(
        "                      id: 123\n                      name: John Doe",
        "                      id: \"123\"\n                      name: John Doe"
    )]));
}

#[test]
fn a_dangling_ref() {
    insta::assert_snapshot!(report(&[(
        "$ref: \"#/components/schemas/CallEnvelope\"",
        "$ref: \"#/components/schemas/CallEnvelop\""
    )]));
}

#[test]
fn an_undeclared_path_parameter() {
    insta::assert_snapshot!(report(&[(
        "  /v2/call/detail/{callId}/:",
        "  /v2/call/detail/{id}/:"
    )]));
}

#[test]
fn a_duplicate_operation_id() {
    insta::assert_snapshot!(report(&[("operationId: getCall", "operationId: getLead")]));
}

#[test]
fn a_response_without_the_envelope() {
    insta::assert_snapshot!(report(&[(
        "$ref: \"#/components/schemas/CallEnvelope\"",
        "$ref: \"#/components/schemas/Call\""
    )]));
}

#[test]
fn an_operation_without_security_tag_or_summary() {
    insta::assert_snapshot!(report(&[
        ("      summary: Call details\n", ""),
        ("      tags: [calls]\n", ""),
        (
            "      security:\n        - ApiKey: []\n      parameters:\n        - name: callId",
            "      security: []\n      parameters:\n        - name: callId"
        ),
    ]));
}

#[test]
fn project_rules() {
    insta::assert_snapshot!(report(&[
        (
            "        name:\n          type: string\n          nullable: true\n          description: Client name.\n",
            "        name:\n          type: string\n          nullable: true\n"
        ),
        (
            "          description: Call identifier in Liner. Value > 0.\n          schema:\n            type: integer\n            format: int64\n            minimum: 1\n",
            "          description: Call identifier in Liner. Value > 0.\n          schema:\n            type: integer\n            format: int64\n"
        ),
        ("  /v2/lead/create/:", "  /v2/lead/create:"),
        (
            "        vkId:\n          description: VK user identifier.\n          oneOf:\n            - $ref: \"#/components/schemas/VkId\"\n            - enum: [null]\n",
            "        vkId:\n          nullable: true\n          description: VK user identifier.\n          allOf:\n            - $ref: \"#/components/schemas/VkId\"\n",
        ),
    ]));
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
