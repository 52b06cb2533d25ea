//! The server's shared, mutable state.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::crypto;
use crate::records::{self, AuthRequest, Generation};
use crate::{ChatFailure, ConsentMode, Failure};

/// OpenRouter's lifetime for authorization codes.
pub(crate) const DEFAULT_CODE_TTL: Duration = Duration::from_secs(600);

/// How long an expired code is still recognised, so that its exchange can say "expired" rather
/// than "invalid", as OpenRouter does.
const EXPIRED_CODE_MEMORY: Duration = Duration::from_secs(3600);

/// How long a consent page stays answerable.
const PENDING_TTL: Duration = Duration::from_secs(600);

/// Default pause between two streamed chat events.
pub(crate) const DEFAULT_CHAT_DELAY: Duration = Duration::from_millis(20);

/// The most generations kept for lookup; the oldest go first. Keys' usage keeps counting them.
const MAX_GENERATIONS: usize = 100_000;

/// A code waiting to be exchanged.
pub(crate) struct Grant {
    pub challenge: String,
    pub key_label: Option<String>,
    /// The credit limit asked for at sign-in, in US dollars.
    pub limit: Option<f64>,
    issued: Instant,
    ttl: Duration,
    /// Time added by [`Shared::age_codes`], so tests need not wait out a real lifetime.
    aged: Duration,
}

impl Grant {
    /// How old the code is, aging included.
    fn age(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.issued)
            .saturating_add(self.aged)
    }

    pub fn is_expired(&self, now: Instant) -> bool {
        self.age(now) >= self.ttl
    }
}

struct Pending {
    request: AuthRequest,
    created: Instant,
}

struct IssuedKey {
    key: String,
    label: String,
    /// The lowercase hex SHA-256 of the key: its name in `/keys/<hash>`, and the owner of its
    /// generations.
    hash: String,
    /// The credit limit asked for at sign-in, in US dollars.
    limit: Option<f64>,
    /// The `total_cost` of every generation of the key, in US dollars.
    usage: f64,
}

/// What `GET /api/v1/key` reports about a key.
#[derive(Debug, Clone)]
pub(crate) struct KeyStatus {
    pub label: String,
    pub limit: Option<f64>,
    pub usage: f64,
}

/// The answer to a generation lookup.
#[derive(Debug, Clone)]
pub(crate) enum Lookup {
    Found(Generation),
    /// Unknown, another key's, or still within the lag.
    NotFound,
}

struct Inner {
    consent: ConsentMode,
    code_ttl: Duration,
    failures: VecDeque<Failure>,
    exchange_requests: usize,
    authorize_requests: usize,
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Grant>,
    keys: Vec<IssuedKey>,
    chat_failures: VecDeque<ChatFailure>,
    chat_requests: usize,
    /// Streamed answers whose client went away before the end.
    chats_closed_early: usize,
    chat_delay: Duration,
    /// When set, every answer is this many bytes long (its echo repeated).
    chat_size: Option<usize>,
    /// Content bytes of streamed answers handed to the connection so far.
    chat_bytes_sent: u64,
    chat_headers: Vec<(String, String)>,
    /// Recorded generations by number (`gen-mock-<number>`).
    generations: BTreeMap<usize, Generation>,
    /// Every generation recorded, including those no longer kept.
    generations_recorded: usize,
    /// How many lookups of each generation answer 404 before its record.
    generation_lag: usize,
}

/// What a chat request starts with: its sequence number and the failure injected for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChatTicket {
    /// 1 for the first chat request, 2 for the next, and so on.
    pub number: usize,
    pub failure: Option<ChatFailure>,
}

/// Counters reported by `GET /__mock/stats`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    pub exchange_requests: usize,
    pub authorize_requests: usize,
    pub issued_keys: usize,
    pub chat_requests: usize,
    pub chats_closed_early: usize,
    pub chat_bytes_sent: u64,
    pub generations: usize,
}

/// Everything the handlers share. Each method takes the lock briefly and never
/// across an `.await`.
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    /// The one mock user every key belongs to.
    pub user_id: String,
}

