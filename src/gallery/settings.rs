//! The gallery's sign-in settings: its app id, the OpenRouter it talks to (it opts into
//! `OPENROUTER_BASE_URL`, so that the scripts and tests can point it at the local mock), and how
//! it names itself and its keys; and the names by which an early click is handed over. Shared,
//! as this file, with the static page's starter (crates/gallery-start), which starts a sign-in
//! before the gallery's wasm has loaded: both must start it the same way and agree on who took
//! the click (public/early.js uses the same names).

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

// Only the web reads these; the gallery itself never listens for `EARLY_CLICKED` (the starter does).
/// The attribute of `<html>` on which a click on index.html's copy of the hero waits: empty until
/// someone takes it, `started` once the starter has.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const EARLY_CLICK: &str = "data-early-sign-in";
/// What public/early.js sends on the document once it has seen a click.
#[allow(dead_code)]
pub const EARLY_CLICKED: &str = "openrouter-early-sign-in";
/// What the starter sends on the document when it gives a click back.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const EARLY_RETURNED: &str = "openrouter-early-sign-in-returned";
