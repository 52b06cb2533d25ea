//! `/__mock/*`: drives the mock from another process (browser tests run the binary).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::json_error;
use crate::params::single;
use crate::state::Shared;
use crate::{ChatFailure, ConsentMode, Failure};

/// Caps so a typo in a test script cannot hang or exhaust the machine.
const MAX_DELAY_MS: u64 = 60_000;
/// The longest answer `/__mock/chat-size` makes, in bytes.
const MAX_CHAT_SIZE: usize = 256 * 1024 * 1024;
const MAX_HUGE_BYTES: usize = 64 * 1024 * 1024;

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// `POST /__mock/consent?mode=ask|approve|deny`.
pub(crate) async fn consent(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    let mode = with_pairs(query, |pairs| {
        single(pairs, "mode")?
            .ok_or_else(|| "mode is required.".to_owned())?
            .parse::<ConsentMode>()
            .map_err(|error| error.to_string())
    });
    match mode {
        Ok(mode) => {
            shared.set_consent(mode);
            Json(json!({ "consent": mode.as_str() })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/fail?kind=...`: queues a failure for the next exchange request.
pub(crate) async fn fail(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    match with_pairs(query, parse_failure) {
        Ok(failure) => {
            let queued = shared.push_failure(failure);
            Json(json!({ "queued": queued })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/chat-fail?kind=...`: queues a failure for the next chat request.
pub(crate) async fn chat_fail(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    match with_pairs(query, parse_chat_failure) {
        Ok(failure) => {
            let queued = shared.push_chat_failure(failure);
            Json(json!({ "queued": queued })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/chat-delay?ms=N`: the default pause between streamed chat events.
pub(crate) async fn chat_delay(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    let ms = with_pairs(query, |pairs| {
        Ok(number::<u64>(pairs, "ms")?.min(MAX_DELAY_MS))
    });
    match ms {
        Ok(ms) => {
            shared.set_chat_delay(Duration::from_millis(ms));
            Json(json!({ "chat_delay_ms": ms })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/chat-size?bytes=N`: every answer from now on is N bytes long (its echo
/// repeated; streamed in pieces of 16 KiB); `bytes=0` goes back to the plain echo.
pub(crate) async fn chat_size(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    match with_pairs(query, |pairs| {
        Ok(number::<usize>(pairs, "bytes")?.min(MAX_CHAT_SIZE))
    }) {
        Ok(bytes) => {
            shared.set_chat_size((bytes > 0).then_some(bytes));
            Json(json!({ "chat_size": bytes })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/age-codes?secs=N`: makes every outstanding code N seconds older, so that a test
/// sees the expiry without waiting. `secs=600` expires any code of the default lifetime.
pub(crate) async fn age_codes(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    match with_pairs(query, |pairs| number::<u64>(pairs, "secs")) {
        Ok(secs) => {
            let codes = shared.age_codes(Duration::from_secs(secs));
            Json(json!({ "aged_codes": codes, "secs": secs })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `POST /__mock/generation-lag?times=N`: from now on, the first N lookups of each generation
/// answer 404, as OpenRouter does for a moment after an answer ends; `times=0` turns it off.
pub(crate) async fn generation_lag(State(shared): State<Arc<Shared>>, query: Pairs) -> Response {
    match with_pairs(query, |pairs| number::<usize>(pairs, "times")) {
        Ok(times) => {
            shared.set_generation_lag(times);
            Json(json!({ "generation_lag": times })).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `GET /__mock/stats`: counters only, never keys or codes.
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let stats = shared.stats();
    Json(json!({
        "exchange_requests": stats.exchange_requests,
        "authorize_requests": stats.authorize_requests,
        "issued_keys": stats.issued_keys,
        "chat_requests": stats.chat_requests,
        "chats_closed_early": stats.chats_closed_early,
        "chat_bytes_sent": stats.chat_bytes_sent,
        "generations": stats.generations,
    }))
    .into_response()
}

fn with_pairs<T>(
    query: Pairs,
    parse: impl FnOnce(&[(String, String)]) -> Result<T, String>,
) -> Result<T, String> {
    let Query(pairs) = query.map_err(|_| "The query string could not be decoded.".to_owned())?;
    parse(&pairs)
}

fn parse_failure(pairs: &[(String, String)]) -> Result<Failure, String> {
    let kind = single(pairs, "kind")?.ok_or("kind is required.")?;
    let failure = match kind {
        "status" => Failure::Status(status(pairs)?),
        "notjson" => Failure::NotJson,
        "delay" => Failure::Delay(Duration::from_millis(
            number::<u64>(pairs, "ms")?.min(MAX_DELAY_MS),
        )),
        "emptykey" => Failure::EmptyKey,
        "notakey" => Failure::NotAKey,
        "huge" => Failure::HugeBody(number::<usize>(pairs, "bytes")?.min(MAX_HUGE_BYTES)),
        "drop" => Failure::DropConnection,
        "endless" => Failure::EndlessBody,
        other => {
            return Err(format!(
                "unknown kind {other:?}: expected status, notjson, delay, emptykey, notakey, huge, drop or endless."
            ))
        }
    };
    Ok(failure)
}

fn parse_chat_failure(pairs: &[(String, String)]) -> Result<ChatFailure, String> {
    let kind = single(pairs, "kind")?.ok_or("kind is required.")?;
    let failure = match kind {
        "status" => ChatFailure::Status(status(pairs)?),
        "ratelimit" => ChatFailure::RateLimited {
            retry_after_secs: number(pairs, "secs")?,
        },
        "errormid" => ChatFailure::ErrorMidStream {
            after_events: number(pairs, "after")?,
        },
        "dropmid" => ChatFailure::DropMidStream {
            after_events: number(pairs, "after")?,
        },
        "slow" => ChatFailure::Slow(Duration::from_millis(
            number::<u64>(pairs, "ms")?.min(MAX_DELAY_MS),
        )),
        other => {
            return Err(format!(
                "unknown kind {other:?}: expected status, ratelimit, errormid, dropmid or slow."
            ))
        }
    };
    Ok(failure)
}

/// The `status` parameter, a valid HTTP status code.
fn status(pairs: &[(String, String)]) -> Result<u16, String> {
    let status: u16 = number(pairs, "status")?;
    StatusCode::from_u16(status).map_err(|_| "status must be 100..=999.".to_owned())?;
    Ok(status)
}

fn number<T: std::str::FromStr>(pairs: &[(String, String)], name: &str) -> Result<T, String> {
    single(pairs, name)?
        .ok_or_else(|| format!("{name} is required."))?
        .parse()
        .map_err(|_| format!("{name} must be a non-negative integer."))
}
