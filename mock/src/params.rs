//! What a request carries, read the same way by every route: a parameter of the decoded
//! query or form pairs, and the bearer token.

use axum::http::{header, HeaderMap};

/// The single value of `name`, `Ok(None)` when absent, or an error message when repeated:
/// a parameter given twice is ambiguous, and OAuth says to refuse it.
pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, String> {
    let mut values = pairs.iter().filter(|(key, _)| key == name);
    let first = values.next().map(|(_, value)| value.as_str());
    if values.next().is_some() {
        return Err(format!("{name} must not be repeated."));
    }
    Ok(first)
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}
