//! [`Error`]: everything that can go wrong, with what a caller needs to act.
//!
//! Each variant's `Display` describes its own layer and nothing below it:
//! the underlying error, when there is one, is [`std::error::Error::source`],
//! so that chain printers (`anyhow`'s `{:#}`, `tracing`'s error chains) show
//! every cause once. Text that came from the server (an API message, a JSON
//! path) is cut to a bounded length and its control characters escaped
//! before it is printed: it cannot flood a log or forge a line of it. No
//! `Display` prints a body: a body snippet is kept for debugging, behind
//! [`Error::snippet`], because in a CRM it holds names and phone numbers.

use std::fmt;
use std::time::Duration;

pub use reqwest::StatusCode;

/// The result of every fallible `liner` call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of a response body an error keeps as its snippet: enough to
/// recognise an HTML error page or a PHP notice.
pub(crate) const SNIPPET_LIMIT: usize = 1024;

/// How much of the server's `message` an [`Error::Api`] keeps, in
/// characters: enough for any real explanation, bounded whatever the server
/// sends.
pub(crate) const MESSAGE_LIMIT: usize = liner_api::text::MESSAGE_LIMIT;

/// The request an error is about: its method and path (never its query,
/// which can hold personal data, never the key) and how many attempts were
/// made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// `GET`, `POST`.
    pub method: String,
    /// The path, e.g. `/v2/lead/detail/7/`.
    pub path: String,
    /// Attempts made, the first included.
    pub attempts: u32,
}

impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        match self.attempts {
            0 | 1 => Ok(()),
            attempts => write!(f, " ({attempts} attempts)"),
        }
    }
}

