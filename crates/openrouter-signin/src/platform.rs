//! Small helpers whose implementation differs between the browser and a native process.

/// Milliseconds since the Unix epoch, from the browser's clock or the system's.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A JavaScript exception as one line of text.
#[cfg(target_arch = "wasm32")]
pub(crate) fn js_text(value: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast as _;
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Waits `millis` milliseconds without blocking: a browser timer on the web, tokio's elsewhere.
pub async fn sleep_ms(millis: u32) {
    #[cfg(target_arch = "wasm32")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis as i32);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(target_arch = "wasm32"))]
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(millis))).await;
}
