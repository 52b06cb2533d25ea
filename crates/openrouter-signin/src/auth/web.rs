//! How the web starts a sign-in (the page goes to OpenRouter) and receives the return (OpenRouter
//! sends the browser back to this page with `?code=..&state=..`).

use std::rc::Rc;

use dioxus::core::spawn_forever;
use wasm_bindgen::JsValue;

use super::authorize::is_same_origin_path;
use super::authorize::with_credit_limit;
use super::callback::strip_callback_params;
use super::config::OpenRouterConfig;
use super::flow::{begin_sign_in, finish_sign_in, is_callback_pending, is_our_return, FlowError};
use super::runtime::Runtime;
use super::state::{Event, Report};
use super::storage::{open_platform_store, watch_key_changes, AuthStore, StorageError};
use crate::platform::{js_text, now_ms, on_shown_again};

fn window_error(what: &str, reason: String) -> FlowError {
    FlowError::Storage(StorageError::Unavailable {
        what: what.to_owned(),
        reason,
    })
}

/// Whether this page is a return from OpenRouter of a sign-in this tab started, which
/// [`on_start`] will finish: the state starts out exchanging, so that the first render already
/// shows it.
pub(super) fn returning(rt: &Rc<Runtime>) -> bool {
    web_sys::window()
        .and_then(|window| window.location().href().ok())
        .is_some_and(|href| is_callback_pending(&*rt.store, &href))
}

