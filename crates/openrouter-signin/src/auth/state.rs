//! What the UI shows about sign-in, and the events that the platform code reports to the
//! session, which alone changes the state. A leaf below both, so that neither reaches into
//! the other.

use super::flow::{FlowError, Return};
use crate::openrouter::ApiKey;

/// Where a sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthStatus {
    /// No key.
    #[default]
    SignedOut,
    /// On its way to OpenRouter (web), or waiting for the user to approve there (desktop).
    Redirecting,
    /// Back from OpenRouter, trading the code for a key.
    Exchanging,
    /// A key is there.
    SignedIn,
    /// The last sign-in or sign-out failed; [`AuthState::error`] says why. An earlier key is kept.
    Error,
}

/// Everything the UI shows about sign-in.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct AuthState {
    /// Where the sign-in stands.
    pub status: AuthStatus,
    /// The key, when there is one (also after a later sign-in failed: the earlier key stays).
    pub key: Option<ApiKey>,
    /// The key's own page on OpenRouter (see [`ApiKey::manage_url_async`]), following `key`: in a
    /// page it arrives a moment after the key, once the browser has computed the key's hash.
    pub manage_url: Option<String>,
    /// Why the last sign-in or sign-out failed.
    pub error: Option<FlowError>,
    /// Something the user should know that is not a failure, e.g. that the key will not be remembered.
    pub notice: Option<String>,
    /// While waiting on the desktop: the URL the system browser was sent to, to open by hand if
    /// no browser came up.
    pub approve_url: Option<String>,
    /// While waiting on the desktop: the headless URL, for approving anywhere (another machine, a
    /// browser that cannot reach this one) and pasting the code OpenRouter shows.
    pub paste_url: Option<String>,
    /// Where the key is kept, in words.
    pub key_location: String,
    /// In fullstack mode, the server's sign-in (the page never holds the key itself).
    pub server_session: Option<crate::fullstack::ServerSession>,
    /// A sign-in this page (or, in fullstack mode, this browser's sign-in button) started has
    /// just ended with a key, and nobody has signed out since: the moment to move the focus to
    /// what replaced the sign-in button, so that a keyboard user is not left on the page's body.
    /// A sign-in made in another tab or window does not set it.
    pub just_signed_in: bool,
    /// The words the library shows, in the app's language (see
    /// [`OpenRouterAuth::set_messages`](crate::OpenRouterAuth::set_messages)); `key_location`,
    /// `notice` and [`FlowError::message`](crate::FlowError::message) use them.
    pub messages: std::rc::Rc<crate::Messages>,
}

/// What happened, as the platform code (web.rs, desktop.rs) reports it to the session.
// A server's render reports nothing; the fullstack page only some.
#[cfg_attr(feature = "fullstack", allow(dead_code))]
pub(super) enum Event {
    /// The desktop sent the browser to OpenRouter; these are the ways back.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Waiting {
        /// The URL the system browser was sent to.
        approve_url: String,
        /// The headless flow's URL, for the paste-the-code fallback.
        paste_url: String,
        /// Why a way back is missing (no listener, no browser), if one is.
        notice: Option<String>,
    },
    /// Back from OpenRouter, trading the code for a key.
    Exchanging,
    /// A return from OpenRouter was handled, with this outcome.
    Returned(Result<Return, FlowError>),
    /// The stored key may have changed: another tab, window or instance signed in or out.
    StoreChanged,
    /// The browser showed the page again from its back-forward cache (the user came Back from
    /// OpenRouter without deciding): a sign-in it had left for is not under way any more.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    ShownAgain,
    /// Starting or finishing a sign-in failed; an earlier key stays.
    Failed(FlowError),
    /// The fullstack server says who is signed in (after a sign-out, or another tab's change).
    #[cfg_attr(
        not(all(target_arch = "wasm32", feature = "fullstack")),
        allow(dead_code)
    )]
    Session(Option<crate::fullstack::ServerSession>),
}

/// How the platform code reports an [`Event`]: the session's `apply`.
pub(super) type Report = fn(Event);
