//! Authentication: the `X-Api-Key` header, sent on every request.
//!
//! progenitor ignores the spec's `securitySchemes`, so the key travels as a
//! default header of the `reqwest::Client` the generated [`Client`] wraps.
//! The header value is marked sensitive, which keeps it out of reqwest's and
//! hyper's `Debug` output.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::Client;

/// The header that carries the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The request timeout of [`Client::with_api_key`], and `liner`'s default
/// for each attempt: the `CURLOPT_TIMEOUT` of every example in the Liner
/// documentation, and progenitor's default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The API key cannot be sent as an HTTP header value.
///
/// The key itself is never part of this error's `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidApiKey {
    /// The key is empty (or only whitespace).
    Empty,
    /// The key contains a character that HTTP header values cannot carry
    /// (a control character such as a newline, or a non-visible byte).
    NotAHeaderValue,
}

impl fmt::Display for InvalidApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("the Liner API key is empty; pass the token of your Liner account")
            }
            Self::NotAHeaderValue => f.write_str(
                "the Liner API key contains characters an HTTP header cannot carry \
                 (a newline or other control character?); check how it was read",
            ),
        }
    }
}

impl fmt::Debug for InvalidApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("InvalidApiKey::Empty"),
            Self::NotAHeaderValue => f.write_str("InvalidApiKey::NotAHeaderValue"),
        }
    }
}

impl std::error::Error for InvalidApiKey {}

/// Default headers that authenticate every request with `api_key`, for
/// building your own `reqwest::Client` (proxies, TLS settings, timeouts)
/// before handing it to [`Client::new_with_client`].
///
/// The value is marked sensitive. Surrounding whitespace (a trailing newline
/// from a file or an environment variable) is trimmed.
///
/// Turn redirects off on that client, as below: reqwest's default follows
/// them, and on a redirect to another host it keeps every header but a few
/// (`Authorization`, `Cookie`), so the key would go along.
///
/// ```
/// let http = reqwest::Client::builder()
///     .default_headers(liner_api::api_key_headers("my-token")?)
///     .redirect(reqwest::redirect::Policy::none())
///     .build()?;
/// let client = liner_api::Client::new_with_client("https://liner.example.com", http);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn api_key_headers(api_key: &str) -> Result<HeaderMap, InvalidApiKey> {
    let api_key = api_key.trim();
    if api_key.is_empty() {
        return Err(InvalidApiKey::Empty);
    }
    let mut value = HeaderValue::from_str(api_key).map_err(|_| InvalidApiKey::NotAHeaderValue)?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::with_capacity(1);
    headers.insert(HeaderName::from_static(API_KEY_HEADER), value);
    Ok(headers)
}

impl Client {
    /// A client for the Liner API at `base_url` that sends `api_key` as
    /// `X-Api-Key` on every request, with a 15 s timeout. It follows no
    /// redirect: the key goes to `base_url`'s origin only, and a create is
    /// never re-sent elsewhere. A redirect answer is
    /// [`Error::UnexpectedResponse`](crate::Error::UnexpectedResponse).
    ///
    /// `base_url` is the scheme and host of your Liner installation, e.g.
    /// `https://liner.example.com`; a trailing slash is accepted.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = liner_api::Client::with_api_key("https://liner.example.com", "my-token")?;
    /// let lead = client.get_lead().lead_id(123).send().await?.into_inner().into_result()?.data;
    /// println!("{:?}", lead.name);
    /// # Ok(()) }
    /// ```
    pub fn with_api_key(base_url: &str, api_key: &str) -> Result<Self, InvalidApiKey> {
        let builder = reqwest::Client::builder();
        // With both TLS features on, rustls, the default, is the one used
        // (as in `liner`).
        #[cfg(feature = "rustls")]
        let builder = builder.tls_backend_rustls();
        let http = builder
            .default_headers(api_key_headers(api_key)?)
            .connect_timeout(DEFAULT_TIMEOUT)
            .timeout(DEFAULT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            // reqwest's builder fails only on TLS back-end initialisation or
            // invalid settings, none of which depend on our inputs.
            .expect("a reqwest client with default settings builds");
        Ok(Self::new_with_client(base_url.trim_end_matches('/'), http))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_quotes_the_default_timeout() {
        let readme = include_str!("../README.md").replace('\n', " ");
        let phrase = format!("with the {} s timeout", super::DEFAULT_TIMEOUT.as_secs());
        assert!(readme.contains(&phrase), "the README lacks {phrase:?}");
    }

    use super::*;
    use crate::ClientInfo as _;

    #[test]
    fn the_key_header_is_sensitive_and_trimmed() {
        let headers = api_key_headers("  secret-key\n").unwrap();
        let value = &headers[API_KEY_HEADER];
        assert!(value.is_sensitive());
        assert_eq!(value.as_bytes(), b"secret-key");
        assert!(!format!("{headers:?}").contains("secret-key"));
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        assert_eq!(api_key_headers(" \n").unwrap_err(), InvalidApiKey::Empty);
        let err = api_key_headers("abc\u{7}def").unwrap_err();
        assert_eq!(err, InvalidApiKey::NotAHeaderValue);
        assert!(!err.to_string().contains("abc"));
        assert!(!format!("{err:?}").contains("abc"));
    }

    #[test]
    fn a_trailing_slash_on_the_base_url_is_dropped() {
        let client = Client::with_api_key("http://127.0.0.1:9/", "k").unwrap();
        assert_eq!(client.baseurl(), "http://127.0.0.1:9");
    }
}
