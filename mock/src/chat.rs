//! `POST /api/v1/chat/completions`: a deterministic echo model, streamed or not,
//! and the failures that can be injected into it.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::chat_request::{self, ChatRequest};
use crate::crypto;
use crate::error::json_error;
use crate::models::generation_cost;
use crate::params::bearer;
use crate::records::{self, Generation};
use crate::sse::{self, Ending, Tracker};
use crate::state::Shared;

/// A misbehaviour for the next chat request only; queue several for several requests.
///
/// Chat failures have their own queue, separate from the exchange one. Every chat
/// request pops one, whatever its outcome. [`ChatFailure::Status`] and
/// [`ChatFailure::RateLimited`] answer before the key and the body are looked at;
/// the others only change how a valid request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFailure {
    /// Answer with this HTTP status and OpenRouter's error JSON shape (for example 402
    /// "Insufficient credits", 500, 502, 503). A status outside 100..=999 answers 500.
    Status(u16),
    /// `429` with `Retry-After: <retry_after_secs>` and the error JSON shape.
    RateLimited {
        /// The value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// Streaming only: after this many content events (all of them when there are
    /// fewer), send `data: {"error":{"code":502,"message":"Upstream provider failed"}}`
    /// and end the stream without `data: [DONE]`. A non-streaming request answers normally.
    ErrorMidStream {
        /// Content events sent before the error event.
        after_events: usize,
    },
    /// Streaming only: cut the connection after this many content events (all of
    /// them when there are fewer). A non-streaming request answers normally.
    DropMidStream {
        /// Content events sent before the connection is cut.
        after_events: usize,
    },
    /// The pause between streamed events for this request, instead of the default one.
    /// A non-streaming request waits this long once before answering.
    Slow(Duration),
}

/// `POST /api/v1/chat/completions`.
pub(crate) async fn completions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let ticket = shared.begin_chat(recorded_headers(&headers));
    match ticket.failure {
        Some(ChatFailure::Status(code)) => return injected_status(code),
        Some(ChatFailure::RateLimited { retry_after_secs }) => {
            return rate_limited(retry_after_secs)
        }
        _ => {}
    }
    let Some(key) = bearer(&headers).filter(|key| shared.is_issued_key(key)) else {
        return json_error(StatusCode::UNAUTHORIZED, "Missing or invalid API key.");
    };
    let request = body
        .map_err(|_| "The request body could not be read.".to_owned())
        .and_then(|body| chat_request::parse(&body));
    let request = match request {
        Ok(request) => request,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    let id = records::id(ticket.number);
    let mut text = chat_request::answer(&request);
    let long = shared.chat_size();
    if let Some(size) = long {
        text = lengthen(&text, size);
    }
    let usage = Usage {
        prompt_tokens: chat_request::prompt_tokens(&request),
        completion_tokens: chat_request::tokens(&text),
    };
    let record = |streamed: bool| {
        let elapsed = started.elapsed();
        Generation {
            number: ticket.number,
            key_hash: crypto::sha256_hex(key),
            model: request.model.clone(),
            tokens_prompt: usage.prompt_tokens,
            tokens_completion: usage.completion_tokens,
            total_cost: generation_cost(
                &request.model,
                usage.prompt_tokens,
                usage.completion_tokens,
            ),
            created: SystemTime::now(),
            streamed,
            cancelled: false,
            latency: elapsed,
            generation_time: elapsed,
            origin: origin(&headers),
            lookups: 0,
        }
    };
    if request.stream {
        // Recorded as the stream starts; its end (or its client's leaving) completes the record.
        shared.record_generation(record(true));
        let (ending, delay) = stream_plan(ticket.failure, shared.chat_delay());
        let piece = if long.is_some() {
            sse::LONG_PIECE_BYTES
        } else {
            sse::MAX_PIECE_BYTES
        };
        let tracker = Tracker {
            shared: shared.clone(),
            generation: ticket.number,
            started,
        };
        return sse::response(&id, &text, piece, ending, delay, tracker);
    }
    if let Some(ChatFailure::Slow(delay)) = ticket.failure {
        tokio::time::sleep(delay).await;
    }
    shared.record_generation(record(false));
    completion(&id, &request, &text, usage)
}

