//! Helpers of the command-line tests: a fake Liner server on a runtime of
//! its own, and the `liner` binary pointed at it.

#![allow(dead_code)] // each test file uses some of these

use std::collections::BTreeMap;
use std::path::Path;

use liner_fake::{Clock, Config, FakeServer};

/// A fake server, serving from a runtime of its own while the test runs
/// the binary; it dates creations by the system clock, as a real server,
/// unless the test chose another clock.
pub struct Fake {
    pub server: FakeServer,
    pub runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start(config: Config) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // A clock the test chose is kept.
        let config = if config.clock == Clock::Logical {
            config.with_clock(Clock::System)
        } else {
            config
        };
        let server = runtime.block_on(FakeServer::start(config)).unwrap();
        Self { server, runtime }
    }

    /// `liner`, configured for this server through the environment.
    pub fn liner(&self) -> assert_cmd::Command {
        let mut command = liner();
        command
            .env("LINER_BASE_URL", self.server.base_url())
            .env("LINER_API_KEY", self.server.api_key());
        command
    }

    /// The same as a `std` command (for spawning and killing).
    pub fn liner_std(&self) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("liner"));
        command
            .env("LINER_BASE_URL", self.server.base_url())
            .env("LINER_API_KEY", self.server.api_key());
        command
    }

    /// Every lead on the server, read with the `liner` crate (not the CLI
    /// under test).
    pub fn leads(&self) -> Vec<liner::Lead> {
        let client = liner::Liner::builder()
            .base_url(self.server.base_url())
            .api_key(self.server.api_key())
            .build()
            .unwrap();
        self.runtime.block_on(client.leads().collect_all()).unwrap()
    }

    /// How many leads created through the API the server holds per
    /// `orderCode` (read from the server's state, not through the list).
    pub fn order_codes(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for lead in self.server.created_leads() {
            let code = lead["orderCode"].as_str().unwrap_or_default().to_owned();
            *counts.entry(code).or_insert(0) += 1;
        }
        counts
    }
}

/// `liner`, with no configuration from the test's own environment.
pub fn liner() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("liner").unwrap();
    command
        .env_remove("LINER_BASE_URL")
        .env_remove("LINER_API_KEY")
        .env_remove("LINER_API_KEY_FILE")
        .env_remove("LINER_PROFILE")
        .env_remove("LINER_CONFIG");
    command
}

/// A CSV file of `rows` new leads, each with its own `orderCode`
/// (`T-<n>`), in `dir`.
pub fn csv_of_new_leads(dir: &Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join("new.csv");
    std::fs::write(&path, liner_test_support::new_leads::csv(rows, "T", 3)).unwrap();
    path
}

/// The journal's entries about rows, parsed (an order's `baseline` left
/// out).
pub fn journal(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|entry| entry.get("row").is_some())
        .collect()
}
