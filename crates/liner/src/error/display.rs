//! How an [`Error`] reads: its own layer only, server text bounded and
//! escaped.

use std::fmt;

use liner_api::text::Escaped;

use super::{Error, RequestInfo};

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
