//! Where the key and a sign-in in progress are kept. This is the one place where `cfg` picks the
//! backend: both sides export [`PlatformStore`] and [`open_platform_store`], so no caller writes cfg.
//!
//! | | key | verifier and state |
//! |---|---|---|
//! | web | `localStorage["openrouter_api_key"]` | `sessionStorage` (this tab only) |
//! | desktop | the OS keychain, else a 0600 file in the config dir | memory (this process only) |
//! | tests | memory | memory |

#[cfg(not(target_arch = "wasm32"))]
mod desktop;
#[cfg(not(target_arch = "wasm32"))]
mod keychain;
mod memory;
#[cfg(target_arch = "wasm32")]
mod web;

pub use memory::MemoryStore;

#[cfg(not(target_arch = "wasm32"))]
pub use desktop::{default_key_path, key_path_for_app, FileStore, KEY_FILE_NAME};
#[cfg(not(target_arch = "wasm32"))]
pub use keychain::{
    DesktopStore, DesktopStore as PlatformStore, KEYCHAIN_ACCOUNT, KEYCHAIN_SERVICE, KEY_STORE_ENV,
};
#[cfg(target_arch = "wasm32")]
pub use web::{
    watch_key_changes, KeyChangeWatch, WebStore, WebStore as PlatformStore, KEY_STORAGE_KEY,
    STARTED_AT_STORAGE_KEY, STATE_STORAGE_KEY, VERIFIER_STORAGE_KEY,
};

use super::pkce::{State, Verifier};
use crate::messages::{fill, KeyLocation, Messages};
use crate::openrouter::ApiKey;

/// The app id of an app that gives none: the desktop key file's folder and keychain service.
pub const DEFAULT_APP_ID: &str = "openrouter-signin";

/// Opens the store this platform uses for the app `app_id` (the desktop's key file folder and
/// keychain entry) with the web storage names prefixed by `web_prefix` (empty: the reference's names).
pub fn open_platform_store(app_id: &str, web_prefix: &str) -> Result<PlatformStore, StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = app_id;
        PlatformStore::open_with_prefix(web_prefix)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = web_prefix;
        PlatformStore::open_for_app(app_id)
    }
}

/// A sign-in that was started and has not come back yet.
#[derive(Debug)]
pub struct PendingSignIn {
    /// The PKCE verifier whose challenge went to OpenRouter.
    pub verifier: Verifier,
    /// The state that went to OpenRouter and must come back unchanged.
    pub state: State,
    /// When the sign-in started, in milliseconds since the Unix epoch.
    pub started_at_ms: u64,
}

/// Why the store could not do what was asked. Nothing is overwritten when this happens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// There is no storage at all here (a sandboxed frame, private mode, no config dir).
    #[error("{what} is not available: {reason}")]
    Unavailable {
        /// The storage, as a user would name it (`browser storage`, `the system keychain`, ...).
        what: String,
        /// Why it is not available.
        reason: String,
    },
    /// The storage refused the write (the quota is used up).
    #[error("{what} refused to save: {reason}")]
    WriteRefused {
        /// The storage, as a user would name it.
        what: String,
        /// Why the write was refused.
        reason: String,
    },
    /// What is stored is not something we wrote.
    #[error("{what} holds something that is not a valid {expected}; it was left as it is")]
    Corrupt {
        /// The storage, as a user would name it.
        what: String,
        /// What should have been there (`OpenRouter key`, `PKCE verifier`, ...).
        expected: &'static str,
    },
    /// A file operation failed.
    #[error("{action} {path}: {reason}")]
    Io {
        /// What failed, as the start of a sentence (`could not read`, `could not write`, ...).
        action: &'static str,
        /// The file, in full.
        path: String,
        /// What the operating system reported.
        reason: String,
    },
}