/// An error from the Liner client.
///
/// Match on the variant, or use the helpers ([`Error::status`],
/// [`Error::is_not_found`], [`Error::is_retryable`], ...). The API key never
/// appears in any variant's `Debug` or `Display`.
///
/// The enum and each variant are `#[non_exhaustive]`: a new variant or a
/// new field is not a breaking change, so a `match` ends with `_ =>` and
/// a variant's pattern with `..`:
///
/// ```
/// # fn report(err: &liner::Error) -> String {
/// match err {
///     liner::Error::Api { status, message, .. } => format!("refused ({status}): {message}"),
///     liner::Error::Timeout { .. } => "too slow".to_owned(),
///     other => other.to_string(),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent.
    #[non_exhaustive]
    InvalidInput {
        /// The argument or field, as the caller named it (`page_size`,
        /// `phone`, `created_from`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The client could not be configured (base URL, API key, environment).
    #[non_exhaustive]
    Config {
        /// What is wrong.
        reason: String,
        /// The underlying error, if any.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The API answered with its failure envelope: `"success": false`, at any
    /// HTTP status (including `200`).
    #[non_exhaustive]
    Api {
        /// The request, when known.
        request: Option<Box<RequestInfo>>,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The API's explanation (`message`), at most [`MESSAGE_LIMIT`](crate::Error::MESSAGE_LIMIT)
        /// characters of it.
        message: String,
        /// The wait the server asked for (`Retry-After`), if any.
        retry_after: Option<Duration>,
    },
    /// The API answered with a non-2xx status and a body that is not a
    /// Liner envelope (a proxy's HTML page, an empty body, ...).
    #[non_exhaustive]
    Http {
        /// The request, when known.
        request: Option<Box<RequestInfo>>,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The start of the body (see [`Error::snippet`]).
        snippet: String,
        /// The wait the server asked for (`Retry-After`), if any.
        retry_after: Option<Duration>,
    },
    /// A 2xx answer whose body could not be decoded.
    #[non_exhaustive]
    Decode {
        /// The request, when known.
        request: Option<Box<RequestInfo>>,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// Where in the JSON decoding failed, e.g. `data.list[3].id`
        /// (`.` for the document itself).
        path: String,
        /// What was expected there, without the value found (which can be
        /// personal data): `invalid type: string, expected a nonzero u64`.
        message: String,
        /// The start of the body (see [`Error::snippet`]).
        snippet: String,
    },
    /// The request or its response did not complete in time: an attempt's
    /// timeout, or the call's deadline.
    #[non_exhaustive]
    Timeout {
        /// The request.
        request: Box<RequestInfo>,
        /// The time limit that was exceeded, when known.
        after: Option<Duration>,
        /// Whether it timed out while connecting (the server never saw the
        /// request).
        connecting: bool,
    },
    /// The connection failed or broke (refused, reset, cut mid-body, TLS).
    #[non_exhaustive]
    Transport {
        /// The request.
        request: Box<RequestInfo>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The TLS connection to the server could not be set up: its certificate
    /// is not trusted, has expired or is for another name, or the handshake
    /// failed. Never retried: trying again cannot help. The server never saw
    /// the request.
    #[non_exhaustive]
    Tls {
        /// The request.
        request: Box<RequestInfo>,
        /// The host connected to.
        host: String,
        /// What failed, in words: "the server's certificate is not trusted
        /// (unknown issuer)".
        problem: &'static str,
        /// The TLS library's error.
        source: reqwest::Error,
    },
    /// The proxy refused to carry the request (it wants credentials, or
    /// answered its `CONNECT` with an error). Never retried. The server never
    /// saw the request.
    #[non_exhaustive]
    Proxy {
        /// The request.
        request: Box<RequestInfo>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The server answered with a redirect, which the client does not
    /// follow: the API key must not travel to another address, and a create
    /// must not be sent twice or turned into a read.
    #[non_exhaustive]
    Redirect {
        /// The request.
        request: Box<RequestInfo>,
        /// The redirect's status (301, 302, 303, 307, 308).
        status: StatusCode,
        /// Where the server pointed (`Location`), cut and escaped.
        location: String,
    },
    /// The answer is larger than the client's limit
    /// ([`LinerBuilder::max_response_bytes`](crate::LinerBuilder::max_response_bytes)).
    #[non_exhaustive]
    TooLarge {
        /// The request.
        request: Box<RequestInfo>,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
        /// The size the answer announced (`Content-Length`), if it did.
        announced: Option<u64>,
    },
    /// The lead list paged inconsistently (a `next` that does not advance, a
    /// run of pages with nothing new, an overflowing offset, ...).
    #[non_exhaustive]
    Pagination {
        /// What the pager saw.
        reason: String,
    },
    /// A retry was due, but the client's retry budget is spent: so many
    /// requests failed lately (across every clone) that retries are held
    /// back until requests succeed again, so that a failing server does not
    /// get twice the load. The last attempt's error is the `source`; the
    /// accessors (`status()`, `request()`, ...) answer from it.
    #[non_exhaustive]
    RetryBudgetSpent {
        /// The error of the last attempt.
        last: Box<Error>,
    },
}

impl Error {
    /// The most characters of a server's `message` an error keeps.
    pub const MESSAGE_LIMIT: usize = MESSAGE_LIMIT;
    /// The most bytes of a body [`Error::snippet`] keeps.
    pub const SNIPPET_LIMIT: usize = SNIPPET_LIMIT;

    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::Http { status, .. }
            | Self::Decode { status, .. }
            | Self::Redirect { status, .. }
            | Self::TooLarge { status, .. } => Some(*status),
            Self::RetryBudgetSpent { last } => last.status(),
            _ => None,
        }
    }

    /// The request this error is about, when there was one.
    pub fn request(&self) -> Option<&RequestInfo> {
        match self {
            Self::Api { request, .. }
            | Self::Http { request, .. }
            | Self::Decode { request, .. } => request.as_deref(),
            Self::Timeout { request, .. }
            | Self::Transport { request, .. }
            | Self::Tls { request, .. }
            | Self::Proxy { request, .. }
            | Self::Redirect { request, .. }
            | Self::TooLarge { request, .. } => Some(request),
            Self::RetryBudgetSpent { last } => last.request(),
            _ => None,
        }
    }

    /// The start of the answer's body (at most [`SNIPPET_LIMIT`](crate::Error::SNIPPET_LIMIT) bytes,
    /// lossily decoded), for debugging. Never part of `Display`: in a CRM it
    /// holds names and phone numbers; log it only where that is allowed.
    pub fn snippet(&self) -> Option<&str> {
        match self {
            Self::Http { snippet, .. } | Self::Decode { snippet, .. } => Some(snippet),
            Self::RetryBudgetSpent { last } => last.snippet(),
            _ => None,
        }
    }

    /// Whether the API said the lead or call does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API refused the key (HTTP 401 or 403).
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// Whether the TLS connection could not be set up (an untrusted or
    /// expired certificate, a name mismatch, a failed handshake): see
    /// [`Error::Tls`].
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls { .. })
    }

    /// Whether a proxy refused to carry the request: see [`Error::Proxy`].
    pub fn is_proxy(&self) -> bool {
        matches!(self, Self::Proxy { .. })
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::RetryBudgetSpent { last } => last.is_timeout(),
            other => matches!(other, Self::Timeout { .. }),
        }
    }

    /// Whether a retry was held back because the client's retry budget is
    /// spent: see [`Error::RetryBudgetSpent`].
    pub fn is_retry_budget_spent(&self) -> bool {
        matches!(self, Self::RetryBudgetSpent { .. })
    }

    /// Whether the connection could not be made at all, so the server never
    /// saw the request (the one failure after which a create is safe to
    /// retry).
    pub fn is_connect(&self) -> bool {
        match self {
            Self::Transport { source, .. } => source.is_connect(),
            Self::Timeout { connecting, .. } => *connecting,
            Self::RetryBudgetSpent { last } => last.is_connect(),
            _ => false,
        }
    }

    /// The wait the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } | Self::Http { retry_after, .. } => *retry_after,
            Self::RetryBudgetSpent { last } => last.retry_after(),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: timeouts,
    /// broken connections, `429`, `502`, `503` and `504`. Whether it is *safe*
    /// to retry depends on the request: a create may have happened already.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Api { status, .. } | Self::Http { status, .. } => retryable_status(*status),
            // Later, once requests succeed again.
            Self::RetryBudgetSpent { last } => last.is_retryable(),
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Self::Config {
            reason: reason.into(),
            source: None,
        }
    }

    /// An API failure, its message bounded.
    pub(crate) fn api(status: StatusCode, message: &str) -> Self {
        Self::Api {
            request: None,
            status,
            message: bounded(message, MESSAGE_LIMIT),
            retry_after: None,
        }
    }

    /// This error, about `request` (for the errors made before the request
    /// was known: decoding an answer).
    pub(crate) fn about(mut self, info: RequestInfo) -> Self {
        if let Self::Api { request, .. }
        | Self::Http { request, .. }
        | Self::Decode { request, .. } = &mut self
        {
            *request = Some(Box::new(info));
        }
        self
    }
}

