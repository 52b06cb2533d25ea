use super::BaseUrl;
use crate::sha256::sha256;

pub use crate::secret::ApiKey;

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

    /// OpenRouter's public name for this key: the lowercase hex SHA-256 of the whole key. It is
    /// what OpenRouter's key pages and management API call the key's `hash`; the key cannot be
    /// recovered from it.
    pub fn hash(&self) -> String {
        sha256(self.0.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The key's own page on the OpenRouter at `base` (`{origin}/keys/{hash}`), where its owner
    /// sees it and can revoke it. An app cannot revoke the key it was given; signing out only
    /// forgets it, so this is the link to offer for that.
    pub fn manage_url(&self, base: &BaseUrl) -> String {
        format!("{}/keys/{}", base.origin(), self.hash())
    }

    /// The first 12 characters and an ellipsis (`sk-or-v1-0a1…`): enough to recognise a key,
    /// far too little to use it.
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(12).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up key of the real shape (`sk-or-v1-` and 64 hex digits), built here so that no
    /// whole key is written in the tree.
    fn key_text() -> String {
        format!("sk-or-v1-{}", "0123456789abcdef".repeat(4))
    }

    /// The SHA-256 of [`key_text`], computed independently with `sha256sum`.
    const KEY_SHA256: &str = "6f3fc1fd3a97c370587bb1ff60c686106150a0a755583d156bf47597271abf87";

    #[test]
    fn hash_is_the_lowercase_hex_sha256_of_the_whole_key() {
        assert_eq!(ApiKey::parse(key_text()).unwrap().hash(), KEY_SHA256);
    }

    #[test]
    fn manage_url_is_the_keys_page_on_the_configured_origin() {
        let key = ApiKey::parse(key_text()).unwrap();
        assert_eq!(
            key.manage_url(&BaseUrl::default()),
            format!("https://openrouter.ai/keys/{KEY_SHA256}")
        );
        let mock = BaseUrl::parse("http://127.0.0.1:8787/").unwrap();
        assert_eq!(
            key.manage_url(&mock),
            format!("http://127.0.0.1:8787/keys/{KEY_SHA256}")
        );
        // A base with a path prefix (a proxy in front of the API) still links to the site's root.
        let prefixed = BaseUrl::parse("https://example.test/openrouter").unwrap();
        assert_eq!(
            key.manage_url(&prefixed),
            format!("https://example.test/keys/{KEY_SHA256}")
        );
    }

    #[test]
    fn the_hash_and_the_link_do_not_contain_the_key() {
        let key = ApiKey::parse(key_text()).unwrap();
        let url = key.manage_url(&BaseUrl::default());
        assert!(!url.contains(&key_text()["sk-or-v1-".len()..]), "{url}");
    }
}
