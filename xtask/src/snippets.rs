//! `cargo xtask snippets`: every Rust snippet of every README compiles as a
//! user would write it, in a fresh crate outside the workspace.
//!
//! The doctests prove less: they compile inside the workspace, where every
//! dev-dependency of the documented crate is at hand, so a snippet that
//! needs a crate the README never mentions passes there and fails in a
//! user's project. Here each README's snippets become the programs of a new
//! crate (`target/readme-snippets/<readme>/`, its own `[workspace]`) whose
//! dependencies are exactly those of the README's first TOML block with a
//! `[dependencies]` table, its set-up section, wherever it is; the workspace's crates are
//! taken by path instead of git or crates.io. A later TOML block with a
//! dependency table adds its dependencies to the next Rust snippet alone,
//! which then gets a crate of its own: that is how a README says that one
//! snippet needs more. A snippet is a program's code (a binary, which does
//! not see `[dev-dependencies]`) unless it is test code: its own block lists
//! `[dev-dependencies]`, or the README's set-up lists nothing else (a crate
//! for tests); test code is compiled as an example, which sees them. The
//! crates are checked (`cargo check --bins --examples`), not linked: what a
//! user would meet is a compile error, and checking is what keeps this step
//! short.
//!
//! The snippet crates share one target directory,
//! `target/readme-snippets/target`, and never the workspace's: they are not
//! copies of the workspace, but they build its crates with other features and
//! another lock file.

mod extract;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use extract::{Block, Kind};

/// The dependency tables a README's TOML may set.
const DEPENDENCY_TABLES: [&str; 2] = ["dependencies", "dev-dependencies"];

/// One crate to check: a README's snippets that share their dependencies.
struct SnippetCrate {
    /// The directory name under `target/readme-snippets/`.
    name: String,
    /// The README, relative to the workspace root.
    readme: String,
    /// `[dependencies]` and `[dev-dependencies]`, as the README writes them.
    dependencies: toml::Table,
    /// `(line of the opening fence, program)`.
    snippets: Vec<(usize, String)>,
    /// Whether the snippets are test code, which sees `[dev-dependencies]`
    /// (compiled as examples); else they are a program's code, which does
    /// not (compiled as binaries, `src/bin/`).
    test_code: bool,
}

