//! Comparing a checked-in generated file with what the spec now produces.

use similar::TextDiff;

use crate::codegen::Artifact;

/// How many diff lines a stale report shows before it stops.
const MAX_DIFF_LINES: usize = 40;

/// `None` when the file on disk is exactly `artifact.contents`; otherwise a
/// report naming the file with the start of a unified diff.
pub fn compare(artifact: &Artifact) -> anyhow::Result<Option<String>> {
    let on_disk = match std::fs::read_to_string(artifact.path()) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(format!(
                "stale: {} does not exist; `cargo xtask generate` creates it",
                artifact.display_path()
            )));
        }
        Err(err) => return Err(err.into()),
    };
    if on_disk == artifact.contents {
        return Ok(None);
    }
    let diff = TextDiff::from_lines(on_disk.as_str(), artifact.contents.as_str());
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{} (checked in)", artifact.display_path()),
            &format!("{} (generated from the spec)", artifact.display_path()),
        )
        .to_string();
    let total = unified.lines().count();
    let mut report = format!("stale: {} differs from the spec\n", artifact.display_path());
    for line in unified.lines().take(MAX_DIFF_LINES) {
        report.push_str(line);
        report.push('\n');
    }
    if total > MAX_DIFF_LINES {
        report.push_str(&format!(
            "... ({} more diff lines)\n",
            total - MAX_DIFF_LINES
        ));
    }
    Ok(Some(report))
}
