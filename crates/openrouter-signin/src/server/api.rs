//! The API the page uses instead of the key, under
//! [`API_PREFIX`](crate::fullstack::API_PREFIX). Answers are shaped like OpenRouter's own
//! (`{"data":{…}}`, `{"error":{"code","message"}}`, the chat's event stream), so that the page
//! reads them with the library's one OpenRouter reader.
//!
//! - `GET /session`: `{"signed_in":true,"masked_key":"sk-or-v1-0a1…","manage_url":"…"}`
//! - `POST /sign-out`: clears the cookie (the key itself stays valid: only its owner revokes it)
//! - `GET /api/v1/key`: OpenRouter's answer for the cookie's key; a key OpenRouter refuses
//!   (revoked) also clears the cookie
//! - `GET /api/v1/models/user`: the models the cookie's key may use
//! - `GET /api/v1/generation?id=…`: what one answer cost and used
//! - `POST /api/v1/chat/completions` `{"model":…,"messages":[{"role":…,"content":…}]}`: the
//!   answer as OpenRouter's event stream; when the page goes away, the upstream request is
//!   dropped

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::cookie::append;
use super::relay::{self, Piece};
use super::request::key_from;
use super::SignInServer;
use crate::openrouter::json::write_string;
use crate::openrouter::{ChatMessage, ChatRequest, ClientError};

