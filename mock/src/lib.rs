//! A local mock of OpenRouter's OAuth PKCE flow, key API, model lists, chat completions and
//! generations, for offline development and tests of `openrouter-signin`.
//!
//! Endpoints:
//! - `GET /auth` — the authorize page (`callback_url` or `key_label`, `code_challenge`,
//!   `code_challenge_method=S256`, optional `state`, optional `limit`: a credit limit in US
//!   dollars such as `5` or `2.50`, shown on the consent page and given to the key), answered
//!   per the [`ConsentMode`];
//! - `POST /auth/decision` — the consent page's Approve / Deny form;
//! - `POST /api/v1/auth/keys` — exchanges `{"code","code_verifier","code_challenge_method"}` for
//!   `{"key","user_id"}`; a code lives 10 minutes, then answers
//!   `403 {"error":{"code":403,"message":"Authorization code expired"}}`;
//! - `GET /api/v1/key` — describes the `Authorization: Bearer` key, with every field
//!   OpenRouter documents: `usage` (and `usage_daily`, `_weekly`, `_monthly`) is the sum of the
//!   `total_cost` of its generations; `limit` is the credit limit asked for at sign-in and
//!   `limit_remaining` the limit minus the usage (never below 0), both null without a limit;
//! - `GET /keys/<sha256 hex of a key>` — a small page for an issued key, where OpenRouter's
//!   own page lets its owner manage or revoke it;
//! - `GET /api/v1/models` — the public model list, no key needed: `{"data":[…]}`, one entry per
//!   id of [`PUBLIC_MODEL_IDS`] in OpenRouter's shape (`id`, `canonical_slug`, `name`, `created`,
//!   `description`, `context_length`, `architecture`, `pricing` as decimal strings of US
//!   dollars per token, `top_provider`, `per_request_limits`, `supported_parameters`);
//! - `GET /api/v1/models/user` — the models the bearer key may use, the same entries for the
//!   ids of [`USER_MODEL_IDS`] only; 401 without an issued key;
//! - `POST /api/v1/chat/completions` — a deterministic echo model for issued keys:
//!   `{"model","messages":[{"role","content"}],"stream"}` is answered with
//!   `Echo from <model>: <last user message>`, as one JSON completion or as server-sent
//!   events (pieces of at most 8 bytes, cut on character boundaries, then `data: [DONE]`);
//!   every answer (id `gen-mock-N`) is recorded as a generation;
//! - `GET /api/v1/generation?id=gen-mock-N` — that generation for the key that made it:
//!   `{"data":{"id","model","total_cost","tokens_prompt","tokens_completion",…,"created_at",
//!   "streamed","cancelled","usage"}}`, its cost from the public list's prices
//!   ([`generation_cost`]); `404 {"error":{"code":404,"message":"Generation not found"}}` for an
//!   unknown id or another key's, 400 without an id, 401 without an issued key;
//! - `POST /__mock/consent?mode=ask|approve|deny`, `POST /__mock/fail?kind=…`,
//!   `POST /__mock/chat-fail?kind=…`, `POST /__mock/chat-delay?ms=N`,
//!   `POST /__mock/chat-size?bytes=N` (every answer N bytes long),
//!   `POST /__mock/age-codes?secs=N` (every outstanding code N seconds older),
//!   `POST /__mock/generation-lag?times=N` (the first N lookups of each generation answer
//!   404, as OpenRouter does for a moment after an answer ends),
//!   `GET /__mock/stats` — control from another process.
//!
//! Every response allows any origin, and `OPTIONS` on any path is a CORS preflight.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use openrouter_mock::{ConsentMode, MockServer};
//! let server = MockServer::start().await?;
//! server.set_consent(ConsentMode::AutoApprove);
//! let authorize = format!("{}/auth", server.base_url());
//! # let _ = authorize;
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod authorize;
mod callback;
mod chat;
mod chat_request;
mod consent;
mod control;
mod crypto;
mod error;
mod failure;
mod generation;
mod html;
mod models;
mod params;
mod records;
mod router;
mod sse;
mod state;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use chat::ChatFailure;
pub use consent::{ConsentMode, ParseConsentModeError};
pub use crypto::s256_challenge;
pub use failure::Failure;
pub use html::code_shown_on;
pub use models::{generation_cost, PUBLIC_MODEL_IDS, USER_MODEL_IDS};

use state::Shared;

