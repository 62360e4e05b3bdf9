use super::*;

#[test]
fn retryable_statuses() {
    let api = |code: u16| Error::api(StatusCode::from_u16(code).unwrap(), "");
    assert!(api(429).is_retryable() && api(503).is_retryable());
    assert!(!api(400).is_retryable() && !api(500).is_retryable());
    assert!(api(404).is_not_found() && api(401).is_unauthorized());
}

#[test]
fn server_text_is_bounded_and_escaped() {
    let error = Error::api(
        StatusCode::OK,
        &format!(
            "x\n2025-01-01 INFO forged\u{1b}[2J{}",
            "y".repeat(20_000_000)
        ),
    );
    let shown = error.to_string();
    assert!(shown.len() < MESSAGE_LIMIT + 200, "{}", shown.len());
    assert!(
        !shown.contains('\n') && !shown.contains('\u{1b}'),
        "{shown}"
    );
    assert!(
        shown.contains("x\\n2025-01-01 INFO forged\\u{1b}[2J"),
        "{shown}"
    );
}
