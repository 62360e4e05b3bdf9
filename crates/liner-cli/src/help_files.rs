//! The files a shell and `man` read about `liner`, written from the same
//! command definition as `--help`: `liner completions SHELL` and
//! `liner man [--dir DIR]`.

use std::io::Write as _;

use crate::exit::Failure;

/// Prints `shell`'s completion script to stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "liner", &mut script);
    write_stdout(&script)
}

/// Prints the man page (roff) to stdout: `liner man > liner.1`; or, given
/// `dir`, writes every command's page there and names them.
pub fn man(dir: Option<&std::path::Path>) -> Result<(), Failure> {
    if let Some(dir) = dir {
        clap_mangen::generate_to(crate::cli::command(), dir).map_err(|err| {
            Failure::local(format!(
                "cannot write the man pages into {}: {err}",
                dir.display()
            ))
        })?;
        crate::notes::note!("liner: wrote the man pages into {}", dir.display());
        return Ok(());
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut page)
        .map_err(|err| Failure::local(format!("cannot render the man page: {err}")))?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::reader_gone(),
            _ => Failure::local(format!("cannot write to stdout: {err}")),
        })
}
