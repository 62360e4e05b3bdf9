//! Sending one request to the Liner API: the key, a timeout per attempt,
//! retries with backoff as the [`RetryPolicy`] allows, and a deadline over
//! all attempts. It knows nothing of what the requests mean, or of paging:
//! a caller that must hold a response's body back (the list's prefetch)
//! does so through a [`BodyGate`], a hook this module owns.
//!
//! What a server sends cannot make it misbehave: a redirect is an error
//! that names its `Location` (never followed: the key stays with the base
//! URL's origin, and a create is not re-sent), and a body is read up to the
//! client's limit and no further, a refused one not at all.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use tracing::Instrument as _;
// Tokio's clock, which tests can pause: timeouts and the deadline agree.
use tokio::time::Instant;

use crate::envelope;
use crate::error::{Error, RequestInfo, Result};
use crate::retry::{self, RetryPolicy};
use crate::routes::Route;
use crate::server_text::bounded;

const API_KEY_HEADER: HeaderName = HeaderName::from_static(liner_api::API_KEY_HEADER);

/// What a transport is made of (the builder's settings, checked).
pub(crate) struct Settings {
    pub http: reqwest::Client,
    /// Without a trailing slash.
    pub base_url: String,
    pub key: HeaderValue,
    pub retry: RetryPolicy,
    /// Each attempt's limit.
    pub timeout: Duration,
    /// The HTTP client's connect timeout, when this crate set it.
    pub connect_timeout: Option<Duration>,
    pub max_response_bytes: u64,
}

/// The connection to one Liner installation, with the settings of one
/// caller. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub(crate) struct Transport {
    shared: Arc<Shared>,
    retry: RetryPolicy,
    timeout: Duration,
}

/// What every clone shares.
struct Shared {
    http: reqwest::Client,
    /// Without a trailing slash.
    base_url: String,
    /// The base URL's host, for errors that name it.
    host: String,
    /// The base URL's port (the scheme's if it names none), for traces.
    port: u16,
    /// Marked sensitive.
    key: HeaderValue,
    /// The largest body read.
    max_response_bytes: u64,
    /// The HTTP client's connect timeout, when this crate set it (not on a
    /// caller's client): what a timeout while connecting ran out of.
    connect_timeout: Option<Duration>,
    /// Until when the server asked every request to wait: a `429`, or a
    /// `503` with `Retry-After`, pauses every clone of the client, not only
    /// the request that got it (prefetch workers, import workers, a
    /// service's tasks).
    paused_until: std::sync::Mutex<Option<Instant>>,
    /// The retry budget's tokens (see [`RETRY_BUDGET`]).
    retry_tokens: std::sync::Mutex<u32>,
}

/// The retry budget, shared by every clone: aws-sdk's standard retry mode.
/// A retry spends [`RETRY_COST`] tokens ([`TIMEOUT_RETRY_COST`] after a
/// timeout); a call that succeeds at once adds one, and one that succeeds
/// after retries gives back what it spent. With the bucket empty a due retry
/// is not made (`Error::RetryBudgetSpent`): a server that fails most
/// requests gets each about once, not once per retry.
const RETRY_BUDGET: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

/// How much of a failure's body is read: a failure envelope fits many times
/// over, a proxy's page too, and a server that sends a gigabyte with its 500
/// is read no further.
const FAILURE_BODY_LIMIT: u64 = 64 * 1024;

/// The answer of the last attempt.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: bytes::Bytes,
    /// The request, with the number of attempts it took.
    pub(crate) request: RequestInfo,
}

/// A hook between a response's headers and its body: a gate may keep the
/// body unread (it then stays in the connection) until it opens. Its wait is
/// the caller's, not the server's, so it counts against neither the attempt's
/// timeout nor the deadline.
pub(crate) trait BodyGate: Send {
    /// Whether this gate ever waits. An attempt that need not stop between
    /// headers and body lets reqwest time the whole exchange, which also
    /// says whether a timeout happened while connecting.
    const WAITS: bool;

    /// Waits until the body may be read.
    fn open(&mut self) -> impl Future<Output = ()> + Send;

    /// How long [`open`](Self::open) has waited, all calls together.
    fn waited(&self) -> Duration;
}

