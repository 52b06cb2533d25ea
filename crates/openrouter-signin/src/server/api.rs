//! The API the page uses instead of the key, under
//! [`API_PREFIX`](crate::fullstack::API_PREFIX). Answers are shaped like OpenRouter's own
//! (`{"data":{…}}`, `{"error":{"code","message"}}`, the chat's event stream), so that the page
//! reads them with the library's one OpenRouter reader.
//!
//! - `GET /session`: `{"signed_in":true,"masked_key":"sk-or-v1-0a1…","manage_url":"…"}`
//! - `POST /sign-out`: clears the cookie (the key itself stays valid: only its owner revokes it)
//! - `GET /api/v1/key`: OpenRouter's answer for the cookie's key; a key OpenRouter refuses
//!   (revoked) also clears the cookie
//! - `POST /api/v1/chat/completions` `{"model":…,"messages":[{"role":…,"content":…}]}`: the
//!   answer as OpenRouter's event stream; when the page goes away, the upstream request is
//!   dropped

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::cookie::append;
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

pub(super) async fn sign_out(State(server): State<SignInServer>) -> Response {
    let mut headers = HeaderMap::new();
    append(&mut headers, forget(&server));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::NO_CONTENT, headers).into_response()
}

fn forget(server: &SignInServer) -> HeaderValue {
    let cookies = server.cookies();
    cookies.clear(cookies.key_name(), "/")
}

/// What the upstream task tells the response body.
enum Piece {
    Text(String),
    End(Result<(), ClientError>),
}

pub(super) async fn chat(
    State(server): State<SignInServer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(key) = key_from(&server, &headers) else {
        return error(StatusCode::UNAUTHORIZED, "not signed in");
    };
    let request = match chat_request(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    // Unbounded: an answer is text of bounded length, and a slow page must not stall the task
    // that watches for the page going away.
    let (sender, mut receiver) = mpsc::unbounded_channel::<Piece>();
    let client = server.inner.client.clone();
    tokio::spawn(async move {
        let upstream = async {
            let result = client
                .chat_stream(&key, &request, |text| {
                    let _ = sender.send(Piece::Text(text.to_owned()));
                })
                .await;
            let _ = sender.send(Piece::End(result));
        };
        // The page went away (Stop, a closed tab): drop the upstream request with it.
        tokio::select! {
            () = upstream => {}
            () = sender.closed() => {}
        }
    });
    // Failures before the first piece keep their own status (402, 429 with Retry-After, ...).
    let first = match receiver.recv().await {
        Some(Piece::End(Err(failure))) => return client_error(&failure),
        Some(piece) => piece,
        None => return error(StatusCode::BAD_GATEWAY, "the answer ended before it began"),
    };
    let events = futures_util::stream::unfold(
        (Some(first), receiver, false),
        |(next, mut receiver, done)| async move {
            if done {
                return None;
            }
            let piece =
                match next {
                    Some(piece) => piece,
                    None => receiver.recv().await.unwrap_or(Piece::End(Err(
                        ClientError::InvalidResponse("the answer stopped".into()),
                    ))),
                };
            let (event, done) = match piece {
                Piece::Text(text) => {
                    let mut event = String::from(r#"data: {"choices":[{"delta":{"content":"#);
                    write_string(&mut event, &text);
                    event.push_str("}}]}\n\n");
                    (event, false)
                }
                Piece::End(Ok(())) => ("data: [DONE]\n\n".to_owned(), true),
                Piece::End(Err(failure)) => {
                    let (status, message) = status_and_message(&failure);
                    (format!("data: {}\n\n", error_body(status, &message)), true)
                }
            };
            Some((
                Ok::<_, Infallible>(Bytes::from(event)),
                (None, receiver, done),
            ))
        },
    );
    let mut response = Response::new(Body::from_stream(events));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
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
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
    })
}

fn status_and_message(failure: &ClientError) -> (u16, String) {
    match failure {
        ClientError::Api { status, message } => (*status, message.clone()),
        ClientError::Status { status } => (*status, failure.to_string()),
        ClientError::RateLimited { message, .. } => (429, message.clone()),
        ClientError::Timeout(_) => (504, failure.to_string()),
        other => (502, other.to_string()),
    }
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
        ],
        body,
    )
        .into_response()
}
