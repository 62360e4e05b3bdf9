//! `Display` of every error variant, produced by real failures where one can
//! be staged on 127.0.0.1.

use std::time::Duration;

use liner::{Error, LeadType, Liner, NewLead, RetryPolicy};
use liner_fake::{Config, FakeServer, Fault, Faults, Latency};
use liner_test_support::capture::{CannedResponse, CaptureServer};

/// No retries: each staged failure is seen as it happens (retries have
/// their own tests in `reliability.rs`).
fn client(base_url: &str) -> Liner {
    crate::support::client_of_with(base_url, "canary-key-0451", RetryPolicy::none())
}

/// One staged failure: the error, as printed, with the port made stable.
struct Printed(Vec<String>);

impl Printed {
    fn add(&mut self, name: &str, error: &Error, base_url: &str) {
        let mut text = error.to_string();
        if !base_url.is_empty() {
            text = text.replace(base_url, "http://127.0.0.1:PORT");
        }
        assert!(
            !text.contains("canary-key-0451") && !format!("{error:?}").contains("canary-key-0451")
        );
        // Each layer's Display describes that layer; the causes follow, each
        // once, as a chain printer shows them.
        let mut cause = std::error::Error::source(error);
        while let Some(inner) = cause {
            let shown = inner.to_string().replace(base_url, "http://127.0.0.1:PORT");
            let shown = if base_url.is_empty() {
                inner.to_string()
            } else {
                shown
            };
            assert!(
                !text.contains(&shown),
                "{name}: the cause is printed twice: {text}"
            );
            text.push_str(&format!("\n    caused by: {shown}"));
            cause = inner.source();
        }
        self.0
            .push(format!("{name} [{}]:\n  {text}", variant(error)));
    }
}

fn variant(error: &Error) -> &'static str {
    match error {
        Error::InvalidInput { .. } => "InvalidInput",
        Error::Config { .. } => "Config",
        Error::Api { .. } => "Api",
        Error::Http { .. } => "Http",
        Error::Decode { .. } => "Decode",
        Error::Timeout { .. } => "Timeout",
        Error::Transport { .. } => "Transport",
        Error::Redirect { .. } => "Redirect",
        Error::TooLarge { .. } => "TooLarge",
        Error::Pagination { .. } => "Pagination",
        _ => "unknown",
    }
}

#[tokio::test]
async fn every_variant_displays_actionably() {
    let mut printed = Printed(Vec::new());

    printed.add(
        "invalid input",
        &client("http://127.0.0.1:9").lead(0).await.unwrap_err(),
        "",
    );
    let config = Liner::builder()
        .base_url("liner.example.com")
        .api_key("k")
        .build()
        .unwrap_err();
    printed.add("config", &config, "");

    let canned = [
        (
            "api failure at 404",
            404,
            r#"{"success":false,"message":"Lead not found","data":[]}"#,
        ),
        (
            "api failure at 200",
            200,
            r#"{"success":false,"message":"Temporary failure","data":[]}"#,
        ),
        (
            "api failure with an empty message",
            400,
            r#"{"success":false,"message":"","data":[]}"#,
        ),
        (
            "http without envelope",
            502,
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        ),
        ("http with empty body", 503, ""),
        (
            "decode: wrong type",
            200,
            r#"{"success":true,"message":"","data":{"id":"seven"}}"#,
        ),
        (
            "decode: truncated",
            200,
            r#"{"success":true,"message":"","data":{"id":7,"name":"Jo"#,
        ),
        (
            "decode: not JSON at 200",
            200,
            "Fatal error: Allowed memory size exhausted",
        ),
    ];
    for (name, status, body) in canned {
        let server = CaptureServer::start(vec![CannedResponse {
            status,
            body: body.to_owned(),
        }])
        .await;
        let error = client(server.base_url()).lead(7).await.unwrap_err();
        printed.add(name, &error, server.base_url());
    }

    let server = CaptureServer::start(vec![CannedResponse::ok(
        r#"{"success":true,"message":"","data":{"list":[{"id":1}],"next":0,"total":10}}"#,
    )])
    .await;
    let error = client(server.base_url())
        .leads()
        .collect_all()
        .await
        .unwrap_err();
    printed.add("pagination", &error, server.base_url());

    let slow = FakeServer::start(
        Config::default()
            .with_faults(Faults::default().with_latency(Latency::Fixed(Duration::from_secs(5)))),
    )
    .await
    .unwrap();
    let impatient = Liner::builder()
        .base_url(slow.base_url())
        .api_key(slow.api_key())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    printed.add(
        "timeout",
        &impatient.lead(1).await.unwrap_err(),
        slow.base_url(),
    );

    for (name, fault) in [
        ("connection cut before the answer", Fault::CutBeforeAnswer),
        ("connection cut mid-body", Fault::CutMidBody),
    ] {
        let cutting = FakeServer::start(Config::default().with_faults(Faults::always(fault)))
            .await
            .unwrap();
        let error = client(cutting.base_url())
            .create_lead(NewLead::new(LeadType::Straight, "79001234567", 1, "x"))
            .await
            .unwrap_err();
        printed.add(name, &error, cutting.base_url());
    }

    let (listener, _queued) = full_listener().await;
    let unanswered = format!("http://{}", listener.local_addr().unwrap());
    let connecting = Liner::builder()
        .base_url(&unanswered)
        .api_key("canary-key-0451")
        .connect_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = connecting.lead(1).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    printed.add("timeout while connecting", &error, &unanswered);

    // A port that was just free: nothing listens there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    printed.add(
        "connection refused",
        &client(&closed).lead(1).await.unwrap_err(),
        &closed,
    );

    insta::assert_snapshot!(printed.0.join("\n"));
}

/// A listener that never accepts, its accept queue full: Linux drops any
/// further SYN, so a new connection hangs in the handshake until its
/// timeout. The queue is filled until a connection attempt times out; the
/// connections that got in are returned, to be kept open.
async fn full_listener() -> (tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let address = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..64 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => return (listener, queued),
            Err(err) => panic!("filling the accept queue: {err}"),
        }
    }
    panic!("64 connections queued and none refused: the accept queue does not fill here");
}

/// Each status a later try may succeed after (429, 502, 503, 504) is
/// retried, by the same list `Error::is_retryable` reads; a 500 is not.
#[tokio::test]
async fn gateway_failures_are_retried_and_a_server_error_is_not() {
    let lead = r#"{"success":true,"message":"","data":{"id":1,"name":"Ada"}}"#;
    let failure = |status: u16| CannedResponse {
        status,
        body: format!(r#"<html><body>{status}</body></html>"#),
    };
    let quick = RetryPolicy::default()
        .max_retries(4)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2));
    for status in [429, 502, 503, 504] {
        let server = CaptureServer::start(vec![
            failure(status),
            failure(status),
            CannedResponse::ok(lead),
        ])
        .await;
        let client = crate::support::client_of_with(server.base_url(), "k", quick.clone());
        let read = client.lead(1).await;
        assert!(read.is_ok(), "{status}: {read:?}");
        assert_eq!(server.requests().len(), 3, "{status}: retried twice");
    }
    let server = CaptureServer::start(vec![failure(500), CannedResponse::ok(lead)]).await;
    let client = crate::support::client_of_with(server.base_url(), "k", quick);
    let err = client.lead(1).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1, "a 500 is not retried");
}
