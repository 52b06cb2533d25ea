//! The desktop's key store: the OS keychain (Keychain on macOS, Credential Manager on Windows, the
//! Secret Service on Linux) where one answers, else the 0600 file. The verifier and state stay in
//! memory either way.

use super::desktop::FileStore;
use super::{AuthStore, PendingSignIn, StorageError};
use crate::messages::KeyLocation;
use crate::openrouter::ApiKey;

/// The keychain entry's service name for an app that gave no app id; otherwise the app id is.
pub const KEYCHAIN_SERVICE: &str = super::DEFAULT_APP_ID;
/// The keychain entry's account name.
pub const KEYCHAIN_ACCOUNT: &str = "openrouter_api_key";
/// `file` forces the key file, `keychain` insists on the keychain; unset picks the keychain when
/// one answers.
pub const KEY_STORE_ENV: &str = "OPENROUTER_SIGNIN_KEY_STORE";

/// Where the desktop keeps the key.
pub struct DesktopStore {
    keychain: Option<keyring::Entry>,
    service: String,
    file: FileStore,
}

fn keychain_error(action: &'static str, error: &keyring::Error) -> StorageError {
    StorageError::Io {
        action,
        path: "the system keychain".into(),
        reason: error.to_string(),
    }
}

impl DesktopStore {
    /// The store of an app that gave no app id: [`DesktopStore::open_for_app`] with
    /// [`KEYCHAIN_SERVICE`].
    pub fn open_default() -> Result<Self, StorageError> {
        Self::open_for_app(KEYCHAIN_SERVICE)
    }

    /// The keychain entry of service `app_id` if the keychain answers (unless
    /// `OPENROUTER_SIGNIN_KEY_STORE=file`), else the key file `<config dir>/<app_id>/openrouter_api_key`.
    /// `OPENROUTER_SIGNIN_KEY_STORE=keychain` makes a silent keychain an error.
    pub fn open_for_app(app_id: &str) -> Result<Self, StorageError> {
        let file = FileStore::at(super::desktop::key_path_for_app(app_id)?);
        let service = app_id.to_owned();
        match std::env::var(KEY_STORE_ENV).as_deref() {
            Ok("file") => Ok(DesktopStore {
                keychain: None,
                service,
                file,
            }),
            Ok("keychain") => match probe_keychain(&service) {
                Ok(entry) => Ok(DesktopStore {
                    keychain: Some(entry),
                    service,
                    file,
                }),
                Err(reason) => Err(StorageError::Unavailable {
                    what: "the system keychain".into(),
                    reason,
                }),
            },
            _ => Ok(DesktopStore {
                keychain: probe_keychain(&service).ok(),
                service,
                file,
            }),
        }
    }

    /// A store that keeps the key in `file` only.
    pub fn file_only(file: FileStore) -> Self {
        DesktopStore {
            keychain: None,
            service: KEYCHAIN_SERVICE.to_owned(),
            file,
        }
    }

    /// Whether the key goes to the OS keychain.
    pub fn uses_keychain(&self) -> bool {
        self.keychain.is_some()
    }
}

/// The keychain entry, if the keychain is there and answers a read.
fn probe_keychain(service: &str) -> Result<keyring::Entry, String> {
    let entry = keyring::Entry::new(service, KEYCHAIN_ACCOUNT).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(entry),
        Err(e) => Err(e.to_string()),
    }
}

impl AuthStore for DesktopStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        let Some(entry) = &self.keychain else {
            return self.file.load_key();
        };
        match entry.get_password() {
            Ok(text) => ApiKey::parse(text)
                .map(Some)
                .map_err(|_| StorageError::Corrupt {
                    what: "the system keychain entry".into(),
                    expected: "OpenRouter key",
                }),
            // A key saved to the file while the keychain was away is still the user's key.
            Err(keyring::Error::NoEntry) => self.file.load_key(),
            Err(e) => Err(keychain_error("could not read", &e)),
        }
    }

    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        let Some(entry) = &self.keychain else {
            return self.file.save_key(key);
        };
        entry
            .set_password(key.expose_secret())
            .map_err(|e| keychain_error("could not write", &e))?;
        // One place for the key: an older copy in the file would come back after a sign-out.
        let _ = self.file.remove_key();
        Ok(())
    }

    fn remove_key(&self) -> Result<(), StorageError> {
        if let Some(entry) = &self.keychain {
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keychain_error("could not remove", &e)),
            }
        }
        self.file.remove_key()
    }

    fn has_pending(&self) -> Result<bool, StorageError> {
        self.file.has_pending()
    }

    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        self.file.save_pending(pending)
    }

    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        self.file.take_pending()
    }

    fn describe_location(&self) -> String {
        match &self.keychain {
            Some(_) => format!("the system keychain (service {:?})", self.service),
            None => self.file.describe_location(),
        }
    }

    fn location(&self) -> KeyLocation {
        match &self.keychain {
            Some(_) => KeyLocation::Keychain {
                service: self.service.clone(),
            },
            None => self.file.location(),
        }
    }
}
