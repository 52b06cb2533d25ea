//! The static gallery's starter. index.html carries a copy of the gallery's hero, and
//! public/early.js takes a click on its sign-in button before any wasm has run. This module is
//! a few kilobytes of wasm that loads beside the gallery's own (over 200 KB), and starts that
//! sign-in as soon as it has loaded, instead of once the whole gallery has: with the library's
//! own [`openrouter_signin::start_sign_in`] and the gallery's own settings (the same file), so
//! that nothing of the sign-in is written twice.
//!
//! The click travels on `<html data-early-sign-in>`: present and empty once early.js has seen a
//! click (it then sends `openrouter-early-sign-in` on the document), `started` once this module
//! has taken it. Whichever of this module and the gallery runs first takes the click, once. A
//! start that fails gives the click back (empty again, and `openrouter-early-sign-in-returned`
//! on the document): the gallery then starts it through its UI, which says what went wrong in
//! the user's words.

#[allow(dead_code)] // The module's helper for the web is unused on other targets.
#[path = "../../../src/gallery/settings.rs"]
mod settings;

#[cfg(target_arch = "wasm32")]
fn main() {
    web::take_or_wait();
}

/// Only the static web page has a copy of the hero to start from.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Document, Event};

    use super::settings::{
        EARLY_CLICK as CLICK, EARLY_CLICKED as CLICKED, EARLY_RETURNED as RETURNED,
    };

    /// Takes a click that came before this module loaded, or waits for one.
    pub fn take_or_wait() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        take(&document);
        let waiting = document.clone();
        let listener = Closure::<dyn Fn()>::new(move || take(&waiting));
        if document
            .add_event_listener_with_callback(CLICKED, listener.as_ref().unchecked_ref())
            .is_ok()
        {
            // Listens for as long as the page lives.
            listener.forget();
        }
    }

    /// Starts the sign-in if a click waits that nobody has taken.
    fn take(document: &Document) {
        let Some(root) = document.document_element() else {
            return;
        };
        if root.get_attribute(CLICK).as_deref() != Some("") {
            return;
        }
        let _ = root.set_attribute(CLICK, "started");
        let document = document.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let settings = super::settings::sign_in_settings();
            if openrouter_signin::start_sign_in(&settings).await.is_err() {
                let _ = root.set_attribute(CLICK, "");
                if let Ok(event) = Event::new(RETURNED) {
                    let _ = document.dispatch_event(&event);
                }
            }
        });
    }
}
