//! The `use_openrouter_auth` session on the desktop, inside a real VirtualDom: it starts from the
//! app's key file, signs in with a pasted code against the mock, tells listeners, follows another
//! instance's changes, and signs out.

use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt as _;
use std::rc::Rc;

use openrouter_mock::{ConsentMode, MockServer};
use openrouter_signin::auth::storage::{AuthStore, FileStore};
use openrouter_signin::{on_auth_change, ApiKey, AuthStatus, BaseUrl, OpenRouterConfig};

use crate::{alongside, app, auth, code_shown_at, environment, run_until};

#[tokio::test(flavor = "current_thread")]
async fn desktop_session_from_start_to_sign_out() {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);

    // A key from an earlier run is there at start, in this app's own folder.
    let key_path = environment()
        .join("com.example.session")
        .join("openrouter_api_key");
    let earlier = ApiKey::parse(format!("sk-or-v1-{}", "ab".repeat(32))).unwrap();
    FileStore::at(&key_path).save_key(&earlier).unwrap();

    let config = OpenRouterConfig::new("com.example.session")
        .base_url(BaseUrl::parse(&mock.base_url()).unwrap());
    let mut dom = app(config);
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
    let code = code_shown_at(&paste_url).await;

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
