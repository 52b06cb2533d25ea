//! Two apps on one desktop, each with its own app id: each keeps its own key, and signing out of
//! one leaves the other signed in.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, MockServer};
use openrouter_signin::auth::storage::{AuthStore, FileStore};
use openrouter_signin::{ApiKey, AuthStatus, BaseUrl, OpenRouterConfig};

use crate::{app, auth, code_shown_at, environment, run_until};

/// Longer than the session's watch of its store (1 s), twice over.
const WATCHED: Duration = Duration::from_millis(2500);

/// One app's life on its own UI thread: sign in with a pasted code; wait at `steps` while the
/// test looks at the key files; sign out (when `signs_out`); wait at `steps` again; keep
/// watching its store for a while; report its key and status.
fn run_app(
    app_id: &'static str,
    base: String,
    signs_out: bool,
    steps: Arc<Barrier>,
) -> std::thread::JoinHandle<(ApiKey, AuthStatus)> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let config = OpenRouterConfig::new(app_id).base_url(BaseUrl::parse(&base).unwrap());
            let mut dom = app(config);
            dom.in_runtime(|| auth(&dom).sign_in());
            run_until(&mut dom, |dom| auth(dom).state().paste_url.is_some()).await;
            let paste_url = dom.in_runtime(|| auth(&dom).state().paste_url).unwrap();
            let code = code_shown_at(&paste_url).await;
            dom.in_runtime(|| auth(&dom).complete_with_code(&code));
            run_until(&mut dom, |dom| auth(dom).status() == AuthStatus::SignedIn).await;
            let key = dom.in_runtime(|| auth(&dom).key()).unwrap();

            steps.wait(); // both signed in
            steps.wait(); // both key files looked at
            if signs_out {
                dom.in_runtime(|| auth(&dom).sign_out());
            }
            steps.wait(); // app A signed out
                          // The other app's sign-out must not reach this one, however long it watches.
            let until = Instant::now() + WATCHED;
            run_until(&mut dom, |_| Instant::now() >= until).await;
            (key, dom.in_runtime(|| auth(&dom).status()))
        })
    })
}

#[test]
fn two_apps_keep_two_keys_and_sign_out_separately() {
    let config_dir = environment();
    let server = tokio::runtime::Runtime::new().unwrap();
    let mock = server.block_on(MockServer::start()).unwrap();
    mock.set_consent(ConsentMode::AutoApprove);

    let steps = Arc::new(Barrier::new(3));
    let a = run_app("com.example.app-a", mock.base_url(), true, steps.clone());
    let b = run_app("com.example.app-b", mock.base_url(), false, steps.clone());
    let file_a = FileStore::at(
        config_dir
            .join("com.example.app-a")
            .join("openrouter_api_key"),
    );
    let file_b = FileStore::at(
        config_dir
            .join("com.example.app-b")
            .join("openrouter_api_key"),
    );

    steps.wait();
    let (key_a, key_b) = (file_a.load_key().unwrap(), file_b.load_key().unwrap());
    assert!(
        key_a.is_some() && key_b.is_some(),
        "each app keeps its key in its own folder"
    );
    assert_ne!(key_a, key_b, "the two apps got two keys");
    steps.wait();
    steps.wait();

    let (a_key, a_status) = a.join().unwrap();
    let (b_key, b_status) = b.join().unwrap();
    assert_eq!(Some(a_key), key_a);
    assert_eq!(Some(b_key.clone()), key_b);
    assert_eq!(a_status, AuthStatus::SignedOut);
    assert_eq!(file_a.load_key().unwrap(), None, "app A's key is gone");
    assert_eq!(b_status, AuthStatus::SignedIn, "app B is still signed in");
    assert_eq!(file_b.load_key().unwrap(), Some(b_key), "app B's key stays");
    assert_eq!(mock.issued_keys().len(), 2);
}
