//! The signed-in user in the app's own server code: [`OpenRouterSession`], an axum extractor
//! that a handler (or a Dioxus server function, as an extra argument) states in its signature,
//! and the hooks an app may run after each sign-in and sign-out.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::request::{session_from, NoSession};
use super::SignInServer;
use crate::openrouter::{
    ApiKey, ChatRequest, ChatStreamed, ClientError, Generation, KeyInfo, Model, OpenRouterClient,
};

/// The signed-in user of a request: the key in the sealed cookie, opened on the server.
///
/// Take it as a handler's argument (`async fn summary(session: OpenRouterSession)`) or as a
/// Dioxus server function's extra argument (`#[post("/api/summary", session:
/// OpenRouterSession)]`); `Option<OpenRouterSession>` for code that serves both the signed-in
/// and the signed-out. Without a session (no cookie, an expired or altered one) the request is
/// refused with `401` and `{"error":{"code":401,"message":"not signed in…"},"code":401,"message":"not signed in…"}`
/// (a Dioxus server function's caller gets `ServerFnError::ServerError { code: 401, .. }`). It needs the
/// routes mounted with [`SignInServer::mount`] (which makes the server known to every request).
///
/// The key never leaves the server through it: it is not `Serialize`, its `Debug` shows no
/// key, and it gives the key only to [`OpenRouterSession::client`], which sends it to
/// OpenRouter and nowhere else.
pub struct OpenRouterSession {
    key: ApiKey,
    user_id: Option<String>,
    expires_at: u64,
    client: Arc<OpenRouterClient>,
}

impl std::fmt::Debug for OpenRouterSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRouterSession")
            .field("key", &self.key.masked())
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl OpenRouterSession {
    /// OpenRouter as this user, with the app's attribution: `session.client().chat(&request)`.
    pub fn client(&self) -> SessionClient<'_> {
        SessionClient {
            client: &self.client,
            key: &self.key,
        }
    }

    /// OpenRouter's id of the user, when it sent one at sign-in (sign-ins before this was kept
    /// have none).
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The key's first characters and an ellipsis, for display.
    pub fn masked_key(&self) -> String {
        self.key.masked()
    }

    /// When the sign-in ends (the cookie's expiry, sealed inside it).
    pub fn expires_at(&self) -> std::time::SystemTime {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.expires_at)
    }

    /// The key's page on OpenRouter, where its owner revokes it.
    pub fn manage_url(&self) -> String {
        self.key.manage_url(self.client.base_url())
    }
}

/// OpenRouter as one signed-in user: [`OpenRouterClient`]'s calls with the session's key.
pub struct SessionClient<'a> {
    client: &'a OpenRouterClient,
    key: &'a ApiKey,
}

impl std::fmt::Debug for SessionClient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionClient").finish_non_exhaustive()
    }
}

impl SessionClient<'_> {
    /// A whole chat answer ([`OpenRouterClient::chat`]).
    pub async fn chat(&self, request: &ChatRequest) -> Result<String, ClientError> {
        self.client.chat(self.key, request).await
    }

    /// A chat answer piece by piece ([`OpenRouterClient::chat_stream`]).
    pub async fn chat_stream(
        &self,
        request: &ChatRequest,
        on_text: impl FnMut(&str),
    ) -> Result<ChatStreamed, ClientError> {
        self.client.chat_stream(self.key, request, on_text).await
    }

    /// The key's status ([`OpenRouterClient::key_info`]).
    pub async fn key_info(&self) -> Result<KeyInfo, ClientError> {
        self.client.key_info(self.key).await
    }

    /// The models this user's key may use ([`OpenRouterClient::user_models`]).
    pub async fn models(&self) -> Result<Vec<Model>, ClientError> {
        self.client.user_models(self.key).await
    }

    /// What one answer cost ([`OpenRouterClient::generation`]).
    pub async fn generation(&self, id: &str) -> Result<Generation, ClientError> {
        self.client.generation(self.key, id).await
    }
}

/// Why a request has no [`OpenRouterSession`]: answered with `401` and a short JSON reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No sign-in cookie.
    #[error("not signed in")]
    NotSignedIn,
    /// The sign-in has ended (its sealed expiry has passed).
    #[error("not signed in: the sign-in has expired")]
    Expired,
    /// A cookie this server did not seal, or one that was altered.
    #[error("not signed in: the sign-in cookie was refused")]
    Refused,
    /// The server's sign-in is not mounted on this router ([`SignInServer::mount`]).
    #[error("the sign-in is not set up on this server")]
    NotMounted,
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        let status = match self {
            SessionRejection::NotMounted => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        };
        // OpenRouter's shape (`error`), and beside it the `message` and `code` that Dioxus's
        // server-function client reads into `ServerFnError::ServerError`, so that the page
        // gets "not signed in" and 401 rather than the raw body.
        let code = status.as_u16();
        let mut message = String::new();
        crate::openrouter::json::write_string(&mut message, &self.to_string());
        let body = format!(
            r#"{{"error":{{"code":{code},"message":{message}}},"code":{code},"message":{message}}}"#
        );
        (
            status,
            [
                (axum::http::header::CONTENT_TYPE, "application/json"),
                (axum::http::header::CACHE_CONTROL, "no-store"),
                (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body,
        )
            .into_response()
    }
}

fn session_of(parts: &Parts) -> Result<OpenRouterSession, SessionRejection> {
    let server = parts
        .extensions
        .get::<SignInServer>()
        .ok_or(SessionRejection::NotMounted)?;
    let sealed = session_from(server, &parts.headers).map_err(|why| match why {
        NoSession::Absent => SessionRejection::NotSignedIn,
        NoSession::Expired => SessionRejection::Expired,
        NoSession::Refused => SessionRejection::Refused,
    })?;
    Ok(OpenRouterSession {
        key: sealed.key,
        user_id: sealed.user_id,
        expires_at: sealed.expires_at,
        client: server.inner.client.clone(),
    })
}

impl<S: Send + Sync> FromRequestParts<S> for OpenRouterSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        session_of(parts)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for OpenRouterSession {
    type Rejection = SessionRejection;

    /// `None` when signed out (or the cookie expired or was refused); an error only when the
    /// sign-in is not mounted, which is the app's mistake, not the visitor's.
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match session_of(parts) {
            Ok(session) => Ok(Some(session)),
            Err(SessionRejection::NotMounted) => Err(SessionRejection::NotMounted),
            Err(_) => Ok(None),
        }
    }
}

/// What a hook is told of a sign-in or sign-out: never the key.
#[derive(Debug)]
#[non_exhaustive]
pub struct SessionEvent<'a> {
    /// OpenRouter's id of the user, when known.
    pub user_id: Option<&'a str>,
    /// The key's first characters and an ellipsis.
    pub masked_key: String,
    /// The request's headers (for an audit log: the user agent, the forwarded address, ...).
    pub headers: &'a HeaderMap,
}

impl<'a> SessionEvent<'a> {
    pub(super) fn new(user_id: Option<&'a str>, key: &ApiKey, headers: &'a HeaderMap) -> Self {
        SessionEvent {
            user_id,
            masked_key: key.masked(),
            headers,
        }
    }
}

/// A hook the app runs after a sign-in or a sign-out.
pub(super) type Hook = Arc<dyn Fn(&SessionEvent<'_>) + Send + Sync>;

/// The app's hooks.
#[derive(Clone, Default)]
pub(super) struct Hooks {
    pub on_sign_in: Option<Hook>,
    pub on_sign_out: Option<Hook>,
}
