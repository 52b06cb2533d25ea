//! Cross-site request refusal for the state-changing API calls. Cookies with `SameSite=Lax`
//! still travel with requests from the same *site*, and every port of 127.0.0.1, or every
//! subdomain of the app's domain, is the same site: Dioxus does not check, so this does.
//!
//! A state-changing request (anything but GET, HEAD and OPTIONS) is served only when it
//! - carries [`REQUEST_HEADER`](crate::fullstack::REQUEST_HEADER), which a page of another
//!   origin cannot send without a CORS preflight that this server never grants, and
//! - says it comes from this origin: `Sec-Fetch-Site: same-origin` when the browser sends it,
//!   else an `Origin` equal to the server's own.

use axum::extract::{Request, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::SignInServer;
use crate::fullstack::REQUEST_HEADER;

/// Why a state-changing request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrossOriginRefused {
    /// The request lacks the page's own header.
    #[error(
        "this call must come from the app's own page (the x-openrouter-signin header is missing)"
    )]
    MissingHeader,
    /// The browser says the request comes from another origin.
    #[error("this call came from another origin")]
    OtherOrigin,
    /// Neither `Sec-Fetch-Site` nor `Origin` says where the request comes from.
    #[error("this call does not say which origin it comes from")]
    UnknownOrigin,
}

/// Checks that a state-changing request comes from `own_origin` (`https://host[:port]`).
pub fn check_same_origin(headers: &HeaderMap, own_origin: &str) -> Result<(), CrossOriginRefused> {
    if headers.get(REQUEST_HEADER).is_none() {
        return Err(CrossOriginRefused::MissingHeader);
    }
    check_same_origin_browser(headers, own_origin)
}

/// Checks that a state-changing request of the app's own routes comes from `own_origin`, as the
/// browser says: `Sec-Fetch-Site: same-origin`, or, from a browser that does not send it, an
/// `Origin` equal to `own_origin`. Unlike [`check_same_origin`] it does not ask for the
/// library's header, which Dioxus's server-function client does not send; a page of another
/// origin (another port or subdomain of the same site included) is refused all the same.
pub fn check_same_origin_browser(
    headers: &HeaderMap,
    own_origin: &str,
) -> Result<(), CrossOriginRefused> {
    if let Some(site) = headers.get("sec-fetch-site") {
        return if site == "same-origin" {
            Ok(())
        } else {
            Err(CrossOriginRefused::OtherOrigin)
        };
    }
    match headers.get(ORIGIN) {
        Some(origin) if origin == own_origin => Ok(()),
        Some(_) => Err(CrossOriginRefused::OtherOrigin),
        None => Err(CrossOriginRefused::UnknownOrigin),
    }
}

/// Lets safe requests (GET, HEAD, OPTIONS) through, and the others only when `check` finds them
/// to come from this server's origin; refuses the rest with 403.
async fn refuse_unless(
    server: &SignInServer,
    request: Request,
    next: Next,
    check: fn(&HeaderMap, &str) -> Result<(), CrossOriginRefused>,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let verdict = server
            .origin_for(request.headers())
            .map_err(|_| CrossOriginRefused::UnknownOrigin)
            .and_then(|origin| check(request.headers(), &origin));
        if let Err(refused) = verdict {
            return super::request::plain(StatusCode::FORBIDDEN, format!("Refused: {refused}."));
        }
    }
    next.run(request).await
}

/// The middleware in front of the API: the library's header and the browser's word.
pub(super) async fn refuse_cross_origin(
    State(server): State<SignInServer>,
    request: Request,
    next: Next,
) -> Response {
    refuse_unless(&server, request, next, check_same_origin).await
}

/// The middleware in front of the app's own routes ([`SignInServer::guard`]): the browser's
/// word alone.
pub(super) async fn refuse_cross_origin_app_calls(
    State(server): State<SignInServer>,
    request: Request,
    next: Next,
) -> Response {
    refuse_unless(&server, request, next, check_same_origin_browser).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_the_own_origin_with_the_header_passes() {
        let own = "http://127.0.0.1:8080";
        let ok = [
            headers(&[(REQUEST_HEADER, "1"), ("sec-fetch-site", "same-origin")]),
            headers(&[(REQUEST_HEADER, "1"), ("origin", "http://127.0.0.1:8080")]),
        ];
        for h in ok {
            assert_eq!(check_same_origin(&h, own), Ok(()), "{h:?}");
        }
        let refused = [
            (
                headers(&[("sec-fetch-site", "same-origin")]),
                CrossOriginRefused::MissingHeader,
            ),
            (
                headers(&[(REQUEST_HEADER, "1"), ("sec-fetch-site", "same-site")]),
                CrossOriginRefused::OtherOrigin,
            ),
            (
                headers(&[(REQUEST_HEADER, "1"), ("sec-fetch-site", "cross-site")]),
                CrossOriginRefused::OtherOrigin,
            ),
            // The browser's word wins over an Origin that looks right.
            (
                headers(&[
                    (REQUEST_HEADER, "1"),
                    ("sec-fetch-site", "none"),
                    ("origin", "http://127.0.0.1:8080"),
                ]),
                CrossOriginRefused::OtherOrigin,
            ),
            (
                headers(&[(REQUEST_HEADER, "1"), ("origin", "http://127.0.0.1:8788")]),
                CrossOriginRefused::OtherOrigin,
            ),
            (
                headers(&[(REQUEST_HEADER, "1"), ("origin", "null")]),
                CrossOriginRefused::OtherOrigin,
            ),
            (
                headers(&[(REQUEST_HEADER, "1")]),
                CrossOriginRefused::UnknownOrigin,
            ),
        ];
        for (h, expected) in refused {
            assert_eq!(check_same_origin(&h, own), Err(expected), "{h:?}");
        }
    }
}
