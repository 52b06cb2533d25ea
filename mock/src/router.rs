//! Routes and the hand-written CORS layer.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::json_error;
use crate::state::Shared;
use crate::{api, authorize, chat, control, generation, models};

/// The whole mock as one router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/auth", get(authorize::authorize))
        .route("/auth/decision", post(authorize::decision))
        .route("/api/v1/auth/keys", post(api::exchange))
        .route("/api/v1/key", get(api::key_info))
        .route("/api/v1/models", get(models::public))
        .route("/api/v1/models/user", get(models::user))
        .route("/api/v1/chat/completions", post(chat::completions))
        .route("/api/v1/generation", get(generation::lookup))
        .route("/keys/{hash}", get(api::key_page))
        .route("/__mock/consent", post(control::consent))
        .route("/__mock/fail", post(control::fail))
        .route("/__mock/chat-fail", post(control::chat_fail))
        .route("/__mock/chat-delay", post(control::chat_delay))
        .route("/__mock/chat-size", post(control::chat_size))
        .route("/__mock/age-codes", post(control::age_codes))
        .route("/__mock/generation-lag", post(control::generation_lag))
        .route("/__mock/stats", get(control::stats))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
        .layer(middleware::from_fn(cors))
}

async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed() -> Response {
    json_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.")
}

/// Answers every preflight and opens every response to any origin: web apps
/// under test call the mock from their own dev-server origin.
async fn cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        preflight()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    // Lets browser clients read how long a 429 asks them to wait.
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
    // Codes and keys travel in these responses; no cache should keep them. A handler
    // that chose its own policy (the event stream's `no-cache`) keeps it.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "content-type, authorization, http-referer, x-openrouter-title, x-title",
                ),
            ),
            (
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            ),
        ],
    )
        .into_response()
}