/// The gate of a request whose body is read at once.
pub(crate) struct NoGate;

impl BodyGate for NoGate {
    const WAITS: bool = false;

    async fn open(&mut self) {}

    fn waited(&self) -> Duration {
        Duration::ZERO
    }
}

impl Transport {
    pub(crate) fn new(settings: Settings) -> Self {
        let Settings {
            http,
            base_url,
            key,
            retry,
            timeout,
            connect_timeout,
            max_response_bytes,
        } = settings;
        let mut key = key;
        // Keeps the value out of reqwest's and hyper's Debug output, and
        // out of HTTP/2's header compression tables.
        key.set_sensitive(true);
        Self {
            shared: Arc::new(Shared {
                http,
                host: reqwest::Url::parse(&base_url)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_owned))
                    .unwrap_or_default(),
                port: reqwest::Url::parse(&base_url)
                    .ok()
                    .and_then(|url| url.port_or_known_default())
                    .unwrap_or_default(),
                base_url,
                key,
                max_response_bytes,
                connect_timeout,
                paused_until: std::sync::Mutex::new(None),
                retry_tokens: std::sync::Mutex::new(RETRY_BUDGET),
            }),
            retry,
            timeout,
        }
    }

    /// The base URL requests go to, without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// This transport with another retry policy (same connection pool).
    pub(crate) fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        Self {
            retry,
            ..self.clone()
        }
    }

    /// This transport with another per-attempt timeout.
    pub(crate) fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            timeout,
            ..self.clone()
        }
    }

    /// Sends one request (with retries) and decodes the envelope's `data`.
    pub(crate) async fn send<T>(
        &self,
        route: &Route,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<T>
    where
        T: for<'de> Deserialize<'de>,
    {
        let span = self.operation_span(route, query);
        async {
            let answer = self.attempts(route, query, body, &mut NoGate).await?;
            envelope::decode(answer.status, &answer.body)
                .map_err(|error| error.about(answer.request))
        }
        .instrument(span.clone())
        .await
        .inspect_err(|error| record_error(&span, error))
    }

    /// Sends one request, retrying as the policy allows; the answer of the
    /// last attempt, or its error. Retryable statuses (429, 502, 503, 504)
    /// come back as errors; other statuses are the caller's to decode. Each
    /// attempt waits at `gate` between headers and body.
    pub(crate) async fn send_raw<G: BodyGate>(
        &self,
        route: &Route,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        gate: &mut G,
    ) -> Result<Answer> {
        let span = self.operation_span(route, query);
        self.attempts(route, query, body, gate)
            .instrument(span.clone())
            .await
            .inspect_err(|error| record_error(&span, error))
    }

    /// The span of one operation, retries included, as the OpenTelemetry
    /// conventions for HTTP clients name it: `GET /v2/lead/detail/{leadId}/`
    /// (the template, never the path), the server, and once known the
    /// status or the error's type. A list page adds its offset. Never the
    /// key, and never a query's values: a filter is data about customers.
    fn operation_span(&self, route: &Route, query: &[(&str, String)]) -> tracing::Span {
        let span = tracing::info_span!(
            "liner.operation",
            otel.name = %format_args!("{} {}", route.method, route.template),
            otel.kind = "client",
            liner.operation = route.operation,
            http.request.method = %route.method,
            url.template = route.template,
            server.address = %self.shared.host,
            server.port = self.shared.port,
            liner.page.offset = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
        );
        if let Some((_, offset)) = query.iter().find(|(name, _)| *name == "offset") {
            span.record("liner.page.offset", offset.as_str());
        }
        span
    }

    /// The span of one attempt: one HTTP request, a child of its
    /// operation's.
    fn attempt_span(&self, route: &Route, resends: u32) -> tracing::Span {
        let span = tracing::info_span!(
            "liner.attempt",
            otel.name = %format_args!("{} {}", route.method, route.template),
            otel.kind = "client",
            http.request.method = %route.method,
            url.template = route.template,
            server.address = %self.shared.host,
            server.port = self.shared.port,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
        );
        // Set on retries only, as the conventions ask.
        if resends > 0 {
            span.record("http.request.resend_count", resends);
        }
        span
    }

    /// The attempts of one operation, in its span.
    async fn attempts<G: BodyGate>(
        &self,
        route: &Route,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        gate: &mut G,
    ) -> Result<Answer> {
        let operation = tracing::Span::current();
        let started = Instant::now();
        let deadline = self.retry.deadline_limit();
        let mut request = RequestInfo {
            method: route.method.to_string(),
            path: route.path.clone(),
            attempts: 0,
        };
        // Time at the gate is the caller's, not the server's: the deadline
        // does not count it.
        let elapsed = |gate: &G| started.elapsed().saturating_sub(gate.waited());
        // Tokens this call took from the retry budget.
        let mut spent = 0;
        loop {
            let timeout = match deadline {
                Some(limit) => match limit.checked_sub(elapsed(gate)) {
                    Some(left) if !left.is_zero() => self.timeout.min(left),
                    _ => {
                        return Err(Error::Timeout {
                            request: Box::new(request),
                            after: Some(limit),
                            connecting: false,
                        });
                    }
                },
                None => self.timeout,
            };
            if let Some(pause) = self.pause_left() {
                // Asked by the server to wait: every request waits, within
                // the deadline (which the next turn of the loop checks).
                let pause = match deadline {
                    Some(limit) => pause.min(limit.saturating_sub(elapsed(gate))),
                    None => pause,
                };
                tracing::debug!(
                    pause_ms = pause.as_millis() as u64,
                    "waiting: the server asked every request to wait (Retry-After)"
                );
                tokio::time::sleep(pause).await;
                continue;
            }
            request.attempts += 1;
            if request.attempts > 1 {
                operation.record("http.request.resend_count", request.attempts - 1);
            }
            let sent = self.request(route.method.clone(), &route.path, query, body.clone());
            let span = self.attempt_span(route, request.attempts - 1);
            let attempt_started = Instant::now();
            let outcome = self
                .attempt(&request, sent, timeout, gate)
                .instrument(span.clone())
                .await;
            let took_ms = attempt_started.elapsed().as_millis() as u64;
            let error = match outcome {
                Ok((status, body)) => {
                    span.record("http.response.status_code", status.as_u16());
                    operation.record("http.response.status_code", status.as_u16());
                    if status.as_u16() >= 400 {
                        span.record("error.type", status.as_str());
                    }
                    self.refill_retry_budget(spent);
                    tracing::debug!(
                        target: "liner::request",
                        parent: &span,
                        method = %route.method,
                        template = route.template,
                        status = status.as_u16(),
                        attempt = request.attempts,
                        took_ms,
                        "answered"
                    );
                    return Ok(Answer {
                        status,
                        body,
                        request,
                    });
                }
                Err(error) => error,
            };
            record_error(&span, &error);
            tracing::debug!(
                target: "liner::request",
                parent: &span,
                method = %route.method,
                template = route.template,
                error = %error_type(&error),
                attempt = request.attempts,
                took_ms,
                "failed"
            );
            // The attempt ends here: its span does not time the wait.
            drop(span);
            let wait = self
                .retry
                .wait_before_retry(route.effect, request.attempts - 1, &error);
            self.pause_if_asked(&error, wait);
            let Some(wait) = wait else {
                return Err(error);
            };
            if deadline.is_some_and(|limit| wait >= limit.saturating_sub(elapsed(gate))) {
                tracing::debug!(%request, %error, "not retrying: the wait would pass the deadline");
                return Err(error);
            }
            let cost = if error.is_timeout() {
                TIMEOUT_RETRY_COST
            } else {
                RETRY_COST
            };
            if !self.take_from_retry_budget(cost) {
                tracing::warn!(%request, %error, "not retrying: the client's retry budget is spent");
                return Err(Error::RetryBudgetSpent {
                    last: Box::new(error),
                });
            }
            spent += cost;
            tracing::warn!(
                %request,
                retry = request.attempts,
                wait_ms = wait.as_millis() as u64,
                %error,
                "retrying Liner API request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes `cost` tokens from the retry budget, if it holds that many.
    fn take_from_retry_budget(&self, cost: u32) -> bool {
        let mut tokens = self
            .shared
            .retry_tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match tokens.checked_sub(cost) {
            Some(left) => {
                *tokens = left;
                true
            }
            None => false,
        }
    }

    /// After a success: gives back what the call `spent` on retries, or one
    /// token if it spent none; never above [`RETRY_BUDGET`].
    fn refill_retry_budget(&self, spent: u32) {
        let mut tokens = self
            .shared
            .retry_tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *tokens = tokens.saturating_add(spent.max(1)).min(RETRY_BUDGET);
    }

    /// How long requests must still wait, if the server asked them to.
    fn pause_left(&self) -> Option<Duration> {
        let until = (*self
            .shared
            .paused_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))?;
        until
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    /// After `error`: a `429`, or a `503` with `Retry-After`, pauses every
    /// request of every clone until the time it names (a `429` without one:
    /// for `backoff`, the wait before this request's own retry). A later
    /// pause never shortens an earlier one.
    fn pause_if_asked(&self, error: &Error, backoff: Option<Duration>) {
        let status = error.status().map(|status| status.as_u16());
        let wait = match (status, error.retry_after(), backoff) {
            (Some(429 | 503), Some(after), _) => after,
            (Some(429), None, Some(backoff)) => backoff,
            _ => return,
        };
        // A server's `Retry-After` of a day pauses no longer than the retry
        // policy would ever wait for one (`retry_after_cap`).
        let wait = wait.min(self.retry.retry_after_limit());
        let until = Instant::now() + wait;
        let mut paused = self
            .shared
            .paused_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if paused.is_none_or(|earlier| earlier < until) {
            *paused = Some(until);
        }
    }

    /// The request of one attempt, timeout aside.
    fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.shared.base_url);
        let mut request = self
            .shared
            .http
            .request(method, url)
            .header(API_KEY_HEADER, self.shared.key.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        request
    }
}

impl Transport {
    /// One attempt, within `timeout` (the gate's wait aside): the status and
    /// the body, read up to the limits.
    async fn attempt<G: BodyGate>(
        &self,
        request: &RequestInfo,
        sent: reqwest::RequestBuilder,
        timeout: Duration,
        gate: &mut G,
    ) -> Result<(StatusCode, bytes::Bytes)> {
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                // reqwest's connect timeout is the client's setting; its
                // request timeout (the attempt's) says nothing of connecting.
                let connecting = source.is_connect();
                Error::Timeout {
                    request: Box::new(request.clone()),
                    after: if connecting {
                        self.shared.connect_timeout
                    } else {
                        Some(timeout)
                    },
                    connecting,
                }
            } else if let Some(problem) = crate::cause::tls_problem(&source) {
                Error::Tls {
                    request: Box::new(request.clone()),
                    host: self.shared.host.clone(),
                    problem,
                    source: source.without_url(),
                }
            } else if crate::cause::proxy_refused(&source) {
                Error::Proxy {
                    request: Box::new(request.clone()),
                    source: source.without_url(),
                }
            } else {
                // Without the URL: its query can hold the filters of a
                // list, and the request says what was asked already.
                Error::Transport {
                    request: Box::new(request.clone()),
                    source: source.without_url(),
                }
            }
        };
        let timed_out = || Error::Timeout {
            request: Box::new(request.clone()),
            after: Some(timeout),
            connecting: false,
        };
        let started = Instant::now();
        let response = if G::WAITS {
            // The gate's wait lasts as long as the caller takes, which is
            // none of the server's time: the timeout covers the rest.
            tokio::time::timeout(timeout, sent.send())
                .await
                .map_err(|_| timed_out())?
                .map_err(transport)?
        } else {
            // reqwest's timeout covers the whole exchange, body included,
            // and says whether it ran out while connecting.
            sent.timeout(timeout).send().await.map_err(transport)?
        };
        let (status, retry_after) = status_and_retry_after(&response);
        self.refuse_redirect(request, &response)?;
        let limit = if status.is_success() {
            self.shared.max_response_bytes
        } else {
            FAILURE_BODY_LIMIT.min(self.shared.max_response_bytes)
        };
        if let Some(announced) = response.content_length()
            && announced > self.shared.max_response_bytes
        {
            return Err(Error::TooLarge {
                request: Box::new(request.clone()),
                status,
                limit: self.shared.max_response_bytes,
                announced: Some(announced),
            });
        }
        // The time left is measured before the gate's wait, which is the
        // caller's, not the server's.
        let left = timeout.saturating_sub(started.elapsed());
        gate.open().await;
        let read = read_body(response, limit, status.is_success());
        let bytes = if G::WAITS {
            tokio::time::timeout(left, read)
                .await
                .map_err(|_| timed_out())?
        } else {
            read.await
        }
        .map_err(|failure| match failure {
            BodyFailure::Transport(source) => transport(source),
            BodyFailure::TooLarge => Error::TooLarge {
                request: Box::new(request.clone()),
                status,
                limit,
                announced: None,
            },
        })?;
        if crate::cause::retryable_status(status) {
            // Decoded here, not by the caller, so that the retry loop can see
            // the error (with its Retry-After).
            let mut error = match envelope::decode::<serde::de::IgnoredAny>(status, &bytes) {
                Err(error) => error,
                Ok(_) => Error::Http {
                    request: None,
                    status,
                    snippet: crate::server_text::snippet(&bytes),
                    retry_after: None,
                },
            };
            if let Error::Api {
                retry_after: slot, ..
            }
            | Error::Http {
                retry_after: slot, ..
            } = &mut error
            {
                *slot = retry_after;
            }
            return Err(error.about(request.clone()));
        }
        Ok((status, bytes))
    }

    /// A redirect answer, or an answer from another URL than the one asked
    /// (a caller's HTTP client that follows redirects), as an error that
    /// names where it pointed.
    fn refuse_redirect(&self, request: &RequestInfo, response: &reqwest::Response) -> Result<()> {
        let status = response.status();
        let location = if status.is_redirection() {
            response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .unwrap_or_else(|| "(no Location header)".to_owned())
        } else {
            // The URL the answer came from, without its query (which can
            // hold personal data): ours, unless a caller's HTTP client
            // followed a redirect.
            let mut url = response.url().clone();
            url.set_query(None);
            if url.as_str() == format!("{}{}", self.shared.base_url, request.path) {
                return Ok(());
            }
            url.to_string()
        };
        Err(Error::Redirect {
            request: Box::new(request.clone()),
            status,
            location: bounded(&location, 200),
        })
    }
}

