//! `POST /api/v1/auth/keys` (code exchange) and `GET /api/v1/key` (key info).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::crypto;
use crate::error::json_error;
use crate::failure;
use crate::html;
use crate::params::bearer;
use crate::state::Shared;

/// `POST /api/v1/auth/keys`: trades a code and its PKCE verifier for a key.
pub(crate) async fn exchange(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(injected) = shared.begin_exchange() {
        if let Some(response) = failure::play(injected).await {
            return response;
        }
    }
    match body {
        Ok(body) => exchange_body(&shared, &body),
        Err(_) => json_error(
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        ),
    }
}

fn exchange_body(shared: &Shared, body: &[u8]) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        );
    };
    let code = text(&fields, "code");
    // Consume before any other check: a code is single-use whatever this attempt's outcome,
    // so a client cannot probe verifiers against it.
    let grant = code.and_then(|code| shared.take_code(code));
    if code.is_none() {
        return json_error(StatusCode::BAD_REQUEST, "code is required.");
    }
    let Some(verifier) = text(&fields, "code_verifier") else {
        return json_error(StatusCode::BAD_REQUEST, "code_verifier is required.");
    };
    if text(&fields, "code_challenge_method") != Some("S256") {
        return json_error(
            StatusCode::BAD_REQUEST,
            "code_challenge_method must be S256.",
        );
    }
    let Some(grant) = grant else {
        return json_error(StatusCode::FORBIDDEN, "Invalid or already used code.");
    };
    if grant.is_expired(std::time::Instant::now()) {
        return json_error(StatusCode::FORBIDDEN, "Authorization code expired");
    }
    if crypto::s256_challenge(verifier) != grant.challenge {
        return json_error(
            StatusCode::FORBIDDEN,
            "code_verifier does not match the code_challenge.",
        );
    }
    match shared.issue_key(grant.key_label, grant.limit) {
        Ok(key) => Json(json!({ "key": key, "user_id": shared.user_id })).into_response(),
        Err(_) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not generate a key.",
        ),
    }
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

/// `GET /api/v1/key`: describes the bearer key, if the mock issued it: its credit limit and
/// what its generations cost.
pub(crate) async fn key_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let status = bearer(&headers).and_then(|key| shared.key_status(key));
    let Some(status) = status else {
        return json_error(StatusCode::UNAUTHORIZED, "Missing or invalid API key.");
    };
    let usage = status.usage;
    // What remains of the credit limit asked for at sign-in, never below zero.
    let remaining = status.limit.map(|limit| (limit - usage).max(0.0));
    // Every field OpenRouter documents. The mock lives less than a day, so every generation
    // it recorded counts today, this week and this month.
    Json(json!({
        "data": {
            "label": status.label,
            "usage": usage,
            "usage_daily": usage,
            "usage_weekly": usage,
            "usage_monthly": usage,
            "limit": status.limit,
            "limit_remaining": remaining,
            "limit_reset": null,
            "expires_at": null,
            "is_free_tier": true,
            "is_management_key": false,
            "is_provisioning_key": false,
            "include_byok_in_limit": false,
            "byok_usage": 0.0,
            "byok_usage_daily": 0.0,
            "byok_usage_weekly": 0.0,
            "byok_usage_monthly": 0.0,
            "creator_user_id": shared.user_id,
            "rate_limit": { "requests": 10, "interval": "10s" },
        }
    }))
    .into_response()
}

/// `GET /keys/<hash>`: the key's page, where on OpenRouter its owner manages or revokes it. Here
/// it only shows which key it is, so that an app's link to it lands somewhere offline.
pub(crate) async fn key_page(
    State(shared): State<Arc<Shared>>,
    Path(hash): Path<String>,
) -> Response {
    match shared.label_by_hash(&hash) {
        Some(label) => html::respond(StatusCode::OK, html::key_page(&hash, &label)),
        None => html::respond(StatusCode::NOT_FOUND, html::unknown_key_page(&hash)),
    }
}
