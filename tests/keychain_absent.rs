//! On a machine with no keychain (no Secret Service on the session bus, as on a server or in CI),
//! the desktop store falls back to the 0600 key file and says so; insisting on the keychain is a
//! clear error. One test: the keychain is probed once per process.

#![cfg(target_os = "linux")]

use openrouter_signin::auth::storage::{AuthStore, DesktopStore, StorageError, KEY_STORE_ENV};
use openrouter_signin::ApiKey;

#[test]
fn without_a_keychain_the_key_goes_to_the_private_file() {
    let config = tempfile::tempdir().unwrap();
    std::env::set_var("XDG_CONFIG_HOME", config.path());
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-bus", config.path().display()),
    );
    std::env::remove_var(KEY_STORE_ENV);

    let store = DesktopStore::open_default().unwrap();
    assert!(!store.uses_keychain());
    assert!(
        store.describe_location().contains("openrouter_api_key"),
        "{}",
        store.describe_location()
    );
    let key = ApiKey::parse(format!("sk-or-v1-{}", "cd".repeat(32))).unwrap();
    store.save_key(&key).unwrap();
    let file = config
        .path()
        .join("openrouter-signin")
        .join("openrouter_api_key");
    assert!(file.exists());
    assert_eq!(
        DesktopStore::open_default().unwrap().load_key(),
        Ok(Some(key))
    );
    store.remove_key().unwrap();
    assert!(!file.exists());

    std::env::set_var(KEY_STORE_ENV, "keychain");
    match DesktopStore::open_default() {
        Err(StorageError::Unavailable { what, reason }) => {
            assert_eq!(what, "the system keychain");
            assert!(!reason.is_empty());
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a keychain answered with no session bus"),
    }
}
