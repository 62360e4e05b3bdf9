//! Server text in the logs: the `WARN` event of a retry carries the error,
//! and the error carries the server's message, escaped. (A binary of its
//! own: `tracing`'s per-call-site cache is process-wide.)

mod support;

use liner_test_support::hostile::{HostileServer, answer, script};
use liner_test_support::logs::Captured;

#[tokio::test(flavor = "current_thread")]
async fn a_forged_log_line_stays_one_escaped_line() {
    let logs = Captured::default();
    let _guard = logs.install();
    let forged = "busy\n2026-11-23T00:00:00Z  INFO liner: all good\u{1b}[2J";
    let body = serde_json::json!({"success": false, "message": forged, "data": []}).to_string();
    let server = HostileServer::start(script(move |_, stream| {
        let body = body.clone();
        async move {
            answer(
                stream,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json",
                body.as_bytes(),
            )
            .await
        }
    }))
    .await;
    let client = support::client_of_with(
        server.base_url(),
        "canary-log-key",
        support::many_quick_retries().max_retries(1),
    );
    let error = client.lead(1).await.unwrap_err();
    assert_eq!(server.requests().len(), 2, "the 503 was retried once");
    let text = logs.text();
    let warnings: Vec<&str> = text.lines().filter(|line| line.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(
        warnings[0].contains("busy\\n2026-11-23T00:00:00Z  INFO liner: all good\\u{1b}[2J"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("2026-11-23T00:00:00Z  INFO liner: all good")),
        "a forged line: {text}"
    );
    assert!(!error.to_string().contains('\n'), "{error}");
}
