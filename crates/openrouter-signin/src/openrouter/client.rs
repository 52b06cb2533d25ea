use std::time::Duration;

use super::http::{HttpRequest, HttpResponse, MAX_RESPONSE_BYTES};
use super::json::{write_string, Json};
use super::models::{Generation, Model, MAX_MODEL_LIST_BYTES};
use super::{ApiKey, BaseUrl, ClientError};
use crate::secret::{AuthCode, Verifier};

#[cfg(not(target_arch = "wasm32"))]
use super::native::Transport;
#[cfg(target_arch = "wasm32")]
use super::web::Transport;

/// How long a request may take, answer included, unless [`OpenRouterClient::with_timeout`] says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How often [`OpenRouterClient::generation`] asks while OpenRouter does not know the answer
/// yet (it answers 404 for a moment after an answer ends), and how long it waits in between.
pub const GENERATION_TRIES: u32 = 6;
const GENERATION_RETRY_MS: u32 = 500;
/// The OpenRouter HTTP client: the PKCE code exchange, the key description, and chat.
pub struct OpenRouterClient {
    base: BaseUrl,
    timeout: Duration,
    attribution: Vec<(&'static str, String)>,
    transport: Transport,
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChatMessage {
    /// `user`, `assistant` or `system`.
    pub role: String,
    /// The text.
    pub content: String,
}

impl ChatMessage {
    /// A message from the user.
    pub fn user(content: impl Into<String>) -> Self {
        Self::with_role("user", content)
    }

    /// An instruction to the model, before the conversation.
    pub fn system(content: impl Into<String>) -> Self {
        Self::with_role("system", content)
    }

    /// An earlier answer of the model, for a conversation of more than one turn.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::with_role("assistant", content)
    }

    fn with_role(role: &str, content: impl Into<String>) -> Self {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// A chat completion request: which model, the conversation so far, and the common options
/// (left to the model's defaults when `None`). Made with [`ChatRequest::new`] and the option
/// methods, so that options can be added without breaking the apps that make requests:
///
/// ```
/// use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
/// let request = ChatRequest::new("openai/gpt-4o-mini", vec![ChatMessage::user("Hello!")])
///     .temperature(0.7)
///     .max_tokens(200);
/// assert_eq!(request.max_tokens, Some(200));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatRequest {
    /// An OpenRouter model id, e.g. `openai/gpt-4o-mini`.
    pub model: String,
    /// The conversation, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Sampling temperature, 0 to 2 (sent with two decimals).
    pub temperature: Option<f32>,
    /// The most tokens the answer may have.
    pub max_tokens: Option<u32>,
    /// Nucleus sampling, 0 to 1 (sent with two decimals).
    pub top_p: Option<f32>,
}

/// What a streamed chat left besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChatStreamed {
    /// The answer's generation id (`gen-…`), for [`OpenRouterClient::generation`]: what it
    /// cost and used. `None` when OpenRouter's events carried none.
    pub generation_id: Option<String>,
}

impl ChatRequest {
    /// A request to `model` with `messages` and no options.
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        ChatRequest {
            model: model.into(),
            messages,
            temperature: None,
            max_tokens: None,
            top_p: None,
        }
    }

    /// Sets the sampling temperature (0 to 2).
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the most tokens the answer may have.
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// Sets nucleus sampling (0 to 1).
    pub fn top_p(mut self, top_p: f32) -> Self {
        self.top_p = Some(top_p);
        self
    }

