//! What the routes, the API, the guard and the render all read from a request or answer with:
//! the key in the key cookie, one query parameter, and a plain-text answer. A leaf, so that the
//! modules that use these do not reach into each other.

use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::cookie::{cookie_values, Cookies};
use super::seal::open;
use super::SignInServer;
use crate::openrouter::ApiKey;

/// The key in the request's key cookie, if one opens.
pub(super) fn key_from(server: &SignInServer, headers: &HeaderMap) -> Option<ApiKey> {
    let cookies: Cookies = server.cookies();
    let now = server.now_ms() / 1000;
    cookie_values(headers, cookies.key_name()).find_map(|value| {
        let bytes = open(&server.inner.secret, cookies.key_name(), value, now).ok()?;
        ApiKey::parse(String::from_utf8(bytes).ok()?).ok()
    })
}

/// The one value of `name` in a query string, percent-decoded; an error when it is repeated or
/// not UTF-8.
pub(super) fn query_value(query: &str, name: &str) -> Result<Option<String>, ()> {
    let mut found = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(());
        }
        let value = value.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&value)
            .decode_utf8()
            .map_err(|_| ())?;
        found = Some(decoded.into_owned());
    }
    Ok(found)
}

/// A plain-text answer. Callers pass only their own words, never request input.
pub(super) fn plain(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            ),
            (CACHE_CONTROL, "no-store"),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        message.into(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded_once_and_never_repeated() {
        assert_eq!(
            query_value("return_to=%2Fa%3Fb%3D1", "return_to"),
            Ok(Some("/a?b=1".into()))
        );
        assert_eq!(query_value("x=1", "return_to"), Ok(None));
        assert_eq!(
            query_value("return_to=/a&return_to=/b", "return_to"),
            Err(())
        );
        assert_eq!(query_value("return_to=%FF", "return_to"), Err(()));
    }
}
