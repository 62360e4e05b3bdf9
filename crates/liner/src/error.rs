//! [`Error`]: everything that can go wrong, with what a caller needs to act.

use std::fmt;
use std::time::Duration;

pub use reqwest::StatusCode;

/// The result of every fallible `liner` call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of a response body an error keeps: enough to recognise an HTML
/// error page or a PHP notice, small enough to log.
pub const SNIPPET_LIMIT: usize = 1024;

/// An error from the Liner client.
///
/// Match on the variant, or use the helpers ([`Error::status`],
/// [`Error::is_not_found`], [`Error::is_retryable`], ...). The API key never
/// appears in any variant's `Debug` or `Display`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent.
    InvalidInput {
        /// The argument or field, as the caller named it (`page_size`,
        /// `phone`, `created_from`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The client could not be configured (base URL, API key, environment).
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The API answered with its failure envelope: `"success": false`, at any
    /// HTTP status (including `200`).
    Api {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The API's explanation (`message`).
        message: String,
        /// The wait the server asked for (`Retry-After`), if any.
        retry_after: Option<Duration>,
    },
    /// The API answered with a non-2xx status and a body that is not a
    /// Liner envelope (a proxy's HTML page, an empty body, ...).
    Http {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The first [`SNIPPET_LIMIT`] bytes of the body, lossily decoded.
        snippet: String,
        /// The wait the server asked for (`Retry-After`), if any.
        retry_after: Option<Duration>,
    },
    /// A 2xx answer whose body could not be decoded.
    Decode {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// Where in the JSON decoding failed, e.g. `data.list[3].id`
        /// (`.` for the document itself).
        path: String,
        /// What serde reported.
        message: String,
        /// The first [`SNIPPET_LIMIT`] bytes of the body, lossily decoded.
        snippet: String,
    },
    /// The request or its response did not complete in time.
    Timeout {
        /// The operation, e.g. `GET /v2/lead/`.
        operation: String,
        /// The time limit that was exceeded, when known.
        after: Option<Duration>,
        /// Whether it timed out while connecting (the server never saw the
        /// request).
        connecting: bool,
    },
    /// The connection failed or broke (refused, reset, cut mid-body, TLS).
    Transport {
        /// The operation, e.g. `GET /v2/lead/`.
        operation: String,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The lead list paged inconsistently (a `next` that does not advance).
    Pagination {
        /// What the pager saw.
        reason: String,
    },
}

impl Error {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } | Self::Decode { status, .. } => {
                Some(*status)
            }
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

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether the connection could not be made at all, so the server never
    /// saw the request (the one failure after which a create is safe to
    /// retry).
    pub fn is_connect(&self) -> bool {
        match self {
            Self::Transport { source, .. } => source.is_connect(),
            Self::Timeout { connecting, .. } => *connecting,
            _ => false,
        }
    }

    /// The wait the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } | Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: timeouts,
    /// broken connections, `429`, `502`, `503` and `504`. Whether it is *safe*
    /// to retry depends on the request: a create may have happened already.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Api { status, .. } | Self::Http { status, .. } => matches!(
                *status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, reason } => {
                write!(f, "invalid {field}: {reason} (nothing was sent)")
            }
            Self::Config { reason } => write!(f, "cannot configure the Liner client: {reason}"),
            Self::Api {
                status, message, ..
            } => {
                let message = if message.is_empty() {
                    "(no message)"
                } else {
                    message
                };
                write!(
                    f,
                    "the Liner API refused the request (HTTP {}): {message}",
                    status.as_u16()
                )
            }
            Self::Http {
                status, snippet, ..
            } => write!(
                f,
                "the Liner API answered HTTP {} without a Liner envelope; body: {}",
                status.as_u16(),
                quoted(snippet)
            ),
            Self::Decode {
                status,
                path,
                message,
                snippet,
            } => write!(
                f,
                "cannot decode the Liner API's answer (HTTP {}) at {path}: {message}; body: {}",
                status.as_u16(),
                quoted(snippet)
            ),
            Self::Timeout {
                operation,
                after,
                connecting,
            } => {
                write!(f, "{operation} timed out")?;
                if *connecting {
                    f.write_str(" while connecting")?;
                }
                match after {
                    Some(after) => write!(f, " after {after:?}"),
                    None => Ok(()),
                }
            }
            Self::Transport { operation, source } => {
                write!(f, "{operation} failed: {}", transport_cause(source))
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
            Self::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// reqwest's own message plus its innermost cause ("connection refused"),
/// which is what a reader needs, without repeating the URL chain.
fn transport_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    // Only a connect failure proves the server never saw the request; any
    // other failure may have happened after it was received and acted on.
    let outer = if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the response"
    } else {
        "the connection failed (the server may have received the request)"
    };
    format!("{outer}: {cause}")
}

fn quoted(snippet: &str) -> String {
    if snippet.is_empty() {
        "(empty)".to_owned()
    } else {
        format!("{snippet:?}")
    }
}

/// The start of `body` as text: at most [`SNIPPET_LIMIT`] bytes of UTF-8
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_and_valid_text() {
        assert_eq!(snippet(b"short"), "short");
        let long = "é".repeat(1000); // 2000 bytes
        let cut = snippet(long.as_bytes());
        assert!(cut.len() <= SNIPPET_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…') && !cut.contains('\u{FFFD}'));
        // Found by the fuzz test: invalid bytes expand to 3-byte U+FFFD.
        let invalid = snippet(&[0xFF; 1000]);
        assert!(
            invalid.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
            "{}",
            invalid.len()
        );
    }

    #[test]
    fn retryable_statuses() {
        let api = |code: u16| Error::Api {
            status: StatusCode::from_u16(code).unwrap(),
            message: String::new(),
            retry_after: None,
        };
        assert!(api(429).is_retryable() && api(503).is_retryable());
        assert!(!api(400).is_retryable() && !api(500).is_retryable());
        assert!(api(404).is_not_found() && api(401).is_unauthorized());
    }
}