    /// `{"model":…,"messages":[{"role":…,"content":…},…],"stream":…}`, with the options set.
    fn body(&self, stream: bool) -> String {
        let mut body = String::from(r#"{"model":"#);
        write_string(&mut body, &self.model);
        body.push_str(r#","messages":["#);
        for (index, message) in self.messages.iter().enumerate() {
            if index > 0 {
                body.push(',');
            }
            body.push_str(r#"{"role":"#);
            write_string(&mut body, &message.role);
            body.push_str(r#","content":"#);
            write_string(&mut body, &message.content);
            body.push('}');
        }
        body.push(']');
        // Written through whole hundredths: formatting floats would add kilobytes to a page.
        let hundredths = |value: f32| {
            let n = (value.max(0.0) * 100.0).round() as u32;
            format!("{}.{:02}", n / 100, n % 100)
        };
        if let Some(temperature) = self.temperature {
            body.push_str(&format!(r#","temperature":{}"#, hundredths(temperature)));
        }
        if let Some(top_p) = self.top_p {
            body.push_str(&format!(r#","top_p":{}"#, hundredths(top_p)));
        }
        if let Some(max_tokens) = self.max_tokens {
            body.push_str(&format!(r#","max_tokens":{max_tokens}"#));
        }
        body.push_str(if stream {
            r#","stream":true}"#
        } else {
            r#","stream":false}"#
        });
        body
    }
}

impl std::fmt::Debug for OpenRouterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRouterClient")
            .field("base", &self.base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What `GET /api/v1/key` says about a key. Amounts are in US dollars of credit.
///
/// Every field may be absent or null in an answer: the first five then take their defaults, the
/// others are `None` (OpenRouter added them over time, and may add more: hence
/// `#[non_exhaustive]`; start from [`KeyInfo::default`] to make one).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct KeyInfo {
    /// The key's label (for keys made by sign-in, usually a masked form of the key).
    pub label: String,
    /// Credits used so far.
    pub usage: f64,
    /// The credit limit, if the user set one.
    pub limit: Option<f64>,
    /// What remains of the limit, if there is one.
    pub limit_remaining: Option<f64>,
    /// Whether the account has never bought credits.
    pub is_free_tier: bool,
    /// When the key stops working, as OpenRouter wrote it (an ISO 8601 UTC timestamp such as
    /// `2027-12-31T23:59:59Z`); `None` when it never expires.
    pub expires_at: Option<String>,
    /// How often the limit starts over (`daily`, `weekly` or `monthly`); `None` when it never does.
    pub limit_reset: Option<String>,
    /// Credits used in the current UTC day.
    pub usage_daily: Option<f64>,
    /// Credits used in the current UTC week (Monday to Sunday).
    pub usage_weekly: Option<f64>,
    /// Credits used in the current UTC month.
    pub usage_monthly: Option<f64>,
    /// Whether this is a management key (one that manages other keys and cannot chat).
    pub is_management_key: Option<bool>,
    /// Whether usage through the user's own provider keys (BYOK) counts against the limit.
    pub include_byok_in_limit: Option<bool>,
    /// Usage through the user's own provider keys (BYOK), all time.
    pub byok_usage: Option<f64>,
    /// BYOK usage in the current UTC day.
    pub byok_usage_daily: Option<f64>,
    /// BYOK usage in the current UTC week.
    pub byok_usage_weekly: Option<f64>,
    /// BYOK usage in the current UTC month.
    pub byok_usage_monthly: Option<f64>,
}

impl KeyInfo {
    /// Reads `{"data":{…}}`. Absent or null fields take their defaults; a field of the wrong
    /// type is an error that names it.
    fn from_json(answer: &Json) -> Result<KeyInfo, ClientError> {
        let data = match answer.get("data") {
            Some(data @ Json::Object(_)) => data,
            _ => return Err(not_expected("the answer has no `data` object")),
        };
        let field = |name: &'static str| match data.get(name) {
            None | Some(Json::Null) => None,
            Some(value) => Some(value),
        };
        let wrong = |name: &str, kind: &str| not_expected(&format!("`{name}` is not {kind}"));
        let number = |name: &'static str| -> Result<Option<f64>, ClientError> {
            field(name)
                .map(|v| v.as_f64().ok_or_else(|| wrong(name, "a number")))
                .transpose()
        };
        let text = |name: &'static str| -> Result<Option<String>, ClientError> {
            field(name)
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| wrong(name, "text"))
                })
                .transpose()
        };
        let flag = |name: &'static str| -> Result<Option<bool>, ClientError> {
            field(name)
                .map(|v| v.as_bool().ok_or_else(|| wrong(name, "true or false")))
                .transpose()
        };
        Ok(KeyInfo {
            label: text("label")?.unwrap_or_default(),
            usage: number("usage")?.unwrap_or_default(),
            limit: number("limit")?,
            limit_remaining: number("limit_remaining")?,
            is_free_tier: flag("is_free_tier")?.unwrap_or_default(),
            expires_at: text("expires_at")?,
            limit_reset: text("limit_reset")?,
            usage_daily: number("usage_daily")?,
            usage_weekly: number("usage_weekly")?,
            usage_monthly: number("usage_monthly")?,
            is_management_key: flag("is_management_key")?,
            include_byok_in_limit: flag("include_byok_in_limit")?,
            byok_usage: number("byok_usage")?,
            byok_usage_daily: number("byok_usage_daily")?,
            byok_usage_weekly: number("byok_usage_weekly")?,
            byok_usage_monthly: number("byok_usage_monthly")?,
        })
    }
}

/// What the code exchange hands back: the new key, and the OpenRouter user it belongs to.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExchangedKey {
    /// The user's new API key.
    pub key: ApiKey,
    /// OpenRouter's id of the user who approved, when it sent one (it may send null).
    pub user_id: Option<String>,
}

/// Whether a refused exchange is OpenRouter's `403 Authorization code expired`.
fn is_code_expired(error: &ClientError) -> bool {
    matches!(error, ClientError::Api { status: 403, message }
        if message.to_ascii_lowercase().contains("authorization code expired"))
}

/// A 2xx answer that is JSON but not the JSON expected.
fn not_expected(what: &str) -> ClientError {
    ClientError::InvalidResponse(what.to_owned())
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

    /// The same client, telling OpenRouter which app sends its requests (OpenRouter's app
    /// attribution): `referer` as `HTTP-Referer`, `title` as `X-OpenRouter-Title` and, for
    /// deployments that only know the older name, as `X-Title` too.
    pub fn with_attribution(
        mut self,
        referer: impl Into<String>,
        title: impl Into<String>,
    ) -> Self {
        let title = title.into();
        self.attribution = vec![
            ("http-referer", referer.into()),
            ("x-openrouter-title", title.clone()),
            ("x-title", title),
        ];
        self
    }

    /// A client for the fullstack server's API at `base` (`{page origin}/api/openrouter-signin`),
    /// which answers like OpenRouter but holds the key itself: no `Authorization` is sent, and
    /// every request carries the header that marks the page's own calls.
    #[cfg_attr(
        not(all(target_arch = "wasm32", feature = "fullstack")),
        allow(dead_code)
    )]
    pub(crate) fn for_server_session(base: BaseUrl) -> Result<Self, ClientError> {
        let mut client = Self::new(base)?;
        client
            .attribution
            .push((crate::fullstack::REQUEST_HEADER, "1".to_owned()));
        Ok(client)
    }

