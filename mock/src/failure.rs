//! Failures that can be injected into the next `POST /api/v1/auth/keys`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use tokio::time::Sleep;

use crate::error::json_error;

/// A misbehaviour for the next exchange request only; queue several for several requests.
///
/// Apart from [`Failure::Delay`], an injected failure answers before the code is
/// looked at, so the code stays valid for a later attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Answer with this HTTP status and OpenRouter's error JSON shape.
    Status(u16),
    /// `200` with the body `<html>not json</html>` as `text/html`.
    NotJson,
    /// Sleep this long, then answer normally.
    Delay(Duration),
    /// `200 {"key":""}`.
    EmptyKey,
    /// `200 {"key":"hello"}`.
    NotAKey,
    /// `200` with a JSON-looking body of exactly this many bytes.
    HugeBody(usize),
    /// Start a `200` response, send a few body bytes, then cut the connection.
    DropConnection,
    /// `200` with no `Content-Length` and a body that never ends: 64 KiB chunks of JSON-looking
    /// padding for as long as the client reads. Only a client that stops at its own limit finishes.
    EndlessBody,
}

/// Plays `failure`: returns the response to send, or `None` to carry on normally.
pub(crate) async fn play(failure: Failure) -> Option<Response> {
    let response = match failure {
        Failure::Delay(duration) => {
            tokio::time::sleep(duration).await;
            return None;
        }
        Failure::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            json_error(status, "Injected failure")
        }
        Failure::NotJson => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
            "<html>not json</html>",
        )
            .into_response(),
        Failure::EmptyKey => json_body(r#"{"key":""}"#.to_owned()),
        Failure::NotAKey => json_body(r#"{"key":"hello"}"#.to_owned()),
        Failure::HugeBody(bytes) => json_body(huge_body(bytes)),
        Failure::DropConnection => dropped_response(),
        Failure::EndlessBody => endless_response(),
    };
    Some(response)
}

fn json_body(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `{"pad":"xxx…"}` padded to exactly `bytes` bytes (just `x`s when too short for that).
fn huge_body(bytes: usize) -> String {
    const FRAME: usize = r#"{"pad":""}"#.len();
    match bytes.checked_sub(FRAME) {
        Some(pad) => format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad)),
        None => "x".repeat(bytes),
    }
}

fn dropped_response() -> Response {
    let body = DroppingBody {
        sent_prefix: false,
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Body::new(body),
    )
        .into_response()
}

/// A body that yields the start of a key, waits, then fails, which makes hyper
/// abort the connection mid-body. The pause lets the headers and prefix reach
/// the client first, so it really sees a truncated 200 rather than no answer.
struct DroppingBody {
    sent_prefix: bool,
    pause: Pin<Box<Sleep>>,
}

impl HttpBody for DroppingBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if !self.sent_prefix {
            self.sent_prefix = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                br#"{"key":"sk-or-v1-"#,
            )))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "injected connection drop",
            )))),
        }
    }
}

fn endless_response() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Body::new(EndlessBody { started: false }),
    )
        .into_response()
}

/// `{"pad":"` and then `x`s forever, with no length announced.
struct EndlessBody {
    started: bool,
}

impl HttpBody for EndlessBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        static PAD: [u8; 64 * 1024] = [b'x'; 64 * 1024];
        if !self.started {
            self.started = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(br#"{"pad":""#)))));
        }
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&PAD)))))
    }

    fn is_end_stream(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::huge_body;

    #[test]
    fn huge_body_has_exact_length() {
        for bytes in [0, 5, 10, 11, 1000] {
            assert_eq!(huge_body(bytes).len(), bytes);
        }
        assert!(huge_body(100).starts_with(r#"{"pad":"#));
    }
}
