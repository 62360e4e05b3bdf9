//! [`ApiKey`]: the Liner API token, which never prints.

use std::fmt;

/// The Liner API token. Its `Debug` and `Display` print `ApiKey(***)`, so it
/// can sit in structs that are logged without leaking.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a token; surrounding whitespace (a newline from a file or an
    /// environment variable) is trimmed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        Self(if trimmed.len() == token.len() {
            token
        } else {
            trimmed.to_owned()
        })
    }

    /// The token itself, for sending. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for ApiKey {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

impl From<String> for ApiKey {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let key = ApiKey::new(" canary-3141 \n");
        assert_eq!(key.expose(), "canary-3141");
        assert_eq!(format!("{key:?} {key}"), "ApiKey(***) ***");
    }
}
