//! What the page and the server of the fullstack mode agree on: the routes, the header that
//! marks the page's own requests, and the codes a failed sign-in comes back with. Compiled on
//! both sides, so that neither spells them on its own.

/// Where the page sends the user to sign in: `GET /auth/start?return_to=/path`.
pub const START_PATH: &str = "/auth/start";
/// Where OpenRouter sends the user back.
pub const CALLBACK_PATH: &str = "/auth/callback";
/// The query parameter of [`START_PATH`] that says where to come back to: a path on this site.
pub const RETURN_TO_PARAM: &str = "return_to";
/// The query parameter a failed sign-in comes back with, holding a [`SignInFailure::code`].
pub const FAILURE_PARAM: &str = "signin_error";
/// The query parameter the server's callback adds to the page it returns to after a sign-in
/// that ended with a key (`signed_in=1`): the page learns that this browser's sign-in button
/// just signed in (see [`AuthState::just_signed_in`](crate::AuthState)) and drops it from the
/// address bar, as it does [`FAILURE_PARAM`].
pub const SIGNED_IN_PARAM: &str = "signed_in";
/// The header every state-changing request from the page carries. A cross-origin page cannot
/// send it without a CORS preflight, which the server never grants.
pub const REQUEST_HEADER: &str = "x-openrouter-signin";
/// The prefix of the server's API routes.
pub const API_PREFIX: &str = "/api/openrouter-signin";
/// The longest `return_to` accepted.
pub const MAX_RETURN_TO_LEN: usize = 2048;

/// What the page of the fullstack mode may know of the key the server holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ServerSession {
    /// The key's first 12 characters and an ellipsis.
    pub masked_key: String,
    /// The key's own page on OpenRouter, where its owner revokes it.
    pub manage_url: String,
}

impl ServerSession {
    /// A session as the server describes it.
    pub fn new(masked_key: impl Into<String>, manage_url: impl Into<String>) -> Self {
        ServerSession {
            masked_key: masked_key.into(),
            manage_url: manage_url.into(),
        }
    }
}

/// What the server's render knew of the sign-in, carried into the page's hydration so that
/// the page's first render is the server's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[doc(hidden)]
pub struct RenderedSession {
    /// The request's session, when its key cookie opened.
    pub session: Option<ServerSession>,
    /// The [`SignInFailure::code`] the request's URL carried back from a sign-in.
    pub failure: Option<String>,
    /// The request's path and query without [`FAILURE_PARAM`] and [`SIGNED_IN_PARAM`]: where
    /// the sign-in button's form comes back to when it is used before the page's wasm has loaded.
    pub return_to: Option<String>,
    /// Whether the request's URL carried [`SIGNED_IN_PARAM`] back from a sign-in.
    #[cfg_attr(feature = "serde", serde(default))]
    pub signed_in_now: bool,
}

/// Why a sign-in run by the server ended without a key. The page receives only the code and
/// says the message; an earlier key stays in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInFailure {
    /// The user declined on OpenRouter.
    Denied,
    /// The return's `state` differs from the one sent, or is missing.
    StateMismatch,
    /// The sign-in took longer than 10 minutes.
    Expired,
    /// The return came with no pending sign-in from this browser (another browser, cookies
    /// cleared or blocked).
    NotPending,
    /// The pending sign-in's cookie was altered, or sealed by a server with another secret.
    PendingRefused,
    /// The return's address could not be read.
    BadReturn,
    /// OpenRouter did not exchange the code for a key.
    Exchange,
    /// OpenRouter said the code had expired.
    CodeExpired,
    /// The server is misconfigured (its OpenRouter address or its own origin).
    Config,
}

impl SignInFailure {
    /// Every failure, for tests and for matching codes.
    pub const ALL: [SignInFailure; 9] = [
        Self::Denied,
        Self::StateMismatch,
        Self::Expired,
        Self::NotPending,
        Self::PendingRefused,
        Self::BadReturn,
        Self::Exchange,
        Self::CodeExpired,
        Self::Config,
    ];