/// Token counts of an answer: the mock's deterministic estimates.
#[derive(Debug, Clone, Copy)]
struct Usage {
    prompt_tokens: usize,
    completion_tokens: usize,
}

/// The request's `HTTP-Referer` (the app that asked), or empty.
fn origin(headers: &HeaderMap) -> String {
    headers
        .get("http-referer")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// `text` repeated (with a space between) until it is at least `size` bytes long, then cut to
/// `size` on a character boundary: a long answer for tests of what a slow reader costs.
fn lengthen(text: &str, size: usize) -> String {
    let mut long = String::with_capacity(size + text.len() + 1);
    while long.len() < size {
        long.push_str(text);
        long.push(' ');
    }
    let mut end = size.min(long.len());
    while !long.is_char_boundary(end) {
        end -= 1;
    }
    long.truncate(end);
    long
}

/// The request's headers as lower-case `(name, value)` pairs, without the credentials.
fn recorded_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| *name != header::AUTHORIZATION && *name != header::PROXY_AUTHORIZATION)
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// How a streamed answer ends and the pause between its events.
fn stream_plan(failure: Option<ChatFailure>, default_delay: Duration) -> (Ending, Duration) {
    match failure {
        Some(ChatFailure::ErrorMidStream { after_events }) => {
            (Ending::ErrorAfter(after_events), default_delay)
        }
        Some(ChatFailure::DropMidStream { after_events }) => {
            (Ending::DropAfter(after_events), default_delay)
        }
        Some(ChatFailure::Slow(delay)) => (Ending::Done, delay),
        _ => (Ending::Done, default_delay),
    }
}

/// The non-streaming `200` answer.
fn completion(id: &str, request: &ChatRequest, text: &str, usage: Usage) -> Response {
    let Usage {
        prompt_tokens,
        completion_tokens,
    } = usage;
    Json(json!({
        "id": id,
        "model": request.model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": text },
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }))
    .into_response()
}

fn injected_status(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_error(status, status_message(status))
}

/// The message OpenRouter gives with `status`, or a generic one.
fn status_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Missing or invalid API key.",
        402 => "Insufficient credits",
        408 => "Request timed out",
        429 => "Rate limit exceeded",
        502 => "Upstream provider failed",
        503 => "No available provider",
        _ => status.canonical_reason().unwrap_or("Injected failure"),
    }
}

fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = json_error(
        StatusCode::TOO_MANY_REQUESTS,
        status_message(StatusCode::TOO_MANY_REQUESTS),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_answers_have_the_asked_length_on_a_character_boundary() {
        let long = lengthen("Echo from m: hi", 1000);
        assert_eq!(long.len(), 1000);
        assert!(long.starts_with("Echo from m: hi Echo from m: hi"));
        let wide = lengthen("é", 7);
        assert_eq!(wide.len(), 6, "cut before the character that would cross");
        assert_eq!(lengthen("abc", 0), "");
    }

    #[test]
    fn records_headers_without_credentials() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k"));
        headers.insert(
            header::PROXY_AUTHORIZATION,
            HeaderValue::from_static("Basic x"),
        );
        headers.insert("X-Title", HeaderValue::from_static("My App"));
        assert_eq!(
            recorded_headers(&headers),
            vec![("x-title".to_owned(), "My App".to_owned())]
        );
    }

    #[test]
    fn plans_streams() {
        let default = Duration::from_millis(20);
        let slow = Duration::from_millis(500);
        assert_eq!(stream_plan(None, default), (Ending::Done, default));
        assert_eq!(
            stream_plan(Some(ChatFailure::Slow(slow)), default),
            (Ending::Done, slow)
        );
        assert_eq!(
            stream_plan(
                Some(ChatFailure::DropMidStream { after_events: 2 }),
                default
            ),
            (Ending::DropAfter(2), default)
        );
        assert_eq!(
            stream_plan(
                Some(ChatFailure::ErrorMidStream { after_events: 0 }),
                default
            ),
            (Ending::ErrorAfter(0), default)
        );
    }

    #[test]
    fn odd_statuses_fall_back() {
        assert_eq!(
            injected_status(42).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(injected_status(402).status(), StatusCode::PAYMENT_REQUIRED);
        assert_eq!(status_message(StatusCode::IM_A_TEAPOT), "I'm a teapot");
    }
}
