//! What every part of sign-in works with, made once per app from its configuration: the store,
//! the client, and the platform's handles. The platform code receives it from the session.

use std::cell::RefCell;
use std::rc::Rc;

use super::config::OpenRouterConfig;
use super::flow::FlowError;
use super::storage::{open_platform_store, AuthStore, MemoryStore, StorageError};
use crate::messages::{fill, KeyLocation, Messages};
use crate::openrouter::OpenRouterClient;

/// The configuration, the store and the client, made once per app (per UI thread) by the session.
pub(crate) struct Runtime {
    pub(super) config: OpenRouterConfig,
    /// Whether `config` was given by the app rather than taken by default.
    pub(super) configured: bool,
    pub(super) store: Rc<dyn AuthStore>,
    /// Why the store could not be opened, when it could not (then the key lives in memory).
    store_failure: Option<StorageError>,
    /// The words the library shows, in the app's language.
    messages: RefCell<Rc<Messages>>,
    client: Result<Rc<OpenRouterClient>, FlowError>,
    /// Stops the desktop's loopback listener, while one waits.
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
    pub(super) cancel_listener: RefCell<Option<tokio::sync::mpsc::Sender<()>>>,
    /// Platform handles (event listeners) that must live as long as the app.
    #[cfg(target_arch = "wasm32")]
    pub(super) keep_alive: RefCell<Vec<Box<dyn std::any::Any>>>,
}

impl Runtime {
    pub(super) fn new(config: OpenRouterConfig, configured: bool) -> Self {
        let valid = config
            .validate()
            .map_err(|e| FlowError::Config(e.to_string()));
        let opened = match (config.custom_store(), &valid) {
            (Some(store), _) => Ok(store),
            // A refused app id or prefix names no place to look: sign-in is off anyway.
            (None, Err(_)) => Ok(Rc::new(MemoryStore::new()) as Rc<dyn AuthStore>),
            // In fullstack mode the server keeps the key: nothing is stored here, ever.
            (None, Ok(())) if cfg!(feature = "fullstack") => {
                Ok(Rc::new(MemoryStore::new()) as Rc<dyn AuthStore>)
            }
            (None, Ok(())) => open_platform_store(config.app_id(), config.storage_prefix())
                .map(|store| Rc::new(store) as Rc<dyn AuthStore>),
        };
        let (store, store_failure): (Rc<dyn AuthStore>, _) = match opened {
            Ok(store) => (store, None),
            Err(e) => (Rc::new(MemoryStore::new()), Some(e)),
        };
        let messages = Rc::new(config.chosen_messages().cloned().unwrap_or_else(|| {
            // The fullstack page says what its server rendered: both sides use the same words.
            if cfg!(feature = "fullstack") {
                Messages::english()
            } else {
                Messages::for_platform()
            }
        }));
        let client = valid.and_then(|()| {
            #[cfg(all(target_arch = "wasm32", feature = "fullstack"))]
            return Ok(Rc::new(server_session_client()?));
            #[allow(unreachable_code)]
            let client = OpenRouterClient::new(config.openrouter().clone())?;
            Ok(Rc::new(match config.attributed_as() {
                Some((site, title)) => client.with_attribution(site, title),
                None => client,
            }))
        });
        Runtime {
            config,
            configured,
            store,
            store_failure,
            messages: RefCell::new(messages),
            client,
            #[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
            cancel_listener: RefCell::default(),
            #[cfg(target_arch = "wasm32")]
            keep_alive: RefCell::default(),
        }
    }

    /// The words the library shows now.
    pub(super) fn messages(&self) -> Rc<Messages> {
        self.messages.borrow().clone()
    }

    /// Shows the library's words in `messages` from now on.
    pub(super) fn set_messages(&self, messages: Rc<Messages>) {
        self.messages.replace(messages);
    }

    /// Where the key is kept, in the current words (in fullstack mode the server's cookie).
    pub(super) fn key_location(&self) -> String {
        let messages = self.messages();
        if cfg!(feature = "fullstack") {
            messages.key_in_server_cookie.to_string()
        } else {
            messages.key_location(&self.store.location())
        }
    }

    /// What the user should know about where the key is kept, in the current words: that it
    /// will not be remembered, and why. `None` when the store works as designed.
    pub(super) fn store_notice(&self) -> Option<String> {
        let messages = self.messages();
        if let Some(failure) = &self.store_failure {
            return Some(fill(
                &messages.store_unavailable,
                &[("detail", &failure.message(&messages))],
            ));
        }
        match self.store.location() {
            KeyLocation::PageMemory { reason } => Some(fill(
                &messages.not_remembered_by_browser,
                &[("detail", &reason)],
            )),
            KeyLocation::Described(_) => self.store.limitation(),
            _ => None,
        }
    }

    pub(super) fn client(&self) -> Result<Rc<OpenRouterClient>, FlowError> {
        self.client.clone()
    }
}

/// In the fullstack page, the client talks to the app's own server, which answers like
/// OpenRouter with the key it holds.
#[cfg(all(target_arch = "wasm32", feature = "fullstack"))]
fn server_session_client() -> Result<OpenRouterClient, FlowError> {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .ok_or_else(|| FlowError::Config("the page has no address".into()))?;
    // The page's own origin, whatever its scheme: the page already came over it.
    let api = format!("{origin}{}", crate::fullstack::API_PREFIX);
    let base = crate::openrouter::BaseUrl::parse_allowing_http(&api)
        .map_err(|e| FlowError::Config(e.to_string()))?;
    Ok(OpenRouterClient::for_server_session(base)?)
}
