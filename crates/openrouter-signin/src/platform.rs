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

/// Calls `on_shown` whenever the browser shows this page again from its back-forward cache: Back
/// (or Forward) to the page as it was left, with its state as it was, a sign-in button busy on
/// its way to OpenRouter included. The listener lives as long as the returned closure is kept.
#[cfg(target_arch = "wasm32")]
pub(crate) fn on_shown_again(
    on_shown: impl Fn() + 'static,
) -> Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>> {
    use wasm_bindgen::JsCast as _;
    let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(
        move |event: web_sys::Event| {
            // `pageshow` also comes on an ordinary load, with `persisted` false.
            let persisted = js_sys::Reflect::get(&event, &"persisted".into())
                .is_ok_and(|value| value.is_truthy());
            if persisted {
                on_shown();
            }
        },
    );
    web_sys::window()?
        .add_event_listener_with_callback("pageshow", listener.as_ref().unchecked_ref())
        .ok()?;
    Some(listener)
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

/// Why SHA-256 could not be computed. Only a page meets it: the browser computes the digest, and
/// offers `crypto.subtle` only to secure contexts (pages on https, or on localhost).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this page cannot compute SHA-256 ({0}); browsers offer it only to pages served over https or from localhost")]
pub struct DigestError(pub String);

/// The SHA-256 digest of `data`: in a page the browser's `crypto.subtle.digest`, so that the
/// wasm holds no hashing code at all; natively RustCrypto's `sha2`, ready at once.
pub(crate) async fn sha256(data: &[u8]) -> Result<[u8; 32], DigestError> {
    #[cfg(target_arch = "wasm32")]
    {
        browser_sha256(data).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(sha256_now(data))
    }
}

/// The SHA-256 digest of `data`, natively, where nothing needs to wait for it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn sha256_now(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    // With sha2's `zeroize` feature its state is wiped when dropped: for the PKCE verifier.
    sha2::Sha256::digest(data).into()
}

#[cfg(target_arch = "wasm32")]
async fn browser_sha256(data: &[u8]) -> Result<[u8; 32], DigestError> {
    let failed = |e: wasm_bindgen::JsValue| DigestError(js_text(&e));
    let window = web_sys::window().ok_or_else(|| DigestError("there is no window".into()))?;
    let subtle = window.crypto().map_err(failed)?.subtle();
    // Outside a secure context the property is missing rather than the call failing.
    if subtle.is_undefined() {
        return Err(DigestError("crypto.subtle is missing".into()));
    }
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", data)
        .map_err(failed)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failed)?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    let mut digest = [0u8; 32];
    if bytes.length() as usize != digest.len() {
        return Err(DigestError(format!(
            "crypto.subtle answered {} bytes instead of 32",
            bytes.length()
        )));
    }
    bytes.copy_to(&mut digest);
    Ok(digest)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// FIPS 180-2, appendix B (and the million-a message of its section B.3).
    #[test]
    fn fips_180_2_vectors() {
        let vectors: [(&[u8], &str); 3] = [
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
        ];
        for (message, digest) in vectors {
            assert_eq!(hex(&sha256_now(message)), digest);
        }
        assert_eq!(
            hex(&sha256_now(&vec![b'a'; 1_000_000])),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[tokio::test]
    async fn the_async_digest_is_the_same() {
        assert_eq!(
            hex(&sha256(b"abc").await.unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
