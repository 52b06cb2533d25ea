//! The platform-neutral sign-in: start -> pending -> callback -> exchange -> signed in | failed.
//!
//! The rules that make it safe live here, once, for every platform:
//! - a callback URL is checked before anything is stored or opened;
//! - a return is consumed only when this tab or app has a sign-in pending, so a foreign
//!   `?code=` (another library's, or an attacker's link) is left alone;
//! - the pending record is taken out before anything else, so it is gone on every outcome and a
//!   second handler of the same return finds nothing: a code is exchanged at most once;
//! - the state must match, and the sign-in must be younger than [`PENDING_MAX_AGE_MS`], before
//!   any network call;
//! - the key is stored only after a successful exchange, so a failure never touches an earlier key.

use super::authorize::{authorize_url, headless_authorize_url, AuthorizeError, CallbackUrl};
use super::callback::{
    mentions_callback, parse_callback, query_of, AuthCode, CallbackError, CallbackParams,
};
use super::pkce::{Challenge, DigestError, RandomError, State, Verifier, STATE_PREFIX};
use super::storage::{AuthStore, PendingSignIn, StorageError};
use crate::fullstack::SignInFailure;
use crate::messages::{fill, Messages};
use crate::openrouter::{ApiKey, BaseUrl, ClientError, OpenRouterClient};
use zeroize::Zeroizing;

/// A sign-in older than this is refused on return (OpenRouter's codes live 10 minutes too).
pub const PENDING_MAX_AGE_MS: u64 = 10 * 60 * 1000;

