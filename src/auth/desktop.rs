//! How the desktop starts a sign-in. For now the headless flow: the system browser opens
//! OpenRouter, which shows a code that the user pastes into the app.

use std::rc::Rc;

use super::flow::begin_headless_sign_in;
use super::session::{fail, update, Runtime};
use crate::platform::now_ms;

/// The label OpenRouter gives keys made from the desktop app.
const KEY_LABEL: &str = "Dioxus desktop app";

/// Nothing to receive at start on the desktop: the return comes through the app itself.
pub(super) fn on_start(_rt: &Rc<Runtime>) {}

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
