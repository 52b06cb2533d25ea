//! The URL that sends the user to OpenRouter, and the callback URLs it may send them back to.

use std::fmt;

use super::pkce::{is_unreserved, Challenge, State};
use crate::openrouter::BaseUrl;

/// Longest callback URL we send; browsers and servers start failing beyond a few KB.
pub const MAX_CALLBACK_URL_LEN: usize = 2048;
/// Longest key label for the headless flow.
pub const MAX_KEY_LABEL_LEN: usize = 100;

/// `value` as a query value: UTF-8, with everything but RFC 3986 unreserved characters
/// percent-encoded (upper-case hex digits, as `encodeURIComponent` writes them, and `~` kept).
pub(crate) fn encode_query_value(value: &str) -> QueryValue<'_> {
    QueryValue(value)
}

/// A percent-encoded query value, written by its `Display`.
pub(crate) struct QueryValue<'a>(&'a str);

impl fmt::Display for QueryValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for b in self.0.bytes() {
            if is_unreserved(b) {
                f.write_char(char::from(b))?;
            } else {
                f.write_char('%')?;
                f.write_char(char::from(HEX[usize::from(b >> 4)]))?;
                f.write_char(char::from(HEX[usize::from(b & 0xf)]))?;
            }
        }
        Ok(())
    }
}

/// Why a callback URL or key label was refused. Nothing is stored or opened when this happens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The callback URL is empty.
    #[error("callback_url is empty")]
    EmptyCallback,
    /// The callback URL is longer than [`MAX_CALLBACK_URL_LEN`] (its length).
    #[error("callback_url is {0} characters long; at most {MAX_CALLBACK_URL_LEN} are allowed")]
    CallbackTooLong(usize),
    /// The callback URL is not absolute (the URL given).
    #[error("callback_url must be an absolute http(s) URL, got {0:?}")]
    NotAbsolute(String),
    /// The callback URL's scheme is not http or https (the scheme).
    #[error("callback_url must use https, or http on localhost or 127.0.0.1; got scheme {0:?}")]
    BadScheme(String),
    /// Plain http to a host other than localhost or 127.0.0.1 (the host).
    #[error(
        "callback_url may use plain http only on localhost or 127.0.0.1, not on {0:?}; use https"
    )]
    InsecureHost(String),
    /// The callback URL carries a user name or password.
    #[error("callback_url must not carry a user name or password (the part before '@')")]
    UserInfo,
    /// The callback URL has no host.
    #[error("callback_url has no host")]
    NoHost,
    /// The callback URL has a fragment.
    #[error(
        "callback_url must not contain a fragment ('#'), OpenRouter appends the code to the query"
    )]
    Fragment,
    /// The callback URL contains white space or control characters.
    #[error("callback_url contains white space or control characters")]
    ControlCharacters,
    /// The key label is empty, too long or not printable.
    #[error("key_label must be 1 to {MAX_KEY_LABEL_LEN} printable characters")]
    BadKeyLabel,
}

/// A callback URL that OpenRouter accepts: https anywhere, or http on localhost / 127.0.0.1.
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackUrl(String);

impl fmt::Debug for CallbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallbackUrl({:?})", self.0)
    }
}

impl CallbackUrl {
    /// Checks `url` against OpenRouter's rules for callback URLs.
    pub fn parse(url: &str) -> Result<Self, AuthorizeError> {
        if url.is_empty() {
            return Err(AuthorizeError::EmptyCallback);
        }
        if url.len() > MAX_CALLBACK_URL_LEN {
            return Err(AuthorizeError::CallbackTooLong(url.len()));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AuthorizeError::ControlCharacters);
        }
        if url.contains('#') {
            return Err(AuthorizeError::Fragment);
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| AuthorizeError::NotAbsolute(url.to_owned()))?;
        let scheme = scheme.to_ascii_lowercase();
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(AuthorizeError::UserInfo);
        }
        let host = host_of(authority);
        if host.is_empty() {
            return Err(AuthorizeError::NoHost);
        }
        match scheme.as_str() {
            "https" => Ok(CallbackUrl(url.to_owned())),
            "http" if is_loopback_name(host) => Ok(CallbackUrl(url.to_owned())),
            "http" => Err(AuthorizeError::InsecureHost(host.to_owned())),
            _ => Err(AuthorizeError::BadScheme(scheme)),
        }
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The host part of an authority, without the port.
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        // An IPv6 literal: keep the brackets, drop the port after them.
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1"
}

/// The authorize URL for a sign-in that comes back to `callback`; OpenRouter names the new key
/// `key_label` when one is given. A bad label is refused.
pub fn authorize_url(
    base: &BaseUrl,
    callback: &CallbackUrl,
    key_label: Option<&str>,
    challenge: &Challenge,
    state: &State,
) -> Result<String, AuthorizeError> {
    let mut url = format!(
        "{}/auth?callback_url={}&code_challenge={}&code_challenge_method=S256&state={}",
        base.as_str(),
        encode_query_value(callback.as_str()),
        challenge.as_str(),
        encode_query_value(state.expose_secret()),
    );
    if let Some(label) = key_label {
        check_key_label(label)?;
        url.push_str(&format!("&key_label={}", encode_query_value(label)));
    }
    Ok(url)
}

