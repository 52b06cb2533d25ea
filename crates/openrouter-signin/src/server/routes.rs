//! `/auth/start` and `/auth/callback`: the sign-in, run by the server. The safety rules are
//! the library's own (`auth::flow`): the pending record lives in a sealed cookie instead of
//! the page's storage, and is handed to `finish_sign_in` in a store that lasts one request.

use std::sync::Mutex;

use zeroize::Zeroizing;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::cookie::{append, cookie_values, CALLBACK_PATH, COOKIE_PATH};
use super::request::{encode_session, plain, query_value};
use super::seal::{open, seal, Unsealed};
use super::session::SessionEvent;
use super::SignInServer;
use crate::auth::storage::{AuthStore, PendingSignIn, StorageError};
use crate::auth::{
    begin_sign_in, finish_sign_in, FlowError, Return, State as OAuthState, Verifier,
};
use crate::fullstack::{
    is_local_return, SignInFailure, API_PREFIX, FAILURE_PARAM, RETURN_TO_PARAM, SIGNED_IN_PARAM,
    START_PATH,
};
use crate::openrouter::{ApiKey, ClientError};

/// How long the pending cookie lives: as long as OpenRouter's codes.
const PENDING_LIFETIME_SECS: u64 = crate::auth::PENDING_MAX_AGE_MS / 1000;

pub(super) fn router<S: Clone + Send + Sync + 'static>(server: SignInServer) -> Router<S> {
    let api = Router::new()
        .route("/session", get(super::api::session))
        .route("/sign-out", post(super::api::sign_out))
        // OpenRouter's own paths, so that the page's OpenRouter client talks to the server.
        .route("/api/v1/key", get(super::api::key_info))
        .route("/api/v1/models/user", get(super::api::user_models))
        .route("/api/v1/generation", get(super::api::generation))
        .route("/api/v1/chat/completions", post(super::api::chat))
        .layer(axum::middleware::from_fn_with_state(
            server.clone(),
            super::guard::refuse_cross_origin,
        ));
    Router::new()
        .route(START_PATH, get(start))
        .route(CALLBACK_PATH, get(callback))
        .nest(API_PREFIX, api)
        .with_state(server)
}

/// A store that lives for one request and may be held across an await by a `Send` future.
#[derive(Default)]
struct RequestStore {
    key: Mutex<Option<ApiKey>>,
    pending: Mutex<Option<PendingSignIn>>,
}

impl AuthStore for RequestStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        Ok(lock(&self.key).clone())
    }
    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        *lock(&self.key) = Some(key.clone());
        Ok(())
    }
    fn remove_key(&self) -> Result<(), StorageError> {
        *lock(&self.key) = None;
        Ok(())
    }
    fn has_pending(&self) -> Result<bool, StorageError> {
        Ok(lock(&self.pending).is_some())
    }
    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        let copy = PendingSignIn {
            verifier: Verifier::from_stored(pending.verifier.expose_secret().to_owned()).ok_or(
                StorageError::Corrupt {
                    what: "the pending sign-in".into(),
                    expected: "PKCE verifier",
                },
            )?,
            state: pending.state.clone(),
            started_at_ms: pending.started_at_ms,
        };
        *lock(&self.pending) = Some(copy);
        Ok(())
    }
    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        Ok(lock(&self.pending).take())
    }
    fn describe_location(&self) -> String {
        "a sealed HttpOnly cookie".into()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the pending cookie holds.
struct Pending {
    record: PendingSignIn,
    return_to: String,
}

impl Pending {
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(
            format!(
                "{}\n{}\n{}\n{}",
                self.record.verifier.expose_secret(),
                self.record.state.expose_secret(),
                self.record.started_at_ms,
                self.return_to
            )
            .into_bytes(),
        )
    }

    fn decode(bytes: &[u8]) -> Option<Pending> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(4, '\n');
        let verifier = Verifier::from_stored(parts.next()?.to_owned())?;
        let state = OAuthState::from_stored(parts.next()?.to_owned())?;
        let started_at_ms = parts.next()?.parse().ok()?;
        let return_to = parts.next()?.to_owned();
        is_local_return(&return_to).then_some(Pending {
            record: PendingSignIn {
                verifier,
                state,
                started_at_ms,
            },
            return_to,
        })
    }
}

