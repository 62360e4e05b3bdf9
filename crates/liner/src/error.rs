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

use crate::cause::retryable_status;
use crate::server_text::{SNIPPET_LIMIT, bounded};

/// The result of every fallible `liner` call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

mod display;

#[cfg(test)]
mod tests;
