use std::fmt;

/// Where OpenRouter lives unless `OPENROUTER_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://openrouter.ai";
/// The variable that points everything at another OpenRouter (the local mock, say). Read at run
/// time on the desktop and at build time on the web, where a page has no environment.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{BASE_URL_ENV} must be an http(s) URL with a host and no query, got {0:?}")]
pub struct BaseUrlError(pub String);

/// The origin (and optional path prefix) of an OpenRouter deployment, without a trailing slash.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl(DEFAULT_BASE_URL.to_owned())
    }
}

impl BaseUrl {
    /// Checks and normalises `url`: http or https, a host, no query, fragment or white space.
    pub fn parse(url: &str) -> Result<Self, BaseUrlError> {
        let bad = || BaseUrlError(url.to_owned());
        let trimmed = url.trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host_ok = !rest.is_empty() && !rest.starts_with('/') && !rest.contains('@');
        let chars_ok = !trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#');
        if host_ok && chars_ok {
            Ok(BaseUrl(trimmed.to_owned()))
        } else {
            Err(bad())
        }
    }

    /// `OPENROUTER_BASE_URL` if set (run time on the desktop, build time on the web), else
    /// [`DEFAULT_BASE_URL`]. An invalid value is an error, not a silent fallback to production.
    pub fn from_env() -> Result<Self, BaseUrlError> {
        #[cfg(target_arch = "wasm32")]
        let configured = option_env!("OPENROUTER_BASE_URL").map(str::to_owned);
        #[cfg(not(target_arch = "wasm32"))]
        let configured = std::env::var(BASE_URL_ENV).ok();
        match configured.as_deref().map(str::trim) {
            None | Some("") => Ok(BaseUrl::default()),
            Some(url) => BaseUrl::parse(url),
        }
    }

    /// The URL as a string, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, host and port, without any path prefix: where OpenRouter's own pages live
    /// (the website is not under an API proxy's prefix).
    pub fn origin(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        match self.0[after_scheme..].find('/') {
            Some(slash) => &self.0[..after_scheme + slash],
            None => &self.0,
        }
    }

    /// `path` (which starts with '/') under this base.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}
