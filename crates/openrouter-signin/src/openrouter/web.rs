//! The web transport: the browser's own `fetch`, so the wasm bundle carries no HTTP stack.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReadableStreamDefaultReader, RequestInit, RequestRedirect, Response,
};

use super::http::{HttpRequest, HttpResponse};
use super::ClientError;
use crate::platform::js_text;

pub(super) struct Transport;

/// A fetch under way: its abort switch, its timer, and whether the timer fired. Dropping it
/// aborts the fetch (so a dropped future really stops the request) and clears the timer.
struct Fetch {
    window: web_sys::Window,
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    timer: Option<i32>,
    _on_timeout: Option<Closure<dyn FnMut()>>,
}

impl Drop for Fetch {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            self.window.clear_timeout_with_handle(timer);
        }
        self.controller.abort();
    }
}

impl Fetch {
    /// (Re)arms the timer: when it fires the fetch is aborted and counted as timed out.
    fn arm(&mut self, millis: i32) -> Result<(), ClientError> {
        if let Some(timer) = self.timer.take() {
            self.window.clear_timeout_with_handle(timer);
        }
        let timed_out = self.timed_out.clone();
        let controller = self.controller.clone();
        let on_timeout = Closure::<dyn FnMut()>::new(move || {
            timed_out.set(true);
            controller.abort();
        });
        let timer = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.as_ref().unchecked_ref(),
                millis,
            )
            .map_err(|e| ClientError::Network {
                url: String::new(),
                reason: js_text(&e),
            })?;
        self.timer = Some(timer);
        self._on_timeout = Some(on_timeout);
        Ok(())
    }
}

impl Transport {
    pub(super) fn new() -> Result<Self, ClientError> {
        Ok(Transport)
    }

    /// Sends `request` and reads the whole answer; the timeout covers the body too.
    pub(super) async fn send(&self, request: HttpRequest<'_>) -> Result<HttpResponse, ClientError> {
        let (fetch, response) = start(&request).await?;
        let result = read_whole(&response, request.max_bytes).await;
        finish(&request, &fetch, result)
    }

