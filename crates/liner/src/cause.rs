//! What a failure's causes say went wrong: a status worth retrying, a TLS
//! problem, a proxy's refusal. One place for each fact, used by the
//! transport (to decide) and by [`Error`](crate::Error) (to tell).

use reqwest::StatusCode;

/// The statuses a later try may succeed after: the server was busy (429,
/// 503) or a gateway in front of it failed (502, 504). The one list of
/// them: the transport retries these, and [`Error::is_retryable`] says so.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// What a failed connection's causes say went wrong with TLS, in words,
/// if anything: read from the text of every cause, which is how both
/// backends report it (rustls: "invalid peer certificate: UnknownIssuer";
/// OpenSSL: "certificate verify failed ... (unable to get local issuer
/// certificate)").
pub(crate) fn tls_problem(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut text = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(inner) = cause {
        text.push_str(&inner.to_string().to_ascii_lowercase());
        text.push('\n');
        cause = inner.source();
    }
    let has = |markers: &[&str]| markers.iter().any(|marker| text.contains(marker));
    if has(&[
        "proxy authentication required",
        "proxy authorization required",
    ]) {
        return None;
    }
    Some(
        if has(&[
            "unknownissuer",
            "unable to get local issuer",
            "unable to get issuer",
            "self-signed certificate",
            "self signed certificate",
            "untrusted root",
        ]) {
            "the server's certificate is not trusted (unknown issuer)"
        } else if has(&[
            "certificate expired",
            "invalid peer certificate: expired",
            "certificate has expired",
        ]) {
            "the server's certificate has expired"
        } else if has(&[
            "not valid for name",
            "notvalidforname",
            "hostname mismatch",
            "ip address mismatch",
        ]) {
            "the server's certificate is not valid for this host name"
        } else if has(&[
            "not valid yet",
            "notvalidyet",
            "certificate is not yet valid",
        ]) {
            "the server's certificate is not valid yet"
        } else if has(&["invalid peer certificate", "certificate verify failed"]) {
            "the server's certificate was refused"
        } else if has(&[
            "handshake",
            "received fatal alert",
            "peer is incompatible",
            "ssl routines",
            "wrong version number",
            "corrupt message",
        ]) {
            "the TLS handshake failed"
        } else {
            return None;
        },
    )
}

/// Whether a failed connection's causes say a proxy refused it.
pub(crate) fn proxy_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(inner) = cause {
        let text = inner.to_string().to_ascii_lowercase();
        if text.contains("proxy authentication required")
            || text.contains("proxy authorization required")
            || text.contains("unsuccessful tunnel")
        {
            return true;
        }
        cause = inner.source();
    }
    false
}
