//! The gallery's small remembered choices (the theme, the chat's model): in localStorage on the
//! web, in a small file next to the key on the desktop, nowhere on the fullstack server (the
//! browser remembers for its page). Losing one is not worth an error for the user: the choice
//! then lasts for this page or run only.

/// What is remembered under `name`, when anything is.
#[cfg(target_arch = "wasm32")]
pub fn remembered(name: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(&storage_key(name))
        .ok()?
}

/// Remembers `value` under `name` (private modes may refuse).
#[cfg(target_arch = "wasm32")]
pub fn remember(name: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(&storage_key(name), value);
    }
}

#[cfg(target_arch = "wasm32")]
fn storage_key(name: &str) -> String {
    format!("openrouter_signin_gallery_{name}")
}

/// On the fullstack server: nothing is remembered there.
#[cfg(feature = "server")]
pub fn remembered(_name: &str) -> Option<String> {
    None
}

/// On the fullstack server: nothing is remembered there.
#[cfg(feature = "server")]
pub fn remember(_name: &str, _value: &str) {}

#[cfg(not(any(target_arch = "wasm32", feature = "server")))]
fn file(name: &str) -> Option<std::path::PathBuf> {
    Some(
        dirs::config_dir()?
            .join("openrouter-signin")
            .join(format!("gallery-{name}")),
    )
}

/// What is remembered under `name`, when anything is.
#[cfg(not(any(target_arch = "wasm32", feature = "server")))]
pub fn remembered(name: &str) -> Option<String> {
    std::fs::read_to_string(file(name)?).ok()
}

/// Remembers `value` under `name`.
#[cfg(not(any(target_arch = "wasm32", feature = "server")))]
pub fn remember(name: &str, value: &str) {
    if let Some(path) = file(name) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(path, value);
    }
}

/// The value of `name` in the page's query (`?theme=dark&lang=zh`): on the web the address
/// bar's, on the fullstack server the request's; `None` on the desktop (its scripts use
/// environment variables instead).
pub fn query_value(name: &str) -> Option<String> {
    let query = page_query()?;
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .map(str::to_owned)
}

#[cfg(target_arch = "wasm32")]
fn page_query() -> Option<String> {
    web_sys::window()?.location().search().ok()
}

#[cfg(feature = "server")]
fn page_query() -> Option<String> {
    let context = dioxus::fullstack::FullstackContext::current()?;
    let query = context.parts_mut().uri.query()?.to_owned();
    Some(query)
}

#[cfg(not(any(target_arch = "wasm32", feature = "server")))]
fn page_query() -> Option<String> {
    None
}
