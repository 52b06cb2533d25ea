//! The static page's copy of the hero (index.html, public/early.js): what it leaves for the
//! gallery's wasm. A click on the copy's sign-in button before any wasm ran waits as
//! `data-early-sign-in` on `<html>`: empty until someone takes it, `started` once the starter
//! (crates/gallery-start, which loads far sooner than this wasm) has. The gallery takes a click
//! the starter has not, and starts the sign-in through the library like any other click; a
//! click the starter took shows the hero's button as loading while the page leaves, and comes
//! back to the gallery if the starter could not start (the gallery's UI then says why).
//! Everywhere else (the desktop, the fullstack page, a page without the copy) nothing waits.

/// What the copy's sign-in button saw before the wasm ran.
#[derive(Clone, Copy, Debug, Default)]
pub struct EarlyClick {
    /// It was clicked and nobody has started the sign-in: the gallery is to start it now. True
    /// once per page: reading it takes the click.
    pub clicked: bool,
    /// It was clicked and the starter is sending the page to OpenRouter.
    pub started: bool,
    /// It had the keyboard's focus, which the live button should take over.
    pub focused: bool,
}

/// Whether the starter is sending the page to OpenRouter from an early click (the hero's button
/// then shows its loading state).
#[derive(Clone, Copy)]
pub struct Started(pub dioxus::prelude::Signal<bool>);

#[cfg(target_arch = "wasm32")]
mod web {
    use super::super::settings::{EARLY_CLICK as CLICK, EARLY_RETURNED as RETURNED};
    use super::EarlyClick;

    /// The copy's sign-in button (public/early.js and index.template.html name it too).
    const COPY_BUTTON: &str = "prerendered-sign-in";

    /// Takes what the copy left: a click that waits is taken once, however often this is called.
    pub fn take() -> EarlyClick {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return EarlyClick::default();
        };
        let (clicked, started) = match document.document_element() {
            Some(root) => match root.get_attribute(CLICK).as_deref() {
                Some("") => {
                    let _ = root.remove_attribute(CLICK);
                    (true, false)
                }
                Some("started") => (false, true),
                _ => (false, false),
            },
            None => (false, false),
        };
        let focused = document
            .active_element()
            .is_some_and(|element| element.id() == COPY_BUTTON);
        EarlyClick {
            clicked,
            started,
            focused,
        }
    }

    /// The next `name` event on `target`.
    async fn next_event(
        target: &web_sys::EventTarget,
        name: &str,
    ) -> web_sys::wasm_bindgen::JsValue {
        let next = js_sys::Promise::new(&mut |resolve, _| {
            let once = web_sys::AddEventListenerOptions::new();
            once.set_once(true);
            let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
                name, &resolve, &once,
            );
        });
        wasm_bindgen_futures::JsFuture::from(next)
            .await
            .unwrap_or_default()
    }

    /// Resolves when the starter gives its click back, with the click taken.
    pub async fn given_back() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return std::future::pending().await;
        };
        next_event(&document, RETURNED).await;
        take();
    }

    /// Resolves when the browser shows the page again from its back-forward cache: the user came
    /// Back from OpenRouter, and the sign-in the page left for is not under way any more.
    pub async fn shown_again() {
        let Some(window) = web_sys::window() else {
            return std::future::pending().await;
        };
        // An ordinary load's `pageshow` (the wasm may run before it) is not a return.
        while !js_sys::Reflect::get(&next_event(&window, "pageshow").await, &"persisted".into())
            .is_ok_and(|persisted| persisted.is_truthy())
        {}
    }
}

#[cfg(target_arch = "wasm32")]
pub use web::{given_back, shown_again, take};

/// The desktop window and the fullstack server have no copy of the hero.
#[cfg(not(target_arch = "wasm32"))]
pub fn take() -> EarlyClick {
    EarlyClick::default()
}

/// Nothing is ever given back where nothing was taken.
#[cfg(not(target_arch = "wasm32"))]
pub async fn given_back() {
    std::future::pending().await
}

/// Only a browser keeps pages to show again.
#[cfg(not(target_arch = "wasm32"))]
pub async fn shown_again() {
    std::future::pending().await
}
