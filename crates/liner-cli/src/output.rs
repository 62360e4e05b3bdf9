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
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
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

    /// Flushes, and for a file: syncs it and renames it into place.
    pub fn commit(self) -> io::Result<()> {
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
                sync_directory_of(&path)
            }
        }
    }
}

/// Syncs the directory holding `path` (Unix; elsewhere the rename is left
/// to the file system).
fn sync_directory_of(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
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
}
