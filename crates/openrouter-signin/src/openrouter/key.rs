use super::BaseUrl;
use crate::platform::DigestError;

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
    /// recovered from it. Native only: a page asks the browser, see [`ApiKey::hash_async`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn hash(&self) -> String {
        hex(&crate::platform::sha256_now(self.0.as_bytes()))
    }

    /// The key's own page on the OpenRouter at `base` (`{origin}/keys/{hash}`), where its owner
    /// sees it and can revoke it. An app cannot revoke the key it was given; signing out only
    /// forgets it, so this is the link to offer for that. Native only: a page asks the browser,
    /// see [`ApiKey::manage_url_async`] (or read `OpenRouterAuth::manage_url`).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn manage_url(&self, base: &BaseUrl) -> String {
        keys_page(base, &self.hash())
    }

    /// The key's `hash` (as `hash()` gives it natively) on every target: in a page the
    /// browser's `crypto.subtle` computes it, which it offers only to pages on https or
    /// localhost (elsewhere this is the error).
    pub async fn hash_async(&self) -> Result<String, DigestError> {
        Ok(hex(&crate::platform::sha256(self.0.as_bytes()).await?))
    }

    /// The key's own page (as `manage_url()` gives it natively) on every target, computed as
    /// [`ApiKey::hash_async`] is.
    pub async fn manage_url_async(&self, base: &BaseUrl) -> Result<String, DigestError> {
        Ok(keys_page(base, &self.hash_async().await?))
    }

    /// The first 12 characters and an ellipsis (`sk-or-v1-0a1…`): enough to recognise a key,
    /// far too little to use it.
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(12).collect();
        format!("{head}…")
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The page of the key whose hash is `hash`.
fn keys_page(base: &BaseUrl, hash: &str) -> String {
    format!("{}/keys/{hash}", base.origin())
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

    #[tokio::test]
    async fn hash_is_the_lowercase_hex_sha256_of_the_whole_key() {
        let key = ApiKey::parse(key_text()).unwrap();
        assert_eq!(key.hash(), KEY_SHA256);
        assert_eq!(key.hash_async().await.unwrap(), KEY_SHA256);
        assert_eq!(
            key.manage_url_async(&BaseUrl::default()).await.unwrap(),
            key.manage_url(&BaseUrl::default())
        );
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
