//! `GET /auth` (the authorize endpoint) and `POST /auth/decision` (the consent form).

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

use crate::callback;
use crate::crypto;
use crate::html::{self, Requester};
use crate::params::single;
use crate::records::AuthRequest;
use crate::state::Shared;
use crate::ConsentMode;

/// Longest `state` / `key_label` accepted; both end up in a URL or a page.
const MAX_STATE_LEN: usize = 1024;
const MAX_LABEL_LEN: usize = 256;
/// Longest `limit` accepted, in characters: a few billion dollars with cents.
const MAX_LIMIT_LEN: usize = 16;

impl AuthRequest {
    /// Validates the `GET /auth` parameters; the error is a message for the user.
    fn from_params(pairs: &[(String, String)]) -> Result<Self, String> {
        let callback_url = single(pairs, "callback_url")?;
        let key_label = single(pairs, "key_label")?;
        let challenge = single(pairs, "code_challenge")?;
        let method = single(pairs, "code_challenge_method")?;
        let state = single(pairs, "state")?;
        let limit = single(pairs, "limit")?.map(parse_limit).transpose()?;

        let callback = match (callback_url, key_label) {
            (Some(url), _) => Some(callback::parse_callback(url)?),
            (None, Some(_)) => None,
            (None, None) => {
                return Err(
                    "callback_url is required (or key_label for a flow without callback).".into(),
                )
            }
        };
        if key_label.is_some_and(|label| label.is_empty() || label.len() > MAX_LABEL_LEN) {
            return Err("key_label is empty or too long.".into());
        }
        let challenge = challenge.ok_or("code_challenge is required.")?;
        if !crypto::is_valid_challenge(challenge) {
            return Err(
                "code_challenge must be 43 base64url characters (the S256 hash of the verifier)."
                    .into(),
            );
        }
        if method != Some("S256") {
            return Err("code_challenge_method is required and must be S256.".into());
        }
        if state.is_some_and(|state| state.len() > MAX_STATE_LEN) {
            return Err("state is too long.".into());
        }
        Ok(Self {
            challenge: challenge.to_owned(),
            callback,
            state: state.map(str::to_owned),
            key_label: key_label.map(str::to_owned),
            limit,
        })
    }
}

/// A credit limit in US dollars: a positive decimal number such as `5` or `2.50` (digits, then
/// optionally a point and more digits; no sign, exponent or thousands separator).
fn parse_limit(text: &str) -> Result<f64, String> {
    let refuse = || {
        format!(
            "limit must be a positive amount of US dollars such as 5 or 2.50 (got {:?}).",
            text.chars().take(MAX_LIMIT_LEN + 1).collect::<String>()
        )
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if text.len() > MAX_LIMIT_LEN || !digits(whole) || !fraction.is_none_or(digits) {
        return Err(refuse());
    }
    match text.parse::<f64>() {
        Ok(limit) if limit > 0.0 && limit.is_finite() => Ok(limit),
        _ => Err(refuse()),
    }
}

/// `GET /auth`: validates, then asks, approves or denies per the consent mode.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    shared.count_authorize();
    let Ok(Query(pairs)) = query else {
        return html::bad_request("The query string could not be decoded.");
    };
    let request = match AuthRequest::from_params(&pairs) {
        Ok(request) => request,
        Err(message) => return html::bad_request(&message),
    };
    match shared.consent() {
        ConsentMode::Ask => ask(&shared, request),
        ConsentMode::AutoApprove => approve(&shared, &request, StatusCode::FOUND),
        ConsentMode::AutoDeny => deny(&request, StatusCode::FOUND),
    }
}

/// `POST /auth/decision`: the consent form's Approve / Deny.
pub(crate) async fn decision(
    State(shared): State<Arc<Shared>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return html::bad_request("The form could not be decoded.");
    };
    let (id, approved) = match read_decision(&fields) {
        Ok(decision) => decision,
        Err(message) => return html::bad_request(&message),
    };
    let Some(request) = shared.take_pending(id) else {
        return html::bad_request(
            "This authorization request is unknown, expired or already answered.",
        );
    };
    // 303 so the browser follows the form POST with a GET.
    if approved {
        approve(&shared, &request, StatusCode::SEE_OTHER)
    } else {
        deny(&request, StatusCode::SEE_OTHER)
    }
}

/// Reads `request_id` and whether `decision` is `approve` (`true`) or `deny` (`false`).
fn read_decision(fields: &[(String, String)]) -> Result<(&str, bool), String> {
    let id = single(fields, "request_id")?.ok_or("request_id is required.")?;
    match single(fields, "decision")? {
        Some("approve") => Ok((id, true)),
        Some("deny") => Ok((id, false)),
        _ => Err("decision must be approve or deny.".into()),
    }
}

fn ask(shared: &Shared, request: AuthRequest) -> Response {
    let page_request = request.clone();
    let Ok(id) = shared.store_pending(request) else {
        return randomness_failure();
    };
    let requester = match (&page_request.callback, &page_request.key_label) {
        (Some(callback), _) => Requester::Callback {
            host: &callback.host,
            url: &callback.url,
        },
        (None, label) => Requester::Headless {
            key_label: label.as_deref().unwrap_or_default(),
        },
    };
    html::respond(
        StatusCode::OK,
        html::consent_page(&id, &requester, page_request.limit),
    )
}

fn approve(shared: &Shared, request: &AuthRequest, status: StatusCode) -> Response {
    let issued = shared.issue_code(&request.challenge, request.key_label.clone(), request.limit);
    let Ok(code) = issued else {
        return randomness_failure();
    };
    let Some(callback) = &request.callback else {
        let label = request.key_label.as_deref().unwrap_or_default();
        return html::respond(
            StatusCode::OK,
            html::code_page(&code, label, shared.code_ttl()),
        );
    };
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &request.state {
        params.push(("state", state));
    }
    redirect(status, &callback::with_query(&callback.url, &params))
}

/// Denial carries no `state`, as OpenRouter does.
fn deny(request: &AuthRequest, status: StatusCode) -> Response {
    let Some(callback) = &request.callback else {
        return html::respond(StatusCode::OK, html::denied_page());
    };
    let params = [
        ("error", "access_denied"),
        ("error_description", "The user denied access"),
    ];
    redirect(status, &callback::with_query(&callback.url, &params))
}

fn redirect(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        // Unreachable in practice: callbacks are checked to be printable ASCII.
        Err(_) => html::respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            html::error_page("The redirect could not be built."),
        ),
    }
}

fn randomness_failure() -> Response {
    html::respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        html::error_page("The system random number generator failed."),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_limit;

    #[test]
    fn limits_are_positive_dollar_amounts() {
        for (text, dollars) in [("5", 5.0), ("2.50", 2.5), ("0.01", 0.01), ("007", 7.0)] {
            assert_eq!(parse_limit(text), Ok(dollars), "{text}");
        }
        for text in [
            "",
            "0",
            "0.00",
            "-5",
            "+5",
            "5.",
            ".5",
            "1e3",
            "inf",
            "NaN",
            "5,00",
            "$5",
            " 5",
            "5 ",
            "1.2.3",
            "12345678901234567",
        ] {
            let error = parse_limit(text).expect_err(text);
            assert!(error.starts_with("limit must be"), "{text}: {error}");
        }
    }
}
