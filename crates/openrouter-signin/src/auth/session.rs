//! The app-wide sign-in state as a Dioxus global signal, and the hook that reads and drives it.
//!
//! Components call [`use_openrouter_auth`] and read `status()`, `key()`, `error()`; buttons call
//! `sign_in()` and `sign_out()`. Code outside components can follow changes with
//! [`on_auth_change`], like the reference module's `onAuthChange`.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

use dioxus::core::{provide_root_context, spawn_forever, try_consume_context};
use dioxus::prelude::*;

use super::config::{ConfigError, OpenRouterConfig};
use super::flow::{FlowError, Return, SignedIn};
use super::platform;
use super::runtime::Runtime;
use super::state::Event;
pub use super::state::{AuthState, AuthStatus};
use crate::messages::Messages;
use crate::openrouter::{
    ApiKey, ChatRequest, ChatStreamed, ClientError, Generation, KeyInfo, Model, OpenRouterClient,
};

// Initialised from the store on first read, so the first render already knows the key.
static AUTH: GlobalSignal<AuthState> = Signal::global(initial_state);

fn initial_state() -> AuthState {
    let rt = runtime();
    let mut state = AuthState {
        key_location: rt.key_location(),
        notice: rt.store_notice(),
        messages: rt.messages(),
        ..AuthState::default()
    };
    match rt.store.load_key() {
        Ok(Some(key)) => {
            state.manage_url = manage_url_of(&key);
            state.key = Some(key);
            state.status = AuthStatus::SignedIn;
        }
        Ok(None) => {}
        Err(e) => {
            state.status = AuthStatus::Error;
            state.error = Some(e.into());
        }
    }
    #[cfg(feature = "fullstack")]
    {
        // What the server's render saw; in the page, carried by hydration.
        let rendered = RENDERED.with(|r| r.borrow().clone()).unwrap_or_default();
        if rendered.session.is_some() {
            state.status = AuthStatus::SignedIn;
        }
        state.just_signed_in = rendered.signed_in_now && rendered.session.is_some();
        state.server_session = rendered.session;
        if let Some(failure) = rendered
            .failure
            .as_deref()
            .and_then(crate::fullstack::SignInFailure::from_code)
        {
            state.status = AuthStatus::Error;
            state.error = Some(FlowError::Server(failure));
        }
    }
    if platform::returning(&rt) {
        state.status = AuthStatus::Exchanging;
    }
    if let Err(e) = rt.client() {
        state.status = AuthStatus::Error;
        state.error = Some(e);
    }
    state
}

type Listener = Rc<dyn Fn(&AuthState)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: Cell<u64> = const { Cell::new(0) };
    static RUNTIME: OnceCell<Rc<Runtime>> = const { OnceCell::new() };
    /// The app's configuration, until the runtime is made from it.
    static CONFIG: RefCell<Option<OpenRouterConfig>> = const { RefCell::new(None) };
    /// In fullstack mode, what the server's render knew, for the state's first value.
    #[cfg(feature = "fullstack")]
    static RENDERED: RefCell<Option<crate::fullstack::RenderedSession>> = const { RefCell::new(None) };
}

fn runtime() -> Rc<Runtime> {
    RUNTIME.with(|cell| {
        cell.get_or_init(|| {
            let given = CONFIG.with(|c| c.borrow_mut().take());
            let configured = given.is_some();
            Rc::new(Runtime::new(given.unwrap_or_default(), configured))
        })
        .clone()
    })
}

/// Gives the app's sign-in settings. Call it once in the root component, before any
/// [`use_openrouter_auth`] (here or in a child): every component of the app then signs in
/// with them. A later call (another window of the same app, a re-render) changes nothing.
///
/// ```no_run
/// use dioxus::prelude::*;
/// use openrouter_signin::{use_openrouter_config, OpenRouterConfig, SignInButton};
///
/// #[component]
/// fn App() -> Element {
///     use_openrouter_config(|| OpenRouterConfig::new("com.example.chat").key_label("Example Chat"));
///     rsx! { SignInButton {} }
/// }
/// ```
pub fn use_openrouter_config(make: impl FnOnce() -> OpenRouterConfig) {
    use_hook(|| {
        if let Err(e) = configure(make()) {
            update(|s| {
                s.status = AuthStatus::Error;
                s.error = Some(FlowError::Config(e.to_string()));
            });
        }
    });
}

