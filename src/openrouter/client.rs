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
    pub timeout: Duration,
}

/// An answer as the transports return it: the status and at most [`MAX_RESPONSE_BYTES`] of body.
pub(super) struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The OpenRouter HTTP client: the PKCE code exchange and the key description.
pub struct OpenRouterClient {
    base: BaseUrl,
    timeout: Duration,
    transport: Transport,
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
            transport: Transport::new()?,
        })
    }

    /// The same client with another per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        post_json: Option<String>,
        bearer: Option<&ApiKey>,
    ) -> Result<T, ClientError> {
        let request = HttpRequest {
            post_json,
            url: self.base.join(path),
            bearer: bearer.map(ApiKey::expose_secret),
            timeout: self.timeout,
        };
        let response = self.transport.send(request).await?;
        interpret(response)
    }
}

/// Turns a status and body into the documented value or a typed error.
fn interpret<T: serde::de::DeserializeOwned>(response: HttpResponse) -> Result<T, ClientError> {
    let HttpResponse { status, body } = response;
    match status {
        200..=299 => serde_json::from_slice(&body).map_err(|e| {
            ClientError::InvalidResponse(format!(
                "HTTP {status} with a body that is not the expected JSON ({e})"
            ))
        }),
        300..=399 => Err(ClientError::Redirect { status }),
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
