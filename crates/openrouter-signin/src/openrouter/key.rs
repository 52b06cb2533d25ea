use std::fmt;

/// A user's OpenRouter API key (`sk-or-...`). Redacted in Debug and Display; use
/// [`ApiKey::masked`] to show it and [`ApiKey::expose_secret`] to send it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Why a string is not a plausible OpenRouter key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an OpenRouter key: {0}")]
pub struct InvalidKey(pub &'static str);

impl ApiKey {
    /// Shortest and longest key we believe; real keys are `sk-or-v1-` and 64 hex digits.
    const LEN: std::ops::RangeInclusive<usize> = 16..=512;

    /// Accepts `key` if it looks like an OpenRouter key: `sk-or-` then URL-safe characters.
    pub fn parse(key: impl Into<String>) -> Result<Self, InvalidKey> {
        let key = key.into();
        if key.is_empty() {
            return Err(InvalidKey("the key is empty"));
        }
        if !key.starts_with("sk-or-") {
            return Err(InvalidKey("it does not start with sk-or-"));
        }
        if !Self::LEN.contains(&key.len()) {
            return Err(InvalidKey("its length is implausible"));
        }
        if !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InvalidKey("it contains characters keys never have"));
        }
        Ok(ApiKey(key))
    }

    /// The key itself, for an `Authorization` header or for storage.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The first 12 characters and an ellipsis (`sk-or-v1-0a1…`): enough to recognise a key,
    /// far too little to use it.
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(12).collect();
        format!("{head}…")
    }
}

impl Drop for ApiKey {
    /// Wiped from memory when dropped, so that it does not linger in freed heap.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
