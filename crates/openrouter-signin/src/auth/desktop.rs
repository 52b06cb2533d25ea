//! How the desktop signs in (RFC 8252): the system browser opens OpenRouter with a loopback
//! callback on 127.0.0.1, and the app listens for the one request that brings the code back. The
//! same sign-in can also be finished by pasting the code of the headless flow, for when the
//! browser cannot come back (a remote session, a listener that could not bind, or by choice).

use std::rc::Rc;

use dioxus::core::spawn_forever;
use tokio::sync::mpsc;

use super::authorize::with_credit_limit;
use super::flow::{begin_desktop_sign_in, finish_sign_in, FlowError, Return};
use super::loopback::{LoopbackError, LoopbackListener, LOOPBACK_TIMEOUT};
use super::runtime::Runtime;
use super::state::{Event, Report};
use crate::messages::fill;
use crate::platform::now_ms;

/// The label OpenRouter gives keys made through the paste-the-code flow, which needs one, when
/// the app configured none.
const DEFAULT_KEY_LABEL: &str = "Dioxus desktop app";

/// How often the key file is looked at for changes made by another window or instance.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// The desktop finishes a sign-in from its loopback listener, never from how it started.
pub(super) fn returning(_rt: &Rc<Runtime>) -> bool {
    false
}

/// Follows the key store, so that a sign-in or sign-out in another instance shows here too.
pub(super) fn on_start(rt: &Rc<Runtime>, report: Report) {
    let rt = rt.clone();
    spawn_forever(async move {
        let mut seen = rt.store.load_key().ok().flatten();
        loop {
            tokio::time::sleep(WATCH_INTERVAL).await;
            let stored = rt.store.load_key().ok().flatten();
            if stored != seen {
                seen = stored;
                report(Event::StoreChanged);
            }
        }
    });
}

/// Starts the listener and the sign-in, opens the browser, and waits for the way back.
/// Everything happens in a task, which reports its own failures.
pub(super) fn sign_in(rt: &Rc<Runtime>, report: Report) -> Result<(), FlowError> {
    let rt = rt.clone();
    spawn_forever(async move {
        if let Err(e) = run_sign_in(&rt, report).await {
            report(Event::Failed(e));
        }
    });
    Ok(())
}

async fn run_sign_in(rt: &Rc<Runtime>, report: Report) -> Result<(), FlowError> {
    let client = rt.client()?;
    let listener = LoopbackListener::bind().await;
    let callback = listener.as_ref().ok().map(LoopbackListener::callback_url);
    let start = begin_desktop_sign_in(
        &*rt.store,
        client.base_url(),
        callback.as_deref(),
        rt.config.label().unwrap_or(DEFAULT_KEY_LABEL),
        now_ms(),
    )
    .await?;
    let limit = rt.config.requested_credit_limit();
    let browser_url = with_credit_limit(start.browser_url.clone(), limit);
    let paste_url = with_credit_limit(start.paste_url.clone(), limit);
    let opened = open_in_browser(&browser_url);
    report(Event::Waiting {
        approve_url: browser_url,
        paste_url,
        notice: match (&listener, &opened) {
            (Err(e), _) => Some(fill(
                &rt.messages().no_listener,
                &[("detail", &e.to_string())],
            )),
            (_, Err(e)) => Some(fill(
                &rt.messages().no_browser,
                &[("detail", &e.to_string())],
            )),
            _ => None,
        },
    });
    // Without a listener the paste field is the only way back.
    let Ok(listener) = listener else {
        return Ok(());
    };
    let (cancel_tx, cancel_rx) = mpsc::channel(1);
    rt.cancel_listener.replace(Some(cancel_tx));
    let waited = listener
        .wait(&start.state, LOOPBACK_TIMEOUT, cancel_rx)
        .await;
    rt.cancel_listener.replace(None);
    match waited {
        Ok(return_url) => {
            report(Event::Exchanging);
            let returned = finish_sign_in(&*rt.store, &client, &return_url, now_ms()).await;
            let signed_in = matches!(returned, Ok(Return::SignedIn(_)));
            // Ok(NotACallback | NotOurs): finished meanwhile by a pasted code.
            report(Event::Returned(returned));
            if signed_in {
                bring_window_to_front();
            }
            Ok(())
        }
        // Whoever cancelled (the user, or a pasted code that won) has set the state already.
        Err(LoopbackError::Cancelled) => Ok(()),
        Err(e) => {
            let _ = rt.store.take_pending();
            Err(e.into())
        }
    }
}

/// Stops the loopback listener, if one is waiting.
pub(super) fn cancel(rt: &Rc<Runtime>) {
    if let Some(cancel) = rt.cancel_listener.take() {
        let _ = cancel.try_send(());
    }
}

/// The user was in the browser: bring the app back once the sign-in is done.
fn bring_window_to_front() {
    #[cfg(feature = "desktop")]
    if let Some(window) = dioxus::core::try_consume_context::<dioxus::desktop::DesktopContext>() {
        window.window.set_focus();
    }
}

/// Opens `url` in the system browser: `$BROWSER` if set on Linux and the BSDs, else the desktop's
/// default (xdg-open and friends, `open` on macOS, the shell's default handler on Windows).
fn open_in_browser(url: &str) -> std::io::Result<()> {
    webbrowser::open(url)
}
