//! The base URL: checked, normalized, and refused over plain `http://` off
//! the local machine (the key would cross the network in clear).

use reqwest::Url;

use crate::error::{Error, Result};
use crate::server_text::bounded;

/// The API key must not cross a network in clear text.
pub(super) fn refuse_plain_http_off_loopback(base_url: &str) -> Result<()> {
    let url = Url::parse(base_url).map_err(|err| Error::Config {
        reason: "the base URL does not parse".to_owned(),
        source: Some(Box::new(err)),
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
        Err(Error::config(format!(
            "refusing to send the API key over plain http:// to {}; use https://, or \
             .allow_insecure_http(true) if this network is trusted",
            url.host_str().unwrap_or_default()
        )))
    }
}

/// Checks a base URL and drops its trailing slash. An error shows the URL
/// without what may be secret: its user, password, query and fragment (and
/// a value that is not a URL only when it has no `@`).
pub(super) fn normalize_base_url(raw: &str) -> Result<String> {
    let url = Url::parse(raw.trim()).map_err(|err| Error::Config {
        reason: if raw.contains('@') {
            "the base URL is not a URL (not shown: it may carry credentials)".to_owned()
        } else {
            format!("base URL {:?} is not a URL", bounded(raw, 200))
        },
        source: Some(Box::new(err)),
    })?;
    // `user:SECRET@host` (no `https://`) parses, as a URL of scheme
    // `user` whose credentials cannot be taken out: not shown either.
    if url.cannot_be_a_base() && raw.contains('@') {
        return Err(Error::config(
            "the base URL must start with http:// or https:// (not shown: it may carry \
             credentials)",
        ));
    }
    let shown = {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        shown.set_query(None);
        shown.set_fragment(None);
        shown
    };
    let invalid = |reason: &str| Error::config(format!("base URL {:?} {reason}", shown.as_str()));
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
