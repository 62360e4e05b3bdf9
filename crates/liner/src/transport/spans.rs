//! The tracing spans of an operation and of its attempts, after the
//! OpenTelemetry conventions for HTTP clients: named `{method} {template}`
//! (the template, never the path), with the server, and once known the
//! status or the error's type. Never the key, and never a query's values: a
//! filter is data about customers.

use crate::error::Error;
use crate::routes::Route;

/// The fields both spans carry, in the conventions' names: `$name` is the
/// span's, the extra fields (`$($extra)*`) its own. Numbers are `i64`:
/// `tracing-opentelemetry` exports a `u64` as a string, and the
/// conventions' `server.port` and status code are integers.
macro_rules! http_client_span {
    ($name:literal, $route:expr, $host:expr, $port:expr, $($extra:tt)*) => {
        tracing::info_span!(
            $name,
            otel.name = $route.name,
            otel.kind = "client",
            http.request.method = $route.method.as_str(),
            url.template = $route.template,
            server.address = $host,
            server.port = i64::from($port),
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            $($extra)*
        )
    };
}

/// The span of one operation: every attempt of it, and the waits between
/// them. A list page adds its offset.
pub(super) fn operation(
    route: &Route,
    host: &str,
    port: u16,
    query: &[(&str, String)],
) -> tracing::Span {
    let span = http_client_span!(
        "liner.operation",
        route,
        host,
        port,
        liner.operation = route.operation,
        liner.page.offset = tracing::field::Empty,
    );
    if let Some(offset) = query
        .iter()
        .find(|(name, _)| *name == "offset")
        .and_then(|(_, offset)| offset.parse::<i64>().ok())
    {
        span.record("liner.page.offset", offset);
    }
    span
}

/// The span of one attempt: one HTTP request, a child of its operation's.
/// `resends` is set on retries only, as the conventions ask.
pub(super) fn attempt(route: &Route, host: &str, port: u16, resends: u32) -> tracing::Span {
    let span = http_client_span!("liner.attempt", route, host, port,);
    if resends > 0 {
        span.record("http.request.resend_count", i64::from(resends));
    }
    span
}

/// Records on `span` what `error` says of the request: its status if it
/// got one, and its type, as the conventions' `error.type`.
pub(super) fn record_error(span: &tracing::Span, error: &Error) {
    if let Some(status) = error.status() {
        span.record("http.response.status_code", i64::from(status.as_u16()));
    }
    span.record("error.type", error_type(error).as_ref());
}

/// A low-cardinality name of what went wrong: the status (`503`) if there
/// was one, else the kind of failure (`timeout`, `tls`, ...).
pub(super) fn error_type(error: &Error) -> std::borrow::Cow<'static, str> {
    if let Some(status) = error.status()
        && !status.is_success()
    {
        return status.as_str().to_owned().into();
    }
    match error {
        Error::Timeout { .. } => "timeout",
        Error::Tls { .. } => "tls",
        Error::Proxy { .. } => "proxy",
        Error::Transport { .. } => "connection",
        Error::Redirect { .. } => "redirect",
        Error::TooLarge { .. } => "too_large",
        Error::Api { .. } => "api_refused",
        Error::Decode { .. } => "decode",
        Error::Pagination { .. } => "pagination",
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config { .. } => "config",
        _ => "_OTHER",
    }
    .into()
}
