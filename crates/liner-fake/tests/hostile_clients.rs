//! The fake against clients that misbehave: a body over its limit gets the
//! failure envelope, half-sent requests are dropped after the header-read
//! timeout, and other clients are answered all the while.

use std::time::Duration;

use liner_fake::{Config, FakeServer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

#[tokio::test]
async fn a_body_over_the_limit_gets_the_failure_envelope() {
    let fake = FakeServer::start(Config::default().with_max_body_bytes(1024))
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/v2/lead/create/", fake.base_url()))
        .header("X-Api-Key", fake.api_key())
        .header("Content-Type", "application/json")
        .body(vec![b' '; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(
        body["message"],
        "the request body is larger than 1024 bytes"
    );
}

#[tokio::test]
async fn half_sent_requests_are_dropped_and_others_answered() {
    let fake = FakeServer::start(
        Config::default()
            .with_leads(3)
            .with_header_read_timeout(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let address = fake.base_url().trim_start_matches("http://").to_owned();
    let mut stalled = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET /v2/lead/detail/1/ HTTP/1.1\r\nX-Api-")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // Answered while the 200 hang.
    let client = reqwest::Client::new();
    let answered = client
        .get(format!("{}/v2/lead/detail/1/", fake.base_url()))
        .header("X-Api-Key", fake.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status().as_u16(), 200);
    // Each stalled connection is closed by the server (its read ends),
    // within a generous bound of the 300 ms timeout.
    for mut stream in stalled {
        let mut buffer = Vec::new();
        let ended =
            tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
        assert!(ended.is_ok(), "a half-sent request was held open");
    }
}
