//! What every part of sign-in works with, made once per app from its configuration: the store,
//! the client, and the platform's handles. The platform code receives it from the session.

#[cfg(any(target_arch = "wasm32", not(feature = "server")))]
use std::cell::RefCell;
use std::rc::Rc;

use super::config::OpenRouterConfig;
use super::flow::FlowError;
use super::storage::{open_platform_store, AuthStore, MemoryStore};
use crate::openrouter::OpenRouterClient;

/// The configuration, the store and the client, made once per app (per UI thread) by the session.
pub(crate) struct Runtime {
    pub(super) config: OpenRouterConfig,
    /// Whether `config` was given by the app rather than taken by default.
    pub(super) configured: bool,
    pub(super) store: Rc<dyn AuthStore>,
    pub(super) store_notice: Option<String>,
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
        let (store, store_notice): (Rc<dyn AuthStore>, _) = match opened {
            Ok(store) => {
                let notice = store.limitation();
                (store, notice)
            }
            Err(e) => (
                Rc::new(MemoryStore::new()),
                Some(format!(
                    "{e}. You can sign in, but the key will not be remembered."
                )),
            ),
        };
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
            store_notice,
            client,
            #[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
            cancel_listener: RefCell::default(),
            #[cfg(target_arch = "wasm32")]
            keep_alive: RefCell::default(),
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
