//! [`Liner`] and its builder: set-up, auth, and sending requests.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;

use crate::api_key::ApiKey;
use crate::envelope;
use crate::error::{Error, Result};
use crate::list::LeadQuery;
use crate::prefetch::PageGate;
use crate::retry::{self, Effect, RetryPolicy};
use crate::routes;
use liner_api::types::{Call, CreatedLead, Lead, LeadPatch, NewLead};
use liner_api::{Draft, IntoField};
use std::num::NonZeroU64;

/// The default time limit of a whole request, connection to last byte: the
/// `CURLOPT_TIMEOUT` of every example in the Liner docs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// The default time limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The environment variable [`Liner::from_env`] reads the base URL from.
pub const BASE_URL_VAR: &str = "LINER_BASE_URL";
/// The environment variable [`Liner::from_env`] reads the API key from.
pub const API_KEY_VAR: &str = "LINER_API_KEY";

const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");

/// A client for the Liner API.
///
/// Cheap to clone (an `Arc`); clones share one connection pool. `Send` and
/// `Sync`: share one across tasks.
#[derive(Clone)]
pub struct Liner {
    inner: Arc<Inner>,
    /// Per-clone settings: [`Liner::with_retry_policy`] and
    /// [`Liner::with_timeout`] return a clone with their own.
    retry: RetryPolicy,
    timeout: Duration,
    /// The runtime of the blocking client this one belongs to, if any: its
    /// lead lists block on it.
    #[cfg(feature = "blocking")]
    blocking_runtime: Option<Arc<tokio::runtime::Runtime>>,
}

struct Inner {
    http: reqwest::Client,
    /// Without a trailing slash.
    base_url: String,
    key: HeaderValue,
}

impl fmt::Debug for Liner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Liner")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &"***")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Builds a [`Liner`] client. Start with [`Liner::builder`].
#[must_use]
pub struct LinerBuilder {
    base_url: Option<String>,
    api_key: Option<ApiKey>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    allow_insecure_http: bool,
}

impl fmt::Debug for LinerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinerBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("retry", &self.retry)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl LinerBuilder {
    /// The scheme and host of your Liner installation, e.g.
    /// `https://liner.example.com` (a path prefix and a trailing slash are fine).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Your API token, sent as `X-Api-Key` on every request.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The time limit of a whole request (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for connecting (default [`DEFAULT_CONNECT_TIMEOUT`]);
    /// ignored with [`http_client`](Self::http_client), whose own applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `liner-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests through this `reqwest::Client` (proxies, TLS roots,
    /// shared pools). The key and the timeout are still applied per request.
    /// Leave `reqwest::ClientBuilder::timeout` unset on it and use
    /// [`timeout`](Self::timeout) here: reqwest's client-wide timeout would
    /// also run while a prefetched page waits for the consumer to catch up
    /// (see [`LeadQuery::pages`]).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// When failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Allows sending the API key over plain `http://` to a host that is not
    /// the local machine. Off by default: anyone on the path could read the
    /// key. `http://` to loopback (`127.0.0.1`, `::1`, `localhost`) is always
    /// allowed, for local servers and tests.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Liner> {
        let base_url = self.base_url.ok_or_else(|| Error::Config {
            reason: format!("no base URL; call .base_url(..) or set {BASE_URL_VAR}"),
        })?;
        let base_url = normalize_base_url(&base_url)?;
        if !self.allow_insecure_http {
            refuse_plain_http_off_loopback(&base_url)?;
        }
        let key = self.api_key.ok_or_else(|| Error::Config {
            reason: format!("no API key; call .api_key(..) or set {API_KEY_VAR}"),
        })?;
        if key.expose().is_empty() {
            return Err(Error::Config {
                reason: "the API key is empty".to_owned(),
            });
        }
        let mut key = HeaderValue::from_str(key.expose()).map_err(|_| Error::Config {
            reason: "the API key contains characters an HTTP header cannot carry".to_owned(),
        })?;
        // Keeps the value out of reqwest's and hyper's Debug output.
        key.set_sensitive(true);
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config {
                reason: "the timeout is zero".to_owned(),
            });
        }
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .user_agent(self.user_agent)
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|err| Error::Config {
                    reason: format!("cannot build the HTTP client: {err}"),
                })?,
        };
        Ok(Liner {
            inner: Arc::new(Inner {
                http,
                base_url,
                key,
            }),
            retry: self.retry,
            timeout: self.timeout,
            #[cfg(feature = "blocking")]
            blocking_runtime: None,
        })
    }
}

/// The API key must not cross a network in clear text.
fn refuse_plain_http_off_loopback(base_url: &str) -> Result<()> {
    let url = Url::parse(base_url).map_err(|err| Error::Config {
        reason: err.to_string(),
    })?;
    if url.scheme() != "http" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if loopback {
        Ok(())
    } else {
        Err(Error::Config {
            reason: format!(
                "refusing to send the API key over plain http:// to {}; use https://, or \
                 .allow_insecure_http(true) if this network is trusted",
                url.host_str().unwrap_or_default()
            ),
        })
    }
}

