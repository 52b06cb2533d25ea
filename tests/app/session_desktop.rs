//! The `use_openrouter_auth` session on the desktop, inside a real VirtualDom: it starts from the
//! key file, signs in with a pasted code against the mock, tells listeners, and signs out.
//! One test function: the session reads process-wide environment variables once.

use std::cell::{Cell, RefCell};
use std::os::unix::fs::PermissionsExt as _;
use std::rc::Rc;
use std::time::{Duration, Instant};

use dioxus::prelude::*;
use openrouter_mock::{ConsentMode, MockServer};
use openrouter_signin::auth::storage::{AuthStore, FileStore};
use openrouter_signin::{on_auth_change, use_openrouter_auth, ApiKey, AuthStatus, OpenRouterAuth};

thread_local! {
    static HANDLE: Cell<Option<OpenRouterAuth>> = const { Cell::new(None) };
}

#[component]
fn Probe() -> Element {
    let auth = use_openrouter_auth();
    HANDLE.with(|h| h.set(Some(auth)));
    let status = format!("{:?}", auth.status());
    rsx! { p { "{status}" } }
}

fn auth(dom: &VirtualDom) -> OpenRouterAuth {
    let _ = dom;
    HANDLE.with(|h| h.get()).expect("the probe rendered")
}

/// Lets the VirtualDom run its tasks until `done` holds or 10 s pass.
async fn run_until(dom: &mut VirtualDom, mut done: impl FnMut(&VirtualDom) -> bool) {
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
async fn alongside<T>(dom: &mut VirtualDom, work: impl std::future::Future<Output = T>) -> T {
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

#[tokio::test(flavor = "current_thread")]
async fn desktop_session_from_start_to_sign_out() {
    let config = tempfile::tempdir().unwrap();
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    // SAFETY of intent: this test binary has this one test, so no other thread reads the environment.
    std::env::set_var("XDG_CONFIG_HOME", config.path());
    std::env::set_var("OPENROUTER_BASE_URL", mock.base_url());
    std::env::set_var("BROWSER", "true");
    std::env::set_var("OPENROUTER_SIGNIN_KEY_STORE", "file");

    // A key from an earlier run is there at start.
    let key_path = config
        .path()
        .join("openrouter-signin")
        .join("openrouter_api_key");
    let earlier = ApiKey::parse(format!("sk-or-v1-{}", "ab".repeat(32))).unwrap();
    FileStore::at(&key_path).save_key(&earlier).unwrap();

    let mut dom = VirtualDom::new(Probe);
    dom.rebuild_in_place();
    let statuses = Rc::new(RefCell::new(Vec::new()));
    let _subscription = dom.in_runtime(|| {
        let statuses = statuses.clone();
        on_auth_change(move |state| statuses.borrow_mut().push(state.status))
    });
    dom.in_runtime(|| {
        let auth = auth(&dom);
        assert_eq!(auth.status(), AuthStatus::SignedIn);
        assert_eq!(auth.key(), Some(earlier.clone()));
        assert_eq!(auth.masked_key().as_deref(), Some("sk-or-v1-aba…"));
        assert!(auth.state().key_location.contains("openrouter_api_key"));
    });

    // Sign in again; the "browser" is `true`, so nothing comes back by itself and the app shows
    // both the browser's URL (loopback) and the paste-the-code fallback (headless).
    dom.in_runtime(|| auth(&dom).sign_in());
    run_until(&mut dom, |dom| auth(dom).state().paste_url.is_some()).await;
    let paste_url = dom
        .in_runtime(|| auth(&dom).state().paste_url)
        .expect("a paste URL is shown");
    let browser_url = dom
        .in_runtime(|| auth(&dom).state().approve_url)
        .expect("the browser's URL is shown");
    assert!(
        browser_url.contains("callback_url=http%3A%2F%2F127.0.0.1%3A"),
        "{browser_url}"
    );
    assert!(
        !paste_url.contains("callback_url") && paste_url.contains("key_label="),
        "{paste_url}"
    );
    // A second click while waiting starts nothing new: a new sign-in would have a new URL.
    dom.in_runtime(|| auth(&dom).sign_in());
    run_until(&mut dom, |_| true).await;
    assert_eq!(
        dom.in_runtime(|| auth(&dom).state().paste_url),
        Some(paste_url.clone())
    );
    assert_eq!(
        dom.in_runtime(|| auth(&dom).status()),
        AuthStatus::Redirecting
    );
    let page = reqwest::get(&paste_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();

    // A wrong paste fails and keeps the earlier key.
    dom.in_runtime(|| auth(&dom).complete_with_code("code=has space"));
    run_until(&mut dom, |dom| auth(dom).status() == AuthStatus::Error).await;
    dom.in_runtime(|| {
        assert_eq!(auth(&dom).key(), Some(earlier.clone()));
        assert!(auth(&dom).error().unwrap().to_string().contains("`code`"));
    });

    dom.in_runtime(|| auth(&dom).complete_with_code(&code));
    run_until(&mut dom, |dom| {
        auth(dom).status() == AuthStatus::SignedIn && auth(dom).key() != Some(earlier.clone())
    })
    .await;
    let new_key = dom.in_runtime(|| auth(&dom).key()).unwrap();
    assert_eq!(mock.issued_keys(), [new_key.expose_secret().to_owned()]);
    assert_eq!(
        FileStore::at(&key_path).load_key().unwrap(),
        Some(new_key.clone())
    );
    assert_eq!(
        std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Another instance signs out (removes the file): this one notices within a couple of seconds.
    FileStore::at(&key_path).remove_key().unwrap();
    run_until(&mut dom, |dom| auth(dom).status() == AuthStatus::SignedOut).await;
    // And signs in again elsewhere.
    FileStore::at(&key_path).save_key(&earlier).unwrap();
    run_until(&mut dom, |dom| auth(dom).key() == Some(earlier.clone())).await;

    // The browser's way back: the system browser follows OpenRouter's redirect to the listener.
    dom.in_runtime(|| auth(&dom).sign_in());
    run_until(&mut dom, |dom| auth(dom).state().approve_url.is_some()).await;
    let browser_url = dom.in_runtime(|| auth(&dom).state().approve_url).unwrap();
    let landing = alongside(&mut dom, async {
        reqwest::get(&browser_url).await.unwrap()
    })
    .await;
    assert!(
        landing.url().as_str().starts_with("http://127.0.0.1:"),
        "{}",
        landing.url()
    );
    assert!(alongside(&mut dom, landing.text())
        .await
        .unwrap()
        .contains("Signed in"));
    run_until(&mut dom, |dom| {
        auth(dom).status() == AuthStatus::SignedIn && auth(dom).key() != Some(earlier.clone())
    })
    .await;
    assert_eq!(
        mock.issued_keys().len(),
        2,
        "exchanges: {}",
        mock.exchange_requests()
    );
    assert_eq!(
        FileStore::at(&key_path).load_key().unwrap(),
        dom.in_runtime(|| auth(&dom).key())
    );

    // Cancel stops the listener and frees its port; the key stays.
    dom.in_runtime(|| auth(&dom).sign_in());
    run_until(&mut dom, |dom| auth(dom).state().approve_url.is_some()).await;
    let browser_url = dom.in_runtime(|| auth(&dom).state().approve_url).unwrap();
    let port: u16 = browser_url
        .split("127.0.0.1%3A")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    dom.in_runtime(|| auth(&dom).cancel_sign_in());
    run_until(&mut dom, |_| {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
    })
    .await;
    assert_eq!(dom.in_runtime(|| auth(&dom).status()), AuthStatus::SignedIn);
    let notice = dom
        .in_runtime(|| auth(&dom).state().notice)
        .unwrap_or_default();
    assert!(notice.contains("cancelled"), "{notice}");

    dom.in_runtime(|| auth(&dom).sign_out());
    assert!(!key_path.exists());
    assert_eq!(
        dom.in_runtime(|| auth(&dom).status()),
        AuthStatus::SignedOut
    );

    let seen = statuses.borrow().clone();
    for expected in [
        AuthStatus::Redirecting,
        AuthStatus::Exchanging,
        AuthStatus::Error,
        AuthStatus::SignedIn,
        AuthStatus::SignedOut,
    ] {
        assert!(
            seen.contains(&expected),
            "listeners never saw {expected:?}: {seen:?}"
        );
    }
}
