use std::time::Duration;

use serde::Deserialize;

use super::{ApiKey, BaseUrl, ClientError};
use crate::auth::{AuthCode, Verifier};

#[cfg(not(target_arch = "wasm32"))]
use super::native::Transport;
#[cfg(target_arch = "wasm32")]
use super::web::Transport;

/// How long a request may take, answer included, unless [`OpenRouterClient::with_timeout`] says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes read from an answer; the endpoints used here answer a few hundred.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A request as the transports see it.
pub(super) struct HttpRequest<'a> {
    pub post_json: Option<String>,
    pub url: String,
    pub bearer: Option<&'a str>,
    pub headers: Vec<(&'static str, String)>,
    pub timeout: Duration,
}

/// An answer as the transports return it: the status, `Retry-After`, and at most
/// [`MAX_RESPONSE_BYTES`] of body.
pub(super) struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
}

/// The OpenRouter HTTP client: the PKCE code exchange, the key description, and chat.
pub struct OpenRouterClient {
    base: BaseUrl,
    timeout: Duration,
    attribution: Vec<(&'static str, String)>,
    transport: Transport,
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct ChatMessage {
    /// `user`, `assistant` or `system`.
    pub role: String,
    /// The text.
    pub content: String,
}

impl ChatMessage {
    /// A message from the user.
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// A chat completion request: which model, and the conversation so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRequest {
    /// An OpenRouter model id, e.g. `openai/gpt-4o-mini`.
    pub model: String,
    /// The conversation, oldest first.
    pub messages: Vec<ChatMessage>,
}

impl ChatRequest {
    fn body(&self, stream: bool) -> String {
        serde_json::json!({ "model": self.model, "messages": self.messages, "stream": stream })
            .to_string()
    }
}

#[derive(Deserialize)]
struct ChatAnswer {
    #[serde(default)]
    choices: Vec<ChatChoice>,
}

#[derive(Deserialize)]
struct ChatChoice {
    message: Option<ChatMessage>,
    #[serde(default)]
    delta: Option<ChatDelta>,
}

#[derive(Deserialize, Default)]
struct ChatDelta {
    content: Option<String>,
}

/// One event of a streamed answer: a piece of text, or an error in the middle of the stream.
#[derive(Deserialize)]
struct StreamEvent {
    #[serde(default)]
    choices: Vec<ChatChoice>,
    error: Option<StreamError>,
}

#[derive(Deserialize)]
struct StreamError {
    code: Option<serde_json::Value>,
    message: String,
}

impl std::fmt::Debug for OpenRouterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRouterClient")
            .field("base", &self.base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What `GET /api/v1/key` says about a key.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KeyInfo {
    /// The key's label (for keys made by sign-in, usually a masked form of the key).
    #[serde(default)]
    pub label: String,
    /// Credits used so far.
    #[serde(default)]
    pub usage: f64,
    /// The credit limit, if the user set one.
    #[serde(default)]
    pub limit: Option<f64>,
    /// What remains of the limit, if there is one.
    #[serde(default)]
    pub limit_remaining: Option<f64>,
    /// Whether the account has never bought credits.
    #[serde(default)]
    pub is_free_tier: bool,
}

#[derive(Deserialize)]
struct KeyInfoEnvelope {
    data: KeyInfo,
}

#[derive(Deserialize)]
struct ExchangeAnswer {
    key: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: String,
}

impl OpenRouterClient {
    /// A client for the OpenRouter at `base`, with [`DEFAULT_TIMEOUT`]. Redirects are never followed.
    pub fn new(base: BaseUrl) -> Result<Self, ClientError> {
        Ok(OpenRouterClient {
            base,
            timeout: DEFAULT_TIMEOUT,
            attribution: Vec::new(),
            transport: Transport::new()?,
        })
    }

    /// The same client with another per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same client, telling OpenRouter which app sends its chat requests (`HTTP-Referer`
    /// and `X-Title`, OpenRouter's app attribution).
    pub fn with_attribution(
        mut self,
        referer: impl Into<String>,
        title: impl Into<String>,
    ) -> Self {
        self.attribution = vec![("http-referer", referer.into()), ("x-title", title.into())];
        self
    }

    /// Where this client sends its requests.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// `POST /api/v1/auth/keys`: trades the callback's code and this sign-in's verifier for a key.
    /// A 200 without a plausible `sk-or-` key is an error.
    pub async fn exchange_code(
        &self,
        code: &AuthCode,
        verifier: &Verifier,
    ) -> Result<ApiKey, ClientError> {
        let body = serde_json::json!({
            "code": code.expose_secret(),
            "code_verifier": verifier.expose_secret(),
            "code_challenge_method": "S256",
        });
        let answer: ExchangeAnswer = self
            .call("/api/v1/auth/keys", Some(body.to_string()), None)
            .await?;
        let key = answer
            .key
            .ok_or_else(|| ClientError::InvalidResponse("the answer has no `key`".into()))?;
        ApiKey::parse(key)
            .map_err(|e| ClientError::InvalidResponse(format!("the `key` in the answer is {e}")))
    }

    /// `GET /api/v1/key`: describes `key` (label, usage, limit). A revoked key answers 401.
    pub async fn key_info(&self, key: &ApiKey) -> Result<KeyInfo, ClientError> {
        let envelope: KeyInfoEnvelope = self.call("/api/v1/key", None, Some(key)).await?;
        Ok(envelope.data)
    }

    /// `POST /api/v1/chat/completions` without streaming: the whole answer's text.
    pub async fn chat(&self, key: &ApiKey, request: &ChatRequest) -> Result<String, ClientError> {
        let answer: ChatAnswer = self
            .call(
                "/api/v1/chat/completions",
                Some(request.body(false)),
                Some(key),
            )
            .await?;
        answer
            .choices
            .into_iter()
            .find_map(|choice| choice.message)
            .map(|message| message.content)
            .ok_or_else(|| ClientError::InvalidResponse("the answer has no message".into()))
    }

    /// `POST /api/v1/chat/completions` with `"stream": true`: calls `on_text` with each piece of
    /// the answer as it arrives. Ends at `data: [DONE]`; an error object in the middle of the
    /// stream, or a stream cut short, is an error (the pieces already given stay given). Dropping
    /// the future stops the request.
    pub async fn chat_stream(
        &self,
        key: &ApiKey,
        request: &ChatRequest,
        mut on_text: impl FnMut(&str),
    ) -> Result<(), ClientError> {
        let url = self.base.join("/api/v1/chat/completions");
        let http = self.request(&url, Some(request.body(true)), Some(key));
        let mut parser = super::SseParser::new();
        let mut outcome: Option<Result<(), ClientError>> = None;
        let refused = {
            let mut on_chunk = |bytes: &[u8]| {
                for event in parser.feed(bytes) {
                    match event {
                        super::SseEvent::Data(json) => {
                            match serde_json::from_str::<StreamEvent>(&json) {
                                Ok(StreamEvent {
                                    error: Some(error), ..
                                }) => {
                                    let status = error
                                        .code
                                        .and_then(|c| c.as_u64())
                                        .and_then(|c| u16::try_from(c).ok());
                                    outcome = Some(Err(ClientError::Api {
                                        status: status.unwrap_or(500),
                                        message: tidy_message(&error.message),
                                    }));
                                    return false;
                                }
                                Ok(event) => {
                                    let text = event
                                        .choices
                                        .into_iter()
                                        .filter_map(|c| c.delta.and_then(|d| d.content));
                                    text.for_each(|piece| on_text(&piece));
                                }
                                Err(e) => {
                                    outcome = Some(Err(ClientError::InvalidResponse(format!(
                                        "an event of the stream is not the expected JSON ({e})"
                                    ))));
                                    return false;
                                }
                            }
                        }
                        super::SseEvent::Done => {
                            outcome = Some(Ok(()));
                            return false;
                        }
                        super::SseEvent::Comment(_) => {}
                        super::SseEvent::Overlong => {
                            outcome = Some(Err(ClientError::TooLarge {
                                limit: super::MAX_SSE_LINE,
                            }));
                            return false;
                        }
                    }
                }
                true
            };
            self.transport.stream(http, &mut on_chunk).await?
        };
        if let Some(response) = refused {
            return interpret::<serde_json::Value>(response).map(drop);
        }
        outcome.unwrap_or_else(|| {
            Err(ClientError::Network {
                url,
                reason: "the stream ended before OpenRouter said it was done".into(),
            })
        })
    }

    fn request<'a>(
        &self,
        url: &str,
        post_json: Option<String>,
        bearer: Option<&'a ApiKey>,
    ) -> HttpRequest<'a> {
        HttpRequest {
            post_json,
            url: url.to_owned(),
            bearer: bearer.map(ApiKey::expose_secret),
            headers: self.attribution.clone(),
            timeout: self.timeout,
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        post_json: Option<String>,
        bearer: Option<&ApiKey>,
    ) -> Result<T, ClientError> {
        let request = self.request(&self.base.join(path), post_json, bearer);
        let response = self.transport.send(request).await?;
        interpret(response)
    }
}

/// Turns a status and body into the documented value or a typed error.
fn interpret<T: serde::de::DeserializeOwned>(response: HttpResponse) -> Result<T, ClientError> {
    let HttpResponse {
        status,
        body,
        retry_after,
    } = response;
    match status {
        200..=299 => serde_json::from_slice(&body).map_err(|e| {
            ClientError::InvalidResponse(format!(
                "HTTP {status} with a body that is not the expected JSON ({e})"
            ))
        }),
        300..=399 => Err(ClientError::Redirect { status }),
        429 => Err(ClientError::RateLimited {
            retry_after: retry_after
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            message: serde_json::from_slice::<ErrorEnvelope>(&body)
                .map(|e| tidy_message(&e.error.message))
                .unwrap_or_default(),
        }),
        _ => match serde_json::from_slice::<ErrorEnvelope>(&body) {
            Ok(envelope) => Err(ClientError::Api {
                status,
                message: tidy_message(&envelope.error.message),
            }),
            Err(_) => Err(ClientError::Status { status }),
        },
    }
}

/// OpenRouter's message as one short line: it ends up in the UI.
fn tidy_message(message: &str) -> String {
    let flat: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut short: String = flat.trim().chars().take(300).collect();
    if flat.trim().chars().count() > 300 {
        short.push('…');
    }
    short
}