/// `cargo xtask snippets`: checks every README's Rust snippets.
pub fn run(root: &Path) -> anyhow::Result<std::process::ExitCode> {
    let packages = workspace_packages(root)?;
    let mut crates = Vec::new();
    let mut skipped = Vec::new();
    for readme in readmes(root)? {
        let text = std::fs::read_to_string(root.join(&readme))
            .with_context(|| format!("cannot read {readme}"))?;
        let (found, skipped_here) = snippet_crates(&readme, &extract::blocks(&text))?;
        crates.extend(found);
        skipped.extend(skipped_here.into_iter().map(|line| (readme.clone(), line)));
    }
    let base = root.join("target").join("readme-snippets");
    let target_dir = base.join("target");
    let mut failed = Vec::new();
    let count: usize = crates.iter().map(|krate| krate.snippets.len()).sum();
    for krate in &crates {
        let dir = base.join(&krate.name);
        write_crate(root, &dir, krate, &packages)?;
        let lines: Vec<String> = krate
            .snippets
            .iter()
            .map(|(line, _)| format!("{}:{line}", krate.readme))
            .collect();
        println!(
            "checking {} in {} (snippets at {})",
            krate.name,
            dir.display(),
            lines.join(", ")
        );
        let status = Command::new(crate::process::cargo())
            .args(["check", "--bins", "--examples", "--keep-going", "--quiet"])
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(&dir)
            .status()
            .with_context(|| format!("cannot run cargo check in {}", dir.display()))?;
        if !status.success() {
            failed.push(format!(
                "{} (line_N.rs, in src/bin/ or examples/, is the snippet at line N)",
                krate.readme
            ));
        }
    }
    for (readme, line) in &skipped {
        println!("not compiled (ignore / compile_fail): {readme}:{line}");
    }
    if !failed.is_empty() {
        bail!(
            "a README snippet does not compile in a fresh project: {}. Fix the snippet, or list \
             the crate it needs in the README's TOML (see xtask/src/snippets.rs)",
            failed.join("; ")
        );
    }
    println!(
        "{count} snippets of {} READMEs compile in fresh projects",
        crates
            .iter()
            .map(|krate| &krate.readme)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// The README files in git, relative to `root`.
fn readmes(root: &Path) -> anyhow::Result<Vec<String>> {
    Ok(
        crate::process::stdout_of(root, "git", &["ls-files", "--", "README.md", "*/README.md"])?
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// The crates that check `readme`'s Rust snippets, and the lines of the
/// snippets it marks as not compiled.
fn snippet_crates(
    readme: &str,
    blocks: &[Block],
) -> anyhow::Result<(Vec<SnippetCrate>, Vec<usize>)> {
    // A package name: letters, digits and dashes.
    let slug: String = readme
        .trim_end_matches("README.md")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "root" } else { slug };
    let mut tables = Vec::new();
    for block in blocks {
        if extract::kind(&block.info) == Kind::Toml {
            let table: toml::Table = block.body.join("\n").parse().with_context(|| {
                format!("{readme}:{}: the TOML block does not parse", block.line)
            })?;
            let dependencies: toml::Table = table
                .into_iter()
                .filter(|(key, _)| DEPENDENCY_TABLES.contains(&key.as_str()))
                .collect();
            if !dependencies.is_empty() {
                tables.push((block.line, dependencies));
            }
        }
    }
    let mut tables = tables.into_iter();
    // The set-up: the first dependency block, wherever it is (a README may
    // show the code before saying how to depend on it).
    let setup = tables.next();
    // Test code: a set-up that lists only `[dev-dependencies]` (a crate for
    // tests, such as liner-fake), or a snippet whose own block lists some.
    let setup_is_for_tests = setup.as_ref().is_some_and(|(_, table)| {
        table.contains_key("dev-dependencies") && !table.contains_key("dependencies")
    });
    let mut shared = SnippetCrate {
        name: slug.to_owned(),
        readme: readme.to_owned(),
        dependencies: setup
            .as_ref()
            .map(|(_, table)| table.clone())
            .unwrap_or_default(),
        snippets: Vec::new(),
        test_code: setup_is_for_tests,
    };
    let mut later: Vec<(usize, toml::Table)> = tables.collect();
    later.reverse();
    let mut extra: Option<toml::Table> = None;
    let mut own = Vec::new();
    let mut skipped = Vec::new();
    for block in blocks {
        while later.last().is_some_and(|(line, _)| *line < block.line) {
            extra = later.pop().map(|(_, table)| table);
        }
        match extract::kind(&block.info) {
            Kind::Rust => {
                let Some((_, setup)) = &setup else {
                    bail!(
                        "{readme}:{}: a Rust snippet, and no TOML block with [dependencies]: \
                         the README must say what a user depends on (its set-up section)",
                        block.line
                    );
                };
                let program = extract::program(&block.body);
                match extra.take() {
                    Some(more) => own.push(SnippetCrate {
                        name: format!("{slug}-line-{}", block.line),
                        readme: readme.to_owned(),
                        test_code: setup_is_for_tests || more.contains_key("dev-dependencies"),
                        dependencies: merged(setup, &more),
                        snippets: vec![(block.line, program)],
                    }),
                    None => shared.snippets.push((block.line, program)),
                }
            }
            Kind::SkippedRust => skipped.push(block.line),
            Kind::Toml | Kind::Other => {}
        }
    }
    let mut crates = Vec::new();
    if !shared.snippets.is_empty() {
        crates.push(shared);
    }
    crates.extend(own);
    Ok((crates, skipped))
}

/// `setup`'s dependency tables with `more`'s entries added (a name in both:
/// `more`'s).
fn merged(setup: &toml::Table, more: &toml::Table) -> toml::Table {
    let mut all = setup.clone();
    for (table, entries) in more {
        let into = all
            .entry(table.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let (toml::Value::Table(into), toml::Value::Table(entries)) = (into, entries) {
            into.extend(entries.clone());
        }
    }
    all
}

/// The workspace's packages: name → directory.
fn workspace_packages(root: &Path) -> anyhow::Result<BTreeMap<String, PathBuf>> {
    let metadata = crate::process::cargo_metadata(root, &["--no-deps"])?;
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if let (Some(name), Some(manifest)) =
            (package["name"].as_str(), package["manifest_path"].as_str())
        {
            let dir = Path::new(manifest)
                .parent()
                .context("a manifest path has a parent")?;
            packages.insert(name.to_owned(), dir.to_path_buf());
        }
    }
    Ok(packages)
}

/// The README's dependencies with each of the workspace's crates taken from
/// `packages` by path (its `features` and `default-features` kept), so that
/// the check builds this checkout rather than a git revision or a release.
fn localized(
    dependencies: &toml::Table,
    packages: &BTreeMap<String, PathBuf>,
) -> anyhow::Result<toml::Table> {
    let mut out = toml::Table::new();
    for (table, entries) in dependencies {
        let toml::Value::Table(entries) = entries else {
            bail!("[{table}] is not a table");
        };
        let mut local = toml::Table::new();
        for (name, spec) in entries {
            let Some(dir) = packages.get(name) else {
                local.insert(name.clone(), spec.clone());
                continue;
            };
            let mut by_path = toml::Table::new();
            by_path.insert(
                "path".into(),
                toml::Value::String(dir.display().to_string()),
            );
            if let toml::Value::Table(spec) = spec {
                for key in ["features", "default-features", "optional"] {
                    if let Some(value) = spec.get(key) {
                        by_path.insert(key.into(), value.clone());
                    }
                }
            }
            local.insert(name.clone(), toml::Value::Table(by_path));
        }
        out.insert(table.clone(), toml::Value::Table(local));
    }
    Ok(out)
}

/// Writes `krate` into `dir` (replacing what an earlier run left there),
/// with the workspace's lock file so that no dependency moves to a version
/// the workspace has not tested.
fn write_crate(
    root: &Path,
    dir: &Path,
    krate: &SnippetCrate,
    packages: &BTreeMap<String, PathBuf>,
) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    let snippets = if krate.test_code {
        dir.join("examples")
    } else {
        dir.join("src").join("bin")
    };
    std::fs::create_dir_all(&snippets)
        .with_context(|| format!("cannot create {}", snippets.display()))?;
    let mut manifest = toml::Table::new();
    let mut package = toml::Table::new();
    package.insert(
        "name".into(),
        toml::Value::String(format!("readme-snippets-{}", krate.name)),
    );
    package.insert("version".into(), toml::Value::String("0.0.0".into()));
    package.insert("edition".into(), toml::Value::String("2024".into()));
    package.insert("publish".into(), toml::Value::Boolean(false));
    manifest.insert("package".into(), toml::Value::Table(package));
    manifest.extend(localized(&krate.dependencies, packages)?);
    // Its own workspace: otherwise cargo would take it for a member of the
    // workspace it sits in.
    manifest.insert("workspace".into(), toml::Value::Table(toml::Table::new()));
    std::fs::write(dir.join("Cargo.toml"), toml::to_string(&manifest)?)?;
    // Cargo wants a library or a binary beside the examples.
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src").join("lib.rs"), "")?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    for (line, program) in &krate.snippets {
        let header = format!("// {}:{line}\n", krate.readme);
        std::fs::write(snippets.join(format!("line_{line}.rs")), header + program)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crates_of(markdown: &str) -> anyhow::Result<Vec<SnippetCrate>> {
        Ok(snippet_crates("crates/x/README.md", &extract::blocks(markdown))?.0)
    }

    #[test]
    fn a_snippet_without_a_set_up_is_refused() {
        let error = crates_of("```rust\nlet a = 1;\n```\n")
            .err()
            .expect("no set-up")
            .to_string();
        assert!(
            error.contains("crates/x/README.md:1: a Rust snippet, and no TOML block"),
            "{error}"
        );
    }

    #[test]
    fn a_later_toml_block_adds_to_the_next_snippet_alone() {
        let markdown = "```toml\n[dependencies]\nliner = \"0.1\"\n```\n\n```\nlet a = 1;\n```\n\n\
                        ```toml\n[dependencies]\nextra = \"1\"\n```\n\n```no_run\nlet b = 2;\n```\n\n\
                        ```\nlet c = 3;\n```\n\n```ignore\nnot rust\n```\n";
        let (crates, skipped) =
            snippet_crates("crates/x/README.md", &extract::blocks(markdown)).expect("parses");
        assert_eq!(skipped, [23]);
        let summary: Vec<(String, Vec<usize>, Vec<String>)> = crates
            .iter()
            .map(|krate| {
                let dependencies = krate.dependencies["dependencies"]
                    .as_table()
                    .expect("a table")
                    .keys()
                    .cloned()
                    .collect();
                (
                    krate.name.clone(),
                    krate.snippets.iter().map(|(line, _)| *line).collect(),
                    dependencies,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("crates-x".to_owned(), vec![6, 19], vec!["liner".to_owned()]),
                (
                    "crates-x-line-15".to_owned(),
                    vec![15],
                    vec!["extra".to_owned(), "liner".to_owned()]
                ),
            ]
        );
    }

    /// Test code (compiled as an example, seeing `[dev-dependencies]`): a
    /// snippet whose own block lists some, or any snippet of a README whose
    /// set-up lists nothing else. A program's code does not see them.
    #[test]
    fn dev_dependencies_reach_test_code_only() {
        let kinds = |markdown: &str| -> Vec<(String, bool)> {
            snippet_crates(".ci/lint/README.md", &extract::blocks(markdown))
                .expect("parses")
                .0
                .iter()
                .map(|krate| (krate.name.clone(), krate.test_code))
                .collect()
        };
        assert_eq!(
            kinds(
                "```toml\n[dependencies]\nliner = \"0.1\"\n[dev-dependencies]\nliner-fake = \"0.1\"\n```\n\
                 ```\nlet a = 1;\n```\n\
                 ```toml\n[dev-dependencies]\nhttpmock = \"0.9\"\n```\n```\nlet b = 2;\n```\n"
            ),
            [
                ("ci-lint".to_owned(), false),
                ("ci-lint-line-14".to_owned(), true)
            ]
        );
        assert_eq!(
            kinds("```toml\n[dev-dependencies]\nliner-fake = \"0.1\"\n```\n```\nlet a = 1;\n```\n"),
            [("ci-lint".to_owned(), true)]
        );
    }

    #[test]
    fn the_workspace_crates_are_taken_by_path_with_their_features() {
        let dependencies: toml::Table = "[dependencies]\nliner = { git = \"https://example.com\", rev = \"abc\", features = [\"blocking\"], default-features = false }\ntokio = \"1\"\n[dev-dependencies]\nliner-fake = \"0.1\"\n"
            .parse()
            .expect("parses");
        let packages = BTreeMap::from([
            ("liner".to_owned(), PathBuf::from("/ws/crates/liner")),
            (
                "liner-fake".to_owned(),
                PathBuf::from("/ws/crates/liner-fake"),
            ),
        ]);
        let local = localized(&dependencies, &packages).expect("localizes");
        assert_eq!(
            toml::to_string(&local).expect("serializes"),
            "[dependencies]\ntokio = \"1\"\n\n[dependencies.liner]\ndefault-features = false\nfeatures = [\"blocking\"]\npath = \"/ws/crates/liner\"\n\n[dev-dependencies.liner-fake]\npath = \"/ws/crates/liner-fake\"\n"
        );
    }
}
