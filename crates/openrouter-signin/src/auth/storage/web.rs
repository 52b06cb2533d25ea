//! Web storage: the key in `localStorage` (shared by the site's tabs, survives restarts), the
//! verifier and state in `sessionStorage` (this tab only, gone when it closes). The names are
//! those of OpenRouter's reference module, so users of an app that moves from it stay signed in.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Storage, StorageEvent};

use super::memory::rebuild_pending;
use super::{AuthStore, MemoryStore, PendingSignIn, StorageError};
use crate::messages::KeyLocation;
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

/// `localStorage` and `sessionStorage` of the current page. When the browser refuses
/// `localStorage` (storage disabled, some private modes), the key lives in memory for this page.
pub struct WebStore {
    local: Result<Storage, String>,
    session: Result<Storage, String>,
    memory_key: MemoryStore,
    names: Names,
}

/// The storage entries' names: the reference's, after an optional prefix.
struct Names {
    key: String,
    verifier: String,
    state: String,
    started_at: String,
}

impl Names {
    fn with_prefix(prefix: &str) -> Self {
        Names {
            key: format!("{prefix}{KEY_STORAGE_KEY}"),
            verifier: format!("{prefix}{VERIFIER_STORAGE_KEY}"),
            state: format!("{prefix}{STATE_STORAGE_KEY}"),
            started_at: format!("{prefix}{STARTED_AT_STORAGE_KEY}"),
        }
    }
}

fn unavailable(what: &str, reason: String) -> StorageError {
    StorageError::Unavailable {
        what: what.to_owned(),
        reason,
    }
}

/// One storage of the window, or why the browser refuses it.
fn open(window: &web_sys::Window, local: bool) -> Result<Storage, String> {
    let storage = if local {
        window.local_storage()
    } else {
        window.session_storage()
    };
    match storage {
        Ok(Some(storage)) => Ok(storage),
        Ok(None) => Err("the browser offers none".to_owned()),
        Err(e) => Err(js_text(&e)),
    }
}

impl WebStore {
    /// The page's storages under the reference's names; an error only when there is no window.
    pub fn open_default() -> Result<Self, StorageError> {
        Self::open_with_prefix("")
    }

    /// The page's storages, every entry's name after `prefix` (`myapp_openrouter_api_key`), for
    /// two apps on one origin. An error only when there is no window at all.
    pub fn open_with_prefix(prefix: &str) -> Result<Self, StorageError> {
        let window = web_sys::window()
            .ok_or_else(|| unavailable("browser storage", "there is no window".into()))?;
        Ok(WebStore {
            local: open(&window, true),
            session: open(&window, false),
            memory_key: MemoryStore::new(),
            names: Names::with_prefix(prefix),
        })
    }

    /// The `localStorage` entry that holds the key.
    pub fn key_entry(&self) -> &str {
        &self.names.key
    }

    fn clear_pending_entries(&self, session: &Storage) -> Result<(), StorageError> {
        for name in [
            &self.names.verifier,
            &self.names.state,
            &self.names.started_at,
        ] {
            remove(session, "sessionStorage", name)?;
        }
        Ok(())
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
        let Ok(local) = &self.local else {
            return self.memory_key.load_key();
        };
        match get(local, "localStorage", &self.names.key)? {
            None => Ok(None),
            Some(text) => ApiKey::parse(text)
                .map(Some)
                .map_err(|_| StorageError::Corrupt {
                    what: format!("localStorage[{:?}]", self.names.key),
                    expected: "OpenRouter key",
                }),
        }
    }

    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        match &self.local {
            // setItem either stores the whole value or throws, leaving the old one in place.
            Ok(local) => set(local, "localStorage", &self.names.key, key.expose_secret()),
            Err(_) => self.memory_key.save_key(key),
        }
    }

    fn remove_key(&self) -> Result<(), StorageError> {
        match &self.local {
            Ok(local) => remove(local, "localStorage", &self.names.key),
            Err(_) => self.memory_key.remove_key(),
        }
    }

    fn has_pending(&self) -> Result<bool, StorageError> {
        match &self.session {
            Ok(session) => Ok(get(session, "sessionStorage", &self.names.verifier)?.is_some()),
            Err(_) => Ok(false),
        }
    }

    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        // Memory would not survive the trip to OpenRouter and back: refuse before leaving.
        let session = self.session.as_ref().map_err(|reason| {
            unavailable(
                "sessionStorage, which sign-in needs to survive the trip to OpenRouter,",
                reason.clone(),
            )
        })?;
        let written = set(
            session,
            "sessionStorage",
            &self.names.state,
            pending.state.expose_secret(),
        )
        .and_then(|()| {
            set(
                session,
                "sessionStorage",
                &self.names.started_at,
                &pending.started_at_ms.to_string(),
            )
        })
        // The verifier goes last: its presence is what marks a sign-in as pending.
        .and_then(|()| {
            set(
                session,
                "sessionStorage",
                &self.names.verifier,
                pending.verifier.expose_secret(),
            )
        });
        if written.is_err() {
            let _ = self.clear_pending_entries(session);
        }
        written
    }

    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        let Ok(session) = &self.session else {
            return Ok(None);
        };
        let verifier = get(session, "sessionStorage", &self.names.verifier)?;
        let state = get(session, "sessionStorage", &self.names.state)?;
        let started = get(session, "sessionStorage", &self.names.started_at)?;
        // Removed before anything else can run: a second handler finds nothing to take.
        self.clear_pending_entries(session)?;
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
        match &self.local {
            Ok(_) => "this browser's localStorage for this site".to_owned(),
            Err(_) => "this page's memory only".to_owned(),
        }
    }

    fn limitation(&self) -> Option<String> {
        self.local.as_ref().err().map(|reason| {
            format!("This browser does not let this site keep data ({reason}), so the key will not be remembered after this page closes.")
        })
    }

    fn location(&self) -> KeyLocation {
        match &self.local {
            Ok(_) => KeyLocation::LocalStorage,
            Err(reason) => KeyLocation::PageMemory {
                reason: reason.clone(),
            },
        }
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

/// Calls `on_change` when another tab changes or removes the key of the store opened with
/// `prefix` (see [`WebStore::open_with_prefix`]), including `localStorage.clear()`, whose event
/// has a null key. Events about other entries are ignored.
pub fn watch_key_changes(
    prefix: &str,
    mut on_change: impl FnMut() + 'static,
) -> Option<KeyChangeWatch> {
    let window = web_sys::window()?;
    let key_entry = Names::with_prefix(prefix).key;
    let closure = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        let ours = event.key().is_none_or(|key| key == key_entry);
        if ours {
            on_change();
        }
    });
    window
        .add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(KeyChangeWatch { closure })
}
