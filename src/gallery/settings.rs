//! The gallery's sign-in settings: its app id, the OpenRouter it talks to (it opts into
//! `OPENROUTER_BASE_URL`, so that the scripts and tests can point it at the local mock), and how
//! it names itself and its keys. Shared, as this file, with the static page's starter
//! (crates/gallery-start), which starts a sign-in before the gallery's wasm has loaded: both must
//! start it the same way.

use openrouter_signin::OpenRouterConfig;

/// The settings every sign-in of the gallery uses (the gallery adds its language).
pub fn sign_in_settings() -> OpenRouterConfig {
    OpenRouterConfig::new("openrouter-signin-gallery")
        .base_url_from_env()
        .key_label("openrouter-signin gallery")
        .attribution(site_url(), "openrouter-signin gallery")
}

/// The site the gallery names itself with: the page's origin on the web.
#[cfg(target_arch = "wasm32")]
fn site_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://localhost".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn site_url() -> String {
    "https://openrouter-signin.invalid/desktop-gallery".into()
}