    /// The code in the return URL.
    pub fn code(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::StateMismatch => "state_mismatch",
            Self::Expired => "expired",
            Self::NotPending => "not_pending",
            Self::PendingRefused => "pending_refused",
            Self::BadReturn => "bad_return",
            Self::Exchange => "exchange_failed",
            Self::CodeExpired => "code_expired",
            Self::Config => "server_config",
        }
    }

    /// The failure a code names; `None` for anything else (never echoed back).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|failure| failure.code() == code)
    }

    /// What to tell the user.
    pub fn message(self) -> &'static str {
        match self {
            Self::Denied => "Sign-in was cancelled on OpenRouter. Press Sign in to try again.",
            Self::StateMismatch => "The sign-in return did not carry the state this app sent, so it was ignored. Press Sign in to start again.",
            Self::Expired => "The sign-in took longer than 10 minutes and has expired. Press Sign in to start again.",
            Self::NotPending => "This browser has no sign-in waiting (it was started in another browser, or cookies are blocked or were cleared). Press Sign in to start again.",
            Self::PendingRefused => "The sign-in could not be finished: its cookie was altered or comes from another server. Press Sign in to start again.",
            Self::BadReturn => "The sign-in return could not be read. Press Sign in to start again.",
            Self::Exchange => "OpenRouter did not hand out a key. Press Sign in to try again.",
            Self::CodeExpired => "OpenRouter says the sign-in code has expired. Press Sign in to try again.",
            Self::Config => "The server's sign-in settings are incomplete (its OpenRouter address or its public origin); its log says which. Sign-in cannot work until that is fixed.",
        }
    }
}

impl std::fmt::Display for SignInFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Whether `path` is a path on this site: starts with one `/`, no scheme or host, no backslash
/// trick, no control characters, and not too long.
pub fn is_local_return(path: &str) -> bool {
    path.len() <= MAX_RETURN_TO_LEN
        && path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// Where a sign-in started on `path_and_query` comes back to: the same address without the
/// failure code an earlier sign-in came back with. `None` unless that is a path on this site.
pub fn return_path(path_and_query: &str) -> Option<String> {
    let path = without_outcome(path_and_query).unwrap_or_else(|| path_and_query.to_owned());
    is_local_return(&path).then_some(path)
}

/// `url` without what the server's callback came back with ([`FAILURE_PARAM`],
/// [`SIGNED_IN_PARAM`]); `None` when it has neither.
pub(crate) fn without_outcome(url: &str) -> Option<String> {
    match without_param(url, FAILURE_PARAM) {
        Some(clean) => Some(without_param(&clean, SIGNED_IN_PARAM).unwrap_or(clean)),
        None => without_param(url, SIGNED_IN_PARAM),
    }
}

/// `url` without the query parameter `name` (every occurrence); `None` when it has none. The
/// hash, if any, stays.
pub(crate) fn without_param(url: &str, name: &str) -> Option<String> {
    let (before_hash, hash) = match url.split_once('#') {
        Some((before, hash)) => (before, format!("#{hash}")),
        None => (url, String::new()),
    };
    let (path, query) = before_hash.split_once('?')?;
    let prefix = format!("{name}=");
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with(&prefix) && *pair != name)
        .collect();
    if kept.len() == query.split('&').count() {
        return None;
    }
    let query = kept.join("&");
    let joiner = if query.is_empty() { "" } else { "?" };
    Some(format!("{path}{joiner}{query}{hash}"))
}

/// How the session reads what the server's render knows of the request. Set by the server side
/// (`SignInServer::mount`), so that the session, which sits below it, never imports it.
#[cfg(feature = "fullstack")]
static RENDER_READER: std::sync::OnceLock<fn() -> RenderedSession> = std::sync::OnceLock::new();

/// Installs the server's way of reading a render's request (once per process).
#[cfg(feature = "server")]
pub(crate) fn set_render_reader(reader: fn() -> RenderedSession) {
    let _ = RENDER_READER.set(reader);
}

/// What the render being made knows; nothing in the page, or on a server that was not mounted.
#[cfg(feature = "fullstack")]
pub(crate) fn read_render() -> RenderedSession {
    RENDER_READER.get().map(|read| read()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_none() {
        for failure in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_code(failure.code()), Some(failure));
            assert!(failure.message().ends_with('.'));
        }
        assert_eq!(SignInFailure::from_code("<script>"), None);
    }

    #[test]
    fn the_return_path_drops_only_the_failure_code() {
        assert_eq!(return_path("/"), Some("/".into()));
        assert_eq!(
            return_path("/?tab=keys&signin_error=denied#usage"),
            Some("/?tab=keys#usage".into())
        );
        assert_eq!(return_path("/a?signin_error=denied"), Some("/a".into()));
        assert_eq!(
            return_path("/a?signin_error&b=1&signin_error=x"),
            Some("/a?b=1".into())
        );
        assert_eq!(
            return_path("/a?my_signin_error=1"),
            Some("/a?my_signin_error=1".into())
        );
        assert_eq!(return_path("//evil.example/?signin_error=x"), None);
        assert_eq!(return_path("https://evil.example/"), None);
    }

    #[test]
    fn only_local_paths_are_returns() {
        for good in ["/", "/settings?tab=keys#usage", "/a/b"] {
            assert!(is_local_return(good), "{good}");
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a\\b",
            "/\u{0}",
            "/\n",
            &format!("/{}", "a".repeat(MAX_RETURN_TO_LEN)),
        ] {
            assert!(!is_local_return(bad), "{bad:?}");
        }
    }
}
