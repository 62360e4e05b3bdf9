//! `cargo xtask generate`: writes every file derived from the spec, and
//! only those that changed.

use std::path::Path;
use std::process::ExitCode;

use crate::codegen;

pub fn run(root: &Path) -> anyhow::Result<ExitCode> {
    for artifact in codegen::render_all(root)? {
        if artifact.write_if_changed()? {
            println!("wrote {}", artifact.display_path());
        } else {
            println!("unchanged {}", artifact.display_path());
        }
    }
    Ok(ExitCode::SUCCESS)
}