impl From<liner_api::InvalidField> for Error {
    /// A request field the spec refuses, found while building a draft.
    fn from(refused: liner_api::InvalidField) -> Self {
        Self::InvalidInput {
            field: refused.field,
            reason: refused.reason,
        }
    }
}

/// `request: ` when the request is known.
struct About<'a>(&'a Option<Box<RequestInfo>>);

impl fmt::Display for About<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(request) => write!(f, "{request}: "),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, reason } => {
                write!(f, "invalid {field}: {reason} (nothing was sent)")
            }
            Self::Config { reason, .. } => write!(f, "cannot configure the Liner client: {reason}"),
            Self::RetryBudgetSpent { last } => write!(
                f,
                "{}not retried: the client's retry budget is spent (many requests failed \
                 lately; retries resume as requests succeed)",
                About(&last.request().map(|request| Box::new(request.clone())))
            ),
            Self::Api {
                request,
                status,
                message,
                ..
            } => {
                write!(
                    f,
                    "{}the Liner API refused the request (HTTP {}): ",
                    About(request),
                    status.as_u16()
                )?;
                if message.is_empty() {
                    f.write_str("(no message)")
                } else {
                    write!(f, "{}", Escaped(message))
                }
            }
            Self::Http {
                request,
                status,
                snippet,
                ..
            } => write!(
                f,
                "{}the Liner API answered HTTP {} without a Liner envelope ({})",
                About(request),
                status.as_u16(),
                if snippet.is_empty() {
                    "an empty body"
                } else if snippet.trim_start().starts_with('<') {
                    "an HTML page, as a proxy sends"
                } else {
                    "a body that is not JSON"
                }
            ),
            Self::Decode {
                request,
                status,
                path,
                message,
                ..
            } => write!(
                f,
                "{}cannot decode the Liner API's answer (HTTP {}) at {}: {}",
                About(request),
                status.as_u16(),
                Escaped(path),
                Escaped(message)
            ),
            Self::Timeout {
                request,
                after,
                connecting,
            } => {
                write!(f, "{request} timed out")?;
                if *connecting {
                    f.write_str(" while connecting")?;
                }
                match after {
                    Some(after) => write!(f, " after {after:?}"),
                    None => Ok(()),
                }
            }
            Self::Transport { request, source } => {
                // Only a connect failure proves the server never saw the
                // request; any other failure may have happened after it was
                // received and acted on.
                let what = if source.is_connect() {
                    "cannot connect"
                } else if source.is_body() || source.is_decode() {
                    "the connection broke while reading the response"
                } else {
                    "the connection failed (the server may have received the request)"
                };
                write!(f, "{request} failed: {what}")
            }
            Self::Tls {
                request,
                host,
                problem,
                ..
            } => write!(f, "{request}: {problem} for {}", Escaped(host)),
            Self::Proxy { request, .. } => write!(
                f,
                "{request}: the proxy refused to carry the request (check the proxy's address \
                 and credentials)"
            ),
            Self::Redirect {
                request,
                status,
                location,
            } => write!(
                f,
                "{request}: the server redirected (HTTP {}) to {}; the client does not follow \
                 redirects, so that the API key goes nowhere else: check the base URL",
                status.as_u16(),
                Escaped(location)
            ),
            Self::TooLarge {
                request,
                status,
                limit,
                announced,
            } => {
                write!(
                    f,
                    "{request}: the answer (HTTP {}) is larger than the client's limit of {limit} bytes",
                    status.as_u16()
                )?;
                match announced {
                    Some(size) => write!(f, " (it announced {size})"),
                    None => Ok(()),
                }
            }
            Self::Pagination { reason } => {
                write!(f, "the lead list paged inconsistently: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. }
            | Self::Tls { source, .. }
            | Self::Proxy { source, .. } => Some(source),
            Self::Config {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Self::RetryBudgetSpent { last } => Some(last.as_ref()),
            _ => None,
        }
    }
}

