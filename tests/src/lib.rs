//! What the workspace-wide tests share: where the workspace is, and how to
//! copy its sources for a test that edits them.

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this package's directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package lives one level below the workspace root")
        .to_path_buf()
}

/// Copies the workspace's sources (not its build output, history or
/// installed tools) from `from` to `to`.
///
/// # Panics
/// On any I/O error: a test that cannot copy its workspace cannot run.
pub fn copy_sources(from: &Path, to: &Path) {
    const SKIPPED: &[&str] = &["target", ".git", "node_modules", ".schemathesis"];
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if SKIPPED.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_sources(&source, &target);
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}
