//! The bounded hand-over between an upstream chat answer and the page that asked for it.
//!
//! The upstream side (a task) reads OpenRouter's stream only while fewer than
//! [`MAX_BUFFERED_BYTES`] wait for the page: a page that keeps the connection open and never
//! reads holds at most that much (plus one network chunk) in this server, and OpenRouter's side
//! is held back by TCP. The page going away ends the upstream request at once; the task's own
//! deadline ends it too, read or not.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use crate::openrouter::ClientError;

/// How much of an answer may wait for a page that does not read it.
pub(crate) const MAX_BUFFERED_BYTES: usize = 64 * 1024;

/// What the page receives next.
pub(crate) enum Piece {
    /// A piece of the answer.
    Text(String),
    /// The answer ended: completely (with its generation id, when OpenRouter gave one), or
    /// with this failure.
    End(Result<Option<String>, ClientError>),
}

#[derive(Default)]
struct Shared {
    pieces: VecDeque<String>,
    buffered: usize,
    end: Option<Result<Option<String>, ClientError>>,
    ended: bool,
    page_gone: bool,
    upstream: Option<Waker>,
    page: Option<Waker>,
}

#[derive(Default)]
struct Relay(Mutex<Shared>);

impl Relay {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A new relay: the upstream's end and the page's end.
pub(crate) fn relay() -> (Upstream, Page) {
    let shared = Arc::new(Relay::default());
    (Upstream(shared.clone()), Page(shared))
}

/// The upstream's end, held by the task that reads OpenRouter's answer.
pub(crate) struct Upstream(Arc<Relay>);

impl Upstream {
    /// A handle for the upstream's callback, which hands each piece over.
    pub(crate) fn feeder(&self) -> Feeder {
        Feeder(self.0.clone())
    }

    /// Runs `answer` while the page is there and has room; returns its outcome, or `None` when
    /// the page went away first (then `answer` is dropped, which ends the upstream request).
    pub(crate) async fn run<F>(&self, answer: F) -> Option<Result<Option<String>, ClientError>>
    where
        F: Future<Output = Result<Option<String>, ClientError>>,
    {
        let mut answer = std::pin::pin!(answer);
        std::future::poll_fn(|cx| {
            {
                let mut shared = self.0.lock();
                if shared.page_gone {
                    return Poll::Ready(None);
                }
                // Woken when the page takes a piece or goes away.
                shared.upstream = Some(cx.waker().clone());
                if shared.buffered >= MAX_BUFFERED_BYTES {
                    return Poll::Pending;
                }
            }
            answer.as_mut().poll(cx).map(Some)
        })
        .await
    }

    /// Tells the page how the answer ended.
    pub(crate) fn finish(&self, outcome: Result<Option<String>, ClientError>) {
        let mut shared = self.0.lock();
        shared.end.get_or_insert(outcome);
        if let Some(page) = shared.page.take() {
            page.wake();
        }
    }
}

impl Drop for Upstream {
    /// A task that ends without saying how (cancelled, panicked) still ends the page's answer.
    fn drop(&mut self) {
        self.finish(Err(ClientError::InvalidResponse(
            "the answer stopped".into(),
        )));
    }
}

/// Hands pieces of the answer to the page; what the upstream's callback holds.
pub(crate) struct Feeder(Arc<Relay>);

impl Feeder {
    /// Queues `text` for the page.
    pub(crate) fn push(&self, text: &str) {
        let mut shared = self.0.lock();
        if shared.page_gone {
            return;
        }
        shared.buffered += text.len();
        shared.pieces.push_back(text.to_owned());
        if let Some(page) = shared.page.take() {
            page.wake();
        }
    }
}

/// The page's end, held by the response body.
pub(crate) struct Page(Arc<Relay>);

impl Page {
    /// The next piece, then the end once, then `None`.
    pub(crate) async fn next(&mut self) -> Option<Piece> {
        std::future::poll_fn(|cx| {
            let mut shared = self.0.lock();
            if let Some(text) = shared.pieces.pop_front() {
                shared.buffered -= text.len();
                if let Some(upstream) = shared.upstream.take() {
                    upstream.wake();
                }
                return Poll::Ready(Some(Piece::Text(text)));
            }
            if shared.ended {
                return Poll::Ready(None);
            }
            if let Some(end) = shared.end.take() {
                shared.ended = true;
                return Poll::Ready(Some(Piece::End(end)));
            }
            shared.page = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl Drop for Page {
    /// The page went away (Stop, a closed tab): the upstream request ends with it.
    fn drop(&mut self) {
        let mut shared = self.0.lock();
        shared.page_gone = true;
        shared.pieces.clear();
        shared.buffered = 0;
        if let Some(upstream) = shared.upstream.take() {
            upstream.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_upstream_waits_while_the_page_has_a_full_buffer() {
        let (upstream, mut page) = relay();
        let feeder = upstream.feeder();
        let piece = "x".repeat(1024);
        let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = polls.clone();
        // An upstream that always has another piece ready and never ends.
        let answer = std::future::poll_fn(move |_| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            feeder.push(&piece);
            Poll::<Result<Option<String>, ClientError>>::Pending
        });
        let task = tokio::spawn(async move { upstream.run(answer).await.is_none() });
        // Give the task every chance to run ahead.
        for _ in 0..200 {
            tokio::task::yield_now().await;
        }
        let ahead = polls.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            ahead <= MAX_BUFFERED_BYTES / 1024 + 1,
            "the upstream was polled {ahead} times with nobody reading"
        );
        assert!(matches!(page.next().await, Some(Piece::Text(_))));
        drop(page);
        assert!(task.await.unwrap(), "the page going away ends the upstream");
    }

    #[tokio::test]
    async fn pieces_then_the_end_once() {
        let (upstream, mut page) = relay();
        let feeder = upstream.feeder();
        let outcome = upstream
            .run(async move {
                feeder.push("a");
                feeder.push("b");
                Ok(Some("gen-1".to_owned()))
            })
            .await;
        upstream.finish(outcome.unwrap());
        drop(upstream);
        let mut texts = String::new();
        let mut ends = 0;
        while let Some(piece) = page.next().await {
            match piece {
                Piece::Text(text) => texts.push_str(&text),
                Piece::End(end) => {
                    assert_eq!(end, Ok(Some("gen-1".into())), "the first outcome wins");
                    ends += 1;
                }
            }
        }
        assert_eq!((texts.as_str(), ends), ("ab", 1));
    }
}
