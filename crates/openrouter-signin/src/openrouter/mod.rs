//! A small typed client for the OpenRouter endpoints that sign-in needs and that apps use next:
//! the code exchange, the key description, chat, the models a key may use and what an answer
//! cost. Native builds talk through reqwest; the web build through the browser's
//! own `fetch`, which costs almost nothing in the wasm bundle.

mod base_url;
mod client;
mod error;
mod http;
pub(crate) mod json;
mod key;
mod models;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod sse;
#[cfg(target_arch = "wasm32")]
mod web;

pub use base_url::{BaseUrl, BaseUrlError, BASE_URL_ENV, DEFAULT_BASE_URL};
pub use client::{
    ChatMessage, ChatRequest, ChatStreamed, ExchangedKey, KeyInfo, OpenRouterClient,
    DEFAULT_TIMEOUT, GENERATION_TRIES,
};
pub use error::ClientError;
pub use http::MAX_RESPONSE_BYTES;
pub use key::{ApiKey, InvalidKey};
pub use models::{Generation, Model, ModelPricing, MAX_MODELS};
pub use sse::{SseEvent, SseParser, MAX_LINE as MAX_SSE_LINE};