/// Installs `config` for this UI thread, unless sign-in handling started here already.
fn configure(config: OpenRouterConfig) -> Result<(), ConfigError> {
    match RUNTIME.with(|cell| cell.get().map(|rt| rt.configured)) {
        // Another window of the same app, or a VirtualDom made again: the app's settings stand.
        Some(true) => Ok(()),
        Some(false) => Err(ConfigError::TooLate),
        None => {
            CONFIG.with(|c| *c.borrow_mut() = Some(config));
            Ok(())
        }
    }
}

/// Changes the state and tells the listeners. The key's page follows the key.
fn update(change: impl FnOnce(&mut AuthState)) {
    let snapshot = {
        let mut state = AUTH.write();
        let before = state.key.clone();
        change(&mut state);
        if state.key != before {
            state.manage_url = state.key.as_ref().and_then(manage_url_of);
        }
        if state.key.is_none() && state.server_session.is_none() {
            state.just_signed_in = false;
        }
        state.clone()
    };
    // Cloned out first, so that a listener may subscribe or unsubscribe while being called.
    let listeners: Vec<Listener> =
        LISTENERS.with(|all| all.borrow().iter().map(|(_, l)| l.clone()).collect());
    for listener in listeners {
        listener(&snapshot);
    }
}

/// The key's page on OpenRouter, for [`AuthState::manage_url`]: at once natively; in a page the
/// browser computes the key's hash (`crypto.subtle` is asynchronous), so this is `None` and a
/// task fills it in, unless the key has changed by then.
fn manage_url_of(key: &ApiKey) -> Option<String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(key.manage_url(runtime().config.openrouter()))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let key = key.clone();
        spawn_forever(async move {
            let base = runtime().config.openrouter().clone();
            // Without crypto.subtle (not https, not localhost) there is no link to offer.
            if let Ok(url) = key.manage_url_async(&base).await {
                update(|s| {
                    if s.key.as_ref() == Some(&key) {
                        s.manage_url = Some(url);
                    }
                });
            }
        });
        None
    }
}

/// Records a failure; an earlier key stays where it is.
fn fail(error: FlowError) {
    update(|s| {
        s.status = AuthStatus::Error;
        s.error = Some(error);
        s.approve_url = None;
        s.paste_url = None;
    });
}

fn signed_in_with(SignedIn { key, not_saved, .. }: SignedIn) {
    update(|s| {
        s.key = Some(key);
        s.just_signed_in = true;
        s.status = AuthStatus::SignedIn;
        s.error = None;
        s.approve_url = None;
        s.paste_url = None;
        if let Some(e) = not_saved {
            s.notice = Some(crate::messages::fill(
                &s.messages.signed_in_not_saved,
                &[("detail", &e.message(&s.messages))],
            ));
        }
    });
}

/// Applies what the platform code reports: the only way it changes the state.
fn apply(event: Event) {
    match event {
        Event::Waiting {
            approve_url,
            paste_url,
            notice,
        } => update(|s| {
            s.approve_url = Some(approve_url);
            s.paste_url = Some(paste_url);
            s.notice = notice;
        }),
        Event::Exchanging => update(|s| s.status = AuthStatus::Exchanging),
        Event::Returned(Ok(Return::SignedIn(signed_in))) => signed_in_with(signed_in),
        // Nothing of ours came back (or a pasted code won meanwhile): show what is stored.
        Event::Returned(Ok(Return::NotACallback | Return::NotOurs)) | Event::StoreChanged => {
            reload_key()
        }
        Event::Returned(Err(error)) | Event::Failed(error) => fail(error),
        Event::ShownAgain => {
            // Left for OpenRouter, and back without an answer: the button works again. The
            // pending sign-in stays, should the user go Forward and approve after all.
            update(|s| {
                if s.status == AuthStatus::Redirecting {
                    s.status = if s.key.is_some() || s.server_session.is_some() {
                        AuthStatus::SignedIn
                    } else {
                        AuthStatus::SignedOut
                    };
                }
            });
            // Another tab may have signed in or out meanwhile, unheard by a page in the cache.
            if !cfg!(feature = "fullstack") {
                reload_key();
            }
        }
        Event::Session(session) => update(|s| {
            s.status = if session.is_some() {
                AuthStatus::SignedIn
            } else {
                AuthStatus::SignedOut
            };
            s.server_session = session;
            s.error = None;
        }),
    }
}

