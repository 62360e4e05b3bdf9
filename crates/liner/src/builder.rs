//! [`LinerBuilder`]: the settings of a [`Liner`] client, checked when it is
//! built; `from_env.rs` reads the same settings from the environment.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::api_key::ApiKey;
use crate::client::Liner;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

mod base_url;
mod from_env;

use base_url::{normalize_base_url, refuse_plain_http_off_loopback};

/// The default time limit of each attempt, connection to last byte:
/// `liner-api`'s (the `CURLOPT_TIMEOUT` of every example in the Liner docs).
pub(crate) const DEFAULT_TIMEOUT: Duration = liner_api::DEFAULT_TIMEOUT;
/// The default time limit for establishing a connection.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer the client reads unless told otherwise
/// ([`LinerBuilder::max_response_bytes`]): 16 MiB. A full page of 100 leads
/// is well under 1 MiB.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// The environment variable [`Liner::from_env`] reads the base URL from.
pub(crate) const BASE_URL_VAR: &str = "LINER_BASE_URL";
/// The environment variable [`Liner::from_env`] reads the API key from.
pub(crate) const API_KEY_VAR: &str = "LINER_API_KEY";
/// The environment variable [`Liner::from_env`] reads the path of an
/// authority to trust from (a PEM file).
pub(crate) const CA_CERT_VAR: &str = "LINER_CA_CERT";
/// The environment variable [`Liner::from_env`] reads a proxy URL from.
pub(crate) const PROXY_VAR: &str = "LINER_PROXY";

/// Builds a [`Liner`] client. Start with [`Liner::builder`]. Cloning it
/// copies the settings, to build several clients that differ in one.
#[must_use]
#[derive(Clone)]
pub struct LinerBuilder {
    base_url: Option<String>,
    api_key: Option<ApiKey>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    max_response_bytes: u64,
    /// Extra trusted authorities as PEM, each with where it came from, or
    /// why a file could not be read (reported by `build`, so that the
    /// setters stay infallible).
    roots: Vec<std::result::Result<(String, Vec<u8>), String>>,
    proxy: Option<ProxySetting>,
    /// Requests a second at most, if limited.
    rate_limit: Option<u32>,
}

/// Where requests go through, if not where the environment says.
#[derive(Debug, Clone)]
enum ProxySetting {
    Url(String),
    None,
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
            .field("max_response_bytes", &self.max_response_bytes)
            .field("roots", &self.roots.len())
            .field("rate_limit", &self.rate_limit)
            // A proxy URL can carry credentials: only whether one is set.
            .field(
                "proxy",
                &self.proxy.as_ref().map(|proxy| match proxy {
                    ProxySetting::Url(_) => "set",
                    ProxySetting::None => "none",
                }),
            )
            .finish()
    }
}

impl LinerBuilder {
    /// Each attempt's time limit unless [`timeout`](Self::timeout) says otherwise.
    pub const DEFAULT_TIMEOUT: Duration = DEFAULT_TIMEOUT;
    /// The time to connect unless [`connect_timeout`](Self::connect_timeout) says otherwise.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = DEFAULT_CONNECT_TIMEOUT;
    /// The largest answer read unless
    /// [`max_response_bytes`](Self::max_response_bytes) says otherwise.
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = DEFAULT_MAX_RESPONSE_BYTES;

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

    /// The time limit of each attempt, connection to last byte (default
    /// [`DEFAULT_TIMEOUT`](crate::LinerBuilder::DEFAULT_TIMEOUT)); a whole call, retries
    /// and waits included, is bounded by the retry policy's
    /// [`deadline`](crate::RetryPolicy::deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for connecting (default [`DEFAULT_CONNECT_TIMEOUT`](crate::LinerBuilder::DEFAULT_CONNECT_TIMEOUT));
    /// ignored with [`http_client`](Self::http_client), whose own applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `liner-rust/<version>`). Ignored with
    /// [`http_client`](Self::http_client): that client sends its own.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests through this `reqwest::Client` (proxies, TLS roots,
    /// shared pools). The key and the timeout are still applied per request.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`. A client
    /// that follows redirects (reqwest's default follows up to 10) sends the
    /// `X-Api-Key` header along to wherever a redirect points, another host
    /// included, and re-sends or turns a create into a read: `liner` cannot
    /// stop a client it did not build. It does notice when a followed
    /// redirect brought the answer from another URL, and returns
    /// [`Error::Redirect`] then, but by that time the request has gone.
    ///
    /// Leave `reqwest::ClientBuilder::timeout` unset on it and use
    /// [`timeout`](Self::timeout) here: reqwest's client-wide timeout would
    /// also run while a prefetched page waits for the consumer to catch up
    /// (see [`LeadQuery::pages`](crate::LeadQuery::pages)).
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

