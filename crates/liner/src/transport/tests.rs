use liner_test_support::hostile::{HostileServer, script};
use tokio::io::AsyncWriteExt as _;

use super::*;

/// The key header is marked sensitive, whatever the caller built: a
/// request's `Debug` (what reqwest or hyper would log) never shows it.
#[test]
fn the_key_is_a_sensitive_header() {
    let transport = Transport::new(Settings {
        http: reqwest::Client::new(),
        base_url: "http://127.0.0.1:9".to_owned(),
        key: HeaderValue::from_static("canary-key-7f3a"),
        retry: RetryPolicy::none(),
        timeout: Duration::from_secs(1),
        connect_timeout: None,
        max_response_bytes: 1024,
        rate_limit: None,
    });
    let request = transport
        .request(Method::GET, "/v2/lead/detail/1/", &[], None)
        .build()
        .unwrap();
    assert!(request.headers()[&API_KEY_HEADER].is_sensitive());
    let shown = format!("{request:?} {:?}", request.headers());
    assert!(!shown.contains("canary-key-7f3a"), "{shown}");
    assert!(shown.contains("Sensitive"), "{shown}");
}

/// A body buffer reserves what arrives, not what is announced: the
/// claim is capped, and with no limit at all (`u64::MAX`) a server
/// announcing 9 TB and sending ten bytes costs ten bytes, not an
/// allocation that aborts the process.
#[tokio::test]
async fn an_announced_length_reserves_little() {
    assert_eq!(body::initial_capacity(Some(16 << 20), 16 << 20), 64 * 1024);
    assert_eq!(body::initial_capacity(Some(300), 16 << 20), 300);
    assert_eq!(body::initial_capacity(Some(u64::MAX), u64::MAX), 64 * 1024);
    assert_eq!(body::initial_capacity(None, 1024), 0);
    let server = HostileServer::start(script(|_, mut stream| async move {
        let _ = stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                  Content-Length: 9000000000000\r\n\r\n{\"success\"",
            )
            .await;
    }))
    .await;
    let transport = Transport::new(Settings {
        http: reqwest::Client::new(),
        base_url: server.base_url().to_owned(),
        key: HeaderValue::from_static("key"),
        retry: RetryPolicy::none(),
        timeout: Duration::from_secs(5),
        connect_timeout: None,
        max_response_bytes: u64::MAX,
        rate_limit: None,
    });
    let err = transport
        .send_raw(&crate::routes::list_leads(), &[], None, &mut NoGate)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

/// A consumer that takes `wait` to want the body.
struct SlowConsumer {
    wait: Duration,
    waited: Duration,
}

impl BodyGate for SlowConsumer {
    const WAITS: bool = true;

    async fn open(&mut self) {
        tokio::time::sleep(self.wait).await;
        self.waited += self.wait;
    }

    fn waited(&self) -> Duration {
        self.waited
    }
}

/// Headers at once, the body 4 s later; the client's timeout is 2 s and
/// the gate waits 3 s. Of the 4 s, the server's share is 1 s (3 s were
/// the consumer's), so the exchange succeeds: the time left for the body
/// is measured before the gate's wait, not after it.
#[tokio::test]
async fn the_time_a_body_waits_at_its_gate_is_not_the_servers() {
    let server = HostileServer::start(script(|_, mut stream| async move {
        let body = br#"{"success":true,"message":"","data":{"list":[]}}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        let _ = stream.write_all(body).await;
    }))
    .await;
    let transport = Transport::new(Settings {
        http: reqwest::Client::new(),
        base_url: server.base_url().to_owned(),
        key: HeaderValue::from_static("key"),
        retry: RetryPolicy::none(),
        timeout: Duration::from_secs(2),
        connect_timeout: None,
        max_response_bytes: 1024,
        rate_limit: None,
    });
    let mut gate = SlowConsumer {
        wait: Duration::from_secs(3),
        waited: Duration::ZERO,
    };
    let answer = transport
        .send_raw(&crate::routes::list_leads(), &[], None, &mut gate)
        .await
        .expect("the server took 1 s of the 2 s timeout");
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(gate.waited, Duration::from_secs(3));
}

/// A deadline of `Duration::MAX` is no deadline: the time left is
/// computed by subtraction, never by adding to an `Instant`, so it
/// neither overflows nor stops the retry.
#[tokio::test]
async fn the_longest_deadline_still_retries() {
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = HostileServer::start(script(move |_, stream| {
        let first = answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        async move {
            if first {
                let head = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n\
                        Content-Type: application/json";
                let body = br#"{"success":false,"message":"busy","data":[]}"#;
                liner_test_support::hostile::answer(stream, head, body).await;
            } else {
                liner_test_support::hostile::json(stream, r#"{"success":true}"#).await;
            }
        }
    }))
    .await;
    let transport = Transport::new(Settings {
        http: reqwest::Client::new(),
        base_url: server.base_url().to_owned(),
        key: HeaderValue::from_static("key"),
        retry: RetryPolicy::default()
            .deadline(Duration::MAX)
            .retry_after_cap(Duration::MAX),
        timeout: Duration::from_secs(5),
        connect_timeout: None,
        max_response_bytes: 1024,
        rate_limit: None,
    });
    let answer = transport
        .send_raw(&crate::routes::list_leads(), &[], None, &mut NoGate)
        .await
        .expect("the 503 is retried and the second attempt answers");
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.request.attempts, 2);
    assert_eq!(server.requests().len(), 2);
}