/// How long [`MockServer::shutdown`] lets in-flight requests finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running mock server.
///
/// Dropping it stops the server too: the shutdown channel's sender goes away,
/// which triggers the same graceful shutdown as [`MockServer::shutdown`]
/// (without waiting for it). Call `shutdown` when the port must be free afterwards.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Shows only the address: the state holds live keys and codes that must not end up in logs.
impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts on `127.0.0.1` with a free port, in [`ConsentMode::Ask`].
    pub async fn start() -> io::Result<MockServer> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts on `addr` (port 0 picks a free one), in [`ConsentMode::Ask`].
    ///
    /// Refuses a non-loopback address with [`io::ErrorKind::InvalidInput`]:
    /// the mock hands out keys to anyone who asks and must stay local.
    pub async fn start_on(addr: SocketAddr) -> io::Result<MockServer> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to listen on non-loopback address {addr}"),
            ));
        }
        let shared = Arc::new(Shared::new().map_err(|error| io::Error::other(error.to_string()))?);
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                // Either an explicit stop or the sender being dropped ends the server.
                let _ = stopped.await;
            });
            // axum's serve loop only returns after shutdown and reports accept errors
            // internally; there is nothing left to do with its result.
            let _ = serve.await;
        });
        Ok(MockServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Chooses how `GET /auth` answers from now on.
    pub fn set_consent(&self, mode: ConsentMode) {
        self.shared.set_consent(mode);
    }

    /// Lifetime of codes issued from now on (default 10 minutes); `Duration::ZERO`
    /// makes every new code expired on arrival.
    pub fn set_code_ttl(&self, ttl: Duration) {
        self.shared.set_code_ttl(ttl);
    }

    /// Makes every code issued and not yet exchanged `by` older, so that a test sees the
    /// 10-minute expiry without waiting for it. Returns how many codes there are.
    pub fn age_codes(&self, by: Duration) -> usize {
        self.shared.age_codes(by)
    }

    /// Queues `failure`; each exchange request pops (and plays) one.
    pub fn inject_exchange_failure(&self, failure: Failure) {
        self.shared.push_failure(failure);
    }

    /// Forgets failures queued and not yet played, so that one test cannot leak into the next.
    pub fn clear_exchange_failures(&self) {
        self.shared.clear_failures();
    }

    /// How many `POST /api/v1/auth/keys` requests arrived, whatever their outcome.
    pub fn exchange_requests(&self) -> usize {
        self.shared.stats().exchange_requests
    }

    /// The keys handed out, oldest first.
    pub fn issued_keys(&self) -> Vec<String> {
        self.shared.issued_keys()
    }

    /// Queues `failure`; each chat completion request pops (and plays) one. This
    /// queue is separate from the exchange one.
    pub fn inject_chat_failure(&self, failure: ChatFailure) {
        self.shared.push_chat_failure(failure);
    }

    /// Forgets chat failures queued and not yet played.
    pub fn clear_chat_failures(&self) {
        self.shared.clear_chat_failures();
    }

    /// The pause between two streamed chat events from now on (default 20 ms);
    /// a queued [`ChatFailure::Slow`] overrides it for one request.
    pub fn set_chat_delay(&self, delay: Duration) {
        self.shared.set_chat_delay(delay);
    }

    /// Makes every answer from now on `bytes` long (the echo repeated; streamed in pieces of
    /// 16 KiB), or (`None`) the plain echo again: for tests of what a slow reader costs.
    pub fn set_chat_size(&self, bytes: Option<usize>) {
        self.shared.set_chat_size(bytes);
    }

    /// Content bytes of streamed answers handed to their connections so far: how far an
    /// answer got while its reader held back.
    pub fn chat_bytes_sent(&self) -> u64 {
        self.shared.stats().chat_bytes_sent
    }

    /// How many `POST /api/v1/chat/completions` requests arrived, whatever their outcome.
    pub fn chat_requests(&self) -> usize {
        self.shared.stats().chat_requests
    }

    /// How many streamed answers lost their client before the end (a Stop, a closed tab, a
    /// proxy that dropped its upstream request).
    pub fn chats_closed_early(&self) -> usize {
        self.shared.stats().chats_closed_early
    }

    /// The headers of the last chat request as `(lower-case name, value)` pairs, in
    /// arrival order, without `authorization` (nor `proxy-authorization`): the mock
    /// never keeps keys. Empty before the first chat request.
    pub fn last_chat_headers(&self) -> Vec<(String, String)> {
        self.shared.last_chat_headers()
    }

    /// How many generations were recorded: one per chat completion answered (streamed or not,
    /// whatever became of the stream afterwards), none for a refused or failed request.
    pub fn generations(&self) -> usize {
        self.shared.stats().generations
    }

    /// The ids (`gen-mock-N`) of the recorded generations, oldest first: the `id` of each
    /// answered chat completion, to look up with `GET /api/v1/generation?id=`.
    pub fn generation_ids(&self) -> Vec<String> {
        self.shared.generation_ids()
    }

    /// From now on, the first `times` lookups of each generation by its key answer
    /// `404 Generation not found` before its record, as OpenRouter does for a moment after an
    /// answer ends (default 0). Lookups already made count among the first ones.
    pub fn set_generation_lag(&self, times: usize) {
        self.shared.set_generation_lag(times);
    }

    /// How many `GET /auth` requests arrived, valid or not.
    pub fn authorize_requests(&self) -> usize {
        self.shared.stats().authorize_requests
    }

    /// Stops accepting, lets in-flight requests finish (up to a few seconds), and
    /// frees the port before returning.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
                // The task was aborted on purpose; its cancellation error says nothing new.
                let _ = task.await;
            }
        }
    }
}
