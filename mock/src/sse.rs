//! The server-sent events body of a streamed chat completion.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde_json::Value;
use tokio::time::Sleep;

use crate::state::Shared;

/// Largest content piece, in bytes, of one streamed event.
pub(crate) const MAX_PIECE_BYTES: usize = 8;
/// Largest content piece of a long answer (`/__mock/chat-size`), so that megabytes take
/// thousands of events rather than millions.
pub(crate) const LONG_PIECE_BYTES: usize = 16 * 1024;

/// The comment OpenRouter sends while the model warms up; clients must ignore it.
const PROCESSING: &str = ": OPENROUTER PROCESSING\n\n";

const DONE: &str = "data: [DONE]\n\n";

const UPSTREAM_ERROR: &str =
    "data: {\"error\":{\"code\":502,\"message\":\"Upstream provider failed\"}}\n\n";

/// The least pause before an injected drop, so the events before it reach the
/// client rather than vanishing with the connection.
const DROP_PAUSE: Duration = Duration::from_millis(50);

/// How a stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The finish event, then `data: [DONE]`.
    Done,
    /// After this many content events, an upstream error event, then the end of the body.
    ErrorAfter(usize),
    /// After this many content events, the connection is cut.
    DropAfter(usize),
}

/// `text` cut into pieces of at most `max` bytes, never inside a character
/// (a piece holds one whole character when `max` is smaller than it).
pub(crate) fn pieces(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(max);
        while end > 0 && !rest.is_char_boundary(end) {
            end -= 1;
        }
        if end == 0 {
            end = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// `data: {"id":..,"choices":[{"index":0,"delta":{"content":..}}]}`.
fn content_event(id: &str, piece: &str) -> String {
    format!(
        "data: {{\"id\":{},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{}}}}}]}}\n\n",
        Value::from(id),
        Value::from(piece)
    )
}

/// `data: {"id":..,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`.
fn finish_event(id: &str) -> String {
    format!(
        "data: {{\"id\":{},\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}\n\n",
        Value::from(id)
    )
}

/// Every event of the stream, in order, up to how it ends, with pieces of at most `piece`
/// bytes, and how many content bytes each carries.
fn events(id: &str, text: &str, piece: usize, ending: Ending) -> VecDeque<(Bytes, usize)> {
    let content = pieces(text, piece);
    let kept = match ending {
        Ending::Done => content.len(),
        Ending::ErrorAfter(after) | Ending::DropAfter(after) => after.min(content.len()),
    };
    let mut events = VecDeque::with_capacity(kept + 3);
    events.push_back((Bytes::from_static(PROCESSING.as_bytes()), 0));
    for piece in content.iter().take(kept) {
        events.push_back((Bytes::from(content_event(id, piece)), piece.len()));
    }
    match ending {
        Ending::Done => {
            events.push_back((Bytes::from(finish_event(id)), 0));
            events.push_back((Bytes::from_static(DONE.as_bytes()), 0));
        }
        Ending::ErrorAfter(_) => {
            events.push_back((Bytes::from_static(UPSTREAM_ERROR.as_bytes()), 0));
        }
        Ending::DropAfter(_) => {}
    }
    events
}

/// Who hears how a stream goes: the bytes it sends, and how and when it ends.
pub(crate) struct Tracker {
    pub shared: Arc<Shared>,
    /// The number of the stream's generation.
    pub generation: usize,
    /// When its request arrived.
    pub started: Instant,
}

/// A `200 text/event-stream` response streaming `text` as completion `id`, with
/// `delay` between events.
pub(crate) fn response(
    id: &str,
    text: &str,
    piece: usize,
    ending: Ending,
    delay: Duration,
    tracker: Tracker,
) -> Response {
    let body = EventBody {
        events: events(id, text, piece, ending),
        drop_at_end: matches!(ending, Ending::DropAfter(_)),
        delay,
        pause: None,
        tracker,
    };
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Body::new(body),
    )
        .into_response()
}

/// Yields one event per body frame, sleeping `delay` before each but the first, so
/// that hyper flushes every event on its own and the client sees them arrive one by one.
struct EventBody {
    /// Each event, with the content bytes it carries.
    events: VecDeque<(Bytes, usize)>,
    /// Fail after the last event, which makes hyper abort the connection.
    drop_at_end: bool,
    delay: Duration,
    /// The wait before the next frame; `None` when it is due now.
    pause: Option<Pin<Box<Sleep>>>,
    /// Told of the bytes sent, and of the end, early or not.
    tracker: Tracker,
}

impl Drop for EventBody {
    /// hyper drops the body unfinished only when the client went away (Stop, a closed tab, a
    /// proxy that dropped its upstream request): that cancels the generation.
    fn drop(&mut self) {
        let tracker = &self.tracker;
        tracker.shared.stream_ended(
            tracker.generation,
            !self.events.is_empty(),
            tracker.started.elapsed(),
        );
    }
}

impl EventBody {
    /// Arms the wait before whatever comes next.
    fn arm(&mut self) {
        let wait = if self.events.is_empty() && self.drop_at_end {
            self.delay.max(DROP_PAUSE)
        } else {
            self.delay
        };
        self.pause = Some(Box::pin(tokio::time::sleep(wait)));
    }
}

impl HttpBody for EventBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.events.is_empty() && !this.drop_at_end {
            return Poll::Ready(None);
        }
        if let Some(pause) = this.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
        }
        let Some((event, content)) = this.events.pop_front() else {
            this.drop_at_end = false;
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "injected connection drop",
            ))));
        };
        if !this.events.is_empty() || this.drop_at_end {
            this.arm();
        }
        this.tracker.shared.chat_sent(content);
        Poll::Ready(Some(Ok(Frame::data(event))))
    }

    fn is_end_stream(&self) -> bool {
        self.events.is_empty() && !self.drop_at_end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_respect_the_limit_and_char_boundaries() {
        let text = "Echo from m: héllo wörld ✓ 🎉";
        let cut = pieces(text, MAX_PIECE_BYTES);
        assert_eq!(cut.concat(), text);
        assert!(cut
            .iter()
            .all(|piece| !piece.is_empty() && piece.len() <= 8));
        assert_eq!(pieces("", 8), Vec::<&str>::new());
        assert_eq!(pieces("🎉🎉", 3), vec!["🎉", "🎉"]);
        assert_eq!(pieces("abcdefghij", 8), vec!["abcdefgh", "ij"]);
    }

    #[test]
    fn events_follow_the_ending() {
        let text = "0123456789abcdefghij";
        let done: Vec<Bytes> = events("gen-mock-1", text, MAX_PIECE_BYTES, Ending::Done)
            .into_iter()
            .map(|(event, _)| event)
            .collect();
        assert_eq!(done.len(), 1 + 3 + 2);
        assert_eq!(done[0], PROCESSING.as_bytes());
        assert_eq!(
            done[1],
            "data: {\"id\":\"gen-mock-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"01234567\"}}]}\n\n".as_bytes()
        );
        assert_eq!(
            done[4],
            "data: {\"id\":\"gen-mock-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".as_bytes()
        );
        assert_eq!(done[5], DONE.as_bytes());

        let error = events("gen-mock-1", text, MAX_PIECE_BYTES, Ending::ErrorAfter(1));
        assert_eq!(error.len(), 3);
        assert_eq!(error[2].0, UPSTREAM_ERROR.as_bytes());
        assert_eq!(error[1].1, 8, "the content bytes of the first piece");
        let dropped = events("gen-mock-1", text, MAX_PIECE_BYTES, Ending::DropAfter(9));
        assert_eq!(dropped.len(), 4);
        let long = events(
            "gen-mock-1",
            &"x".repeat(40_000),
            LONG_PIECE_BYTES,
            Ending::Done,
        );
        assert_eq!(long.len(), 1 + 3 + 2, "16 KiB pieces");
    }

    #[test]
    fn content_is_json_escaped() {
        let event = content_event("gen-mock-2", "a\"b\\\n");
        let json = event
            .strip_prefix("data: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .map(serde_json::from_str::<Value>);
        let Some(Ok(json)) = json else {
            panic!("not an SSE JSON event: {event:?}");
        };
        assert_eq!(json["choices"][0]["delta"]["content"], "a\"b\\\n");
    }
}