/// Reads the key from the store again (at start, and when another tab or window changed it).
fn reload_key() {
    let rt = runtime();
    let loaded = rt.store.load_key();
    update(|s| {
        let busy = matches!(s.status, AuthStatus::Redirecting | AuthStatus::Exchanging);
        match loaded {
            Ok(key) => {
                s.key = key;
                if !busy && s.key.is_some() {
                    s.status = AuthStatus::SignedIn;
                    s.error = None;
                } else if !busy && s.status != AuthStatus::Error {
                    s.status = AuthStatus::SignedOut;
                }
            }
            Err(e) => {
                s.status = AuthStatus::Error;
                s.error = Some(e.into());
            }
        }
    });
}

/// Marks, in a VirtualDom's root, that the server's render was carried into the state, and
/// keeps where a sign-in started before the page's wasm runs comes back to.
#[cfg(feature = "fullstack")]
#[derive(Clone)]
struct Rendered {
    return_to: Option<String>,
}

/// Where the sign-in button's form returns to (the address the server rendered), in fullstack
/// mode; `None` outside a component, or when the render knew none.
#[cfg(feature = "fullstack")]
pub(crate) fn rendered_return_to() -> Option<String> {
    try_consume_context::<Rendered>().and_then(|rendered| rendered.return_to)
}

/// Marks, in a VirtualDom's root, that sign-in handling has started for it. Per VirtualDom
/// rather than per thread: each desktop window has its own, and each must follow the store.
#[derive(Clone, Copy)]
struct Started;

fn start_once() {
    let rt = runtime();
    if try_consume_context::<Started>().is_some() || rt.client().is_err() {
        return;
    }
    provide_root_context(Started);
    // Deferred out of the render that called the hook: starting may change the state.
    spawn_forever(async move { platform::on_start(&rt, apply) });
}

/// The sign-in state and actions, for components. Cheap to copy; reading subscribes the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRouterAuth {
    _private: (),
}

/// Starts sign-in handling the first time any component calls it (loads the stored key, and on
/// the web handles a return from OpenRouter and follows other tabs), then gives the handle.
pub fn use_openrouter_auth() -> OpenRouterAuth {
    #[cfg(feature = "fullstack")]
    {
        // The server's render reads the request; the page's hydration gets the same value, so
        // that both first renders agree. Only the app's first caller carries it (the same one
        // on both sides, and always the same one for a given component).
        let first = use_hook(|| try_consume_context::<Rendered>().is_none());
        if first {
            // On the server: what the request says; in the page this runs only without
            // hydration data, when nothing is known.
            let rendered = use_server_cached(crate::fullstack::read_render);
            use_hook(|| {
                provide_root_context(Rendered {
                    return_to: rendered.return_to.clone(),
                })
            });
            RENDERED.with(|r| *r.borrow_mut() = Some(rendered));
        }
    }
    use_hook(start_once);
    OpenRouterAuth { _private: () }
}

impl OpenRouterAuth {
    /// A copy of the whole state.
    pub fn state(&self) -> AuthState {
        AUTH.read().clone()
    }

    /// Where the sign-in stands.
    pub fn status(&self) -> AuthStatus {
        AUTH.read().status
    }

    /// The key, if there is one.
    pub fn key(&self) -> Option<ApiKey> {
        AUTH.read().key.clone()
    }

    /// The key's first 12 characters and an ellipsis, for display (in fullstack mode, as the
    /// server describes the key it holds).
    pub fn masked_key(&self) -> Option<String> {
        let state = AUTH.read();
        state.key.as_ref().map(ApiKey::masked).or_else(|| {
            state
                .server_session
                .as_ref()
                .map(|session| session.masked_key.clone())
        })
    }

    /// Why the last sign-in failed, if it did.
    pub fn error(&self) -> Option<FlowError> {
        AUTH.read().error.clone()
    }

