//! The `liner-fake` binary: it prints its base URL, serves, and `--clock`
//! chooses where creation times come from.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// The running binary, killed when dropped so that no test leaves it behind.
struct Fake {
    child: Child,
    base_url: String,
}

impl Fake {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_liner-fake"))
            .args(["--port", "0", "--leads", "3"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("liner-fake starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("liner-fake prints its base URL");
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url:?}");
        Self { child, base_url }
    }

    /// Creates a lead; returns the `createdAt` the fake gave it.
    async fn create_lead(&self) -> String {
        let client = reqwest::Client::new();
        let created = answer(
            client
                .post(format!("{}/v2/lead/create/", self.base_url))
                .json(&serde_json::json!({
                    "leadType": "straight",
                    "phone": "+15550100",
                    "orderId": 7,
                    "orderCode": "clock-test",
                })),
        )
        .await;
        let id = created["data"]["id"].as_u64().expect("an id");
        let lead = answer(client.get(format!("{}/v2/lead/detail/{id}/", self.base_url))).await;
        lead["data"]["createdAt"]
            .as_str()
            .expect("createdAt")
            .to_owned()
    }
}

/// The JSON answer to `request`, sent with the fake's key.
async fn answer(request: reqwest::RequestBuilder) -> serde_json::Value {
    request
        .header("X-Api-Key", "test-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unix(timestamp: &str) -> i64 {
    timestamp
        .parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("{timestamp:?}: {e}"))
        .as_second()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn clock_system_dates_a_creation_now() {
    let fake = Fake::start(&["--clock", "system"]);
    let before = now();
    let created = unix(&fake.create_lead().await);
    assert!(
        (before..=now()).contains(&created),
        "created at {created}, expected between {before} and now"
    );
}

#[tokio::test]
async fn the_default_clock_is_logical_and_the_same_in_every_run() {
    let first = Fake::start(&[]).create_lead().await;
    let second = Fake::start(&["--clock", "logical"]).create_lead().await;
    assert_eq!(first, second);
    assert!(
        unix(&first) < now() - 86_400,
        "a logical time is a seeded one, not now: {first}"
    );
}
