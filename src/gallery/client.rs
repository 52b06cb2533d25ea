//! The gallery's own OpenRouter client, for using the key: it names the app to OpenRouter.

use std::rc::Rc;

use dioxus::prelude::*;
use openrouter_signin::{BaseUrl, OpenRouterClient};

const TITLE: &str = "openrouter-signin gallery";

/// One client for the whole gallery, made on first use; `None` when the configured OpenRouter
/// address is invalid (the sign-in area already says so).
pub fn use_gallery_client() -> Option<Rc<OpenRouterClient>> {
    use_root_context(|| {
        let base = BaseUrl::from_env().ok()?;
        let client = OpenRouterClient::new(base).ok()?;
        Some(Rc::new(client.with_attribution(referer(), TITLE)))
    })
}

#[cfg(target_arch = "wasm32")]
fn referer() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://localhost".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn referer() -> String {
    "https://openrouter-signin.invalid/desktop-gallery".into()
}
