//! How the web starts a sign-in (the page goes to OpenRouter) and receives the return (OpenRouter
//! sends the browser back to this page with `?code=..&state=..`).

use std::rc::Rc;

use dioxus::core::spawn_forever;
use wasm_bindgen::JsValue;

use super::callback::strip_callback_params;
use super::flow::{
    begin_sign_in, finish_sign_in, is_callback_pending, is_our_return, FlowError, Return,
};
use super::session::{fail, reload_key, signed_in_with, update, AuthStatus, Runtime};
use super::storage::{watch_key_changes, StorageError};
use crate::platform::{js_text, now_ms};

fn window_error(what: &str, reason: String) -> FlowError {
    FlowError::Storage(StorageError::Unavailable {
        what: what.to_owned(),
        reason,
    })
}

/// Follows other tabs, and handles a return from OpenRouter if this tab started a sign-in.
pub(super) fn on_start(rt: &Rc<Runtime>) {
    if let Some(watch) = watch_key_changes(reload_key) {
        rt.keep_alive.borrow_mut().push(Box::new(watch));
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(href) = window.location().href() else {
        return;
    };
    // A `?code=` that is not from our sign-in belongs to someone else: leave it and the URL alone.
    let pending = is_callback_pending(&*rt.store, &href);
    if !pending && !is_our_return(&href) {
        return;
    }
    // The code leaves the address bar (and so history, bookmarks, referrers) before it is used.
    if let Ok(history) = window.history() {
        let _ =
            history.replace_state_with_url(&JsValue::NULL, "", Some(&strip_callback_params(&href)));
    }
    let client = match rt.client() {
        Ok(client) => client,
        Err(e) => return fail(e),
    };
    if pending {
        update(|s| s.status = AuthStatus::Exchanging);
    }
    let rt = rt.clone();
    spawn_forever(async move {
        let result = finish_sign_in(&*rt.store, &client, &href, now_ms()).await;
        apply_return(result);
    });
}

/// Stores a fresh verifier and state in sessionStorage and sends the page to OpenRouter.
pub(super) fn sign_in(rt: &Rc<Runtime>) {
    if let Err(e) = try_sign_in(rt) {
        fail(e);
    }
}

fn try_sign_in(rt: &Rc<Runtime>) -> Result<(), FlowError> {
    let window =
        web_sys::window().ok_or_else(|| window_error("the page", "there is no window".into()))?;
    let location = window.location();
    let origin = location
        .origin()
        .map_err(|e| window_error("the page address", js_text(&e)))?;
    let path = location
        .pathname()
        .map_err(|e| window_error("the page address", js_text(&e)))?;
    let client = rt.client()?;
    let url = begin_sign_in(
        &*rt.store,
        client.base_url(),
        &format!("{origin}{path}"),
        now_ms(),
    )?;
    location
        .assign(&url)
        .map_err(|e| window_error("navigation", js_text(&e)))
}

/// Applies what handling a return came to.
fn apply_return(result: Result<Return, FlowError>) {
    match result {
        Ok(Return::SignedIn(signed_in)) => signed_in_with(signed_in),
        Ok(Return::NotACallback | Return::NotOurs) => reload_key(),
        Err(error) => fail(error),
    }
}

/// Nothing runs in the background on the web while a sign-in is away at OpenRouter.
pub(super) fn cancel(_rt: &Rc<Runtime>) {}
