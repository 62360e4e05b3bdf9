//! `cargo xtask diff` against a git revision: what a spec change asks of the
//! release. Each case is a temporary git repository holding the files the
//! check reads (the spec, the changelog, the manifests of the crates
//! versioned with the spec), committed as the base, then edited.

use std::path::Path;
use std::process::Command;

const FILES: &[&str] = &[
    "spec/liner.yaml",
    "CHANGELOG.md",
    "crates/liner-api/Cargo.toml",
    "crates/liner/Cargo.toml",
    "crates/liner-api-httpmock/Cargo.toml",
];

/// A breaking change: `limit` accepts fewer values.
const BREAKING: (&str, &str) = ("            maximum: 100\n", "            maximum: 50\n");
/// A safe one: a new optional response field.
const SAFE: (&str, &str) = (
    "        hasRecords:\n",
    "        recordUrl:\n          type: string\n          nullable: true\n          description: Where the recording is.\n        hasRecords:\n",
);

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// The workspace's files, committed.
    fn new() -> Self {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for file in FILES {
            let to = dir.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(workspace.join(file), to).unwrap();
        }
        let repo = Self { dir };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.git(&["add", "."]);
        repo.git(&["commit", "--quiet", "-m", "base"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(self.dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    fn edit(&self, file: &str, (from, to): (&str, &str)) {
        let path = self.dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} contains {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file)).unwrap()
    }

    /// Sets the `[package]` version of each crate versioned with the spec.
    fn bump(&self, from: &str, to: &str) {
        for name in ["liner-api", "liner", "liner-api-httpmock"] {
            self.edit(
                &format!("crates/{name}/Cargo.toml"),
                (
                    &format!("version = \"{from}\"\n"),
                    &format!("version = \"{to}\"\n"),
                ),
            );
        }
    }

    /// `cargo xtask diff HEAD [extra]`: success, and stdout + stderr.
    fn diff(&self, extra: &[&str]) -> (bool, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["diff", "--root"])
            .arg(self.dir.path())
            .arg("HEAD")
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap()
        );
        (output.status.success(), text)
    }
}

#[test]
fn a_breaking_change_needs_version_bumps_and_a_changelog_entry() {
    let repo = Repo::new();
    let version = liner_version(&repo.read("crates/liner-api/Cargo.toml"));
    repo.edit("spec/liner.yaml", BREAKING);

    let (ok, text) = repo.diff(&[]);
    assert!(!ok, "{text}");
    for name in ["liner-api", "liner", "liner-api-httpmock"] {
        assert!(
            text.contains(&format!(
                "{name} is {version}; a breaking spec change needs at least 0.2.0"
            )),
            "{name}: {text}"
        );
    }
    assert!(text.contains("CHANGELOG.md has no new entry"), "{text}");

    // The bump alone is not enough.
    repo.bump(&version, "0.2.0");
    let (ok, text) = repo.diff(&[]);
    assert!(!ok, "{text}");
    assert!(!text.contains("a breaking spec change needs"), "{text}");
    assert!(text.contains("CHANGELOG.md has no new entry"), "{text}");

    // The changelog lines the diff writes complete it.
    let (_, text) = repo.diff(&["--write-changelog"]);
    assert!(text.contains("wrote CHANGELOG.md"), "{text}");
    let (ok, text) = repo.diff(&[]);
    assert!(ok, "{text}");
    assert!(
        text.contains(
            "ok: 1 breaking change(s), with the version bumps and changelog entry they need"
        ),
        "{text}"
    );
    insta::assert_snapshot!(unreleased(&repo.read("CHANGELOG.md")));
}

#[test]
fn a_patch_bump_is_not_enough_for_a_breaking_change() {
    let repo = Repo::new();
    let version = liner_version(&repo.read("crates/liner-api/Cargo.toml"));
    repo.edit("spec/liner.yaml", BREAKING);
    repo.bump(&version, "0.1.1");
    repo.diff(&["--write-changelog"]);
    let (ok, text) = repo.diff(&[]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("liner-api is 0.1.1; a breaking spec change needs at least 0.2.0"),
        "{text}"
    );
}

#[test]
fn a_safe_change_needs_a_changelog_entry_only() {
    let repo = Repo::new();
    repo.edit("spec/liner.yaml", SAFE);
    let (ok, text) = repo.diff(&[]);
    assert!(!ok, "{text}");
    assert!(text.contains("CHANGELOG.md has no new entry"), "{text}");
    assert!(!text.contains("version"), "no bump asked: {text}");

    let (_, text) = repo.diff(&["--changelog"]);
    assert!(
        text.contains("### Added\n- spec: `GET /v2/call/detail/{callId}/: response 200 <CallEnvelope> .data .recordUrl`: optional property added"),
        "{text}"
    );
    repo.diff(&["--write-changelog"]);
    let (ok, text) = repo.diff(&[]);
    assert!(ok, "{text}");
}

#[test]
fn no_spec_change_needs_nothing() {
    let repo = Repo::new();
    repo.edit(
        "spec/liner.yaml",
        (
            "description: Client name.",
            "description: The client's name.",
        ),
    );
    let (ok, text) = repo.diff(&[]);
    assert!(ok, "{text}");
    assert!(text.contains("no changes a client can see"), "{text}");
}

fn liner_version(manifest: &str) -> String {
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap()
        .to_owned()
}

/// The Unreleased section's lines written by the diff.
fn unreleased(changelog: &str) -> String {
    changelog
        .lines()
        .filter(|line| line.starts_with("- ") && line.contains("spec: "))
        .collect::<Vec<_>>()
        .join("\n")
}
