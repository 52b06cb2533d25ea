//! The gallery: every button variant and size with its snippet, the options, a real sign-in with
//! the key's status, and a remembered dark mode. The same code runs on the web and the desktop.

mod chat;
mod grid;
mod hero;
mod key_status;
mod options;
mod theme;

use dioxus::prelude::*;

use chat::ChatPanel;
use grid::VariantGrid;
use hero::Hero;
use key_status::{KeyStatus, RevokedNotice};
use openrouter_signin::components::LinkStylesheet;
use openrouter_signin::{use_openrouter_auth, use_openrouter_config, OpenRouterConfig};
use options::OptionsRow;
use theme::{use_theme, ThemeToggle};

const GALLERY_CSS: Asset = asset!(
    "/assets/gallery.css",
    AssetOptions::css().with_static_head(true)
);

/// The gallery's sign-in settings. It opts into `OPENROUTER_BASE_URL`, so that the scripts and
/// tests can point it at the local mock.
pub fn config() -> OpenRouterConfig {
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

/// The whole gallery page.
#[component]
pub fn App() -> Element {
    use_openrouter_config(config);
    let theme = use_theme();
    let auth = use_openrouter_auth();
    use_context_provider(|| RevokedNotice(Signal::new(false)));
    rsx! {
        // The title comes from Dioxus.toml on the web and from the window builder on the desktop.
        LinkStylesheet { href: GALLERY_CSS }
        div {
            id: "gallery",
            class: if theme().is_dark() { "dark" },
            "data-theme": theme().name(),
            div { class: "relative min-h-screen bg-white text-neutral-900 dark:bg-neutral-950 dark:text-neutral-100",
                // Phones get a 12 px gutter, so that an XL button (331 px in DejaVu Sans) fits a 360 px screen.
                main { class: "mx-auto max-w-6xl px-3 py-12 sm:px-6",
                    // The hero comes first in the document, so its button is the first thing Tab reaches.
                    Hero {}
                    if let Some(masked) = auth.masked_key() {
                        // Keyed by the key, so that a new key gets a fresh status and chat.
                        div { key: "{masked}",
                            KeyStatus {}
                            ChatPanel {}
                        }
                    }
                    OptionsRow {}
                    VariantGrid {}
                }
                nav { class: "absolute top-4 right-6", ThemeToggle { theme } }
            }
        }
    }
}
