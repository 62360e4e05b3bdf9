//! [`Liner::from_env`] and its relatives: the client's settings read from
//! `LINER_*` variables, all or nothing.

use super::{API_KEY_VAR, BASE_URL_VAR, CA_CERT_VAR, LinerBuilder, PROXY_VAR};
use crate::client::Liner;
use crate::error::{Error, Result};

impl Liner {
    /// A client configured from `LINER_BASE_URL` and `LINER_API_KEY`, and
    /// `LINER_CA_CERT` (a PEM file of an authority to trust besides the
    /// platform's) and `LINER_PROXY` (a proxy URL) when set; proxies also
    /// come from `HTTPS_PROXY` and the other usual variables.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `LINER_BASE_URL` or `LINER_API_KEY` is unset
    /// or not UTF-8, or when the builder refuses the settings (see
    /// [`LinerBuilder::build`]).
    pub fn from_env() -> Result<Self> {
        Self::builder_from_env()?.build()
    }

    /// A client configured from the environment, as
    /// [`from_env`](Self::from_env), when `LINER_BASE_URL` or
    /// `LINER_API_KEY` is set, `None` when neither is: for programs that fall back to
    /// something else (a fake server, a dry run) when nothing is configured.
    /// One set without the other, or a configuration the builder refuses,
    /// is an error, never the fallback: a typo must not quietly turn into a
    /// demo.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when only one of the two variables is set, a
    /// variable is not UTF-8, or the builder refuses the settings.
    pub fn from_env_if_set() -> Result<Option<Self>> {
        Self::builder_from_env_if_set()?
            .map(LinerBuilder::build)
            .transpose()
    }

    /// The builder [`from_env`](Self::from_env) builds, to add settings of
    /// your own (a rate limit, a retry policy, a user agent) before
    /// [`build`](LinerBuilder::build).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `LINER_BASE_URL` or `LINER_API_KEY` is unset
    /// or not UTF-8.
    pub fn builder_from_env() -> Result<LinerBuilder> {
        Self::builder_from_env_if_set()?
            .ok_or_else(|| Error::config(format!("{BASE_URL_VAR} is not set")))
    }

    /// The builder [`from_env_if_set`](Self::from_env_if_set) builds: `None`
    /// when neither `LINER_BASE_URL` nor `LINER_API_KEY` is set.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when only one of the two variables is set, or a
    /// variable is not UTF-8.
    pub fn builder_from_env_if_set() -> Result<Option<LinerBuilder>> {
        builder_from_vars(read_var(BASE_URL_VAR)?, read_var(API_KEY_VAR)?)
    }

    /// A client from the two variables' values, `None` if neither is set.
    #[cfg(test)]
    pub(super) fn from_vars(
        base_url: Option<String>,
        api_key: Option<String>,
    ) -> Result<Option<Self>> {
        builder_from_vars(base_url, api_key)?
            .map(LinerBuilder::build)
            .transpose()
    }
}

/// A builder from the two variables' values, `None` if neither is set.
fn builder_from_vars(
    base_url: Option<String>,
    api_key: Option<String>,
) -> Result<Option<LinerBuilder>> {
    match (base_url, api_key) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Error::config(format!(
            "{API_KEY_VAR} is set but {BASE_URL_VAR} is not"
        ))),
        (Some(_), None) => Err(Error::config(format!(
            "{BASE_URL_VAR} is set but {API_KEY_VAR} is not"
        ))),
        (Some(base_url), Some(api_key)) => {
            let mut builder = Liner::builder().base_url(base_url).api_key(api_key);
            if let Some(path) = read_var(CA_CERT_VAR)? {
                builder = builder.add_root_certificate_file(path);
            }
            if let Some(proxy) = read_var(PROXY_VAR)? {
                builder = builder.proxy(proxy);
            }
            Ok(Some(builder))
        }
    }
}

/// An environment variable's value, `None` when unset.
fn read_var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::config(format!("{name} is not valid UTF-8")))
        }
    }
}