    /// Where this client sends its requests.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// `POST /api/v1/auth/keys`: trades the callback's code and this sign-in's verifier for a key
    /// (and the user's id, when OpenRouter sends one). A 200 without a plausible `sk-or-` key is
    /// an error; a code older than OpenRouter's 10 minutes is [`ClientError::CodeExpired`].
    pub async fn exchange_code(
        &self,
        code: &AuthCode,
        verifier: &Verifier,
    ) -> Result<ExchangedKey, ClientError> {
        let mut body = String::from(r#"{"code":"#);
        write_string(&mut body, code.expose_secret());
        body.push_str(r#","code_verifier":"#);
        write_string(&mut body, verifier.expose_secret());
        body.push_str(r#","code_challenge_method":"S256"}"#);
        let answer = match self.call("/api/v1/auth/keys", Some(body), None).await {
            Err(error) if is_code_expired(&error) => return Err(ClientError::CodeExpired),
            other => other?,
        };
        let key = answer
            .get("key")
            .and_then(Json::as_str)
            .ok_or_else(|| ClientError::InvalidResponse("the answer has no `key`".into()))?;
        let key = ApiKey::parse(key.to_owned())
            .map_err(|e| ClientError::InvalidResponse(format!("the `key` in the answer is {e}")))?;
        // Read leniently: the key is already issued and the code spent, so an odd `user_id`
        // must not cost the user their sign-in.
        let user_id = answer
            .get("user_id")
            .and_then(Json::as_str)
            .map(str::to_owned);
        Ok(ExchangedKey { key, user_id })
    }

    /// `GET /api/v1/key`: describes `key` (label, usage, limit). A revoked key answers 401.
    pub async fn key_info(&self, key: &ApiKey) -> Result<KeyInfo, ClientError> {
        self.key_info_as(Some(key)).await
    }

    /// [`Self::key_info`] with the key given, or (`None`) held by the fullstack server.
    pub(crate) async fn key_info_as(&self, key: Option<&ApiKey>) -> Result<KeyInfo, ClientError> {
        let answer = self.call("/api/v1/key", None, key).await?;
        KeyInfo::from_json(&answer)
    }

    /// `POST /api/v1/chat/completions` without streaming: the whole answer's text.
    pub async fn chat(&self, key: &ApiKey, request: &ChatRequest) -> Result<String, ClientError> {
        let answer = self
            .call(
                "/api/v1/chat/completions",
                Some(request.body(false)),
                Some(key),
            )
            .await?;
        let choices = answer.get("choices").map(Json::items).unwrap_or_default();
        choices
            .iter()
            .find_map(|choice| choice.get("message")?.get("content")?.as_str())
            .map(str::to_owned)
            .ok_or_else(|| ClientError::InvalidResponse("the answer has no message".into()))
    }

    /// `GET /api/v1/models/user`: the models `key` may use, after the user's provider
    /// preferences, privacy settings and guardrails (often far fewer than the public list). Use
    /// this to offer a choice of model.
    pub async fn user_models(&self, key: &ApiKey) -> Result<Vec<Model>, ClientError> {
        self.user_models_as(Some(key)).await
    }

    /// [`Self::user_models`] with the key given, or (`None`) held by the fullstack server.
    pub(crate) async fn user_models_as(
        &self,
        key: Option<&ApiKey>,
    ) -> Result<Vec<Model>, ClientError> {
        let answer = self
            .get_limited("/api/v1/models/user", key, MAX_MODEL_LIST_BYTES)
            .await?;
        Model::list_from_json(&answer)
    }

    /// `GET /api/v1/models`: OpenRouter's public list of every model (no key needed; a user's
    /// key may be allowed only some of them: see [`Self::user_models`]).
    pub async fn models(&self) -> Result<Vec<Model>, ClientError> {
        let answer = self
            .get_limited("/api/v1/models", None, MAX_MODEL_LIST_BYTES)
            .await?;
        Model::list_from_json(&answer)
    }

    /// `GET /api/v1/generation?id=…`: what the answer with this id (a chat's `gen-…` id) cost
    /// and used. OpenRouter answers 404 for a moment after an answer ends, so a 404 is asked
    /// again, [`GENERATION_TRIES`] times in all, half a second apart, before it is returned.
    pub async fn generation(&self, key: &ApiKey, id: &str) -> Result<Generation, ClientError> {
        self.generation_as(Some(key), id).await
    }

    /// [`Self::generation`] with the key given, or (`None`) held by the fullstack server.
    pub(crate) async fn generation_as(
        &self,
        key: Option<&ApiKey>,
        id: &str,
    ) -> Result<Generation, ClientError> {
        let path = format!("/api/v1/generation?id={}", super::models::encode(id));
        let mut tries = 0;
        loop {
            tries += 1;
            match self.get_limited(&path, key, MAX_RESPONSE_BYTES).await {
                Ok(answer) => return Generation::from_json(&answer),
                Err(error) if error.status() == Some(404) && tries < GENERATION_TRIES => {
                    crate::platform::sleep_ms(GENERATION_RETRY_MS).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// `POST /api/v1/chat/completions` with `"stream": true`: calls `on_text` with each piece of
    /// the answer as it arrives. Ends at `data: [DONE]`; an error object in the middle of the
    /// stream, or a stream cut short, is an error (the pieces already given stay given). Dropping
    /// the future stops the request.
    pub async fn chat_stream(
        &self,
        key: &ApiKey,
        request: &ChatRequest,
        on_text: impl FnMut(&str),
    ) -> Result<ChatStreamed, ClientError> {
        self.chat_stream_as(Some(key), request, on_text).await
    }

    /// [`Self::chat_stream`] with the key given, or (`None`) held by the fullstack server.
    pub(crate) async fn chat_stream_as(
        &self,
        key: Option<&ApiKey>,
        request: &ChatRequest,
        mut on_text: impl FnMut(&str),
    ) -> Result<ChatStreamed, ClientError> {
        let url = self.base.join("/api/v1/chat/completions");
        let http = self.request(&url, Some(request.body(true)), key);
        let mut parser = super::SseParser::new();
        let mut outcome: Option<Result<(), ClientError>> = None;
        let mut generation_id: Option<String> = None;
        let refused = {
            let mut on_chunk = |bytes: &[u8]| {
                for event in parser.feed(bytes) {
                    match event {
                        super::SseEvent::Data(json) => match Json::parse(json.as_bytes()) {
                            Ok(event) => {
                                if let Some(error) = event.get("error") {
                                    let status = error
                                        .get("code")
                                        .and_then(Json::as_f64)
                                        .filter(|c| (100.0..600.0).contains(c))
                                        .map(|c| c as u16);
                                    let message =
                                        error.get("message").and_then(Json::as_str).unwrap_or("");
                                    outcome = Some(Err(ClientError::Api {
                                        status: status.unwrap_or(500),
                                        message: tidy_message(message),
                                    }));
                                    return false;
                                }
                                if generation_id.is_none() {
                                    generation_id = event
                                        .get("id")
                                        .and_then(Json::as_str)
                                        .filter(|id| !id.is_empty() && id.len() <= 256)
                                        .map(str::to_owned);
                                }
                                let choices = event.get("choices").map(Json::items);
                                for choice in choices.unwrap_or_default() {
                                    let piece = choice.get("delta").and_then(|d| d.get("content"));
                                    if let Some(text) = piece.and_then(Json::as_str) {
                                        on_text(text);
                                    }
                                }
                            }
                            Err(e) => {
                                outcome = Some(Err(ClientError::InvalidResponse(format!(
                                    "an event of the stream is not JSON ({e})"
                                ))));
                                return false;
                            }
                        },
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
            return interpret(response).map(|_| ChatStreamed::default());
        }
        outcome
            .unwrap_or_else(|| {
                Err(ClientError::Network {
                    url,
                    reason: "the stream ended before OpenRouter said it was done".into(),
                })
            })
            .map(|()| ChatStreamed { generation_id })
    }

    fn request<'a>(
        &self,
        url: &str,
        post_json: Option<String>,
        bearer: Option<&'a ApiKey>,
    ) -> HttpRequest<'a> {
        HttpRequest {
            post_json: post_json.map(zeroize::Zeroizing::new),
            url: url.to_owned(),
            bearer: bearer.map(ApiKey::expose_secret),
            headers: self.attribution.clone(),
            timeout: self.timeout,
            max_bytes: MAX_RESPONSE_BYTES,
        }
    }

    async fn call(
        &self,
        path: &str,
        post_json: Option<String>,
        bearer: Option<&ApiKey>,
    ) -> Result<Json, ClientError> {
        let request = self.request(&self.base.join(path), post_json, bearer);
        let response = self.transport.send(request).await?;
        interpret(response)
    }

    /// A GET whose answer may be up to `max_bytes` long.
    async fn get_limited(
        &self,
        path: &str,
        bearer: Option<&ApiKey>,
        max_bytes: usize,
    ) -> Result<Json, ClientError> {
        let mut request = self.request(&self.base.join(path), None, bearer);
        request.max_bytes = max_bytes;
        let response = self.transport.send(request).await?;
        interpret(response)
    }
}

/// Turns a status and body into the answer's JSON or a typed error.
fn interpret(response: HttpResponse) -> Result<Json, ClientError> {
    let HttpResponse {
        status,
        body,
        retry_after,
    } = response;
    // OpenRouter's error shape: {"error":{"message":"…","code":…}}.
    let message = || {
        let answer = Json::parse(&body).ok()?;
        let message = answer.get("error")?.get("message")?.as_str()?;
        Some(tidy_message(message))
    };
    match status {
        200..=299 => Json::parse(&body).map_err(|e| {
            ClientError::InvalidResponse(format!(
                "HTTP {status} with a body that is not JSON ({e})"
            ))
        }),
        300..=399 => Err(ClientError::Redirect { status }),
        429 => Err(ClientError::RateLimited {
            retry_after: retry_after
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            message: message().unwrap_or_default(),
        }),
        _ => match message() {
            Some(message) => Err(ClientError::Api { status, message }),
            None => Err(ClientError::Status { status }),
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
