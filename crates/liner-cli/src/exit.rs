//! How the command ends: its exit status, and the one line it prints on
//! failure. The statuses are documented in `--help` and the README.

use std::fmt;
use std::process::ExitCode;

/// The exit statuses of `liner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything asked was done.
    Success = 0,
    /// A local failure: a file could not be read or written, or its rows are
    /// invalid (nothing was sent).
    Local = 1,
    /// The command line or the configuration is wrong (clap's own usage
    /// errors use 2 as well).
    Usage = 2,
    /// The Liner API refused the request (a 4XX, or the failure envelope).
    Refused = 3,
    /// No usable answer: the server could not be reached, timed out, broke
    /// the connection, failed (5XX) or answered something unreadable.
    Network = 4,
    /// An import ended with rows not created that running it again may
    /// create (unknown, or not sent); the journal says which.
    Partial = 5,
    /// An import is settled with rows not created: only refused or invalid
    /// rows are left, and running it again changes nothing.
    Settled = 6,
    /// Stopped by SIGHUP (the terminal went away): 128 + 1.
    HungUp = 129,
    /// Interrupted by Ctrl-C: 128 + SIGINT's 2.
    Interrupted = 130,
    /// Stopped by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}

/// The table printed by `--help`.
pub const EXIT_STATUSES: &str = "\
Exit status:
  0    success
  1    a file could not be read or written, or an import file has invalid rows
  2    usage: a wrong argument or a missing configuration
  3    the Liner API refused the request (4XX or the failure envelope)
  4    no usable answer: network, timeout, server error (5XX), unreadable answer
  5    an import left rows not created; running it again may create them
  6    an import left only refused or invalid rows: running it again changes nothing
  129  stopped by SIGHUP (the terminal went away)
  130  interrupted by Ctrl-C
  143  stopped by SIGTERM";

/// Why the command failed, as one line, and the status it exits with.
#[derive(Debug)]
pub struct Failure {
    pub status: Status,
    message: String,
}

impl Failure {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// A local failure (files, rows).
    pub fn local(message: impl Into<String>) -> Self {
        Self::new(Status::Local, message)
    }

    /// An end that prints nothing: stdout's reader went away (`| head`),
    /// which is no failure of this command.
    pub fn reader_gone() -> Self {
        Self::new(Status::Success, "")
    }

    /// Whether there is anything to print.
    pub fn is_silent(&self) -> bool {
        self.message.is_empty()
    }

    /// A usage failure.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Status::Usage, message)
    }

    /// A failure of the `liner` client, classified by [`status_of`], with
    /// its causes on the same line.
    pub fn client(context: &str, error: &liner::Error) -> Self {
        let message = if context.is_empty() {
            error.to_string()
        } else {
            format!("{context}: {error}")
        };
        Self::new(status_of(error), with_causes(message, error))
    }
}

impl fmt::Display for Failure {
    /// One line: control characters escaped (a file name or a cause could
    /// hold any).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::one_line(&self.message, 2000))
    }
}

/// `message`, then each cause of `error` on the same line, each once: a
/// cause whose text the line already holds (TLS libraries repeat their
/// inner error in their own text) is left out.
pub fn with_causes(mut message: String, error: &dyn std::error::Error) -> String {
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !text.is_empty() && !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}

/// The exit status a client error maps to.
pub fn status_of(error: &liner::Error) -> Status {
    use liner::Error;
    match error {
        Error::InvalidInput { .. } | Error::Config { .. } => Status::Usage,
        Error::Api { status, .. } | Error::Http { status, .. } if status.is_server_error() => {
            Status::Network
        }
        Error::Api { .. } | Error::Http { .. } | Error::Redirect { .. } => Status::Refused,
        // The server never saw the request: no answer, as a refused
        // connection.
        Error::Tls { .. } | Error::Proxy { .. } => Status::Network,
        _ => Status::Network,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error whose text holds its cause's, as OpenSSL's do.
    #[derive(Debug)]
    struct Layer(String, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|inner| inner as _)
        }
    }

    #[test]
    fn each_cause_is_printed_once() {
        let ssl = "error:0A000086:SSL routines::certificate verify failed";
        let chain = Layer(
            "the server's certificate is not trusted".into(),
            Some(Box::new(Layer(
                format!("client error (Connect): {ssl}"),
                Some(Box::new(Layer(ssl.into(), None))),
            ))),
        );
        let line = with_causes("liner: GET /".into(), &chain);
        assert_eq!(
            line,
            format!("liner: GET /: client error (Connect): {ssl}"),
            "the last cause's text is already in the line"
        );
    }
}