/// Why a body could not be read.
enum BodyFailure {
    Transport(reqwest::Error),
    TooLarge,
}

/// The body, read chunk by chunk up to `limit` bytes. Past the limit, a
/// success's body is an error; a failure's is cut there (what a failure
/// needs is its envelope or the start of its page).
async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
    success: bool,
) -> std::result::Result<bytes::Bytes, BodyFailure> {
    let mut body =
        bytes::BytesMut::with_capacity(initial_capacity(response.content_length(), limit));
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
        let room = limit.saturating_sub(body.len() as u64) as usize;
        if chunk.len() > room {
            if success {
                return Err(BodyFailure::TooLarge);
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The most a body buffer reserves before any of the body arrived: an
/// announced length is a claim, and a server announcing 16 MiB (or, with
/// `max_response_bytes(u64::MAX)`, more than memory holds) and sending ten
/// bytes must cost ten bytes, not the claim. Beyond this the buffer grows
/// with what arrives.
const RESERVED_AHEAD: u64 = 64 * 1024;

/// The capacity a body buffer starts with: the announced length, up to the
/// limit and to [`RESERVED_AHEAD`].
fn initial_capacity(announced: Option<u64>, limit: u64) -> usize {
    announced.unwrap_or(0).min(limit).min(RESERVED_AHEAD) as usize
}

/// A response's status and its `Retry-After`, if it has a usable one.
/// Records on `span` what `error` says of the request: its status if it
/// got one, and its type, as the conventions' `error.type`.
fn record_error(span: &tracing::Span, error: &Error) {
    if let Some(status) = error.status() {
        span.record("http.response.status_code", status.as_u16());
    }
    span.record("error.type", error_type(error).as_ref());
}

/// A low-cardinality name of what went wrong: the status (`503`) if there
/// was one, else the kind of failure (`timeout`, `tls`, ...).
fn error_type(error: &Error) -> std::borrow::Cow<'static, str> {
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

fn status_and_retry_after(response: &reqwest::Response) -> (StatusCode, Option<Duration>) {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(retry::parse_retry_after);
    (response.status(), retry_after)
}

#[cfg(test)]
mod tests;
