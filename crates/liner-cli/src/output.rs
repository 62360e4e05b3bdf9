//! Where an export writes: stdout, or a file that appears only once
//! complete.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use crate::exit::Failure;

/// Writes `text` and a newline to stdout, escaped for a terminal when it is
/// one. A reader that went away (`| head`) ends the command quietly, where
/// `println!` would panic.
pub fn print_line(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    let text = if stdout.is_terminal() {
        crate::text::for_terminal(text)
    } else {
        text.into()
    };
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|err| match err.kind() {
            io::ErrorKind::BrokenPipe => Failure::reader_gone(),
            _ => Failure::local(format!("cannot write to stdout: {err}")),
        })
}

/// The export's destination. A file is written under a temporary name in
/// its directory (so the final rename stays on one file system) and renamed
/// by [`Output::commit`]; dropped uncommitted (an error, Ctrl-C), the
/// temporary file is removed. An interrupted export never leaves a file that
/// looks complete.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// Stdout, or a temporary file beside `path`.
    pub fn create(path: Option<&Path>) -> io::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::Stdout(BufWriter::new(io::stdout())));
        };
        let dir = directory_of(path);
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into());
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(dir)?;
        Ok(Self::File {
            writer: BufWriter::with_capacity(256 * 1024, temp),
            path: path.to_owned(),
        })
    }

    /// Whether it is a terminal (a person reads it: data is escaped).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Stdout(_)) && io::stdout().is_terminal()
    }

    /// Where it goes, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Stdout(_) => "stdout".into(),
            Self::File { path, .. } => path.display().to_string(),
        }
    }

    /// Flushes, and for a file: syncs it, renames it into place, and syncs
    /// its directory.
    pub fn commit(self) -> io::Result<()> {
        self.commit_then(sync_directory)
    }

    /// [`Output::commit`], with the directory synced by `sync_directory`
    /// once the file has its name (a test sees the call).
    fn commit_then(self, sync_directory: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        match self {
            Self::Stdout(mut out) => out.flush(),
            Self::File { writer, path } => {
                let temp = writer
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                temp.as_file().sync_all()?;
                let file: File = temp.persist(&path).map_err(|err| err.error)?;
                drop(file);
                // The new name is durable only once its directory is: until
                // then a power cut may lose it, though "exported" was said.
                sync_directory(directory_of(&path))
            }
        }
    }
}

/// The directory holding `path` (`.` for a bare name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Syncs directory `dir`, so that a rename into it survives a power cut
/// (Unix; elsewhere the rename is left to the file system).
fn sync_directory(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Self::Stdout(out) => out.write(bytes),
            Self::File { writer, .. } => writer.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Stdout(out) => out.flush(),
            Self::File { writer, .. } => writer.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.csv");
        let mut output = Output::create(Some(&path)).unwrap();
        output.write_all(b"id\n1\n").unwrap();
        output.flush().unwrap();
        assert!(!path.exists());
        output.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id\n1\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let abandoned = dir.path().join("other.csv");
        let mut output = Output::create(Some(&abandoned)).unwrap();
        output.write_all(b"id\n").unwrap();
        drop(output);
        assert!(!abandoned.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the temporary file is gone"
        );
    }

    /// Item 4 of the guarantees issue: the directory is synced after the
    /// rename (before it, a power cut could still lose the new name), and
    /// its failure is the commit's.
    #[test]
    fn the_directory_is_synced_after_the_rename() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.csv");
        let mut output = Output::create(Some(&path)).unwrap();
        output.write_all(b"id\n").unwrap();
        let mut synced = Vec::new();
        output
            .commit_then(|synced_dir| {
                assert!(path.exists(), "synced before the rename");
                synced.push(synced_dir.to_owned());
                Ok(())
            })
            .unwrap();
        assert_eq!(synced, [dir.path().to_owned()]);

        let output = Output::create(Some(&dir.path().join("other.csv"))).unwrap();
        let err = output
            .commit_then(|_| Err(io::Error::other("the disk said no")))
            .unwrap_err();
        assert_eq!(err.to_string(), "the disk said no");
        assert_eq!(directory_of(Path::new("leads.csv")), Path::new("."));
        sync_directory(dir.path()).unwrap();
    }
}