    /// Why the last sign-in or sign-out failed, in the app's language (see
    /// [`OpenRouterConfig::language`](crate::OpenRouterConfig::language)).
    pub fn error_message(&self) -> Option<String> {
        let state = AUTH.read();
        state.error.as_ref().map(|e| e.message(&state.messages))
    }

    /// The words the library shows now.
    pub fn messages(&self) -> Rc<Messages> {
        AUTH.read().messages.clone()
    }

    /// Shows the library's words in `messages` from now on (a language switch): the button,
    /// where the key is kept, the notices and the errors, in every component at once.
    pub fn set_messages(&self, messages: Messages) {
        let rt = runtime();
        let before = rt.store_notice();
        rt.set_messages(Rc::new(messages));
        let after = rt.store_notice();
        update(|s| {
            s.messages = rt.messages();
            s.key_location = rt.key_location();
            if s.notice.is_some() && s.notice == before {
                s.notice = after;
            }
        });
    }

    /// The app's OpenRouter client, for using the key: it talks to the configured OpenRouter and
    /// names the app as configured. `None` when the configuration was refused (see [`Self::error`]).
    pub fn client(&self) -> Option<Rc<OpenRouterClient>> {
        runtime().client().ok()
    }

    /// The page on OpenRouter where the user manages or revokes the current key (signing out
    /// here only forgets it on this device). A cheap read of the state: in a page it appears a
    /// moment after the key (the browser computes the key's hash), and is `None` until then.
    pub fn manage_url(&self) -> Option<String> {
        let state = AUTH.read();
        if let Some(session) = &state.server_session {
            return Some(session.manage_url.clone());
        }
        state.manage_url.clone()
    }

    /// Whether a key is there (in fullstack mode: whether the server holds one for this user).
    pub fn is_signed_in(&self) -> bool {
        let state = AUTH.read();
        state.key.is_some() || state.server_session.is_some()
    }

    /// What OpenRouter says about the key (label, usage, limit), in either mode: with the key
    /// here, or through the app's server, which holds it in fullstack mode. A revoked key
    /// answers `ClientError::Api { status: 401, .. }`.
    pub async fn key_info(&self) -> Result<KeyInfo, ClientError> {
        let (client, key) = self.client_and_key()?;
        client.key_info_as(key.as_ref()).await
    }

    /// The models the signed-in key may use, in either mode (see
    /// [`OpenRouterClient::user_models`]).
    pub async fn user_models(&self) -> Result<Vec<Model>, ClientError> {
        let (client, key) = self.client_and_key()?;
        client.user_models_as(key.as_ref()).await
    }

    /// What the answer with this generation id cost and used, in either mode (see
    /// [`OpenRouterClient::generation`]).
    pub async fn generation(&self, id: &str) -> Result<Generation, ClientError> {
        let (client, key) = self.client_and_key()?;
        client.generation_as(key.as_ref(), id).await
    }

    /// Streams a chat answer with the signed-in key, in either mode (see
    /// [`OpenRouterClient::chat_stream`]); dropping the future stops the request, also upstream
    /// of the app's server.
    pub async fn chat_stream(
        &self,
        request: &ChatRequest,
        on_text: impl FnMut(&str),
    ) -> Result<ChatStreamed, ClientError> {
        let (client, key) = self.client_and_key()?;
        client.chat_stream_as(key.as_ref(), request, on_text).await
    }

    /// The client, and the key it must send (`None` when the app's server holds it).
    fn client_and_key(&self) -> Result<(Rc<OpenRouterClient>, Option<ApiKey>), ClientError> {
        let not_signed_in = || ClientError::Api {
            status: 401,
            message: "not signed in".into(),
        };
        let client = runtime()
            .client()
            .map_err(|e| ClientError::InvalidResponse(e.to_string()))?;
        let state = AUTH.peek();
        match (&state.key, &state.server_session) {
            (Some(key), _) => Ok((client, Some(key.clone()))),
            (None, Some(_)) => Ok((client, None)),
            (None, None) => Err(not_signed_in()),
        }
    }

    /// Whether a sign-in is under way (the button shows its loading state).
    pub fn is_busy(&self) -> bool {
        matches!(
            AUTH.read().status,
            AuthStatus::Redirecting | AuthStatus::Exchanging
        )
    }

