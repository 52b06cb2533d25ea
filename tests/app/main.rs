//! The library inside a VirtualDom, as an app uses it: the session on the desktop, two apps on
//! one desktop, and the button rendered by dioxus-ssr. One test binary; the process-wide
//! environment is set once, the same for every test, before any of them reads it.

mod button_render;
mod configuration;
mod readme;
mod session_desktop;
mod two_apps;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dioxus::prelude::*;
use openrouter_signin::{
    use_openrouter_auth, use_openrouter_config, OpenRouterAuth, OpenRouterConfig,
};

/// A private config directory for every desktop store of this process, no keychain (the key file
/// is what the tests look at), and a "browser" that opens nothing. Returns the config directory.
pub fn environment() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::env::set_var("XDG_CONFIG_HOME", &dir);
        std::env::set_var("BROWSER", "true");
        std::env::set_var("OPENROUTER_SIGNIN_KEY_STORE", "file");
        std::env::remove_var("OPENROUTER_BASE_URL");
        dir
    })
}

thread_local! {
    /// The configuration the next app made on this thread gives (each test runs on its own thread).
    static CONFIG: RefCell<Option<OpenRouterConfig>> = const { RefCell::new(None) };
    static HANDLE: Cell<Option<OpenRouterAuth>> = const { Cell::new(None) };
}

/// An app's root: it configures sign-in, as an app's root does, and shows the status.
#[component]
fn Probe() -> Element {
    use_openrouter_config(|| CONFIG.with(|c| c.borrow_mut().take()).unwrap_or_default());
    let auth = use_openrouter_auth();
    HANDLE.with(|h| h.set(Some(auth)));
    let status = format!("{:?}", auth.status());
    rsx! { p { "{status}" } }
}

/// A VirtualDom of an app configured with `config`, rendered once.
pub fn app(config: OpenRouterConfig) -> VirtualDom {
    environment();
    CONFIG.with(|c| *c.borrow_mut() = Some(config));
    let mut dom = VirtualDom::new(Probe);
    dom.rebuild_in_place();
    dom
}

/// The sign-in handle of the app on this thread.
pub fn auth(dom: &VirtualDom) -> OpenRouterAuth {
    let _ = dom;
    HANDLE.with(|h| h.get()).expect("the probe rendered")
}

/// Lets the VirtualDom run its tasks until `done` holds or 10 s pass.
pub async fn run_until(dom: &mut VirtualDom, mut done: impl FnMut(&VirtualDom) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dom.in_runtime(|| done(dom)) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for the session"
        );
        let _ = tokio::time::timeout(Duration::from_millis(50), dom.wait_for_work()).await;
        dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
    }
}

/// Awaits `work` while the VirtualDom keeps running its tasks (the loopback listener is one).
pub async fn alongside<T>(dom: &mut VirtualDom, work: impl std::future::Future<Output = T>) -> T {
    tokio::pin!(work);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "timed out");
        tokio::select! {
            out = &mut work => return out,
            _ = tokio::time::timeout(Duration::from_millis(20), dom.wait_for_work()) => {
                dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
            }
        }
    }
}

/// The code the mock's headless flow shows the user, read from its page as a person would.
pub async fn code_shown_at(paste_url: &str) -> String {
    let page = reqwest::get(paste_url).await.unwrap().text().await.unwrap();
    openrouter_mock::code_shown_on(&page)
        .expect("the mock shows a code")
        .to_owned()
}