    /// The largest answer the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::LinerBuilder::DEFAULT_MAX_RESPONSE_BYTES)). An answer that announces more is
    /// refused before its body is read, one that turns out longer when it is
    /// read: [`Error::TooLarge`] either way. Memory stays bounded whatever
    /// a server sends.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sends at most `requests_per_second` requests a second (default: no
    /// limit), evenly spaced, counting every clone of the client, every
    /// prefetch worker and every retry. A request waits for its slot within
    /// its call's deadline; one whose slot comes later ends with
    /// [`Error::Timeout`]. Set it at or below the server's limit and a
    /// `429` becomes rare: each costs every request of the client the
    /// server's `Retry-After`.
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Also trusts the certificate authorities in `pem` (one or more PEM
    /// certificates): a company's own authority, or one that a proxy
    /// re-signing TLS uses. The platform's authorities stay trusted.
    /// Ignored with [`http_client`](Self::http_client) (then
    /// [`build`](Self::build) says so).
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots.push(Ok((
            "the root certificate given".to_owned(),
            pem.as_ref().to_vec(),
        )));
        self
    }

    /// [`add_root_certificate`](Self::add_root_certificate) with the PEM
    /// file at `path`.
    pub fn add_root_certificate_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        let path = path.as_ref();
        self.roots.push(
            std::fs::read(path)
                .map(|pem| (format!("the root certificate file {}", path.display()), pem))
                .map_err(|err| {
                    format!(
                        "cannot read the root certificate file {}: {err}",
                        path.display()
                    )
                }),
        );
        self
    }

    /// Sends every request through the proxy at `url` (`http://host:port`,
    /// with `user:password@` if it wants credentials). Without this, the
    /// proxy comes from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` (lower case too). For an `https://` base URL the proxy
    /// only sees a `CONNECT` to the host: the key and the paths travel
    /// encrypted. Ignored with [`http_client`](Self::http_client) (then
    /// [`build`](Self::build) says so).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxySetting::Url(url.into()));
        self
    }

    /// Uses no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = Some(ProxySetting::None);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`], saying which setting: no or an unparsable base
    /// URL, no key, an empty one or one that is not a header value, plain
    /// `http://` to anything but the local machine without
    /// [`allow_insecure_http`](Self::allow_insecure_http), a zero timeout or
    /// connect timeout, a `max_response_bytes` of 0, a rate limit of 0, a
    /// certificate file that cannot be read, a certificate or proxy that does
    /// not parse (or that [`http_client`](Self::http_client) would ignore),
    /// or a TLS backend that fails to start.
    pub fn build(self) -> Result<Liner> {
        let base_url = self.base_url.ok_or_else(|| {
            Error::config(format!(
                "no base URL; call .base_url(..) or set {BASE_URL_VAR}"
            ))
        })?;
        let base_url = normalize_base_url(&base_url)?;
        if !self.allow_insecure_http {
            refuse_plain_http_off_loopback(&base_url)?;
        }
        let key = self.api_key.ok_or_else(|| {
            Error::config(format!(
                "no API key; call .api_key(..) or set {API_KEY_VAR}"
            ))
        })?;
        if key.expose().is_empty() {
            return Err(Error::config("the API key is empty"));
        }
        // Marked sensitive by the transport, which owns the header.
        let key = HeaderValue::from_str(key.expose()).map_err(|_| {
            Error::config("the API key contains characters an HTTP header cannot carry")
        })?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::config("the timeout is zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::config("the largest answer allowed is 0 bytes"));
        }
        if self.rate_limit == Some(0) {
            return Err(Error::config(
                "the rate limit is 0 requests a second: at least 1, or no limit",
            ));
        }
        let roots = read_roots(self.roots)?;
        let (http, connect_timeout) = match self.http_client {
            Some(_) if !roots.is_empty() || self.proxy.is_some() => {
                return Err(Error::config(
                    "a root certificate or a proxy was set together with .http_client(..), \
                     which would ignore it: set them on that client instead",
                ));
            }
            Some(client) => (client, None),
            None => {
                let mut builder = reqwest::Client::builder()
                    .user_agent(self.user_agent)
                    .connect_timeout(self.connect_timeout)
                    // Redirects are answers, not hops: the key goes to the base
                    // URL's origin only, and a create is never re-sent or turned
                    // into a read. The transport reports a redirect as an error
                    // that names where it pointed.
                    .redirect(reqwest::redirect::Policy::none());
                // With both TLS features on (feature unification, or
                // `--all-features`), rustls, the default, is the one used.
                #[cfg(feature = "rustls")]
                {
                    builder = builder.tls_backend_rustls();
                }
                #[cfg(any(feature = "rustls", feature = "native-tls"))]
                if !roots.is_empty() {
                    builder = builder.tls_certs_merge(roots);
                }
                match self.proxy {
                    Some(ProxySetting::Url(url)) => {
                        let proxy = reqwest::Proxy::all(&url).map_err(|err| Error::Config {
                            reason: "the proxy URL is not valid".to_owned(),
                            source: Some(Box::new(err)),
                        })?;
                        builder = builder.proxy(proxy);
                    }
                    Some(ProxySetting::None) => builder = builder.no_proxy(),
                    None => {}
                }
                let client = builder.build().map_err(|err| Error::Config {
                    reason: "cannot build the HTTP client".to_owned(),
                    source: Some(Box::new(err)),
                })?;
                (client, Some(self.connect_timeout))
            }
        };
        Ok(Liner::new(Transport::new(crate::transport::Settings {
            http,
            base_url,
            key,
            retry: self.retry,
            timeout: self.timeout,
            connect_timeout,
            max_response_bytes: self.max_response_bytes,
            rate_limit: self.rate_limit,
        })))
    }
}