    /// Starts a sign-in: on the web the page goes to OpenRouter; on the desktop the system
    /// browser opens. Does nothing while one is already under way, so a double click starts one.
    pub fn sign_in(&self) {
        if self.is_busy_now() {
            return;
        }
        // The platform first, so that what fails at once is reported instead of the loading
        // state. On the web the page leaves in a task of its own, once the browser has hashed
        // the verifier: the loading state is written and rendered meanwhile, and nothing is left
        // to render in the task that navigates (a render in that task delays the navigation by
        // about 1 ms with the gallery's buttons as the state's subscribers). The state is busy
        // from here on, so a second click starts nothing.
        match platform::sign_in(&runtime(), apply) {
            Ok(()) => update(|s| {
                s.status = AuthStatus::Redirecting;
                s.error = None;
            }),
            Err(e) => fail(e),
        }
    }

    /// Finishes a sign-in with the code the user pasted (bare, `code=...`, or the whole URL).
    pub fn complete_with_code(&self, pasted: &str) {
        let rt = runtime();
        let client = match rt.client() {
            Ok(client) => client,
            Err(e) => return fail(e),
        };
        let pasted = pasted.to_owned();
        update(|s| s.status = AuthStatus::Exchanging);
        // Not tied to the calling component: the exchange finishes even if it unmounts.
        spawn_forever(async move {
            let result = super::flow::finish_with_code(
                &*rt.store,
                &client,
                &pasted,
                crate::platform::now_ms(),
            )
            .await;
            match result {
                Ok(signed_in) => {
                    // The browser's way back is no longer needed.
                    platform::cancel(&rt);
                    signed_in_with(signed_in)
                }
                Err(e) => fail(e),
            }
        });
    }

    /// Stops a sign-in under way: the pending record is dropped and, on the desktop, the loopback
    /// listener stops and frees its port. An earlier key stays.
    pub fn cancel_sign_in(&self) {
        let rt = runtime();
        platform::cancel(&rt);
        let dropped = rt.store.take_pending();
        update(|s| {
            s.approve_url = None;
            s.paste_url = None;
            s.status = if s.key.is_some() {
                AuthStatus::SignedIn
            } else {
                AuthStatus::SignedOut
            };
            s.error = dropped.err().map(FlowError::from);
            s.notice
                .get_or_insert_with(|| s.messages.cancelled_here.to_string());
        });
    }

    /// Forgets the key here and in storage (in fullstack mode: asks the app's server to clear
    /// its cookie, and tells the app's other tabs). If that fails, the error says so.
    pub fn sign_out(&self) {
        #[cfg(feature = "fullstack")]
        return platform::sign_out(&runtime(), apply);
        #[allow(unreachable_code)]
        match runtime().store.remove_key() {
            Ok(()) => update(|s| {
                s.key = None;
                s.status = AuthStatus::SignedOut;
                s.error = None;
                s.approve_url = None;
                s.paste_url = None;
            }),
            Err(e) => fail(e.into()),
        }
    }

    fn is_busy_now(&self) -> bool {
        matches!(
            AUTH.peek().status,
            AuthStatus::Redirecting | AuthStatus::Exchanging
        )
    }
}

/// Keeps an [`on_auth_change`] listener registered; dropping it unregisters.
#[must_use = "the listener is removed when this is dropped"]
pub struct AuthSubscription {
    id: u64,
}

impl Drop for AuthSubscription {
    fn drop(&mut self) {
        let id = self.id;
        // After the thread's end (a listener dropped during teardown) there is nothing to remove.
        let _ = LISTENERS.try_with(|all| all.borrow_mut().retain(|(other, _)| *other != id));
    }
}

/// Calls `listener` with the new state after every change: sign-in, sign-out, failure, and
/// changes made in another tab or window.
pub fn on_auth_change(listener: impl Fn(&AuthState) + 'static) -> AuthSubscription {
    let id = NEXT_LISTENER.with(|next| next.replace(next.get() + 1));
    LISTENERS.with(|all| all.borrow_mut().push((id, Rc::new(listener))));
    AuthSubscription { id }
}