impl Shared {
    pub fn new() -> Result<Self, getrandom::Error> {
        Ok(Self {
            inner: Mutex::new(Inner {
                consent: ConsentMode::default(),
                code_ttl: DEFAULT_CODE_TTL,
                failures: VecDeque::new(),
                exchange_requests: 0,
                authorize_requests: 0,
                pending: HashMap::new(),
                codes: HashMap::new(),
                keys: Vec::new(),
                chat_failures: VecDeque::new(),
                chat_requests: 0,
                chats_closed_early: 0,
                chat_delay: DEFAULT_CHAT_DELAY,
                chat_size: None,
                chat_bytes_sent: 0,
                chat_headers: Vec::new(),
                generations: BTreeMap::new(),
                generations_recorded: 0,
                generation_lag: 0,
            }),
            user_id: format!("user_mock_{}", crypto::random_hex::<12>()?),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not wedge the mock; the data stays consistent
        // because every critical section is a handful of plain assignments.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn consent(&self) -> ConsentMode {
        self.lock().consent
    }

    pub fn set_consent(&self, mode: ConsentMode) {
        self.lock().consent = mode;
    }

    pub fn code_ttl(&self) -> Duration {
        self.lock().code_ttl
    }

    pub fn set_code_ttl(&self, ttl: Duration) {
        self.lock().code_ttl = ttl;
    }

    /// Queues a failure; returns the queue length.
    pub fn push_failure(&self, failure: Failure) -> usize {
        let mut inner = self.lock();
        inner.failures.push_back(failure);
        inner.failures.len()
    }

    /// Drops every queued failure.
    pub fn clear_failures(&self) {
        self.lock().failures.clear();
    }

    pub fn count_authorize(&self) {
        self.lock().authorize_requests += 1;
    }

    /// Counts an exchange request and pops the failure injected for it, if any.
    pub fn begin_exchange(&self) -> Option<Failure> {
        let mut inner = self.lock();
        inner.exchange_requests += 1;
        inner.failures.pop_front()
    }

    /// Queues a chat failure; returns the chat queue's length.
    pub fn push_chat_failure(&self, failure: ChatFailure) -> usize {
        let mut inner = self.lock();
        inner.chat_failures.push_back(failure);
        inner.chat_failures.len()
    }

    /// Drops every queued chat failure.
    pub fn clear_chat_failures(&self) {
        self.lock().chat_failures.clear();
    }

    pub fn chat_delay(&self) -> Duration {
        self.lock().chat_delay
    }

    pub fn set_chat_delay(&self, delay: Duration) {
        self.lock().chat_delay = delay;
    }

    pub fn chat_size(&self) -> Option<usize> {
        self.lock().chat_size
    }

    pub fn set_chat_size(&self, bytes: Option<usize>) {
        self.lock().chat_size = bytes;
    }

    /// Counts content bytes of a streamed answer handed to the connection.
    pub fn chat_sent(&self, bytes: usize) {
        self.lock().chat_bytes_sent += bytes as u64;
    }

    /// Counts a chat request, remembers its (already credential-free) headers and
    /// pops the failure injected for it, if any.
    pub fn begin_chat(&self, headers: Vec<(String, String)>) -> ChatTicket {
        let mut inner = self.lock();
        inner.chat_requests += 1;
        inner.chat_headers = headers;
        ChatTicket {
            number: inner.chat_requests,
            failure: inner.chat_failures.pop_front(),
        }
    }

    /// Notes the end of the streamed answer of generation `number`, `elapsed` after its
    /// request arrived; `cancelled` when its client closed the connection before the end.
    pub fn stream_ended(&self, number: usize, cancelled: bool, elapsed: Duration) {
        let mut inner = self.lock();
        if cancelled {
            inner.chats_closed_early += 1;
        }
        if let Some(generation) = inner.generations.get_mut(&number) {
            generation.cancelled = cancelled;
            generation.generation_time = elapsed;
        }
    }

    /// Records an answered chat completion, made with the issued key whose SHA-256 is
    /// `generation.key_hash`, and adds its cost to that key's usage.
    pub fn record_generation(&self, generation: Generation) {
        let mut inner = self.lock();
        if let Some(issued) = inner
            .keys
            .iter_mut()
            .find(|issued| issued.hash == generation.key_hash)
        {
            issued.usage += generation.total_cost;
        }
        inner.generations_recorded += 1;
        inner.generations.insert(generation.number, generation);
        while inner.generations.len() > MAX_GENERATIONS {
            inner.generations.pop_first();
        }
    }

    /// Looks up generation `number` for the key whose SHA-256 is `key_hash`. Each of the
    /// owner's lookups counts; the first ones answer [`Lookup::NotFound`] while the lag lasts.
    pub fn lookup_generation(&self, number: usize, key_hash: &str) -> Lookup {
        let mut inner = self.lock();
        let lag = inner.generation_lag;
        match inner.generations.get_mut(&number) {
            Some(generation) if generation.key_hash == key_hash => {
                let lagging = generation.lookups < lag;
                generation.lookups = generation.lookups.saturating_add(1);
                if lagging {
                    Lookup::NotFound
                } else {
                    Lookup::Found(generation.clone())
                }
            }
            _ => Lookup::NotFound,
        }
    }

    pub fn set_generation_lag(&self, times: usize) {
        self.lock().generation_lag = times;
    }

    /// The ids of the generations kept, oldest first.
    pub fn generation_ids(&self) -> Vec<String> {
        self.lock()
            .generations
            .keys()
            .map(|number| records::id(*number))
            .collect()
    }

    pub fn last_chat_headers(&self) -> Vec<(String, String)> {
        self.lock().chat_headers.clone()
    }

    pub fn stats(&self) -> Stats {
        let inner = self.lock();
        Stats {
            exchange_requests: inner.exchange_requests,
            authorize_requests: inner.authorize_requests,
            issued_keys: inner.keys.len(),
            chat_requests: inner.chat_requests,
            chats_closed_early: inner.chats_closed_early,
            chat_bytes_sent: inner.chat_bytes_sent,
            generations: inner.generations_recorded,
        }
    }

    /// Stores a request awaiting the user's decision; returns its id.
    pub fn store_pending(&self, request: AuthRequest) -> Result<String, getrandom::Error> {
        let id = crypto::random_token()?;
        let now = Instant::now();
        let mut inner = self.lock();
        inner
            .pending
            .retain(|_, pending| now.duration_since(pending.created) < PENDING_TTL);
        inner.pending.insert(
            id.clone(),
            Pending {
                request,
                created: now,
            },
        );
        Ok(id)
    }

    /// Removes and returns a live pending request: each consent page is answerable once.
    pub fn take_pending(&self, id: &str) -> Option<AuthRequest> {
        let pending = self.lock().pending.remove(id)?;
        (pending.created.elapsed() < PENDING_TTL).then_some(pending.request)
    }

    /// Issues a single-use code bound to `challenge`, for a key labelled `key_label` with
    /// the credit `limit`.
    pub fn issue_code(
        &self,
        challenge: &str,
        key_label: Option<String>,
        limit: Option<f64>,
    ) -> Result<String, getrandom::Error> {
        let code = crypto::random_token()?;
        let now = Instant::now();
        let mut inner = self.lock();
        inner
            .codes
            .retain(|_, grant| grant.age(now) < grant.ttl.saturating_add(EXPIRED_CODE_MEMORY));
        let ttl = inner.code_ttl;
        inner.codes.insert(
            code.clone(),
            Grant {
                challenge: challenge.to_owned(),
                key_label,
                limit,
                issued: now,
                ttl,
                aged: Duration::ZERO,
            },
        );
        Ok(code)
    }

    /// Makes every outstanding code `by` older; returns how many there are.
    pub fn age_codes(&self, by: Duration) -> usize {
        let mut inner = self.lock();
        for grant in inner.codes.values_mut() {
            grant.aged = grant.aged.saturating_add(by);
        }
        inner.codes.len()
    }

    /// Removes `code`, returning its grant if it existed (expired or not).
    pub fn take_code(&self, code: &str) -> Option<Grant> {
        self.lock().codes.remove(code)
    }

    /// Mints a key labelled `key_label`, or like OpenRouter's masked key when absent, with the
    /// credit `limit` (US dollars) when one was asked for.
    pub fn issue_key(
        &self,
        key_label: Option<String>,
        limit: Option<f64>,
    ) -> Result<String, getrandom::Error> {
        let key = crypto::random_api_key()?;
        let label = key_label.unwrap_or_else(|| mask(&key));
        let hash = crypto::sha256_hex(&key);
        self.lock().keys.push(IssuedKey {
            key: key.clone(),
            label,
            hash,
            limit,
            usage: 0.0,
        });
        Ok(key)
    }

    /// The label of the issued key whose SHA-256 is `hash` (lowercase hex).
    pub fn label_by_hash(&self, hash: &str) -> Option<String> {
        self.lock()
            .keys
            .iter()
            .find(|issued| issued.hash == hash)
            .map(|issued| issued.label.clone())
    }

    /// The label, credit limit and usage of an issued key.
    pub fn key_status(&self, key: &str) -> Option<KeyStatus> {
        self.lock()
            .keys
            .iter()
            .find(|issued| issued.key == key)
            .map(|issued| KeyStatus {
                label: issued.label.clone(),
                limit: issued.limit,
                usage: issued.usage,
            })
    }

    /// Whether the mock handed out `key`.
    pub fn is_issued_key(&self, key: &str) -> bool {
        self.lock().keys.iter().any(|issued| issued.key == key)
    }

    pub fn issued_keys(&self) -> Vec<String> {
        self.lock()
            .keys
            .iter()
            .map(|issued| issued.key.clone())
            .collect()
    }
}

/// `sk-or-v1-abc...xyz`: how OpenRouter names a key that has no label.
fn mask(key: &str) -> String {
    let head = key.get(..12).unwrap_or(key);
    let tail = key.get(key.len().saturating_sub(3)..).unwrap_or("");
    format!("{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_like_openrouter() {
        let key = format!("sk-or-v1-abc{}xyz", "0".repeat(58));
        assert_eq!(mask(&key), "sk-or-v1-abc...xyz");
    }
}