/// The certificates of every PEM given, each checked.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
fn read_roots(
    roots: Vec<std::result::Result<(String, Vec<u8>), String>>,
) -> Result<Vec<reqwest::Certificate>> {
    let mut certificates = Vec::new();
    for root in roots {
        let (what, pem) = root.map_err(Error::config)?;
        let read = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|err| Error::config(format!("{what} is not a PEM certificate: {err}")))?;
        if read.is_empty() {
            return Err(Error::config(format!("{what} holds no PEM certificate")));
        }
        certificates.extend(read);
    }
    Ok(certificates)
}

/// Without TLS there is nothing to trust a certificate for.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
fn read_roots(roots: Vec<std::result::Result<(String, Vec<u8>), String>>) -> Result<Vec<()>> {
    if roots.is_empty() {
        Ok(Vec::new())
    } else {
        Err(Error::config(
            "a root certificate was given, but this build has no TLS (features rustls or \
             native-tls)",
        ))
    }
}

impl Liner {
    /// The variable [`Liner::from_env`] reads the base URL from.
    pub const BASE_URL_VAR: &'static str = BASE_URL_VAR;
    /// The variable [`Liner::from_env`] reads the API key from.
    pub const API_KEY_VAR: &'static str = API_KEY_VAR;
    /// The variable [`Liner::from_env`] reads a certificate authority's PEM
    /// file from.
    pub const CA_CERT_VAR: &'static str = CA_CERT_VAR;
    /// The variable [`Liner::from_env`] reads a proxy's URL from.
    pub const PROXY_VAR: &'static str = PROXY_VAR;

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
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            roots: Vec::new(),
            proxy: None,
            rate_limit: None,
        }
    }
}

#[cfg(test)]
mod tests;
