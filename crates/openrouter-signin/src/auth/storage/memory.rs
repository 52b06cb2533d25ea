use std::cell::RefCell;

use super::{AuthStore, PendingSignIn, StorageError};
use crate::auth::pkce::{State, Verifier};
use crate::messages::KeyLocation;
use crate::openrouter::ApiKey;

/// Keeps everything in memory: for tests, and for a page whose browser storage is unavailable.
#[derive(Default)]
pub struct MemoryStore {
    key: RefCell<Option<ApiKey>>,
    pending: RefCell<Option<StoredPending>>,
}

/// The pending record as strings, the way every backend stores it.
struct StoredPending {
    verifier: String,
    state: String,
    started_at_ms: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl AuthStore for MemoryStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        Ok(self.key.borrow().clone())
    }

    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        *self.key.borrow_mut() = Some(key.clone());
        Ok(())
    }

    fn remove_key(&self) -> Result<(), StorageError> {
        *self.key.borrow_mut() = None;
        Ok(())
    }

    fn has_pending(&self) -> Result<bool, StorageError> {
        Ok(self.pending.borrow().is_some())
    }

    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        *self.pending.borrow_mut() = Some(StoredPending {
            verifier: pending.verifier.expose_secret().to_owned(),
            state: pending.state.expose_secret().to_owned(),
            started_at_ms: pending.started_at_ms,
        });
        Ok(())
    }

    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        let Some(stored) = self.pending.borrow_mut().take() else {
            return Ok(None);
        };
        rebuild_pending(
            stored.verifier,
            stored.state,
            stored.started_at_ms,
            "the pending sign-in in memory",
        )
        .map(Some)
    }

    fn describe_location(&self) -> String {
        "memory only (it is forgotten when the app closes)".to_owned()
    }

    fn location(&self) -> KeyLocation {
        KeyLocation::Memory
    }
}

/// Turns stored strings back into a pending sign-in, refusing anything we did not write.
pub(crate) fn rebuild_pending(
    verifier: String,
    state: String,
    started_at_ms: u64,
    what: &str,
) -> Result<PendingSignIn, StorageError> {
    let verifier = Verifier::from_stored(verifier).ok_or_else(|| StorageError::Corrupt {
        what: what.to_owned(),
        expected: "PKCE verifier",
    })?;
    let state = State::from_stored(state).ok_or_else(|| StorageError::Corrupt {
        what: what.to_owned(),
        expected: "state",
    })?;
    Ok(PendingSignIn {
        verifier,
        state,
        started_at_ms,
    })
}
