//! OpenRouter's JSON error shape: `{"error":{"code":N,"message":"..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A JSON error response in OpenRouter's shape (`Content-Type: application/json`).
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": { "code": status.as_u16(), "message": message } });
    (status, Json(body)).into_response()
}
