//! The fullstack mode in the browser: the server runs the sign-in and keeps the key, so the
//! page only navigates to the server's start route, reads the outcome the server sends it back
//! with, asks the server to sign out, and follows other tabs (each page that arrives, and each
//! sign-out, tells them to ask the server who is signed in). No key, verifier or state is ever
//! in the page.

use std::rc::Rc;

use dioxus::core::spawn_forever;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::flow::FlowError;
use super::runtime::Runtime;
use super::state::{Event, Report};
use super::storage::StorageError;
use crate::fullstack::{
    without_outcome, ServerSession, API_PREFIX, REQUEST_HEADER, RETURN_TO_PARAM, START_PATH,
};
use crate::openrouter::json::Json;
use crate::platform::{js_text, on_shown_again};

/// The channel the app's tabs tell each other on that the server's sign-in changed.
const CHANNEL: &str = "openrouter-signin";

fn page_error(what: &str, reason: String) -> FlowError {
    FlowError::Storage(StorageError::Unavailable {
        what: what.to_owned(),
        reason,
    })
}

/// The server finishes sign-ins before the page arrives.
pub(super) fn returning(_rt: &Rc<Runtime>) -> bool {
    false
}

/// Drops what the server came back with (a failure code, `signed_in=1`) from the address bar
/// (the state already holds it, from the render), and follows other tabs.
pub(super) fn on_start(rt: &Rc<Runtime>, report: Report) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(href) = window.location().href() {
        if let Some(clean) = without_outcome(&href) {
            if let Ok(history) = window.history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
            }
        }
    }
    // Says that the page's sign-in is live (hydrated, listening), for scripts and tests.
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-openrouter-signin", "ready");
    }
    // Back from OpenRouter to the page as it was left: the button works again, and the server
    // says who is signed in now.
    let shown = on_shown_again(move || {
        report(Event::ShownAgain);
        spawn_forever(async move { refresh(report).await });
    });
    if let Some(listener) = shown {
        rt.keep_alive.borrow_mut().push(Box::new(listener));
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
        spawn_forever(async move { refresh(report).await });
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The app's other tabs ask the server again whenever one of its pages arrives, so that a
    // sign-in finished in this tab shows in the others too (a channel never hears itself).
    let _ = channel.post_message(&JsValue::from_str("arrived"));
    rt.keep_alive.borrow_mut().push(Box::new(on_message));
    rt.keep_alive.borrow_mut().push(Box::new(channel));
}

/// Sends the page to the server's start route, which comes back to this very address.
pub(super) fn sign_in(_rt: &Rc<Runtime>, _report: Report) -> Result<(), FlowError> {
    try_sign_in()
}

fn try_sign_in() -> Result<(), FlowError> {
    let window =
        web_sys::window().ok_or_else(|| page_error("the page", "there is no window".into()))?;
    let location = window.location();
    let here = [location.pathname(), location.search(), location.hash()]
        .into_iter()
        .map(|part| part.map_err(|e| page_error("the page address", js_text(&e))))
        .collect::<Result<String, _>>()?;
    let here = without_outcome(&here).unwrap_or(here);
    let encoded: String = js_sys::encode_uri_component(&here).into();
    location
        .assign(&format!("{START_PATH}?{RETURN_TO_PARAM}={encoded}"))
        .map_err(|e| page_error("navigation", js_text(&e)))
}

/// Nothing runs in the page while a sign-in is away.
pub(super) fn cancel(_rt: &Rc<Runtime>) {}

/// Asks the server to clear its cookie; then tells the other tabs.
pub(super) fn sign_out(_rt: &Rc<Runtime>, report: Report) {
    spawn_forever(async move {
        match post(&format!("{API_PREFIX}/sign-out")).await {
            Ok(()) => {
                report(Event::Session(None));
                tell_other_tabs();
            }
            Err(e) => report(Event::Failed(e)),
        }
    });
}

/// Asks the server who is signed in, and reports it.
async fn refresh(report: Report) {
    match session().await {
        Ok(session) => report(Event::Session(session)),
        Err(e) => report(Event::Failed(e)),
    }
}

fn tell_other_tabs() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str("changed"));
        channel.close();
    }
}

async fn fetch(method: &str, url: &str) -> Result<web_sys::Response, FlowError> {
    let failed = |e: JsValue| page_error("the app's server", js_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(failed)?;
    headers.set(REQUEST_HEADER, "1").map_err(failed)?;
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(failed)?;
    let window =
        web_sys::window().ok_or_else(|| page_error("the page", "there is no window".into()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(failed)?;
    response.dyn_into::<web_sys::Response>().map_err(failed)
}

async fn post(url: &str) -> Result<(), FlowError> {
    let response = fetch("POST", url).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(page_error(
            "the app's server",
            format!("it answered HTTP {}", response.status()),
        ))
    }
}

/// `GET {API_PREFIX}/session`.
async fn session() -> Result<Option<ServerSession>, FlowError> {
    let failed = |e: JsValue| page_error("the app's server", js_text(&e));
    let response = fetch("GET", &format!("{API_PREFIX}/session")).await?;
    if !response.ok() {
        return Err(page_error(
            "the app's server",
            format!("it answered HTTP {}", response.status()),
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    let answer =
        Json::parse(text.as_bytes()).map_err(|e| page_error("the app's server", e.to_string()))?;
    let field = |name| answer.get(name).and_then(Json::as_str).map(str::to_owned);
    Ok(match (field("masked_key"), field("manage_url")) {
        (Some(masked), Some(manage))
            if answer.get("signed_in").and_then(Json::as_bool) == Some(true) =>
        {
            Some(ServerSession::new(masked, manage))
        }
        _ => None,
    })
}
