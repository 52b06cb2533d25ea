//! The desktop key file: private, replaced atomically, and robust against what can be on disk.

use std::fs;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;

use openrouter_signin::auth::storage::{AuthStore, FileStore, PendingSignIn, StorageError};
use openrouter_signin::auth::{State, Verifier};
use openrouter_signin::ApiKey;

fn key(n: u8) -> ApiKey {
    ApiKey::parse(format!("sk-or-v1-{}", format!("{n:02x}").repeat(32))).unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_file_is_private_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app").join("openrouter_api_key");
    let store = FileStore::at(&path);
    assert_eq!(store.load_key(), Ok(None));
    store.save_key(&key(1)).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(store.load_key(), Ok(Some(key(1))));
    // A fresh store (a restart) finds it.
    assert_eq!(FileStore::at(&path).load_key(), Ok(Some(key(1))));
    store.remove_key().unwrap();
    assert_eq!(store.load_key(), Ok(None));
    store.remove_key().expect("removing a missing key is fine");
}

#[test]
fn replacing_the_key_is_atomic_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openrouter_api_key");
    let store = FileStore::at(&path);
    store.save_key(&key(1)).unwrap();
    let mut old_handle = fs::File::open(&path).unwrap();
    store.save_key(&key(2)).unwrap();
    // Written in place, the old handle would now read the new key; a rename leaves it the old one.
    let mut old = String::new();
    old_handle.read_to_string(&mut old).unwrap();
    assert_eq!(old.trim_end(), key(1).expose_secret());
    assert_eq!(store.load_key(), Ok(Some(key(2))));
    assert_eq!(mode(&path), 0o600);
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["openrouter_api_key"]);
}

#[test]
fn a_corrupt_file_is_an_error_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openrouter_api_key");
    let store = FileStore::at(&path);
    for garbage in [
        &b""[..],
        b"\n",
        b"hello",
        b"\xff\xfe\x00sk-or-",
        b"sk-or-v1-has spaces in it here",
    ] {
        fs::write(&path, garbage).unwrap();
        match store.load_key() {
            Err(StorageError::Corrupt { what, expected }) => {
                assert!(what.contains("openrouter_api_key"), "{what}");
                assert_eq!(expected, "OpenRouter key");
            }
            other => panic!("{garbage:?} gave {other:?}"),
        }
        assert_eq!(
            fs::read(&path).unwrap(),
            garbage,
            "the file must not be touched"
        );
    }
}

#[test]
fn a_readable_key_file_is_tightened_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openrouter_api_key");
    fs::write(&path, format!("{}\n", key(3).expose_secret())).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(FileStore::at(&path).load_key(), Ok(Some(key(3))));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_directory_that_cannot_exist_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, "a file where a directory should be").unwrap();
    let store = FileStore::at(blocker.join("sub").join("openrouter_api_key"));
    match store.save_key(&key(4)) {
        Err(StorageError::Io { action, path, .. }) => {
            assert_eq!(action, "could not create");
            assert!(path.contains("not-a-dir"), "{path}");
        }
        other => panic!("{other:?}"),
    }
    // Reading through a file is an I/O error too, never a panic.
    assert!(store.load_key().is_err());
}

#[test]
fn a_key_file_path_that_is_a_directory_keeps_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openrouter_api_key");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside"), "x").unwrap();
    let store = FileStore::at(&path);
    assert!(matches!(store.load_key(), Err(StorageError::Io { .. })));
    assert!(matches!(
        store.save_key(&key(5)),
        Err(StorageError::Io { .. })
    ));
    assert!(path.join("inside").exists());
    let leftovers = fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary file is left behind");
}

#[test]
fn the_pending_sign_in_is_in_memory_and_taken_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::at(dir.path().join("k"));
    assert_eq!(store.has_pending(), Ok(false));
    let verifier = Verifier::generate().unwrap();
    let expected = verifier.expose_secret().to_owned();
    let pending = PendingSignIn {
        verifier,
        state: State::generate().unwrap(),
        started_at_ms: 42,
    };
    store.save_pending(&pending).unwrap();
    assert_eq!(store.has_pending(), Ok(true));
    let taken = store.take_pending().unwrap().unwrap();
    assert_eq!(taken.verifier.expose_secret(), expected);
    assert_eq!(taken.started_at_ms, 42);
    assert!(store.take_pending().unwrap().is_none());
    // Nothing of the sign-in was written to disk.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}
