//! What an app configures reaches the session: its own key store, and a refused setting, which
//! turns sign-in off with an error naming what was wrong.

use std::rc::Rc;

use dioxus::prelude::*;
use openrouter_signin::auth::storage::{AuthStore, MemoryStore, PendingSignIn, StorageError};
use openrouter_signin::{
    use_openrouter_auth, use_openrouter_config, ApiKey, AuthStatus, FlowError, OpenRouterConfig,
};

use crate::{app, auth, environment, run_until};

/// An app's own store, shared with the test so that it can look inside.
struct AppStore(Rc<MemoryStore>);

impl AuthStore for AppStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        self.0.load_key()
    }
    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        self.0.save_key(key)
    }
    fn remove_key(&self) -> Result<(), StorageError> {
        self.0.remove_key()
    }
    fn has_pending(&self) -> Result<bool, StorageError> {
        self.0.has_pending()
    }
    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        self.0.save_pending(pending)
    }
    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        self.0.take_pending()
    }
    fn describe_location(&self) -> String {
        "the app's own store".into()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_custom_key_store_holds_the_key_instead_of_the_platform_store() {
    let inside = Rc::new(MemoryStore::new());
    let key = ApiKey::parse(format!("sk-or-v1-{}", "cd".repeat(32))).unwrap();
    inside.save_key(&key).unwrap();
    let config =
        OpenRouterConfig::new("com.example.custom-store").key_store(AppStore(inside.clone()));
    let mut dom = app(config);
    dom.in_runtime(|| {
        let auth = auth(&dom);
        assert_eq!(auth.status(), AuthStatus::SignedIn);
        assert_eq!(auth.key(), Some(key.clone()));
        assert_eq!(auth.state().key_location, "the app's own store");
        auth.sign_out();
    });
    run_until(&mut dom, |dom| auth(dom).status() == AuthStatus::SignedOut).await;
    assert_eq!(inside.load_key(), Ok(None), "signed out of the app's store");
    assert!(
        !environment().join("com.example.custom-store").exists(),
        "the platform store was never touched"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_refused_setting_turns_sign_in_off_and_says_what_was_wrong() {
    let config = OpenRouterConfig::new("../escape").key_label("fine");
    let mut dom = app(config);
    dom.in_runtime(|| {
        let auth = auth(&dom);
        assert_eq!(auth.status(), AuthStatus::Error);
        let error = auth.error().expect("an error");
        assert!(matches!(error, FlowError::Config(_)), "{error:?}");
        assert!(error.to_string().contains("\"../escape\""), "{error}");
        assert!(
            auth.client().is_none(),
            "no client for a refused configuration"
        );
        // The refused id names no place: no key file or keychain entry is looked at.
        let location = auth.state().key_location;
        assert!(!location.contains("escape"), "{location}");
        // Pressing Sign in does not go anywhere.
        auth.sign_in();
    });
    run_until(&mut dom, |dom| auth(dom).status() == AuthStatus::Error).await;
}

/// A configuration given after sign-in handling started with the defaults is refused, not
/// silently ignored.
#[component]
fn LateConfig() -> Element {
    let auth = use_openrouter_auth();
    use_openrouter_config(|| OpenRouterConfig::new("com.example.too-late"));
    let error = auth.error().map(|e| e.to_string()).unwrap_or_default();
    rsx! { p { "{error}" } }
}

#[test]
fn a_configuration_after_sign_in_started_is_refused() {
    environment();
    let mut dom = VirtualDom::new(LateConfig);
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    assert!(html.contains("after sign-in had started"), "{html}");
}
