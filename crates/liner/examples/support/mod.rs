//! The set-up every example shares, so that each example shows only its own
//! task. Copy what you need: in your program, `Liner::from_env()` (or
//! `Liner::builder_from_env()`) is all of it.
//!
//! - **Where**: the server `LINER_BASE_URL` and `LINER_API_KEY` name (with
//!   `LINER_CA_CERT` and `LINER_PROXY` when set); with neither set, a fake
//!   Liner server started in-process on 127.0.0.1, which the example says.
//!   One set without the other is an error, never the fake: a typo must not
//!   quietly turn into a demo.
//! - **Read-only on a real account**: against a configured server an example
//!   creates and updates nothing unless `LINER_EXAMPLES_WRITE=1` is set, and
//!   says so when it skips a write. The fake is always writable.
//! - **Where the messages go**: what the set-up says (the server, a skipped
//!   write) to stderr; the example's own output to stdout.

#![allow(dead_code)] // Each example uses part of it.

use std::error::Error;
use std::process::ExitCode;

use liner::{Liner, LinerBuilder};
use liner_fake::{Config, FakeServer};

/// The variable that lets an example write to a configured server.
pub const WRITE_VAR: &str = "LINER_EXAMPLES_WRITE";

/// Whether an example may create and update leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// It may: the fake, or a configured server with `LINER_EXAMPLES_WRITE=1`.
    Allowed,
    /// It reads only: a configured server, and no `LINER_EXAMPLES_WRITE=1`.
    ReadOnly,
}

impl Writes {
    /// The rule above: the fake is writable; a configured server only when
    /// `write_var` (the value of `LINER_EXAMPLES_WRITE`) is exactly `1`.
    pub fn decide(configured: bool, write_var: Option<&str>) -> Self {
        if !configured || write_var == Some("1") {
            Writes::Allowed
        } else {
            Writes::ReadOnly
        }
    }

    /// Says that `what` was skipped, and how to allow it.
    pub fn skipped(what: &str) {
        eprintln!(
            "skipped: {what} (read-only against a configured server; set {WRITE_VAR}=1 to allow writes)"
        );
    }
}

/// Where an example runs, and what it may do there.
pub struct Target {
    /// The client's settings, to add an example's own before `build()`.
    pub builder: LinerBuilder,
    /// The in-process fake, when nothing is configured; dropping it stops it.
    pub fake: Option<FakeServer>,
    /// Whether the example may write.
    pub writes: Writes,
}

impl Target {
    /// The configured server, or a fake started with `fake_config`.
    pub async fn new(fake_config: Config) -> Result<Self, Box<dyn Error>> {
        let write_var = std::env::var(WRITE_VAR).ok();
        if let Some(builder) = Liner::builder_from_env_if_set()? {
            let writes = Writes::decide(true, write_var.as_deref());
            // Built once to check the settings, and to print the base URL
            // as the client keeps it: a URL with a user, a password or a
            // query (which may hold a secret) is refused, never echoed.
            let checked = builder.clone().build()?;
            eprintln!(
                "Using the Liner API at {} ({}); {}",
                checked.base_url(),
                Liner::BASE_URL_VAR,
                match writes {
                    Writes::Allowed => format!("writes allowed by {WRITE_VAR}=1"),
                    Writes::ReadOnly => format!("read-only ({WRITE_VAR}=1 allows writes)"),
                }
            );
            return Ok(Target {
                builder,
                fake: None,
                writes,
            });
        }
        let fake = FakeServer::start(fake_config).await?;
        eprintln!(
            "{} and {} are not set: started a fake Liner server at {}",
            Liner::BASE_URL_VAR,
            Liner::API_KEY_VAR,
            fake.base_url()
        );
        Ok(Target {
            builder: Liner::builder()
                .base_url(fake.base_url())
                .api_key(fake.api_key()),
            fake: Some(fake),
            writes: Writes::Allowed,
        })
    }
}

/// The exit status of an example: success, or the error printed for people
/// (its `Display`, then each cause once: TLS libraries repeat their inner
/// error's text) and a failure.
pub fn exit_status(outcome: Result<(), Box<dyn Error>>) -> ExitCode {
    let Err(error) = outcome else {
        return ExitCode::SUCCESS;
    };
    let mut line = format!("example failed: {error}");
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !line.contains(&text) {
            line.push_str(&format!(": {text}"));
        }
        cause = inner.source();
    }
    eprintln!("{line}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::Writes;

    #[test]
    fn a_configured_server_is_read_only_unless_the_variable_is_one() {
        assert_eq!(Writes::decide(false, None), Writes::Allowed);
        assert_eq!(Writes::decide(true, None), Writes::ReadOnly);
        assert_eq!(Writes::decide(true, Some("0")), Writes::ReadOnly);
        assert_eq!(Writes::decide(true, Some("yes")), Writes::ReadOnly);
        assert_eq!(Writes::decide(true, Some("1")), Writes::Allowed);
    }
}
