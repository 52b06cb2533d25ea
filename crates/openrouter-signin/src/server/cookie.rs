//! The two cookies and their attributes. Both are `HttpOnly` (no script reads them) and
//! `SameSite=Lax` (sent on the top-level return from OpenRouter, not on cross-site
//! subrequests). Over https both are `Secure`, `Path=/` and carry the `__Host-` prefix, which a
//! browser enforces: no other host (a sibling subdomain included) and no plain-http page can
//! plant or overwrite them. `__Secure-` would not do: a page on any https sibling subdomain may
//! set a `__Secure-` cookie with `Domain=` the parent, and a planted pending sign-in signs the
//! victim in with the planter's key (login CSRF).

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// The callback route.
pub(crate) const CALLBACK_PATH: &str = "/auth/callback";
/// Where both cookies live. `__Host-` demands `Path=/`, so the pending cookie travels with every
/// request of the site during a sign-in's ten minutes, not only to the callback.
pub(crate) const COOKIE_PATH: &str = "/";

/// The cookie names for a site served over https (`secure`) or plain http.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies {
    pub secure: bool,
}

impl Cookies {
    /// The sealed key: `Path=/`, so every server function receives it.
    pub fn key_name(self) -> &'static str {
        if self.secure {
            "__Host-openrouter_key"
        } else {
            "openrouter_key"
        }
    }

    /// The sealed pending sign-in (verifier, state, where to return).
    pub fn pending_name(self) -> &'static str {
        if self.secure {
            "__Host-openrouter_pending"
        } else {
            "openrouter_pending"
        }
    }

    /// `Set-Cookie` for a sealed value that lives `max_age` seconds under `path`.
    pub fn set(self, name: &str, value: &str, path: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = format!(
            "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
        );
        // Names are ours and values are base64url: always a valid header value.
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// `Set-Cookie` that removes the cookie `name` set under `path`.
    pub fn clear(self, name: &str, path: &str) -> HeaderValue {
        self.set(name, "", path, 0)
    }
}

/// Every value the request carries for the cookie `name` (a browser may send two of one name:
/// one per path, or one planted by a same-site page on plain http).
pub(crate) fn cookie_values<'a>(
    headers: &'a HeaderMap,
    name: &'a str,
) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(COOKIE)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value.trim_matches('"'))
        })
}

/// Adds a `Set-Cookie` header.
pub(crate) fn append(headers: &mut HeaderMap, cookie: HeaderValue) {
    headers.append(SET_COOKIE, cookie);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_follow_the_scheme() {
        let plain = Cookies { secure: false };
        let value = plain.set(plain.key_name(), "abc", "/", 60);
        assert_eq!(
            value,
            "openrouter_key=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
        );
        let secure = Cookies { secure: true };
        let value = secure.set(secure.pending_name(), "abc", COOKIE_PATH, 600);
        assert_eq!(
            value,
            "__Host-openrouter_pending=abc; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            secure.clear(secure.key_name(), "/"),
            "__Host-openrouter_key=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn reads_every_value_of_a_name_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; openrouter_key=x; b=2"),
        );
        headers.append(
            COOKIE,
            HeaderValue::from_static("openrouter_key=y;openrouter_key_2=z"),
        );
        let values: Vec<_> = cookie_values(&headers, "openrouter_key").collect();
        assert_eq!(values, ["x", "y"]);
        assert_eq!(cookie_values(&headers, "c").count(), 0);
    }
}