/// Follows other tabs, and handles a return from OpenRouter if this tab started a sign-in.
pub(super) fn on_start(rt: &Rc<Runtime>, report: Report) {
    let prefix = rt.config.storage_prefix();
    if let Some(watch) = watch_key_changes(prefix, move || report(Event::StoreChanged)) {
        rt.keep_alive.borrow_mut().push(Box::new(watch));
    }
    if let Some(listener) = on_shown_again(move || report(Event::ShownAgain)) {
        rt.keep_alive.borrow_mut().push(Box::new(listener));
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
    // Back from a fixed callback route, the user lands where the sign-in started.
    let return_to = take_return_to(rt);
    let elsewhere = return_to.is_some();
    let back_to = return_to.unwrap_or_else(|| strip_callback_params(&href));
    if let Ok(history) = window.history() {
        if history
            .replace_state_with_url(&JsValue::NULL, "", Some(&back_to))
            .is_ok()
            && elsewhere
        {
            // A router (dioxus-router's web history among them) follows popstate.
            if let Ok(event) = web_sys::PopStateEvent::new("popstate") {
                let _ = window.dispatch_event(&event);
            }
        }
    }
    let client = match rt.client() {
        Ok(client) => client,
        Err(e) => return report(Event::Failed(e)),
    };
    if pending {
        report(Event::Exchanging);
    }
    let rt = rt.clone();
    spawn_forever(async move {
        let returned = finish_sign_in(&*rt.store, &client, &href, now_ms()).await;
        report(Event::Returned(returned));
    });
}

/// Stores a fresh verifier and state in sessionStorage and sends the page to OpenRouter. What
/// can be checked at once fails at once; the rest waits for the browser's SHA-256 of the
/// verifier (well under a millisecond), in a task that reports its failure before the page has
/// left, and otherwise leaves.
pub(super) fn sign_in(rt: &Rc<Runtime>, report: Report) -> Result<(), FlowError> {
    // A configuration the client refuses fails here, before anything is remembered.
    rt.client()?;
    let (location, callback) = prepare(&rt.config)?;
    let rt = rt.clone();
    spawn_forever(async move {
        if let Err(e) = go(&rt.config, &*rt.store, &location, &callback).await {
            report(Event::Failed(e));
        }
    });
    Ok(())
}

/// Sends the page to OpenRouter to sign in with `config`, outside any component: the same steps
/// as [`OpenRouterAuth::sign_in`](crate::OpenRouterAuth::sign_in) (a fresh verifier and state in
/// sessionStorage, then the page leaves), for code that runs before the app's own wasm has
/// started, such as a small module that takes a click on a button rendered into the page's
/// HTML. The app's `use_openrouter_auth()` finishes the sign-in on the return, as always.
///
/// Resolves once the navigation has been asked for; fails, with nothing stored, when the
/// configuration is refused or the page cannot store the sign-in (the app can then start it
/// again from its own UI, which shows the error in the user's words).
pub async fn start_sign_in(config: &OpenRouterConfig) -> Result<(), FlowError> {
    config
        .validate()
        .map_err(|e| FlowError::Config(e.to_string()))?;
    // The platform's store by its own type, not as `dyn AuthStore`: a small module that calls
    // only this then links only the store's methods a start needs.
    match config.custom_store() {
        Some(store) => start_with(config, &*store).await,
        None => {
            let store = open_platform_store(config.app_id(), config.storage_prefix())?;
            start_with(config, &store).await
        }
    }
}

/// [`start_sign_in`] once its store is open: nothing is remembered before that.
async fn start_with<S: AuthStore + ?Sized>(
    config: &OpenRouterConfig,
    store: &S,
) -> Result<(), FlowError> {
    let (location, callback) = prepare(config)?;
    go(config, store, &location, &callback).await
}

/// The page's location and the callback URL of the sign-in (after remembering where a fixed
/// callback has to come back to).
fn prepare(config: &OpenRouterConfig) -> Result<(web_sys::Location, String), FlowError> {
    let window =
        web_sys::window().ok_or_else(|| window_error("the page", "there is no window".into()))?;
    let location = window.location();
    let origin = location
        .origin()
        .map_err(|e| window_error("the page address", js_text(&e)))?;
    let path = location
        .pathname()
        .map_err(|e| window_error("the page address", js_text(&e)))?;
    let callback = match config.callback() {
        None => format!("{origin}{path}"),
        Some(fixed) => {
            remember_return_to(config, &location)?;
            if fixed.starts_with('/') {
                format!("{origin}{fixed}")
            } else {
                fixed.to_owned()
            }
        }
    };
    Ok((location, callback))
}

/// Begins the sign-in (the pending record is stored only once the URL is ready) and goes.
async fn go<S: AuthStore + ?Sized>(
    config: &OpenRouterConfig,
    store: &S,
    location: &web_sys::Location,
    callback: &str,
) -> Result<(), FlowError> {
    let url = begin_sign_in(
        store,
        config.openrouter(),
        callback,
        config.label(),
        now_ms(),
    )
    .await?;
    let url = with_credit_limit(url, config.requested_credit_limit());
    location
        .assign(&url)
        .map_err(|e| window_error("navigation", js_text(&e)))
}

/// The `sessionStorage` entry that holds where a sign-in through a fixed callback started.
fn return_to_entry(config: &OpenRouterConfig) -> String {
    format!("{}openrouter_return_to", config.storage_prefix())
}

/// Remembers the page (path, query and hash) to come back to from a fixed callback route.
fn remember_return_to(
    config: &OpenRouterConfig,
    location: &web_sys::Location,
) -> Result<(), FlowError> {
    let here = [location.pathname(), location.search(), location.hash()]
        .into_iter()
        .map(|part| part.map_err(|e| window_error("the page address", js_text(&e))))
        .collect::<Result<String, _>>()?;
    let session = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .ok_or_else(|| window_error("sessionStorage", "the browser offers none".into()))?;
    session
        .set_item(&return_to_entry(config), &strip_callback_params(&here))
        .map_err(|e| window_error("sessionStorage", js_text(&e)))
}

/// Takes the remembered page out; only a path on this site is used (never `//host`).
fn take_return_to(rt: &Runtime) -> Option<String> {
    let session = web_sys::window()?.session_storage().ok().flatten()?;
    let entry = return_to_entry(&rt.config);
    let saved = session.get_item(&entry).ok().flatten();
    let _ = session.remove_item(&entry);
    saved.filter(|path| is_same_origin_path(path))
}

/// Nothing runs in the background on the web while a sign-in is away at OpenRouter.
pub(super) fn cancel(_rt: &Rc<Runtime>) {}
