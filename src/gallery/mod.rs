//! The gallery: every button variant and size with its snippet, the options, a real sign-in with
//! the key's status, and a remembered dark mode. The same code runs on the web and the desktop.

mod chat;
mod early;
mod grid;
mod hero;
mod key_status;
mod language;
mod options;
mod prefs;
mod settings;
mod theme;

use dioxus::prelude::*;

use chat::ChatPanel;
use grid::VariantGrid;
use hero::Hero;
use key_status::{KeyStatus, RevokedNotice};
use openrouter_signin::components::asset_stylesheet;
use openrouter_signin::{use_openrouter_auth, use_openrouter_config, OpenRouterConfig};
use options::OptionsRow;
use theme::{use_theme, ThemeToggle};

/// On the web dx writes its link into index.html (`with_static_head`); the desktop links it (see
/// `asset_stylesheet`).
const GALLERY_CSS: Asset = asset!(
    "/assets/gallery.css",
    AssetOptions::css().with_static_head(true)
);

/// The gallery's sign-in settings (see [`settings`]), in the remembered language.
pub fn config() -> OpenRouterConfig {
    let config = settings::sign_in_settings();
    // The remembered language from the first render on (the fullstack page applies it after
    // hydration: its server renders English).
    match language::words(&language::initial()) {
        Some(words) if !cfg!(feature = "fullstack") => config.messages(words),
        _ => config,
    }
}

/// The whole gallery page.
#[component]
pub fn App() -> Element {
    use_openrouter_config(config);
    let theme = use_theme();
    let auth = use_openrouter_auth();
    // A click on index.html's copy of the hero before this wasm ran (see early.rs): one that
    // waits starts the sign-in now, before `use_below_hero` asks whether the page is busy, so
    // that only the hero is rendered while the page leaves for OpenRouter. One the starter took
    // shows as loading, unless the starter gives it back.
    let early = use_hook(|| {
        let early = early::take();
        if early.clicked {
            auth.sign_in();
        }
        early
    });
    let mut early_started = use_signal(|| early.started);
    use_hook(move || {
        if early.started {
            spawn(async move {
                early::given_back().await;
                early_started.set(false);
                auth.sign_in();
            });
            // Back from OpenRouter to the page as the browser kept it: the starter's sign-in
            // is over, and the hero's button works again.
            spawn(async move {
                early::shown_again().await;
                early_started.set(false);
            });
        }
    });
    use_context_provider(|| early);
    use_context_provider(|| early::Started(early_started));
    use_context_provider(|| RevokedNotice(Signal::new(false)));
    let below_hero = use_below_hero(auth);
    rsx! {
        // The title comes from Dioxus.toml on the web and from the window builder on the desktop.
        {asset_stylesheet(GALLERY_CSS)}
        div {
            id: "gallery",
            class: if theme().is_dark() { "dark" },
            "data-theme": theme().name(),
            // The library's words may be in a right-to-left language: the layout mirrors.
            dir: if auth.messages().right_to_left { "rtl" } else { "ltr" },
            div { class: "relative min-h-screen bg-white text-neutral-900 dark:bg-neutral-950 dark:text-neutral-100",
                // Phones get a 12 px gutter, so that an XL button (331 px in DejaVu Sans) fits a 360 px screen.
                main { class: "mx-auto max-w-6xl px-3 py-12 sm:px-6",
                    // The hero comes first in the document, so its button is the first thing Tab reaches.
                    Hero {}
                    if below_hero() {
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
                }
                nav { class: "absolute top-4 end-6 flex items-center gap-2",
                    language::LanguageSwitch {}
                    ThemeToggle { theme }
                }
            }
        }
    }
}

/// How long a sign-in being finished may keep the page below the hero waiting.
const REST_AT_THE_LATEST_MS: u32 = 300;

/// Whether the page below the hero is rendered. On a return from OpenRouter (the page starts
/// out finishing the sign-in) only the hero is, so that "Sign out" shows as soon as the key is
/// stored; the variants, options, key status and chat follow a turn of the event loop later (and
/// the key status's request to OpenRouter with them), or after [`REST_AT_THE_LATEST_MS`] of a
/// slow exchange. Any other load renders the whole page at once, as does the fullstack server
/// (whose page's hydration must start from what it rendered).
fn use_below_hero(auth: openrouter_signin::OpenRouterAuth) -> Signal<bool> {
    let mut below_hero = use_signal(|| cfg!(feature = "fullstack") || !auth.is_busy());
    use_hook(move || {
        if *below_hero.peek() {
            return;
        }
        spawn(async move {
            openrouter_signin::sleep_ms(REST_AT_THE_LATEST_MS).await;
            if !*below_hero.peek() {
                below_hero.set(true);
            }
        });
    });
    let busy = use_memo(move || auth.is_busy());
    use_effect(move || {
        if busy() || *below_hero.peek() {
            return;
        }
        spawn(async move {
            // A timer, not a microtask: the browser handles (and may paint) "Sign out" first.
            openrouter_signin::sleep_ms(0).await;
            if !auth.is_busy() {
                below_hero.set(true);
            }
        });
    });
    below_hero
}
