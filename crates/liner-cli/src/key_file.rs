//! An API key kept in a file (`--api-key-file`, `LINER_API_KEY_FILE`, a
//! profile's `api_key_file`).

use std::path::Path;

use crate::exit::Failure;

/// The key in `path`. Warns when others may read the file (as ssh does for
/// its keys).
pub fn read(path: &Path) -> Result<String, Failure> {
    let key = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!(
            "cannot read the API key file {}: {err}",
            path.display()
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.permissions().mode() & 0o077 != 0
        {
            crate::notes::note!(
                "liner: warning: {} can be read by other users (chmod 600 it)",
                path.display()
            );
        }
    }
    if key.trim().is_empty() {
        return Err(Failure::usage(format!(
            "the API key file {} is empty",
            path.display()
        )));
    }
    Ok(key)
}