/// Checks a base URL and drops its trailing slash.
fn normalize_base_url(raw: &str) -> Result<String> {
    let invalid = |reason: &str| Error::Config {
        reason: format!("base URL {raw:?} {reason}"),
    };
    let url = Url::parse(raw.trim()).map_err(|err| invalid(&format!("is not a URL ({err})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with http:// or https://"));
    }
    if url.host_str().is_none() {
        return Err(invalid("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials; use .api_key(..)"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Liner {
    /// Starts building a client.
    pub fn builder() -> LinerBuilder {
        LinerBuilder {
            base_url: None,
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: concat!("liner-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            http_client: None,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
        }
    }

    /// A clone of this client with another retry policy (same connection
    /// pool), for one call or a family of calls:
    /// `client.with_retry_policy(RetryPolicy::none()).lead(7)`.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        Self {
            retry: policy,
            ..self.clone()
        }
    }

    /// A clone of this client with another per-attempt timeout (same
    /// connection pool).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            timeout,
            ..self.clone()
        }
    }

    /// This client, with the runtime of a blocking client attached.
    #[cfg(feature = "blocking")]
    pub(crate) fn with_blocking_runtime(self, runtime: Arc<tokio::runtime::Runtime>) -> Self {
        Self {
            blocking_runtime: Some(runtime),
            ..self
        }
    }

    /// The runtime of the blocking client this one belongs to, if any.
    #[cfg(feature = "blocking")]
    pub(crate) fn blocking_runtime(&self) -> Option<Arc<tokio::runtime::Runtime>> {
        self.blocking_runtime.clone()
    }

    /// A client configured from `LINER_BASE_URL` and `LINER_API_KEY`.
    pub fn from_env() -> Result<Self> {
        let read = |name: &str| {
            std::env::var(name).map_err(|err| Error::Config {
                reason: match err {
                    std::env::VarError::NotPresent => format!("{name} is not set"),
                    std::env::VarError::NotUnicode(_) => format!("{name} is not valid UTF-8"),
                },
            })
        };
        Self::builder()
            .base_url(read(BASE_URL_VAR)?)
            .api_key(read(API_KEY_VAR)?)
            .build()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Lead details: `GET /v2/lead/detail/{id}/`. The id is any integer
    /// type (or a `NonZeroU64`, as [`Lead::id`] is); 0 is refused before
    /// anything is sent.
    pub async fn lead(&self, id: impl IntoField<NonZeroU64>) -> Result<Lead> {
        let id = positive("lead_id", id)?;
        self.send(
            Effect::Read,
            Method::GET,
            &routes::lead_detail(id),
            &[],
            None,
        )
        .await
    }

    /// Call details: `GET /v2/call/detail/{id}/`.
    pub async fn call(&self, id: impl IntoField<NonZeroU64>) -> Result<Call> {
        let id = positive("call_id", id)?;
        self.send(
            Effect::Read,
            Method::GET,
            &routes::call_detail(id),
            &[],
            None,
        )
        .await
    }

    /// Creates a lead (`POST /v2/lead/create/`) and returns its id. Takes a
    /// draft (`NewLead::new(..)` and its setters) or a built [`NewLead`];
    /// a field the spec refuses is an [`Error::InvalidInput`] before
    /// anything is sent.
    ///
    /// Not idempotent: every successful call creates a lead.
    pub async fn create_lead(&self, lead: impl Into<Draft<NewLead>>) -> Result<NonZeroU64> {
        let body = body(lead.into())?;
        let created: CreatedLead = self
            .send(
                Effect::Create,
                Method::POST,
                routes::LEAD_CREATE,
                &[],
                Some(body),
            )
            .await?;
        Ok(created.id)
    }

    /// Updates the fields set in `patch` (`POST /v2/lead/update/{id}/`);
    /// the others keep their values. A patch that sets nothing is refused
    /// before anything is sent.
    pub async fn update_lead(
        &self,
        id: impl IntoField<NonZeroU64>,
        patch: impl Into<Draft<LeadPatch>>,
    ) -> Result<()> {
        let id = positive("lead_id", id)?;
        let body = body(patch.into())?;
        let _: serde::de::IgnoredAny = self
            .send(
                Effect::Update,
                Method::POST,
                &routes::lead_update(id),
                &[],
                Some(body),
            )
            .await?;
        Ok(())
    }

    /// The lead list: a query to filter, then page or stream.
    pub fn leads(&self) -> LeadQuery {
        LeadQuery::new(self.clone())
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
            .send_raw(effect, method, path, query, body, None)
            .await?;
        envelope::decode(status, &bytes)
    }

    /// Sends one request, retrying as the policy allows; the status and the
    /// whole body of the last attempt, or its error. Retryable statuses (429,
    /// 502, 503, 504) come back as errors; other statuses are decoded by the
    /// caller. With a `gate`, each attempt waits for it between the
    /// response's headers and its body (see [`PageGate`]).
    pub(crate) async fn send_raw(
        &self,
        effect: Effect,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        mut gate: Option<PageGate>,
    ) -> Result<(reqwest::StatusCode, bytes::Bytes)> {
        let operation = format!("{method} {path}");
        let started = Instant::now();
        let deadline = self.retry.deadline_limit();
        let mut retry = 0;
        // Time at the gate is the consumer's, not the server's: the deadline
        // does not count it.
        let elapsed = |gate: &Option<PageGate>| {
            started
                .elapsed()
                .saturating_sub(gate.as_ref().map_or(Duration::ZERO, PageGate::waited))
        };
        loop {
            let timeout = match deadline {
                Some(limit) => match limit.checked_sub(elapsed(&gate)) {
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
            let attempt = self
                .attempt(&operation, request, timeout, gate.as_mut())
                .await;
            let error = match attempt {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let Some(wait) = self.retry.wait_before_retry(effect, retry, &error) else {
                return Err(error);
            };
            if deadline.is_some_and(|limit| elapsed(&gate) + wait >= limit) {
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
        let url = format!("{}{path}", self.inner.base_url);
        let mut request = self
            .inner
            .http
            .request(method, url)
            .header(API_KEY_HEADER, self.inner.key.clone())
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

    /// One attempt, within `timeout`.
    async fn attempt(
        &self,
        operation: &str,
        request: reqwest::RequestBuilder,
        timeout: Duration,
        gate: Option<&mut PageGate>,
    ) -> Result<(reqwest::StatusCode, bytes::Bytes)> {
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
        let (status, retry_after, bytes) = match gate {
            // reqwest's timeout covers the whole exchange, body included.
            None => {
                let response = request.timeout(timeout).send().await.map_err(transport)?;
                let (status, retry_after) = status_and_retry_after(&response);
                (
                    status,
                    retry_after,
                    response.bytes().await.map_err(transport)?,
                )
            }
            // The wait at the gate lasts as long as the consumer takes, which
            // is none of the server's time: the timeout covers the rest.
            Some(gate) => {
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
            }
        };
        if matches!(status.as_u16(), 429 | 502 | 503 | 504) {
            // Decoded here, not by the caller, so that the retry loop can
            // see the error (with its Retry-After).
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
}

/// A response's status and its `Retry-After`, if it has a usable one.
fn status_and_retry_after(response: &reqwest::Response) -> (reqwest::StatusCode, Option<Duration>) {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(retry::parse_retry_after);
    (response.status(), retry_after)
}

/// An id argument: an integer the spec's `minimum: 1, format: int64` allows.
pub(crate) fn positive(field: &'static str, id: impl IntoField<NonZeroU64>) -> Result<NonZeroU64> {
    id.into_field()
        .map_err(|reason| Error::invalid(field, reason))
}

/// A request body, checked, as JSON.
fn body<T: liner_api::RequestBody + serde::Serialize>(draft: Draft<T>) -> Result<Vec<u8>> {
    let body = draft.build()?;
    // Serializing the generated types into a Vec cannot fail: no map has
    // non-string keys, and no value fails to serialize.
    Ok(serde_json::to_vec(&body).expect("the generated request types serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_base_url("https://liner.example.com/").unwrap(),
            "https://liner.example.com"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalize_base_url("https://h/api/").unwrap(),
            "https://h/api"
        );
        for bad in [
            "liner.example.com",
            "ftp://h",
            "https://h/?x=1",
            "https://u:p@h",
        ] {
            assert!(
                matches!(normalize_base_url(bad), Err(Error::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Liner::builder()
            .base_url("http://127.0.0.1:1")
            .api_key("canary-key-42")
            .build()
            .unwrap();
        let printed = format!("{client:?} {:?}", Liner::builder().api_key("canary-key-42"));
        assert!(!printed.contains("canary-key-42"), "{printed}");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let build = |url: &str| Liner::builder().base_url(url).api_key("k").build();
        for local in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:80",
            "http://localhost:1",
            "https://liner.example.com",
        ] {
            assert!(build(local).is_ok(), "{local}");
        }
        let err = build("http://liner.example.com").unwrap_err();
        assert!(
            err.to_string()
                .contains("refusing to send the API key over plain http:// to liner.example.com"),
            "{err}"
        );
        let allowed = Liner::builder()
            .base_url("http://10.0.0.1")
            .api_key("k")
            .allow_insecure_http(true)
            .build();
        assert!(allowed.is_ok());
    }

    #[test]
    fn missing_settings_are_named() {
        let err = Liner::builder().api_key("k").build().unwrap_err();
        assert!(err.to_string().contains("no base URL"), "{err}");
        let err = Liner::builder()
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("LINER_API_KEY"), "{err}");
        let err = Liner::builder()
            .base_url("http://127.0.0.1:1")
            .api_key("a\nb")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("a\nb"));
    }
}