/// `GET /auth/start?return_to=/path`
async fn start(State(server): State<SignInServer>, headers: HeaderMap, uri: Uri) -> Response {
    let return_to = match query_value(uri.query().unwrap_or(""), RETURN_TO_PARAM) {
        Ok(Some(path)) if is_local_return(&path) => path,
        Ok(None) => "/".to_owned(),
        // Not echoed back: the message names the rule, not the input.
        _ => {
            return plain(
                StatusCode::BAD_REQUEST,
                "return_to must be one path on this site, such as /settings?tab=keys, and at most 2048 characters.",
            )
        }
    };
    let origin = match server.origin_for(&headers) {
        Ok(origin) => origin,
        Err(failure) => return back(&return_to, Some(failure), HeaderMap::new()),
    };
    let store = RequestStore::default();
    let callback = format!("{origin}{CALLBACK_PATH}");
    let now = server.now_ms();
    let inner = &server.inner;
    let url = match begin_sign_in(
        &store,
        inner.client.base_url(),
        &callback,
        inner.key_label.as_deref(),
        now,
    )
    .await
    {
        Ok(url) => crate::auth::with_credit_limit(url, inner.credit_limit),
        Err(_) => return back(&return_to, Some(SignInFailure::Config), HeaderMap::new()),
    };
    let Ok(Some(record)) = store.take_pending() else {
        return back(&return_to, Some(SignInFailure::Config), HeaderMap::new());
    };
    let pending = Pending { record, return_to };
    let cookies = server.cookies();
    let sealed = seal(
        &inner.secret,
        cookies.pending_name(),
        now / 1000 + PENDING_LIFETIME_SECS,
        &pending.encode(),
    );
    let mut out = HeaderMap::new();
    append(
        &mut out,
        cookies.set(
            cookies.pending_name(),
            &sealed,
            COOKIE_PATH,
            PENDING_LIFETIME_SECS,
        ),
    );
    redirect(&url, out)
}

/// `GET /auth/callback?code=…&state=…` (or `?error=…`)
///
/// Only a return that carries the pending sign-in's `state` ends it (clears its cookie): anyone
/// can send a browser to this route (a cross-site link to `?error=access_denied`, say), and
/// such a visit must not cancel the sign-in the user is in the middle of. A real denial carries
/// no `state` either (OpenRouter sends none), so it is explained and the pending cookie simply
/// expires or is replaced by the next start.
async fn callback(State(server): State<SignInServer>, headers: HeaderMap, uri: Uri) -> Response {
    let cookies = server.cookies();
    let mut out = HeaderMap::new();
    let now = server.now_ms();
    let inner = &server.inner;
    let mut refused = None;
    let mut pending = None;
    for value in cookie_values(&headers, cookies.pending_name()) {
        match open(&inner.secret, cookies.pending_name(), value, now / 1000) {
            Ok(bytes) => match Pending::decode(&Zeroizing::new(bytes)) {
                Some(found) => {
                    pending = Some(found);
                    break;
                }
                None => refused = Some(SignInFailure::PendingRefused),
            },
            Err(Unsealed::Expired) => refused = refused.or(Some(SignInFailure::Expired)),
            Err(Unsealed::NotOurs) => refused = Some(SignInFailure::PendingRefused),
        }
    }
    let Some(Pending { record, return_to }) = pending else {
        if refused.is_some() {
            // Expired or not ours: no sign-in lives in it, so removing it cancels nothing.
            append(&mut out, cookies.clear(cookies.pending_name(), COOKIE_PATH));
        }
        return back("/", Some(refused.unwrap_or(SignInFailure::NotPending)), out);
    };
    let query = uri.query().unwrap_or("");
    let carries_state = matches!(
        query_value(query, "state"),
        Ok(Some(state)) if record.state.matches(&state)
    );
    if !carries_state {
        let failure = match query_value(query, "error") {
            Ok(Some(_)) => SignInFailure::Denied,
            _ if query_value(query, "code").is_ok_and(|code| code.is_some()) => {
                SignInFailure::StateMismatch
            }
            _ => SignInFailure::BadReturn,
        };
        return back(&return_to, Some(failure), out);
    }
    // This is the sign-in's own return: whatever happens next, it is over.
    append(&mut out, cookies.clear(cookies.pending_name(), COOKIE_PATH));
    let store = RequestStore::default();
    if store.save_pending(&record).is_err() {
        return back(&return_to, Some(SignInFailure::PendingRefused), out);
    }
    drop(record);
    let query = Zeroizing::new(format!("?{query}"));
    let failure = match finish_sign_in(&store, &inner.client, &query, now).await {
        Ok(Return::SignedIn(signed_in)) => {
            let lifetime = inner.key_lifetime.as_secs();
            let payload = encode_session(&signed_in.key, signed_in.user_id.as_deref());
            let sealed = seal(
                &inner.secret,
                cookies.key_name(),
                now / 1000 + lifetime,
                &payload,
            );
            if let Some(hook) = &inner.hooks.on_sign_in {
                hook(&SessionEvent::new(
                    signed_in.user_id.as_deref(),
                    &signed_in.key,
                    &headers,
                ));
            }
            append(
                &mut out,
                cookies.set(cookies.key_name(), &sealed, COOKIE_PATH, lifetime),
            );
            None
        }
        Ok(_) => Some(SignInFailure::BadReturn),
        Err(error) => Some(failure_of(&error)),
    };
    back(&return_to, failure, out)
}

