//! The records the mock keeps between requests (see `state.rs`): a pending authorization
//! request and the generation of each answered chat. Plain data: the routes that make and read
//! them sit above, and the state that keeps them imports only this.

use std::time::{Duration, SystemTime};

use crate::callback::Callback;

/// A validated authorization request.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub challenge: String,
    /// `None` in the headless flow.
    pub callback: Option<Callback>,
    pub state: Option<String>,
    pub key_label: Option<String>,
    /// The credit limit of the key to issue, in US dollars.
    pub limit: Option<f64>,
}

pub(crate) const ID_PREFIX: &str = "gen-mock-";

/// One answered chat completion. Holds the SHA-256 of the key that asked, never the key.
#[derive(Debug, Clone)]
pub(crate) struct Generation {
    /// The chat request's sequence number: the generation is `gen-mock-<number>`.
    pub number: usize,
    /// The lowercase hex SHA-256 of the key that asked.
    pub key_hash: String,
    pub model: String,
    pub tokens_prompt: usize,
    pub tokens_completion: usize,
    /// US dollars, at the public list's prices.
    pub total_cost: f64,
    pub created: SystemTime,
    pub streamed: bool,
    /// The client went away before the end of the stream.
    pub cancelled: bool,
    /// From the request's arrival to the answer's start.
    pub latency: Duration,
    /// From the request's arrival to the answer's end.
    pub generation_time: Duration,
    /// The request's `HTTP-Referer`, or empty.
    pub origin: String,
    /// Lookups by the owner so far (the lag answers the first ones with 404).
    pub lookups: usize,
}

/// `gen-mock-<number>`: the id of a chat completion and of its generation.
pub(crate) fn id(number: usize) -> String {
    format!("{ID_PREFIX}{number}")
}
