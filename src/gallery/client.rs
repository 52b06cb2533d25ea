//! The gallery's OpenRouter client, for using the key: the one the sign-in configuration made,
//! which names the app to OpenRouter (see `config()` in mod.rs).

use std::rc::Rc;

use openrouter_signin::{use_openrouter_auth, OpenRouterClient};

/// The app's client; `None` when the configured OpenRouter address is invalid (the sign-in area
/// already says so).
pub fn use_gallery_client() -> Option<Rc<OpenRouterClient>> {
    use_openrouter_auth().client()
}