pub(super) async fn session(State(server): State<SignInServer>, headers: HeaderMap) -> Response {
    let body = match key_from(&server, &headers) {
        Some(key) => {
            let mut body = String::from(r#"{"signed_in":true,"masked_key":"#);
            write_string(&mut body, &key.masked());
            body.push_str(r#","manage_url":"#);
            write_string(&mut body, &key.manage_url(server.inner.client.base_url()));
            body.push('}');
            body
        }
        None => r#"{"signed_in":false}"#.to_owned(),
    };
    json(StatusCode::OK, body)
}

pub(super) async fn key_info(State(server): State<SignInServer>, headers: HeaderMap) -> Response {
    let Some(key) = key_from(&server, &headers) else {
        return error(StatusCode::UNAUTHORIZED, "not signed in");
    };
    match server.inner.client.key_info(&key).await {
        Ok(info) => {
            let data = serde_json::to_string(&info).unwrap_or_else(|_| "{}".into());
            json(StatusCode::OK, format!(r#"{{"data":{data}}}"#))
        }
        Err(failure) => {
            let mut response = client_error(&failure);
            if response.status() == StatusCode::UNAUTHORIZED {
                // OpenRouter no longer takes the key: forget it here too.
                append(response.headers_mut(), forget(&server));
            }
            response
        }
    }
}

/// `GET /api/v1/models/user`: the models the cookie's key may use, read into the library's
/// types and written again (only the fields the library knows leave the server).
pub(super) async fn user_models(
    State(server): State<SignInServer>,
    headers: HeaderMap,
) -> Response {
    let Some(key) = key_from(&server, &headers) else {
        return error(StatusCode::UNAUTHORIZED, "not signed in");
    };
    match server.inner.client.user_models(&key).await {
        Ok(models) => {
            let data = serde_json::to_string(&models).unwrap_or_else(|_| "[]".into());
            json(StatusCode::OK, format!(r#"{{"data":{data}}}"#))
        }
        Err(failure) => client_error(&failure),
    }
}

/// `GET /api/v1/generation?id=…`: what one of the key's answers cost (asked again while
/// OpenRouter does not know it yet, as the library's client does).
pub(super) async fn generation(
    State(server): State<SignInServer>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let Some(key) = key_from(&server, &headers) else {
        return error(StatusCode::UNAUTHORIZED, "not signed in");
    };
    let id = match super::request::query_value(uri.query().unwrap_or(""), "id") {
        Ok(Some(id)) if !id.is_empty() && id.len() <= 256 => id,
        _ => return error(StatusCode::BAD_REQUEST, "`id` must be one generation id"),
    };
    match server.inner.client.generation(&key, &id).await {
        Ok(generation) => {
            let data = serde_json::to_string(&generation).unwrap_or_else(|_| "{}".into());
            json(StatusCode::OK, format!(r#"{{"data":{data}}}"#))
        }
        Err(failure) => client_error(&failure),
    }
}

pub(super) async fn sign_out(
    State(server): State<SignInServer>,
    request_headers: HeaderMap,
) -> Response {
    if let Some(hook) = &server.inner.hooks.on_sign_out {
        if let Ok(session) = super::request::session_from(&server, &request_headers) {
            hook(&super::session::SessionEvent::new(
                session.user_id.as_deref(),
                &session.key,
                &request_headers,
            ));
        }
    }
    let mut headers = HeaderMap::new();
    append(&mut headers, forget(&server));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::NO_CONTENT, headers).into_response()
}

fn forget(server: &SignInServer) -> HeaderValue {
    let cookies = server.cookies();
    cookies.clear(cookies.key_name(), "/")
}

/// The largest chat request read, in bytes: a conversation of some length, and no more.
pub(crate) const MAX_CHAT_BODY_BYTES: usize = 1024 * 1024;

/// `POST /api/v1/chat/completions`. The sign-in is checked before the body is read, the body is
/// read up to [`MAX_CHAT_BODY_BYTES`], at most [`SignInServer::max_chat_streams`] answers stream
/// at once (more are refused with 503 and `Retry-After`), an answer lasts at most
/// [`SignInServer::chat_deadline`], and a page that does not read holds back the upstream
/// instead of filling this server's memory (relay.rs).
pub(super) async fn chat(State(server): State<SignInServer>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(key) = key_from(&server, &parts.headers) else {
        return error(StatusCode::UNAUTHORIZED, "not signed in");
    };
    let Ok(permit) = server.inner.chat_streams.clone().try_acquire_owned() else {
        let mut response = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many answers are streaming on this server; try again in a moment",
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let body = match read_body(body, MAX_CHAT_BODY_BYTES).await {
        Ok(body) => body,
        Err(BodyRefused::TooLarge) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the chat request is larger than 1 MiB",
            )
        }
        Err(BodyRefused::Unreadable) => {
            return error(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            )
        }
    };
    let request = match chat_request(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    drop(body);
    let (upstream, mut page) = relay::relay();
    let client = server.inner.client.clone();
    let deadline = server.inner.chat_deadline;
    tokio::spawn(async move {
        // Held until the upstream request ends: the cap counts upstream streams.
        let _permit = permit;
        let feeder = upstream.feeder();
        let answer = async {
            let streamed = client.chat_stream(&key, &request, move |text| feeder.push(text));
            streamed.await.map(|streamed| streamed.generation_id)
        };
        let outcome = tokio::select! {
            outcome = upstream.run(answer) => outcome,
            () = tokio::time::sleep(deadline) => Some(Err(ClientError::Timeout(deadline))),
        };
        if let Some(outcome) = outcome {
            upstream.finish(outcome);
        }
    });
    // Failures before the first piece keep their own status (402, 429 with Retry-After, ...).
    let first = match page.next().await {
        Some(Piece::End(Err(failure))) => return client_error(&failure),
        Some(piece) => piece,
        None => return error(StatusCode::BAD_GATEWAY, "the answer ended before it began"),
    };
    let events = futures_util::stream::unfold((Some(first), page), |(next, mut page)| async move {
        let piece = match next {
            Some(piece) => piece,
            None => page.next().await?,
        };
        let event = match piece {
            Piece::Text(text) => {
                let mut event = String::from(r#"data: {"choices":[{"delta":{"content":"#);
                write_string(&mut event, &text);
                event.push_str("}}]}\n\n");
                event
            }
            Piece::End(Ok(None)) => "data: [DONE]\n\n".to_owned(),
            // The generation id, as OpenRouter's events carry it, for the page to ask what the
            // answer cost.
            Piece::End(Ok(Some(id))) => {
                let mut event = String::from(r#"data: {"id":"#);
                write_string(&mut event, &id);
                event.push_str(",\"choices\":[]}\n\ndata: [DONE]\n\n");
                event
            }
            Piece::End(Err(failure)) => {
                let (status, message) = status_and_message(&failure);
                format!("data: {}\n\n", error_body(status, &message))
            }
        };
        Some((Ok::<_, Infallible>(Bytes::from(event)), (None, page)))
    });
    let mut response = Response::new(Body::from_stream(events));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A proxy in front (nginx) passes the events on as they come instead of buffering them.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

enum BodyRefused {
    TooLarge,
    Unreadable,
}

/// The whole body, or a refusal as soon as it passes `limit` bytes (announced or not).
async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, BodyRefused> {
    use futures_util::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyRefused::Unreadable)?;
        if read.len() + chunk.len() > limit {
            return Err(BodyRefused::TooLarge);
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read)
}

/// Reads `{"model":…,"messages":[{"role":…,"content":…},…]}`.
fn chat_request(body: &[u8]) -> Result<ChatRequest, &'static str> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "the body is not JSON")?;
    let model = value
        .get("model")
        .and_then(|m| m.as_str())
        .filter(|m| !m.trim().is_empty())
        .ok_or("`model` must be a model id")?;
    let messages = value
        .get("messages")
        .and_then(|m| m.as_array())
        .filter(|m| !m.is_empty())
        .ok_or("`messages` must be a list of messages")?
        .iter()
        .map(|message| {
            let text = |name| {
                message
                    .get(name)
                    .and_then(|v: &serde_json::Value| v.as_str())
            };
            match (text("role"), text("content")) {
                (Some(role), Some(content)) => Ok(ChatMessage {
                    role: role.to_owned(),
                    content: content.to_owned(),
                }),
                _ => Err("each message needs a `role` and a `content`"),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = ChatRequest::new(model, messages);
    // The documented options, each checked; anything else in the body is not passed on.
    let number = |name| {
        value
            .get(name)
            .filter(|v: &&serde_json::Value| !v.is_null())
    };
    // A number within `range`, when the option is there; `why` when it is something else.
    let within = |name, range: std::ops::RangeInclusive<f64>, why| match number(name) {
        None => Ok(None),
        Some(v) => match v.as_f64().filter(|v| range.contains(v)) {
            Some(v) => Ok(Some(v as f32)),
            None => Err(why),
        },
    };
    if let Some(t) = within(
        "temperature",
        0.0..=2.0,
        "`temperature` must be a number from 0 to 2",
    )? {
        request = request.temperature(t);
    }
    if let Some(p) = within("top_p", 0.0..=1.0, "`top_p` must be a number from 0 to 1")? {
        request = request.top_p(p);
    }
    if let Some(m) = number("max_tokens") {
        match m
            .as_u64()
            .filter(|m| *m >= 1)
            .and_then(|m| u32::try_from(m).ok())
        {
            Some(m) => request = request.max_tokens(m),
            None => return Err("`max_tokens` must be a positive whole number"),
        }
    }
    Ok(request)
}

/// The status this server answers with for an upstream failure, and its message. OpenRouter's
/// status passes only when it is one of the few a page can act on; anything else (a 1xx, 204 or
/// 304 that would change how the answer is framed or cached, a redirect, an unknown code) is a
/// 502, so the upstream cannot choose how this server's answer is read.
fn status_and_message(failure: &ClientError) -> (u16, String) {
    let (status, message) = match failure {
        ClientError::Api { status, message } => (*status, message.clone()),
        ClientError::Status { status } => (*status, failure.to_string()),
        ClientError::RateLimited { message, .. } => (429, message.clone()),
        ClientError::Timeout(_) => (504, failure.to_string()),
        other => (502, other.to_string()),
    };
    let passed = matches!(
        status,
        400 | 401 | 402 | 403 | 404 | 408 | 413 | 422 | 429 | 500 | 502 | 503 | 504
    );
    (if passed { status } else { 502 }, message)
}

fn client_error(failure: &ClientError) -> Response {
    let (status, message) = status_and_message(failure);
    let mut response = json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        error_body(status, &message),
    );
    if let ClientError::RateLimited {
        retry_after: Some(wait),
        ..
    } = failure
    {
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
    }
    response
}

fn error_body(status: u16, message: &str) -> String {
    let mut body = format!(r#"{{"error":{{"code":{status},"message":"#);
    write_string(&mut body, message);
    body.push_str("}}");
    body
}

fn error(status: StatusCode, message: &str) -> Response {
    json(status, error_body(status.as_u16(), message))
}

fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