/// Whether `path` names a place on this site: one leading '/', and not `//host` or `/\\host`,
/// which browsers read as another site.
pub(crate) fn is_same_origin_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\")
}

/// What OpenRouter takes as a key label: printable, not blank, at most [`MAX_KEY_LABEL_LEN`].
pub(crate) fn check_key_label(key_label: &str) -> Result<(), AuthorizeError> {
    let label_ok = !key_label.trim().is_empty()
        && key_label.chars().count() <= MAX_KEY_LABEL_LEN
        && !key_label.chars().any(char::is_control);
    if label_ok {
        Ok(())
    } else {
        Err(AuthorizeError::BadKeyLabel)
    }
}

/// A credit limit the app asks OpenRouter to put on the key it gives (OpenRouter's `limit` on
/// `/auth`, as its own SDK sends it): the user sees it on the consent page, and the key's status
/// then reports `limit` and `limit_remaining`. Held in whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditLimit {
    cents: u64,
}

/// The largest credit limit asked for, in US dollars.
pub const MAX_CREDIT_LIMIT_DOLLARS: u64 = 1_000_000;

/// Why a credit limit was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("a credit limit must be at least one cent and at most {MAX_CREDIT_LIMIT_DOLLARS} US dollars, got {0}")]
pub struct CreditLimitError(pub f64);

impl CreditLimit {
    /// A limit of `amount` US dollars, rounded to the cent.
    pub fn dollars(amount: f64) -> Result<Self, CreditLimitError> {
        let cents = (amount * 100.0).round();
        if !cents.is_finite() || cents < 1.0 || cents > (MAX_CREDIT_LIMIT_DOLLARS * 100) as f64 {
            return Err(CreditLimitError(amount));
        }
        Ok(CreditLimit {
            cents: cents as u64,
        })
    }

    /// The limit in cents.
    pub fn cents(self) -> u64 {
        self.cents
    }

    /// As OpenRouter's `limit` parameter takes it: dollars with two decimals (`5.00`).
    pub fn as_query_value(self) -> String {
        format!("{}.{:02}", self.cents / 100, self.cents % 100)
    }
}

impl fmt::Display for CreditLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.as_query_value())
    }
}

/// `url` (an authorize URL of [`authorize_url`] or [`headless_authorize_url`]) asking for
/// `limit` on the new key, when there is one.
pub fn with_credit_limit(url: String, limit: Option<CreditLimit>) -> String {
    match limit {
        Some(limit) => format!("{url}&limit={}", limit.as_query_value()),
        None => url,
    }
}

/// The authorize URL for the headless flow: no callback; OpenRouter shows a code for the user
/// to paste, and names the new key `key_label`.
pub fn headless_authorize_url(
    base: &BaseUrl,
    key_label: &str,
    challenge: &Challenge,
    state: &State,
) -> Result<String, AuthorizeError> {
    check_key_label(key_label)?;
    Ok(format!(
        "{}/auth?code_challenge={}&code_challenge_method=S256&state={}&key_label={}",
        base.as_str(),
        challenge.as_str(),
        encode_query_value(state.expose_secret()),
        encode_query_value(key_label),
    ))
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    use proptest::prelude::*;

    use super::{with_credit_limit, CreditLimit};

    #[test]
    fn credit_limits_are_whole_cents_within_bounds() {
        for (dollars, query) in [
            (5.0, "5.00"),
            (2.5, "2.50"),
            (0.1 + 0.2, "0.30"),
            (0.01, "0.01"),
            (1_000_000.0, "1000000.00"),
        ] {
            let limit = CreditLimit::dollars(dollars).unwrap();
            assert_eq!(limit.as_query_value(), query, "{dollars}");
        }
        assert_eq!(CreditLimit::dollars(12.345).unwrap().cents(), 1235);
        assert_eq!(CreditLimit::dollars(5.0).unwrap().to_string(), "$5.00");
        for refused in [0.0, 0.004, -1.0, f64::NAN, f64::INFINITY, 1_000_000.01] {
            let error = CreditLimit::dollars(refused).unwrap_err();
            assert!(error.to_string().contains("at least one cent"), "{error}");
        }
        let url = "https://openrouter.ai/auth?x=1".to_owned();
        assert_eq!(with_credit_limit(url.clone(), None), url);
        assert_eq!(
            with_credit_limit(url, CreditLimit::dollars(5.0).ok()),
            "https://openrouter.ai/auth?x=1&limit=5.00"
        );
    }

    /// The same set, from the general crate.
    const UNRESERVED_KEPT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');

    #[test]
    fn encodes_all_but_unreserved_characters() {
        assert_eq!(
            encode_query_value("http://127.0.0.1:3000/a b?x=1&y=é~._-").to_string(),
            "http%3A%2F%2F127.0.0.1%3A3000%2Fa%20b%3Fx%3D1%26y%3D%C3%A9~._-"
        );
        assert_eq!(encode_query_value("").to_string(), "");
        assert_eq!(encode_query_value("%00+\u{0}").to_string(), "%2500%2B%00");
    }

    proptest! {
        #[test]
        fn matches_a_general_percent_encoder(text in any::<String>()) {
            prop_assert_eq!(
                encode_query_value(&text).to_string(),
                utf8_percent_encode(&text, UNRESERVED_KEPT).to_string()
            );
        }
    }
}
