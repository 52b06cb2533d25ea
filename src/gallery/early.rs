//! The static page's copy of the hero (index.html, public/early.js): what it leaves for the wasm.
//! A click on the copy's sign-in button before the wasm ran is remembered as
//! `data-early-sign-in` on `<html>`; the gallery starts the sign-in from it once, in its first
//! render, through the library like any other click. Everywhere else (the desktop, the fullstack
//! page, a page without the copy) there is nothing to take.

/// The copy's sign-in button (public/early.js and index.template.html name it too).
#[cfg(target_arch = "wasm32")]
const COPY_BUTTON: &str = "prerendered-sign-in";

/// What the copy's sign-in button saw before the wasm ran.
#[derive(Clone, Copy, Debug, Default)]
pub struct EarlyClick {
    /// It was clicked: the sign-in is to start now. True once per page: reading it removes it.
    pub clicked: bool,
    /// It had the keyboard's focus, which the live button should take over.
    pub focused: bool,
}

/// Takes what the copy left: a click is acted on once, however often this is called.
#[cfg(target_arch = "wasm32")]
pub fn take() -> EarlyClick {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return EarlyClick::default();
    };
    let clicked = document.document_element().is_some_and(|root| {
        let clicked = root.has_attribute("data-early-sign-in");
        let _ = root.remove_attribute("data-early-sign-in");
        clicked
    });
    let focused = document
        .active_element()
        .is_some_and(|element| element.id() == COPY_BUTTON);
    EarlyClick { clicked, focused }
}

/// The desktop window has no copy of the hero.
#[cfg(not(target_arch = "wasm32"))]
pub fn take() -> EarlyClick {
    EarlyClick::default()
}
