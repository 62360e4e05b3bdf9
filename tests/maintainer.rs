//! The maintainer's experiment, on a temporary copy of the whole workspace:
//! add one optional property to `Lead`, `Call`, `NewLead` and `LeadPatch`
//! in the spec, run `cargo xtask generate`, and nothing else. Then a program
//! that uses the `liner` crate reads the new field from a `liner::Lead` and a
//! `liner::Call` and sets it when creating and updating a lead, `liner`'s
//! own tests still pass, and the `liner` command has a `--whatsapp-phone`
//! update flag and a `whatsappPhone` CSV column.
//!
//! It builds the copy, so it is slow (minutes on 2 cores from nothing) and
//! `#[ignore]`d in the default suite; `.ci/run` runs it:
//! `cargo test -p liner-workspace-tests --test maintainer -- --ignored`. The
//! copy runs its own `cargo xtask generate`, as a maintainer would. The copy builds in a
//! target directory of its own (`target/maintainer-experiment/`, kept between
//! runs so that a second run is quick), never in the workspace's: cargo's
//! artifact names do not depend on the path, and two copies of one workspace
//! sharing a target directory would overwrite each other's artifacts.

use std::path::Path;
use std::process::Command;

use liner_workspace_tests::{copy_sources, workspace};

/// Inserts `addition` after the first occurrence of `anchor` in `text`.
fn insert_after(text: &mut String, anchor: &str, addition: &str) {
    let at = text
        .find(anchor)
        .unwrap_or_else(|| panic!("the spec contains {anchor:?}"))
        + anchor.len();
    text.insert_str(at, addition);
}

/// The spec edit: `whatsappPhone`, optional, in the two response schemas
/// (nullable, as every optional response field there) and the two request
/// bodies.
fn add_whatsapp_phone(spec: &Path) {
    let mut text = std::fs::read_to_string(spec).unwrap();
    let response = "        whatsappPhone:\n          type: string\n          nullable: true\n          description: WhatsApp phone number.\n";
    let request = "        whatsappPhone:\n          type: string\n          description: WhatsApp phone number.\n";
    for (schema, addition) in [
        ("    Lead:\n", response),
        ("    Call:\n", response),
        ("    NewLead:\n", request),
        ("    LeadPatch:\n", request),
    ] {
        let start = text.find(schema).expect("the schema is in the spec");
        let properties = text[start..].find("      properties:\n").unwrap() + start;
        let mut rest = text.split_off(properties);
        insert_after(&mut rest, "      properties:\n", addition);
        text.push_str(&rest);
    }
    std::fs::write(spec, text).unwrap();
}

/// A user's program: only the `liner` client, against a server on 127.0.0.1
/// that records the requests and answers with bodies that carry the field.
const PROGRAM: &str = r##"
use liner::{LeadPatch, LeadType, Liner, NewLead};
use liner_test_support::capture::{CannedResponse, CaptureServer};

#[tokio::main]
async fn main() {
    let server = CaptureServer::start(vec![
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"id":7}}"#),
        CannedResponse::ok(r#"{"success":true,"message":"","data":[]}"#),
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"id":7,"whatsappPhone":"+79001112233"}}"#),
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"id":9,"whatsappPhone":"+79004445566"}}"#),
    ])
    .await;
    let client = Liner::builder().base_url(server.base_url()).api_key("key").build().unwrap();

    let lead = NewLead::new(LeadType::Straight, "79001234567", 202, "order-202")
        .whatsapp_phone("+79001112233");
    let id = client.create_lead(lead).await.unwrap();
    client
        .update_lead(id, LeadPatch::new().whatsapp_phone("+79009998877"))
        .await
        .unwrap();
    let lead: liner::Lead = client.lead(id).await.unwrap();
    assert_eq!(lead.whatsapp_phone.as_deref(), Some("+79001112233"));
    let call: liner::Call = client.call(9).await.unwrap();
    assert_eq!(call.whatsapp_phone.as_deref(), Some("+79004445566"));

    let sent = server.requests();
    let body = |index: usize| String::from_utf8(sent[index].body.clone()).unwrap();
    assert!(body(0).contains(r#""whatsappPhone":"+79001112233""#), "{}", body(0));
    assert!(body(1).contains(r#""whatsappPhone":"+79009998877""#), "{}", body(1));
    println!("whatsappPhone: read from a Lead and a Call, sent on create and update");
}
"##;

fn cargo(copy: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap()
}

#[test]
#[ignore = "builds a copy of the workspace (minutes); .ci/run runs it"]
fn a_new_spec_property_reaches_liner_users_with_no_hand_edit() {
    let root = workspace();
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("workspace");
    copy_sources(&root, &copy);
    // The copy's own target directory, outside the copy (which is deleted
    // after the test) and apart from the workspace's.
    let target = root.join("target/maintainer-experiment");

    add_whatsapp_phone(&copy.join("spec/liner.yaml"));
    // The copy's own xtask, built from the copy: what a maintainer runs.
    let xtask = |task: &str| cargo(&copy, &target, &["xtask", task]);
    let generated = xtask("generate");
    let stdout = String::from_utf8_lossy(&generated.stdout);
    assert!(
        generated.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    assert!(
        stdout.starts_with("wrote crates/liner-api/src/generated.rs\n")
            && stdout
                .lines()
                .all(|line| line.ends_with("/src/generated.rs")),
        "generate rewrites the generated client, and writes nothing but generated files:\n{stdout}"
    );
    let checked = xtask("check");
    assert!(
        checked.status.success(),
        "the edited spec passes the validator: {}",
        String::from_utf8_lossy(&checked.stderr)
    );

    std::fs::write(copy.join("crates/liner/examples/new_field.rs"), PROGRAM).unwrap();
    let program = cargo(
        &copy,
        &target,
        &["run", "--quiet", "-p", "liner", "--example", "new_field"],
    );
    assert!(
        program.status.success(),
        "the program using the new field:\n{}{}",
        String::from_utf8_lossy(&program.stdout),
        String::from_utf8_lossy(&program.stderr)
    );
    assert!(String::from_utf8_lossy(&program.stdout).contains("read from a Lead and a Call"));

    let help = cargo(
        &copy,
        &target,
        &[
            "run",
            "--quiet",
            "-p",
            "liner-cli",
            "--",
            "lead",
            "update",
            "--help",
        ],
    );
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--whatsapp-phone <TEXT>") && help.contains("WhatsApp phone number."),
        "the command's update flags:\n{help}"
    );
    let export = cargo(
        &copy,
        &target,
        &[
            "run",
            "--quiet",
            "-p",
            "liner-cli",
            "--",
            "--fake",
            "leads",
            "export",
            "--format",
            "csv",
        ],
    );
    let header = String::from_utf8_lossy(&export.stdout);
    let header = header.lines().next().unwrap_or_default();
    assert!(
        header.split(',').any(|column| column == "whatsappPhone"),
        "the export's CSV columns: {header}"
    );

    let tests = cargo(
        &copy,
        &target,
        &["test", "--quiet", "-p", "liner", "--all-features"],
    );
    assert!(
        tests.status.success(),
        "liner's tests after the spec edit:\n{}{}",
        String::from_utf8_lossy(&tests.stdout),
        String::from_utf8_lossy(&tests.stderr)
    );
}