fn failure_of(error: &FlowError) -> SignInFailure {
    match error {
        FlowError::Denied { .. } => SignInFailure::Denied,
        FlowError::StateMismatch | FlowError::MissingState => SignInFailure::StateMismatch,
        FlowError::Expired => SignInFailure::Expired,
        FlowError::InvalidCallback(_) => SignInFailure::BadReturn,
        FlowError::StartedElsewhere | FlowError::NothingPending => SignInFailure::NotPending,
        FlowError::Exchange(ClientError::CodeExpired) => SignInFailure::CodeExpired,
        FlowError::Config(_) | FlowError::Authorize(_) => SignInFailure::Config,
        _ => SignInFailure::Exchange,
    }
}

/// Back to `return_to` (a checked local path), with the failure's code when there is one, and
/// with [`SIGNED_IN_PARAM`] after a sign-in that ended with a key.
fn back(return_to: &str, failure: Option<SignInFailure>, headers: HeaderMap) -> Response {
    let (path, hash) = match return_to.split_once('#') {
        Some((path, hash)) => (path, format!("#{hash}")),
        None => (return_to, String::new()),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    let location = match failure {
        None => format!("{path}{joiner}{SIGNED_IN_PARAM}=1{hash}"),
        Some(failure) => format!("{path}{joiner}{FAILURE_PARAM}={}{hash}", failure.code()),
    };
    redirect(&location, headers)
}

fn redirect(location: &str, mut headers: HeaderMap) -> Response {
    let Ok(value) = HeaderValue::from_str(location) else {
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sign-in could not redirect.",
        );
    };
    headers.insert(LOCATION, value);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    (StatusCode::SEE_OTHER, headers).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_land_on_the_page_before_its_hash() {
        let location = |to: &str| back_to(to, Some(SignInFailure::Denied));
        assert_eq!(location("/"), "/?signin_error=denied");
        assert_eq!(
            location("/s?tab=keys#usage"),
            "/s?tab=keys&signin_error=denied#usage"
        );
        let signed_in = |to: &str| back_to(to, None);
        assert_eq!(signed_in("/"), "/?signed_in=1");
        assert_eq!(
            signed_in("/s?tab=keys#usage"),
            "/s?tab=keys&signed_in=1#usage"
        );
        // What the page takes out again, leaving the address it started from.
        for start in ["/", "/s?tab=keys#usage", "/a?b=1&c=2"] {
            let back = signed_in(start);
            assert_eq!(
                crate::fullstack::without_outcome(&back).as_deref(),
                Some(start)
            );
        }
    }

    fn back_to(to: &str, failure: Option<SignInFailure>) -> String {
        {
            back(to, failure, HeaderMap::new())
                .headers()
                .get(LOCATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        }
    }
}
