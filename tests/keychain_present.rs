//! With a keychain (a Secret Service on the session bus), the key lives there and not in a file,
//! in an entry of the app's own.
//! Ignored by a plain `cargo test`: scripts/test.sh runs it inside `dbus-run-session` with an
//! unlocked gnome-keyring.

#![cfg(target_os = "linux")]

use openrouter_signin::auth::storage::{
    AuthStore, DesktopStore, KEYCHAIN_ACCOUNT, KEYCHAIN_SERVICE, KEY_STORE_ENV,
};
use openrouter_signin::ApiKey;

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn with_a_keychain_the_key_lives_there() {
    let config = tempfile::tempdir().unwrap();
    std::env::set_var("XDG_CONFIG_HOME", config.path());
    std::env::set_var(KEY_STORE_ENV, "keychain");
    let store = DesktopStore::open_default().expect("the keychain answers");
    assert!(store.uses_keychain());
    assert!(
        store.describe_location().contains("keychain"),
        "{}",
        store.describe_location()
    );

    let key = ApiKey::parse(format!("sk-or-v1-{}", "ef".repeat(32))).unwrap();
    store.save_key(&key).unwrap();
    let file = config
        .path()
        .join("openrouter-signin")
        .join("openrouter_api_key");
    assert!(!file.exists(), "no copy on disk");
    // Another process (here a fresh entry) reads it from the keychain itself.
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, KEYCHAIN_ACCOUNT).unwrap();
    assert_eq!(entry.get_password().unwrap(), key.expose_secret());
    assert_eq!(
        DesktopStore::open_default().unwrap().load_key(),
        Ok(Some(key))
    );

    // Another app keeps its own entry (service = its app id): signing out of one leaves it.
    let other = DesktopStore::open_for_app("com.example.other").unwrap();
    assert!(
        other.describe_location().contains("com.example.other"),
        "{}",
        other.describe_location()
    );
    assert_eq!(other.load_key(), Ok(None), "the other app sees no key");
    let other_key = ApiKey::parse(format!("sk-or-v1-{}", "0a".repeat(32))).unwrap();
    other.save_key(&other_key).unwrap();
    let other_entry = keyring::Entry::new("com.example.other", KEYCHAIN_ACCOUNT).unwrap();
    assert_eq!(
        other_entry.get_password().unwrap(),
        other_key.expose_secret()
    );

    store.remove_key().unwrap();
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));
    assert_eq!(store.load_key(), Ok(None));
    assert_eq!(other.load_key(), Ok(Some(other_key)));
    other.remove_key().unwrap();
}