/// Why a sign-in did not end with a key. The message says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The authorize URL could not be built (a bad callback URL or key label).
    #[error("the sign-in could not start: {0}")]
    Authorize(#[from] AuthorizeError),
    /// The system's random number generator failed.
    #[error("the sign-in could not start: {0}")]
    Random(#[from] RandomError),
    /// The PKCE challenge could not be computed (a page that is neither https nor localhost).
    #[error("the sign-in could not start: {0}")]
    Digest(#[from] DigestError),
    /// The user declined on OpenRouter, or OpenRouter refused.
    #[error("sign-in was cancelled on OpenRouter{}. Press Sign in to try again.", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Denied {
        /// The OAuth `error` code (`access_denied`, ...).
        error: String,
        /// OpenRouter's `error_description`, when it sent one.
        description: Option<String>,
    },
    /// The return's `state` differs from the one this sign-in sent.
    #[error("the sign-in return did not carry the state this app sent, so it was ignored. Press Sign in to start again.")]
    StateMismatch,
    /// The return carries no `state`.
    #[error(
        "the sign-in return carried no state, so it was ignored. Press Sign in to start again."
    )]
    MissingState,
    /// The pending sign-in is older than [`PENDING_MAX_AGE_MS`].
    #[error(
        "the sign-in took longer than 10 minutes and has expired. Press Sign in to start again."
    )]
    Expired,
    /// A return of ours, in a tab or window that did not start the sign-in.
    #[error("this sign-in was started in another tab or window (or this tab's storage was cleared), so it cannot be finished here. Press Sign in to start again.")]
    StartedElsewhere,
    /// A pasted code, with no sign-in waiting for one.
    #[error("no sign-in is waiting for a code here. Press Sign in first, then paste the code OpenRouter shows.")]
    NothingPending,
    /// The return URL is malformed.
    #[error("the sign-in return could not be read ({0}). Press Sign in to start again.")]
    InvalidCallback(#[from] CallbackError),
    /// OpenRouter did not exchange the code for a key.
    #[error("OpenRouter did not hand out a key: {0}. Press Sign in to try again.")]
    Exchange(#[from] ClientError),
    /// The key or the pending sign-in could not be read or saved.
    #[error("{0}")]
    Storage(#[from] StorageError),
    /// The fullstack server's sign-in ended without a key (the page learns only which way).
    #[error("{0}")]
    Server(crate::fullstack::SignInFailure),
    /// The OpenRouter address the app was given is not usable.
    #[error("the app's OpenRouter address is misconfigured: {0}")]
    Config(String),
    /// The desktop's wait for the browser's return ended without one.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("{0}. Press Sign in to try again.")]
    Loopback(#[from] super::loopback::LoopbackError),
}

impl FlowError {
    /// What happened and what to do, in the words of `messages` (the [`Display`](std::fmt::Display)
    /// text is the English one, for logs). A technical reason inside (a parameter that could not
    /// be read, what OpenRouter answered) is put in the message's `{detail}` as it is.
    pub fn message(&self, messages: &Messages) -> String {
        let with = |template: &str, detail: &dyn std::fmt::Display| {
            fill(template, &[("detail", &detail.to_string())])
        };
        match self {
            Self::Authorize(e) => with(&messages.could_not_start, e),
            Self::Random(e) => fill(
                &messages.could_not_start,
                &[("detail", &fill(&messages.no_random, &[("detail", &e.0)]))],
            ),
            Self::Digest(e) => fill(
                &messages.could_not_start,
                &[("detail", &fill(&messages.no_sha256, &[("detail", &e.0)]))],
            ),
            Self::Denied {
                description: Some(description),
                ..
            } => with(&messages.cancelled_because, description),
            Self::Denied { .. } => messages.cancelled.to_string(),
            Self::StateMismatch => messages.state_mismatch.to_string(),
            Self::MissingState => messages.state_missing.to_string(),
            Self::Expired => fill(
                &messages.expired,
                &[("minutes", &(PENDING_MAX_AGE_MS / 60_000).to_string())],
            ),
            Self::StartedElsewhere => messages.started_elsewhere.to_string(),
            Self::NothingPending => messages.nothing_pending.to_string(),
            Self::InvalidCallback(e) => fill(
                &messages.unreadable_return,
                &[("detail", &e.message(messages))],
            ),
            Self::Exchange(e) => fill(&messages.no_key, &[("detail", &e.message(messages))]),
            Self::Storage(e) => fill(
                &messages.storage_failed,
                &[("detail", &e.message(messages))],
            ),
            Self::Server(failure) => server_failure(*failure, messages),
            Self::Config(e) => with(&messages.misconfigured, e),
            #[cfg(not(target_arch = "wasm32"))]
            Self::Loopback(e) => fill(
                &messages.browser_did_not_return,
                &[("detail", &e.message(messages))],
            ),
        }
    }
}

/// Why the fullstack server's sign-in ended without a key, in the words of `messages`.
fn server_failure(failure: SignInFailure, messages: &Messages) -> String {
    match failure {
        SignInFailure::Denied => messages.cancelled.to_string(),
        SignInFailure::StateMismatch => messages.state_mismatch.to_string(),
        SignInFailure::Expired => FlowError::Expired.message(messages),
        SignInFailure::NotPending => messages.server_nothing_pending.to_string(),
        SignInFailure::PendingRefused => messages.server_pending_refused.to_string(),
        SignInFailure::BadReturn => messages.server_unreadable_return.to_string(),
        SignInFailure::Exchange => messages.server_no_key.to_string(),
        SignInFailure::CodeExpired => messages.code_expired.to_string(),
        SignInFailure::Config => messages.server_misconfigured.to_string(),
    }
}

/// What handling a URL on return came to.
#[derive(Debug)]
#[non_exhaustive]
pub enum Return {
    /// The URL carries no sign-in parameters; nothing was done.
    NotACallback,
    /// The URL carries `code`, `state` or `error`, but no sign-in is pending here: it belongs to
    /// someone else (or was handled already) and was left alone. No request was made.
    NotOurs,
    /// The exchange succeeded.
    SignedIn(SignedIn),
}

/// A successful sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// The new key.
    pub key: ApiKey,
    /// OpenRouter's id of the user who approved, when it sent one.
    pub user_id: Option<String>,
    /// `Some` when the key could not be stored: it works now, but will be forgotten.
    pub not_saved: Option<StorageError>,
}

/// Starts a sign-in that returns to `callback_url` (OpenRouter names the key `key_label` when
/// given): stores a fresh verifier and state, and returns the URL to send the user to. A refused
/// `callback_url` or label stores nothing. Asynchronous because a page asks the browser for the
/// challenge's SHA-256 (well under a millisecond); natively it is ready at once.
pub async fn begin_sign_in<S: AuthStore + ?Sized>(
    store: &S,
    base: &BaseUrl,
    callback_url: &str,
    key_label: Option<&str>,
    now_ms: u64,
) -> Result<String, FlowError> {
    let callback = CallbackUrl::parse(callback_url)?;
    let (pending, url) = new_pending(now_ms, |challenge, state| {
        authorize_url(base, &callback, key_label, challenge, state)
    })
    .await?;
    store.save_pending(&pending)?;
    Ok(url)
}

/// A desktop sign-in: one verifier and state behind two ways back.
#[derive(Debug)]
#[non_exhaustive]
pub struct DesktopStart {
    /// What the system browser opens: the loopback flow, or the headless one without a listener.
    pub browser_url: String,
    /// The headless flow's URL, for the paste-the-code fallback.
    pub paste_url: String,
    /// The state both carry, which the loopback listener checks.
    pub state: State,
}

/// Starts a desktop sign-in that can come back either way: through `callback_url` (the loopback
/// listener) when there is one, or as a code the user pastes (the headless flow, `key_label`).
pub async fn begin_desktop_sign_in<S: AuthStore + ?Sized>(
    store: &S,
    base: &BaseUrl,
    callback_url: Option<&str>,
    key_label: &str,
    now_ms: u64,
) -> Result<DesktopStart, FlowError> {
    let callback = callback_url.map(CallbackUrl::parse).transpose()?;
    let verifier = Verifier::generate()?;
    let state = State::generate()?;
    let challenge = verifier.challenge().await?;
    let paste_url = headless_authorize_url(base, key_label, &challenge, &state)?;
    let browser_url = match &callback {
        Some(callback) => authorize_url(base, callback, Some(key_label), &challenge, &state)?,
        None => paste_url.clone(),
    };
    store.save_pending(&PendingSignIn {
        verifier,
        state: state.clone(),
        started_at_ms: now_ms,
    })?;
    Ok(DesktopStart {
        browser_url,
        paste_url,
        state,
    })
}

/// Starts a headless sign-in: OpenRouter shows the user a code to paste back, and names the new
/// key `key_label`. Finish it with [`finish_with_code`].
pub async fn begin_headless_sign_in<S: AuthStore + ?Sized>(
    store: &S,
    base: &BaseUrl,
    key_label: &str,
    now_ms: u64,
) -> Result<String, FlowError> {
    let (pending, url) = new_pending(now_ms, |challenge, state| {
        headless_authorize_url(base, key_label, challenge, state)
    })
    .await?;
    store.save_pending(&pending)?;
    Ok(url)
}

async fn new_pending(
    now_ms: u64,
    build_url: impl FnOnce(&Challenge, &State) -> Result<String, AuthorizeError>,
) -> Result<(PendingSignIn, String), FlowError> {
    let verifier = Verifier::generate()?;
    let state = State::generate()?;
    let challenge = verifier.challenge().await?;
    let url = build_url(&challenge, &state)?;
    Ok((
        PendingSignIn {
            verifier,
            state,
            started_at_ms: now_ms,
        },
        url,
    ))
}

/// Whether `url` looks like a return that this store is waiting for. Cheap; no side effects.
#[cfg(all(target_arch = "wasm32", not(feature = "fullstack")))]
pub(crate) fn is_callback_pending<S: AuthStore + ?Sized>(store: &S, url: &str) -> bool {
    mentions_callback(url) && store.has_pending().unwrap_or(false)
}

/// Whether `url` is a return from a sign-in of ours, pending here or not: its `state` carries
/// [`STATE_PREFIX`]. Such a URL is ours to clean and to explain; any other `?code=` is not.
pub(crate) fn is_our_return(url: &str) -> bool {
    query_of(url).split('&').any(|pair| {
        pair.strip_prefix("state=")
            .is_some_and(|state| state.starts_with(STATE_PREFIX))
    })
}

/// Handles the URL the user came back on (a whole URL or its query).
pub async fn finish_sign_in<S: AuthStore + ?Sized>(
    store: &S,
    client: &OpenRouterClient,
    return_url: &str,
    now_ms: u64,
) -> Result<Return, FlowError> {
    if !mentions_callback(return_url) {
        return Ok(Return::NotACallback);
    }
    if !store.has_pending()? {
        return unpending_return(return_url);
    }
    // Taken before any await: from here on the sign-in is over, whatever happens next.
    let Some(pending) = store.take_pending()? else {
        return unpending_return(return_url);
    };
    remember_handled(&pending.state);
    let params = parse_callback(return_url)?;
    check_age(&pending, now_ms)?;
    let code = match params {
        CallbackParams::Absent => return Ok(Return::NotACallback),
        CallbackParams::Error {
            error, description, ..
        } => {
            // A denial carries no state upstream; honouring it can only cancel our own sign-in.
            return Err(FlowError::Denied { error, description });
        }
        CallbackParams::Code { code, state } => {
            let state = Zeroizing::new(state.ok_or(FlowError::MissingState)?);
            if !pending.state.matches(&state) {
                return Err(FlowError::StateMismatch);
            }
            code
        }
    };
    exchange_and_store(store, client, &code, pending.verifier)
        .await
        .map(Return::SignedIn)
}

/// Finishes a headless sign-in with the code the user pasted: a bare code, `code=...`, or the
/// whole URL OpenRouter showed. The state is checked when the paste carries one. A paste that
/// cannot be read leaves the sign-in pending, so the user can correct a typo.
pub async fn finish_with_code<S: AuthStore + ?Sized>(
    store: &S,
    client: &OpenRouterClient,
    pasted: &str,
    now_ms: u64,
) -> Result<SignedIn, FlowError> {
    let pasted = pasted.trim();
    let (code, state): (AuthCode, Option<Zeroizing<String>>) = if pasted.contains('=') {
        match parse_callback(pasted)? {
            CallbackParams::Code { code, state } => (code, state.map(Zeroizing::new)),
            CallbackParams::Error {
                error, description, ..
            } => {
                store.take_pending()?;
                return Err(FlowError::Denied { error, description });
            }
            CallbackParams::Absent => return Err(CallbackError::Empty("code").into()),
        }
    } else {
        let code = AuthCode::new(pasted).ok_or(if pasted.is_empty() {
            CallbackError::Empty("code")
        } else {
            CallbackError::BadCharacters("code")
        })?;
        (code, None)
    };
    let pending = store.take_pending()?.ok_or(FlowError::NothingPending)?;
    check_age(&pending, now_ms)?;
    if state.is_some_and(|s| !pending.state.matches(&s)) {
        return Err(FlowError::StateMismatch);
    }
    exchange_and_store(store, client, &code, pending.verifier).await
}

/// A return with no sign-in pending: someone else's, one this process already handled (a double
/// mount, a second call), or ours from another tab.
fn unpending_return(return_url: &str) -> Result<Return, FlowError> {
    if !is_our_return(return_url) || was_handled(return_url) {
        return Ok(Return::NotOurs);
    }
    Err(FlowError::StartedElsewhere)
}

/// The states of returns this process has taken, newest last, a few at most. The states
/// themselves rather than a fingerprint: a hash would need the browser's asynchronous
/// `crypto.subtle` in a page, and buys nothing here, since each of these sign-ins is over (its
/// state can no longer finish anything). They are compared in constant time like every state,
/// and wiped from memory when they leave the list ([`State`] zeroizes itself when dropped).
static HANDLED: std::sync::Mutex<Vec<State>> = std::sync::Mutex::new(Vec::new());

fn remember_handled(state: &State) {
    let mut handled = HANDLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if handled.len() >= 16 {
        handled.remove(0);
    }
    handled.push(state.clone());
}

fn was_handled(return_url: &str) -> bool {
    let Ok(CallbackParams::Code {
        state: Some(state), ..
    }) = parse_callback(return_url)
    else {
        return false;
    };
    let state = Zeroizing::new(state);
    let handled = HANDLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Every entry is compared, so that the time taken does not say which one matched.
    handled
        .iter()
        .fold(false, |found, known| known.matches(&state) | found)
}

fn check_age(pending: &PendingSignIn, now_ms: u64) -> Result<(), FlowError> {
    // A start time in the future (a clock set back) is as untrustworthy as an old one.
    let future = pending.started_at_ms > now_ms.saturating_add(60_000);
    if future || now_ms.saturating_sub(pending.started_at_ms) > PENDING_MAX_AGE_MS {
        return Err(FlowError::Expired);
    }
    Ok(())
}

async fn exchange_and_store<S: AuthStore + ?Sized>(
    store: &S,
    client: &OpenRouterClient,
    code: &AuthCode,
    verifier: Verifier,
) -> Result<SignedIn, FlowError> {
    let exchanged = client.exchange_code(code, &verifier).await?;
    drop(verifier);
    let not_saved = store.save_key(&exchanged.key).err();
    Ok(SignedIn {
        key: exchanged.key,
        user_id: exchanged.user_id,
        not_saved,
    })
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn every_error_reads_in_chinese_without_an_english_sentence_around_its_detail() {
        let zh = Messages::simplified_chinese();
        let cases = [
            (
                FlowError::Digest(DigestError("crypto.subtle is missing".into())),
                "无法开始登录：此页面无法计算 SHA-256（crypto.subtle is missing）；浏览器只向通过 https 或从 localhost 提供的页面提供它",
            ),
            (FlowError::Expired, "登录超过 10 分钟，已过期。请点击登录重新开始。"),
            (
                FlowError::Exchange(ClientError::Status { status: 502 }),
                "OpenRouter 没有发放密钥：OpenRouter 返回了 HTTP 502，但没有错误信息。请点击登录重试。",
            ),
            (
                FlowError::InvalidCallback(CallbackError::Empty("state")),
                "无法读取登录返回（参数 `state` 为空）。请点击登录重新开始。",
            ),
            (
                FlowError::Server(SignInFailure::NotPending),
                "此浏览器没有等待中的登录（它是在另一个浏览器中开始的，或 Cookie 被阻止或已被清除）。请点击登录重新开始。",
            ),
        ];
        for (error, chinese) in cases {
            assert_eq!(error.message(&zh), chinese);
        }
    }
}
