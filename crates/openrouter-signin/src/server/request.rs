//! What the routes, the API, the guard and the render all read from a request or answer with:
//! the key in the key cookie, one query parameter, and a plain-text answer. A leaf, so that the
//! modules that use these do not reach into each other.

use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use zeroize::Zeroizing;

use super::cookie::{cookie_values, Cookies};
use super::seal::{open_with_expiry, Unsealed};
use super::SignInServer;
use crate::openrouter::ApiKey;

/// What the key cookie holds: the key, the user's id when OpenRouter sent one, and when the
/// sign-in ends.
pub(super) struct SealedSession {
    pub key: ApiKey,
    pub user_id: Option<String>,
    /// Unix seconds.
    pub expires_at: u64,
}

/// Why a request has no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NoSession {
    /// No key cookie.
    Absent,
    /// A genuine key cookie past its expiry.
    Expired,
    /// A key cookie this server did not make, or one altered.
    Refused,
}

/// The key cookie's payload: the key, then (after a newline) the user's id. A cookie sealed
/// before user ids were kept holds the key alone.
pub(super) fn encode_session(key: &ApiKey, user_id: Option<&str>) -> Zeroizing<Vec<u8>> {
    let mut payload = Zeroizing::new(key.expose_secret().as_bytes().to_vec());
    if let Some(id) = user_id.filter(|id| !id.is_empty() && !id.contains(['\n', '\r'])) {
        payload.push(b'\n');
        payload.extend_from_slice(id.as_bytes());
    }
    payload
}

/// The session in the request's key cookie.
pub(super) fn session_from(
    server: &SignInServer,
    headers: &HeaderMap,
) -> Result<SealedSession, NoSession> {
    let cookies: Cookies = server.cookies();
    let now = server.now_ms() / 1000;
    let mut why = NoSession::Absent;
    for value in cookie_values(headers, cookies.key_name()) {
        match open_with_expiry(&server.inner.secret, cookies.key_name(), value, now) {
            Ok((payload, expires_at)) => {
                let payload = Zeroizing::new(payload);
                let Ok(text) = std::str::from_utf8(&payload) else {
                    why = NoSession::Refused;
                    continue;
                };
                let (key, user_id) = match text.split_once('\n') {
                    Some((key, id)) => (key, Some(id.to_owned())),
                    None => (text, None),
                };
                match ApiKey::parse(key.to_owned()) {
                    Ok(key) => {
                        return Ok(SealedSession {
                            key,
                            user_id,
                            expires_at,
                        })
                    }
                    Err(_) => why = NoSession::Refused,
                }
            }
            Err(Unsealed::Expired) if why == NoSession::Absent => why = NoSession::Expired,
            Err(_) => why = NoSession::Refused,
        }
    }
    Err(why)
}

/// The key in the request's key cookie, if one opens.
pub(super) fn key_from(server: &SignInServer, headers: &HeaderMap) -> Option<ApiKey> {
    session_from(server, headers)
        .ok()
        .map(|session| session.key)
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