    /// Sends `request` and hands each chunk of a successful answer to `on_chunk` as it arrives,
    /// until it ends or `on_chunk` returns false. An error status comes back whole, as `Some`.
    /// The timeout applies to the headers and to each wait between chunks.
    pub(super) async fn stream(
        &self,
        request: HttpRequest<'_>,
        on_chunk: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<Option<HttpResponse>, ClientError> {
        let (mut fetch, response) = start(&request).await?;
        if !response.ok() {
            let result = read_whole(&response, request.max_bytes).await;
            return finish(&request, &fetch, result).map(Some);
        }
        let result = read_stream(&request, &mut fetch, &response, on_chunk).await;
        finish(&request, &fetch, result).map(|()| None)
    }
}

fn millis(request: &HttpRequest<'_>) -> i32 {
    i32::try_from(request.timeout.as_millis()).unwrap_or(i32::MAX)
}

/// Maps a failure: an abort by our timer is a timeout, anything else a network error.
fn finish<T>(
    request: &HttpRequest<'_>,
    fetch: &Fetch,
    result: Result<T, Failure>,
) -> Result<T, ClientError> {
    match result {
        Ok(value) => Ok(value),
        Err(_) if fetch.timed_out.get() => Err(ClientError::Timeout(request.timeout)),
        Err(Failure::Js(e)) => Err(ClientError::Network {
            url: request.url.clone(),
            reason: js_text(&e),
        }),
        Err(Failure::Client(e)) => Err(e),
    }
}

enum Failure {
    Js(JsValue),
    Client(ClientError),
}

impl From<JsValue> for Failure {
    fn from(value: JsValue) -> Self {
        Failure::Js(value)
    }
}

/// Starts the fetch and waits for the answer's headers.
async fn start(request: &HttpRequest<'_>) -> Result<(Fetch, Response), ClientError> {
    let network = |reason: String| ClientError::Network {
        url: request.url.clone(),
        reason,
    };
    let window = web_sys::window().ok_or_else(|| network("no window".into()))?;
    let headers = Headers::new().map_err(|e| network(js_text(&e)))?;
    let init = RequestInit::new();
    // "manual" turns a redirect into an opaque answer we can report, instead of following it.
    init.set_redirect(RequestRedirect::Manual);
    match &request.post_json {
        Some(json) => {
            init.set_method("POST");
            headers
                .set("content-type", "application/json")
                .map_err(|e| network(js_text(&e)))?;
            init.set_body(&JsValue::from_str(json));
        }
        None => init.set_method("GET"),
    }
    if let Some(key) = request.bearer {
        // The browser keeps its own copy; this one is wiped.
        let bearer = zeroize::Zeroizing::new(format!("Bearer {key}"));
        headers
            .set("authorization", &bearer)
            .map_err(|e| network(js_text(&e)))?;
    }
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(|e| network(js_text(&e)))?;
    }
    init.set_headers(&headers);
    let controller = AbortController::new().map_err(|e| network(js_text(&e)))?;
    init.set_signal(Some(&controller.signal()));
    let mut fetch = Fetch {
        window: window.clone(),
        controller,
        timed_out: Rc::new(Cell::new(false)),
        timer: None,
        _on_timeout: None,
    };
    fetch.arm(millis(request))?;
    let answer: Result<Response, Failure> = async {
        let response: Response =
            JsFuture::from(window.fetch_with_str_and_init(&request.url, &init))
                .await?
                .dyn_into()?;
        if response.type_() == web_sys::ResponseType::Opaqueredirect {
            return Err(Failure::Client(ClientError::Redirect { status: 302 }));
        }
        Ok(response)
    }
    .await;
    let response = finish(request, &fetch, answer)?;
    Ok((fetch, response))
}

/// The status, the `Retry-After` header and at most `limit` bytes of body, read chunk by chunk,
/// so an endless answer without a length is cut off at the limit, not held in memory.
async fn read_whole(response: &Response, limit: usize) -> Result<HttpResponse, Failure> {
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let too_large = || Failure::Client(ClientError::TooLarge { limit });
    let declared_too_large = header("content-length")
        .and_then(|len| len.parse::<usize>().ok())
        .is_some_and(|len| len > limit);
    if declared_too_large {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut overflowed = false;
    read_chunks(response, None, &mut |chunk| {
        overflowed = body.len() + chunk.len() > limit;
        if !overflowed {
            body.extend_from_slice(chunk);
        }
        !overflowed
    })
    .await?;
    if overflowed {
        return Err(too_large());
    }
    Ok(HttpResponse {
        status: response.status(),
        body,
        retry_after: header("retry-after"),
    })
}

async fn read_stream(
    request: &HttpRequest<'_>,
    fetch: &mut Fetch,
    response: &Response,
    on_chunk: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), Failure> {
    read_chunks(response, Some((fetch, millis(request))), on_chunk).await
}

/// Hands each chunk of the body to `on_chunk` until the body ends or `on_chunk` returns false
/// (then the rest is cancelled). With a fetch, its timer is re-armed before each wait.
async fn read_chunks(
    response: &Response,
    mut idle_timeout: Option<(&mut Fetch, i32)>,
    on_chunk: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), Failure> {
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(JsValue::from)?;
    loop {
        if let Some((fetch, millis)) = idle_timeout.as_mut() {
            fetch.arm(*millis).map_err(Failure::Client)?;
        }
        let step = JsFuture::from(reader.read()).await?;
        let done = js_sys::Reflect::get(&step, &JsValue::from_str("done"))?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value = js_sys::Reflect::get(&step, &JsValue::from_str("value"))?;
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        if !on_chunk(&bytes) {
            let _ = reader.cancel();
            return Ok(());
        }
    }
}