pub(crate) use liner_api::text::{Escaped, bounded};

/// A serde message without the value it quotes: `invalid type: string
/// "John Doe", expected u64` becomes `invalid type: string, expected u64`.
/// What was expected comes from the types, the value from the server (and
/// in a CRM, from a person).
pub(crate) fn without_values(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    // What follows `, expected` is the types' own words (`one of `a`, `b``).
    let (found, expected) = match message.find(", expected") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    let mut out = String::with_capacity(message.len());
    let mut chars = found.chars();
    let mut last = ' ';
    while let Some(c) = chars.next() {
        // A quoted or backticked value after a kind (`string "x"`,
        // `integer `5``, `variant `x``): left out, with the space before it.
        if (c == '"' || c == '`') && last == ' ' && !quotes_a_field(&out) {
            out.pop();
            let mut escaped = false;
            for inner in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if inner == '\\' && c == '"' {
                    escaped = true;
                } else if inner == c {
                    break;
                }
            }
            last = c;
            continue;
        }
        out.push(c);
        last = c;
    }
    out.push_str(expected);
    bounded(&out, 200)
}

/// Whether what precedes a quote names a field of our types (`missing field
/// `id``), which is schema, not data.
fn quotes_a_field(before: &str) -> bool {
    ["missing field ", "duplicate field "]
        .iter()
        .any(|prefix| before.ends_with(prefix))
}

/// The start of `body` as text: at most [`SNIPPET_LIMIT`](crate::Error::SNIPPET_LIMIT) bytes of UTF-8
/// (invalid bytes become U+FFFD, which is 3 bytes, so the text is cut again
/// after decoding), cut at a character boundary, with `…` when cut.
pub(crate) fn snippet(body: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LIMIT)]).into_owned();
    let mut cut = body.len() > SNIPPET_LIMIT;
    if text.len() > SNIPPET_LIMIT {
        let mut end = SNIPPET_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        cut = true;
    }
    if cut {
        // A multi-byte character cut in half decodes to U+FFFD; drop it.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_and_valid_text() {
        assert_eq!(snippet(b"short"), "short");
        // 1023 ASCII bytes then a 2-byte character that the limit cuts in
        // half: the half is dropped, not turned into U+FFFD.
        let mut cut_inside = "a".repeat(SNIPPET_LIMIT - 1);
        cut_inside.push_str("éé");
        let cut = snippet(cut_inside.as_bytes());
        assert_eq!(cut, format!("{}…", "a".repeat(SNIPPET_LIMIT - 1)));
        // 1021 ASCII bytes then a 4-byte character cut after its third
        // byte: decoded, the three bytes become one U+FFFD and the text is
        // exactly at the limit; the U+FFFD is dropped all the same.
        let mut cut_late = "a".repeat(SNIPPET_LIMIT - 3);
        cut_late.push('😀');
        assert_eq!(
            snippet(cut_late.as_bytes()),
            format!("{}…", "a".repeat(SNIPPET_LIMIT - 3))
        );
        let long = "é".repeat(1000); // 2000 bytes
        let cut = snippet(long.as_bytes());
        assert!(cut.len() <= SNIPPET_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…') && !cut.contains('\u{FFFD}'));
        // Invalid bytes expand to 3-byte U+FFFD.
        let invalid = snippet(&[0xFF; 1000]);
        assert!(
            invalid.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
            "{}",
            invalid.len()
        );
    }

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

    #[test]
    fn serde_messages_lose_their_values() {
        for (message, expected) in [
            (
                "invalid type: string \"John Doe\", expected a nonzero u64 at line 1 column 9",
                "invalid type: string, expected a nonzero u64",
            ),
            (
                "invalid value: integer `-5`, expected u64",
                "invalid value: integer, expected u64",
            ),
            ("missing field `id`", "missing field `id`"),
            (
                "unknown variant `vip`, expected one of `a`, `b`",
                "unknown variant, expected one of `a`, `b`",
            ),
            (
                "invalid type: string \"a \\\" b\", expected map",
                "invalid type: string, expected map",
            ),
            (
                "EOF while parsing a string at line 1 column 54",
                "EOF while parsing a string",
            ),
        ] {
            assert_eq!(without_values(message), expected, "{message}");
        }
    }
}
