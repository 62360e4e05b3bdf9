//! One attempt: one HTTP request within its timeout, its body read up to
//! the limits, and its answer or its error (never a followed redirect).

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;

use super::{BodyGate, Transport, body};
use crate::envelope;
use crate::error::{Error, RequestInfo, Result};
use crate::retry;
use crate::server_text::bounded;

impl Transport {
    /// One attempt, within `timeout` (the gate's wait aside): the status and
    /// the body, read up to the limits.
    pub(super) async fn attempt<G: BodyGate>(
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
            body::FAILURE_BODY_LIMIT.min(self.shared.max_response_bytes)
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
        let read = body::read_body(response, limit, status.is_success());
        let bytes = if G::WAITS {
            tokio::time::timeout(left, read)
                .await
                .map_err(|_| timed_out())?
        } else {
            read.await
        }
        .map_err(|failure| match failure {
            body::BodyFailure::Transport(source) => transport(source),
            body::BodyFailure::TooLarge => Error::TooLarge {
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

fn status_and_retry_after(response: &reqwest::Response) -> (StatusCode, Option<Duration>) {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(retry::parse_retry_after);
    (response.status(), retry_after)
}
