//! Sending one request to the Liner API: the key, a timeout per attempt,
//! retries with backoff as the [`RetryPolicy`] allows, and a deadline over
//! all attempts. It knows nothing of what the requests mean, or of paging:
//! a caller that must hold a response's body back (the list's prefetch)
//! does so through a [`BodyGate`], a hook this module owns.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use crate::envelope;
use crate::error::{Error, Result};
use crate::retry::{self, Effect, RetryPolicy};

const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");

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
    /// Marked sensitive.
    key: HeaderValue,
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
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: String,
        key: HeaderValue,
        retry: RetryPolicy,
        timeout: Duration,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                http,
                base_url,
                key,
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
        effect: Effect,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<T>
    where
        T: for<'de> Deserialize<'de>,
    {
        let (status, bytes) = self
            .send_raw(effect, method, path, query, body, &mut NoGate)
            .await?;
        envelope::decode(status, &bytes)
    }

    /// Sends one request, retrying as the policy allows; the status and the
    /// whole body of the last attempt, or its error. Retryable statuses (429,
    /// 502, 503, 504) come back as errors; other statuses are the caller's to
    /// decode. Each attempt waits at `gate` between headers and body.
    pub(crate) async fn send_raw<G: BodyGate>(
        &self,
        effect: Effect,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        gate: &mut G,
    ) -> Result<(StatusCode, bytes::Bytes)> {
        let operation = format!("{method} {path}");
        let started = Instant::now();
        let deadline = self.retry.deadline_limit();
        let mut retry = 0;
        // Time at the gate is the caller's, not the server's: the deadline
        // does not count it.
        let elapsed = |gate: &G| started.elapsed().saturating_sub(gate.waited());
        loop {
            let timeout = match deadline {
                Some(limit) => match limit.checked_sub(elapsed(gate)) {
                    Some(left) if !left.is_zero() => self.timeout.min(left),
                    _ => {
                        return Err(Error::Timeout {
                            operation,
                            after: Some(limit),
                            connecting: false,
                        });
                    }
                },
                None => self.timeout,
            };
            let request = self.request(method.clone(), path, query, body.clone());
            let error = match attempt(&operation, request, timeout, gate).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let Some(wait) = self.retry.wait_before_retry(effect, retry, &error) else {
                return Err(error);
            };
            if deadline.is_some_and(|limit| elapsed(gate) + wait >= limit) {
                tracing::debug!(%operation, %error, "not retrying: the wait would pass the deadline");
                return Err(error);
            }
            retry += 1;
            tracing::warn!(
                %operation,
                retry,
                wait_ms = wait.as_millis() as u64,
                %error,
                "retrying Liner API request"
            );
            tokio::time::sleep(wait).await;
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

/// One attempt, within `timeout` (the gate's wait aside).
async fn attempt<G: BodyGate>(
    operation: &str,
    request: reqwest::RequestBuilder,
    timeout: Duration,
    gate: &mut G,
) -> Result<(StatusCode, bytes::Bytes)> {
    let transport = |source: reqwest::Error| {
        if source.is_timeout() {
            Error::Timeout {
                operation: operation.to_owned(),
                after: Some(timeout),
                connecting: source.is_connect(),
            }
        } else {
            // reqwest errors may carry the URL; it holds no secret (the
            // key travels in a header), so it is kept for context.
            Error::Transport {
                operation: operation.to_owned(),
                source,
            }
        }
    };
    let (status, retry_after, bytes) = if G::WAITS {
        // The wait at the gate lasts as long as the caller takes, which is
        // none of the server's time: the timeout covers the rest.
        let timed_out = || Error::Timeout {
            operation: operation.to_owned(),
            after: Some(timeout),
            connecting: false,
        };
        let started = Instant::now();
        let response = tokio::time::timeout(timeout, request.send())
            .await
            .map_err(|_| timed_out())?
            .map_err(transport)?;
        let left = timeout.saturating_sub(started.elapsed());
        let (status, retry_after) = status_and_retry_after(&response);
        gate.open().await;
        let bytes = tokio::time::timeout(left, response.bytes())
            .await
            .map_err(|_| timed_out())?
            .map_err(transport)?;
        (status, retry_after, bytes)
    } else {
        // reqwest's timeout covers the whole exchange, body included.
        let response = request.timeout(timeout).send().await.map_err(transport)?;
        let (status, retry_after) = status_and_retry_after(&response);
        (
            status,
            retry_after,
            response.bytes().await.map_err(transport)?,
        )
    };
    if matches!(status.as_u16(), 429 | 502 | 503 | 504) {
        // Decoded here, not by the caller, so that the retry loop can see
        // the error (with its Retry-After).
        let mut error = match envelope::decode::<serde::de::IgnoredAny>(status, &bytes) {
            Err(error) => error,
            Ok(_) => Error::Http {
                status,
                snippet: crate::error::snippet(&bytes),
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
        return Err(error);
    }
    Ok((status, bytes))
}

/// A response's status and its `Retry-After`, if it has a usable one.
fn status_and_retry_after(response: &reqwest::Response) -> (StatusCode, Option<Duration>) {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(retry::parse_retry_after);
    (response.status(), retry_after)
}
