//! The web transport: the browser's own `fetch`, so the wasm bundle carries no HTTP stack.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, RequestRedirect, Response};

use super::client::{HttpRequest, HttpResponse, MAX_RESPONSE_BYTES};
use super::ClientError;
use crate::platform::js_text;

pub(super) struct Transport;

impl Transport {
    pub(super) fn new() -> Result<Self, ClientError> {
        Ok(Transport)
    }

    pub(super) async fn send(&self, request: HttpRequest<'_>) -> Result<HttpResponse, ClientError> {
        let HttpRequest {
            post_json,
            url,
            bearer,
            timeout,
        } = request;
        let network = |reason: String| ClientError::Network {
            url: url.clone(),
            reason,
        };
        let window = web_sys::window().ok_or_else(|| network("no window".into()))?;

        let headers = Headers::new().map_err(|e| network(js_text(&e)))?;
        let init = RequestInit::new();
        // "manual" turns a redirect into an opaque answer we can report, instead of following it.
        init.set_redirect(RequestRedirect::Manual);
        match post_json {
            Some(json) => {
                init.set_method("POST");
                headers
                    .set("content-type", "application/json")
                    .map_err(|e| network(js_text(&e)))?;
                init.set_body(&JsValue::from_str(&json));
            }
            None => init.set_method("GET"),
        }
        if let Some(key) = bearer {
            headers
                .set("authorization", &format!("Bearer {key}"))
                .map_err(|e| network(js_text(&e)))?;
        }
        init.set_headers(&headers);

        // The timeout aborts the fetch; the flag tells an abort by us from any other failure.
        let controller = AbortController::new().map_err(|e| network(js_text(&e)))?;
        init.set_signal(Some(&controller.signal()));
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let timed_out = timed_out.clone();
            let controller = controller.clone();
            Closure::once(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.as_ref().unchecked_ref(),
                millis,
            )
            .map_err(|e| network(js_text(&e)))?;

        let result = fetch_body(&window, &url, &init).await;
        window.clear_timeout_with_handle(timer);
        drop(on_timeout);
        match result {
            Err(_) if timed_out.get() => Err(ClientError::Timeout(timeout)),
            Err(FetchFailure::Js(e)) => Err(network(js_text(&e))),
            Err(FetchFailure::Client(e)) => Err(e),
            Ok(response) => Ok(response),
        }
    }
}

enum FetchFailure {
    Js(JsValue),
    Client(ClientError),
}

impl From<JsValue> for FetchFailure {
    fn from(value: JsValue) -> Self {
        FetchFailure::Js(value)
    }
}

async fn fetch_body(
    window: &web_sys::Window,
    url: &str,
    init: &RequestInit,
) -> Result<HttpResponse, FetchFailure> {
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()?;
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Err(FetchFailure::Client(ClientError::Redirect { status: 302 }));
    }
    let status = response.status();
    let too_large = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|len| len.parse::<usize>().ok())
        .is_some_and(|len| len > MAX_RESPONSE_BYTES);
    if too_large {
        return Err(FetchFailure::Client(ClientError::TooLarge {
            limit: MAX_RESPONSE_BYTES,
        }));
    }
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    if bytes.length() as usize > MAX_RESPONSE_BYTES {
        return Err(FetchFailure::Client(ClientError::TooLarge {
            limit: MAX_RESPONSE_BYTES,
        }));
    }
    Ok(HttpResponse {
        status,
        body: bytes.to_vec(),
    })
}