impl StorageError {
    /// What went wrong, in the words of `messages` (`Display` is the English): the places and
    /// things the library names are put in those words, a store of the app's own keeps its
    /// names, and the reason stays as the browser or the system gave it.
    pub fn message(&self, messages: &Messages) -> String {
        match self {
            Self::Unavailable { what, reason } => fill(
                &messages.storage_unavailable,
                &[("place", &messages.place(what)), ("reason", reason)],
            ),
            Self::WriteRefused { what, reason } => fill(
                &messages.storage_refused,
                &[("place", &messages.place(what)), ("reason", reason)],
            ),
            Self::Corrupt { what, expected } => fill(
                &messages.storage_corrupt,
                &[
                    ("place", &messages.place(what)),
                    ("expected", &messages.place(expected)),
                ],
            ),
            Self::Io {
                action,
                path,
                reason,
            } => {
                let template = match *action {
                    "could not read" => &messages.io_read,
                    "could not write" => &messages.io_write,
                    "could not create" => &messages.io_create,
                    "could not remove" => &messages.io_remove,
                    _ => return self.to_string(),
                };
                fill(
                    template,
                    &[("path", &messages.place(path)), ("reason", reason)],
                )
            }
        }
    }
}

/// A place that keeps the key and the pending sign-in. Every call reports failure as a
/// [`StorageError`]; none panics.
pub trait AuthStore {
    /// The stored key, if there is one.
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError>;
    /// Stores `key`, replacing any earlier one only once the new one is safely written.
    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError>;
    /// Forgets the key. Forgetting a key that is not there is not an error.
    fn remove_key(&self) -> Result<(), StorageError>;

    /// Whether a sign-in was started here and has not come back yet.
    fn has_pending(&self) -> Result<bool, StorageError>;
    /// Remembers a sign-in in progress, replacing any earlier one.
    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError>;
    /// Takes the pending sign-in out: a second call returns `None`, which is what makes a
    /// return be handled once even when two handlers race for it.
    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError>;

    /// Where the key is kept, in words for the user ("this browser's localStorage", a path).
    fn describe_location(&self) -> String;

    /// What the user should know about this store's limits, e.g. that the key will not outlive
    /// the page. `None` when it works as designed. (The library's own stores say it through
    /// [`location`](Self::location), in the app's language.)
    fn limitation(&self) -> Option<String> {
        None
    }

    /// Where the key is kept, for the library's table of messages, which words it in the app's
    /// language. A store of the app's own is described in its own words by default
    /// ([`describe_location`](Self::describe_location)).
    fn location(&self) -> KeyLocation {
        KeyLocation::Described(self.describe_location())
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn english_words_match_the_log_text_and_chinese_names_the_places_it_knows() {
        let (en, zh) = (Messages::english(), Messages::simplified_chinese());
        let all = [
            StorageError::Unavailable {
                what: "the system keychain".into(),
                reason: "no Secret Service".into(),
            },
            StorageError::WriteRefused {
                what: "localStorage".into(),
                reason: "QuotaExceededError".into(),
            },
            StorageError::Corrupt {
                what: "the vault of the app".into(),
                expected: "OpenRouter key",
            },
            StorageError::Io {
                action: "could not write",
                path: "/home/u/.config/app/openrouter_api_key".into(),
                reason: "Permission denied".into(),
            },
        ];
        for error in &all {
            assert_eq!(error.message(&en), error.to_string());
            assert!(!error.message(&zh).contains('{'), "{}", error.message(&zh));
        }
        assert_eq!(all[0].message(&zh), "系统钥匙串 不可用：no Secret Service");
        // A store of the app's own keeps its name; the thing expected is in Chinese.
        assert_eq!(
            all[2].message(&zh),
            "the vault of the app 中保存的不是有效的 OpenRouter 密钥，已保持原样"
        );
        assert_eq!(
            all[3].message(&zh),
            "无法写入 /home/u/.config/app/openrouter_api_key：Permission denied"
        );
    }
}
