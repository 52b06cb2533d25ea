use std::fmt;

/// Where OpenRouter lives unless `OPENROUTER_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://openrouter.ai";
/// The variable that points everything at another OpenRouter (the local mock, say). Read at run
/// time on the desktop and at build time on the web, where a page has no environment.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaseUrlError {
    /// Not an http(s) URL with a host and nothing after its path.
    #[error("{BASE_URL_ENV} must be an http(s) URL with a host and no query, got {0:?}")]
    Malformed(String),
    /// Plain `http://` to a host other than this machine: the sign-in's code and verifier, and
    /// then the key, would cross the network readable by anyone on the way.
    #[error("{BASE_URL_ENV} must use https unless it points at this machine (localhost, 127.0.0.1 or [::1]), got {0:?}; BaseUrl::parse_allowing_http accepts it for a network you control")]
    PlainHttp(String),
}

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

/// Whether the authority at the start of `rest` (`host[:port][/path]`) is this machine.
fn is_loopback(rest: &str) -> bool {
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => return v6.split(']').next() == Some("::1"),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

impl BaseUrl {
    /// Checks and normalises `url`: https (or http to this machine: `localhost`, `127.x.x.x`,
    /// `[::1]`), a host, no query, fragment or white space.
    pub fn parse(url: &str) -> Result<Self, BaseUrlError> {
        let base = Self::parse_allowing_http(url)?;
        match base.0.strip_prefix("http://") {
            Some(rest) if !is_loopback(rest) => Err(BaseUrlError::PlainHttp(url.to_owned())),
            _ => Ok(base),
        }
    }

    /// [`BaseUrl::parse`], accepting plain `http://` to any host: only for a network the app
    /// controls end to end (a test network, a proxy on the same host), since the sign-in's code
    /// and verifier and then the key travel over it unencrypted.
    pub fn parse_allowing_http(url: &str) -> Result<Self, BaseUrlError> {
        let bad = || BaseUrlError::Malformed(url.to_owned());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://openrouter.ai",
            "https://10.0.0.5:8443/api",
            "http://127.0.0.1:8787",
            "http://127.10.0.2",
            "http://localhost:8787/",
            "http://LOCALHOST",
            "http://[::1]:8787",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://openrouter.ai",
            "http://10.0.0.5:8787",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://128.0.0.1",
            "http://[::2]:80",
            "http://127.0.0.1@evil.example",
        ] {
            let error = BaseUrl::parse(refused).unwrap_err();
            assert!(error.to_string().contains(BASE_URL_ENV), "{error}");
        }
        assert_eq!(
            BaseUrl::parse("http://10.0.0.5:8787").unwrap_err(),
            BaseUrlError::PlainHttp("http://10.0.0.5:8787".into())
        );
        assert!(error_names_https(
            &BaseUrl::parse("http://10.0.0.5").unwrap_err()
        ));
        assert_eq!(
            BaseUrl::parse_allowing_http("http://10.0.0.5:8787/")
                .unwrap()
                .as_str(),
            "http://10.0.0.5:8787"
        );
    }

    fn error_names_https(error: &BaseUrlError) -> bool {
        error.to_string().contains("must use https")
    }
}
