//! Light or dark, remembered across visits: in localStorage on the web, in a small file next to
//! the key on the desktop. `?theme=dark` (web) or `OPENROUTER_GALLERY_THEME=dark` (desktop)
//! overrides it, which is how the screenshots pick a theme.

use dioxus::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn is_dark(self) -> bool {
        self == Theme::Dark
    }

    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn parse(text: &str) -> Option<Theme> {
        match text.trim() {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
}

/// The theme signal, starting from the override, else the remembered choice, else light.
#[cfg(not(feature = "fullstack"))]
pub fn use_theme() -> Signal<Theme> {
    use_signal(|| {
        requested()
            .or_else(|| remembered().and_then(|t| Theme::parse(&t)))
            .unwrap_or(Theme::Light)
    })
}

/// In the fullstack page, the server renders the `?theme=` override or light, and the page's
/// first render must be the same; the choice remembered in the browser applies right after.
#[cfg(feature = "fullstack")]
pub fn use_theme() -> Signal<Theme> {
    let rendered = use_server_cached(|| requested().unwrap_or(Theme::Light).is_dark());
    let mut theme = use_signal(|| if rendered { Theme::Dark } else { Theme::Light });
    use_effect(move || {
        if requested().is_none() {
            if let Some(stored) = remembered().and_then(|t| Theme::parse(&t)) {
                theme.set(stored);
            }
        }
    });
    theme
}

#[component]
pub fn ThemeToggle(theme: Signal<Theme>) -> Element {
    let dark = theme().is_dark();
    rsx! {
        button {
            id: "theme-toggle",
            r#type: "button",
            class: "rounded-full border border-neutral-300 px-3 py-1 text-sm hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-400",
            "aria-pressed": if dark { "true" } else { "false" },
            onclick: move |_| {
                let next = if theme().is_dark() { Theme::Light } else { Theme::Dark };
                theme.set(next);
                remember(next.name());
            },
            if dark { "☀ Light" } else { "☾ Dark" }
        }
    }
}

/// `?theme=` on the web (the address bar's, or on the fullstack server the request's).
#[cfg(any(target_arch = "wasm32", feature = "server"))]
fn requested() -> Option<Theme> {
    super::prefs::query_value("theme").and_then(|t| Theme::parse(&t))
}

#[cfg(not(any(target_arch = "wasm32", feature = "server")))]
fn requested() -> Option<Theme> {
    Theme::parse(&std::env::var("OPENROUTER_GALLERY_THEME").ok()?)
}

fn remembered() -> Option<String> {
    super::prefs::remembered("theme")
}

fn remember(name: &str) {
    super::prefs::remember("theme", name);
}
