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
use crate::meters;
use crate::retry::RetryPolicy;
use crate::routes::Route;

mod attempt;
mod body;
mod spans;
mod throttle;

pub(crate) use body::{BodyGate, NoGate};
use throttle::Throttle;

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
    /// The client's rate limit, in requests a second, if it has one.
    pub rate_limit: Option<u32>,
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
    /// The retry budget and the pause a server asked for: a `429`, or a
    /// `503` with `Retry-After`, pauses every clone of the client, not only
    /// the request that got it (prefetch workers, import workers, a
    /// service's tasks).
    throttle: Throttle,
}

/// The answer of the last attempt.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: bytes::Bytes,
    /// The request, with the number of attempts it took.
    pub(crate) request: RequestInfo,
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
            rate_limit,
        } = settings;
        let mut key = key;
        // Keeps the value out of reqwest's and hyper's Debug output, and
        // out of HTTP/2's header compression tables.
        key.set_sensitive(true);
        let url = reqwest::Url::parse(&base_url).ok();
        let host = url
            .as_ref()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_default();
        let port = url
            .and_then(|url| url.port_or_known_default())
            .unwrap_or_default();
        Self {
            shared: Arc::new(Shared {
                http,
                host,
                port,
                base_url,
                key,
                max_response_bytes,
                connect_timeout,
                throttle: Throttle::new(rate_limit),
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
        let span = spans::operation(route, &self.shared.host, self.shared.port, query);
        async {
            let answer = self.attempts(route, query, body, &mut NoGate).await?;
            envelope::decode(answer.status, &answer.body)
                .map_err(|error| error.about(answer.request))
        }
        .instrument(span.clone())
        .await
        .inspect_err(|error| spans::record_error(&span, error))
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
        let span = spans::operation(route, &self.shared.host, self.shared.port, query);
        self.attempts(route, query, body, gate)
            .instrument(span.clone())
            .await
            .inspect_err(|error| spans::record_error(&span, error))
    }

    /// The attempts of one operation, in its span, which gets their count
    /// once they are over (a span field recorded twice is exported twice).
    async fn attempts<G: BodyGate>(
        &self,
        route: &Route,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        gate: &mut G,
    ) -> Result<Answer> {
        let result = self.attempts_loop(route, query, body, gate).await;
        let attempts = match &result {
            Ok(answer) => answer.request.attempts,
            Err(error) => error.request().map_or(0, |request| request.attempts),
        };
        if attempts > 1 {
            tracing::Span::current().record("http.request.resend_count", i64::from(attempts - 1));
        }
        result
    }

    /// The loop of [`attempts`](Self::attempts).
    async fn attempts_loop<G: BodyGate>(
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
            if let Some(pause) = self.shared.throttle.pause_left() {
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
            // The client's own rate limit, shared by every clone: a slot
            // the deadline would not live to see ends the call now.
            let left = deadline.map(|limit| limit.saturating_sub(elapsed(gate)));
            match self.shared.throttle.reserve_slot(left) {
                Ok(wait) if !wait.is_zero() => {
                    tracing::debug!(
                        wait_ms = wait.as_millis() as u64,
                        "waiting: the client's rate limit"
                    );
                    tokio::time::sleep(wait).await;
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(Error::Timeout {
                        request: Box::new(request),
                        after: deadline,
                        connecting: false,
                    });
                }
            }
            request.attempts += 1;
            let sent = self.request(route.method.clone(), &route.path, query, body.clone());
            let span = spans::attempt(
                route,
                &self.shared.host,
                self.shared.port,
                request.attempts - 1,
            );
            let attempt_started = Instant::now();
            let outcome = self
                .attempt(&request, sent, timeout, gate)
                .instrument(span.clone())
                .await;
            let took = attempt_started.elapsed();
            let took_ms = took.as_millis() as u64;
            let error = match outcome {
                Ok((status, body)) => {
                    span.record("http.response.status_code", i64::from(status.as_u16()));
                    operation.record("http.response.status_code", i64::from(status.as_u16()));
                    if status.as_u16() >= 400 {
                        span.record("error.type", status.as_str());
                    }
                    self.shared.throttle.refill(spent);
                    meters::attempt(route, meters::Outcome::Status(status.as_u16()), took);
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
            spans::record_error(&span, &error);
            let error_type = spans::error_type(&error);
            meters::attempt(route, meters::Outcome::Error(&error_type), took);
            tracing::debug!(
                target: "liner::request",
                parent: &span,
                method = %route.method,
                template = route.template,
                error = %error_type,
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
                throttle::TIMEOUT_RETRY_COST
            } else {
                throttle::RETRY_COST
            };
            if !self.shared.throttle.take(cost) {
                tracing::warn!(%request, %error, "not retrying: the client's retry budget is spent");
                return Err(Error::RetryBudgetSpent {
                    last: Box::new(error),
                });
            }
            spent += cost;
            meters::retry(&error_type);
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
        self.shared.throttle.pause_for(wait);
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

#[cfg(test)]
mod tests;
