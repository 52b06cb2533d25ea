//! How the desktop starts a sign-in. For now the headless flow: the system browser opens
//! OpenRouter, which shows a code that the user pastes into the app.

use std::rc::Rc;

use super::flow::begin_headless_sign_in;
use dioxus::core::spawn_forever;

use super::session::{current_key, fail, reload_key, update, Runtime};
use crate::platform::now_ms;

/// The label OpenRouter gives keys made from the desktop app.
const KEY_LABEL: &str = "Dioxus desktop app";

/// How often the key file is looked at for changes made by another window or instance.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Follows the key file, so that a sign-in or sign-out in another instance shows here too.
/// (The return itself comes through the app: the user pastes the code.)
pub(super) fn on_start(rt: &Rc<Runtime>) {
    let rt = rt.clone();
    spawn_forever(async move {
        loop {
            tokio::time::sleep(WATCH_INTERVAL).await;
            let on_disk = rt.store.load_key().ok().flatten();
            if on_disk != current_key() {
                reload_key();
            }
        }
    });
}

/// Starts a headless sign-in and opens its URL in the system browser.
pub(super) fn sign_in(rt: &Rc<Runtime>) {
    let client = match rt.client() {
        Ok(client) => client,
        Err(e) => return fail(e),
    };
    match begin_headless_sign_in(&*rt.store, client.base_url(), KEY_LABEL, now_ms()) {
        Ok(url) => {
            // Failing to open a browser is not fatal: the URL is shown for the user to open.
            let _ = open_in_browser(&url);
            update(|s| s.approve_url = Some(url));
        }
        Err(e) => fail(e),
    }
}

/// Opens `url` with `$BROWSER` if set, else the platform's opener.
fn open_in_browser(url: &str) -> std::io::Result<()> {
    let opener = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open".into()
            } else {
                "xdg-open".into()
            }
        });
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
}
