//! Web storage: the key in `localStorage` (shared by the site's tabs, survives restarts), the
//! verifier and state in `sessionStorage` (this tab only, gone when it closes). The names are
//! those of OpenRouter's reference module, so users of an app that moves from it stay signed in.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Storage, StorageEvent};

use super::memory::rebuild_pending;
use super::{AuthStore, PendingSignIn, StorageError};
use crate::openrouter::ApiKey;
use crate::platform::js_text;

/// `localStorage` entry that holds the key.
pub const KEY_STORAGE_KEY: &str = "openrouter_api_key";
/// `sessionStorage` entry that holds the PKCE verifier of a sign-in in progress.
pub const VERIFIER_STORAGE_KEY: &str = "openrouter_code_verifier";
/// `sessionStorage` entry that holds the state of a sign-in in progress.
pub const STATE_STORAGE_KEY: &str = "openrouter_oauth_state";
/// `sessionStorage` entry that holds when the sign-in in progress started (ms since the epoch).
pub const STARTED_AT_STORAGE_KEY: &str = "openrouter_oauth_started_at";

/// `localStorage` and `sessionStorage` of the current page.
pub struct WebStore {
    local: Storage,
    session: Storage,
}

fn unavailable(what: &str, reason: String) -> StorageError {
    StorageError::Unavailable {
        what: what.to_owned(),
        reason,
    }
}

impl WebStore {
    /// Both storages of this page; an error when either is missing or throws on access
    /// (sandboxed frames, some private modes, storage disabled by policy).
    pub fn open_default() -> Result<Self, StorageError> {
        let window = web_sys::window()
            .ok_or_else(|| unavailable("browser storage", "there is no window".into()))?;
        let local = window
            .local_storage()
            .map_err(|e| unavailable("localStorage", js_text(&e)))?
            .ok_or_else(|| unavailable("localStorage", "the browser offers none".into()))?;
        let session = window
            .session_storage()
            .map_err(|e| unavailable("sessionStorage", js_text(&e)))?
            .ok_or_else(|| unavailable("sessionStorage", "the browser offers none".into()))?;
        Ok(WebStore { local, session })
    }
}

fn get(storage: &Storage, what: &str, name: &str) -> Result<Option<String>, StorageError> {
    storage
        .get_item(name)
        .map_err(|e| unavailable(what, js_text(&e)))
}

fn set(storage: &Storage, what: &str, name: &str, value: &str) -> Result<(), StorageError> {
    storage
        .set_item(name, value)
        .map_err(|e| StorageError::WriteRefused {
            what: what.to_owned(),
            reason: js_text(&e),
        })
}

fn remove(storage: &Storage, what: &str, name: &str) -> Result<(), StorageError> {
    storage
        .remove_item(name)
        .map_err(|e| unavailable(what, js_text(&e)))
}

impl AuthStore for WebStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        match get(&self.local, "localStorage", KEY_STORAGE_KEY)? {
            None => Ok(None),
            Some(text) => ApiKey::parse(text)
                .map(Some)
                .map_err(|_| StorageError::Corrupt {
                    what: format!("localStorage[{KEY_STORAGE_KEY:?}]"),
                    expected: "OpenRouter key",
                }),
        }
    }

    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        // setItem either stores the whole value or throws, leaving the old one in place.
        set(
            &self.local,
            "localStorage",
            KEY_STORAGE_KEY,
            key.expose_secret(),
        )
    }

    fn remove_key(&self) -> Result<(), StorageError> {
        remove(&self.local, "localStorage", KEY_STORAGE_KEY)
    }

    fn has_pending(&self) -> Result<bool, StorageError> {
        Ok(get(&self.session, "sessionStorage", VERIFIER_STORAGE_KEY)?.is_some())
    }

    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        let written = set(
            &self.session,
            "sessionStorage",
            STATE_STORAGE_KEY,
            pending.state.expose_secret(),
        )
        .and_then(|()| {
            set(
                &self.session,
                "sessionStorage",
                STARTED_AT_STORAGE_KEY,
                &pending.started_at_ms.to_string(),
            )
        })
        // The verifier goes last: its presence is what marks a sign-in as pending.
        .and_then(|()| {
            set(
                &self.session,
                "sessionStorage",
                VERIFIER_STORAGE_KEY,
                pending.verifier.expose_secret(),
            )
        });
        if written.is_err() {
            let _ = self.clear_pending_entries();
        }
        written
    }

    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        let verifier = get(&self.session, "sessionStorage", VERIFIER_STORAGE_KEY)?;
        let state = get(&self.session, "sessionStorage", STATE_STORAGE_KEY)?;
        let started = get(&self.session, "sessionStorage", STARTED_AT_STORAGE_KEY)?;
        // Removed before anything else can run: a second handler finds nothing to take.
        self.clear_pending_entries()?;
        let Some(verifier) = verifier else {
            return Ok(None);
        };
        let what = "the pending sign-in in sessionStorage";
        let corrupt = |expected| StorageError::Corrupt {
            what: what.to_owned(),
            expected,
        };
        let state = state.ok_or_else(|| corrupt("state"))?;
        let started = started
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt("start time"))?;
        rebuild_pending(verifier, state, started, what).map(Some)
    }

    fn describe_location(&self) -> String {
        "this browser's localStorage for this site".to_owned()
    }
}

impl WebStore {
    fn clear_pending_entries(&self) -> Result<(), StorageError> {
        for name in [
            VERIFIER_STORAGE_KEY,
            STATE_STORAGE_KEY,
            STARTED_AT_STORAGE_KEY,
        ] {
            remove(&self.session, "sessionStorage", name)?;
        }
        Ok(())
    }
}

/// Keeps a `storage` event listener alive; dropping it removes the listener.
pub struct KeyChangeWatch {
    closure: Closure<dyn FnMut(StorageEvent)>,
}

impl Drop for KeyChangeWatch {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "storage",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Calls `on_change` when another tab changes or removes the key, including `localStorage.clear()`,
/// whose event has a null key. Events about other entries are ignored.
pub fn watch_key_changes(mut on_change: impl FnMut() + 'static) -> Option<KeyChangeWatch> {
    let window = web_sys::window()?;
    let closure = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        let ours = event.key().is_none_or(|key| key == KEY_STORAGE_KEY);
        if ours {
            on_change();
        }
    });
    window
        .add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(KeyChangeWatch { closure })
}
