//! The API key, kept out of every `Debug`, `Display` and log line.

use std::fmt;

/// An S4E API key. Its `Debug` prints `ApiKey(***)`; the only way to read it is
/// [`ApiKey::expose`], which the client calls once to build its auth header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Box<str>);

impl ApiKey {
    /// Wraps a key.
    ///
    /// ```
    /// let key = s4e::ApiKey::new("sk_live_abc123");
    /// assert_eq!(format!("{key:?}"), "ApiKey(***)");
    /// ```
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into().into_boxed_str())
    }

    /// The key itself. Do not log it.
    ///
    /// ```
    /// let key = s4e::ApiKey::new("sk_live_abc123");
    /// assert_eq!(key.expose(), "sk_live_abc123");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey::new(key)
    }
}

impl From<&String> for ApiKey {
    fn from(key: &String) -> Self {
        ApiKey::new(key.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = ApiKey::new("sk_live_secret");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        assert_eq!(key.expose(), "sk_live_secret");
        assert!(ApiKey::new("  ").is_blank());
    }
}
