//! Desktop storage: the key in a file only its owner can read, replaced atomically; the
//! verifier and state in memory, so they never outlive the process that made them.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::memory::rebuild_pending;
use super::{AuthStore, PendingSignIn, StorageError};
use crate::messages::KeyLocation;
use crate::openrouter::ApiKey;

/// The key file's name inside the app's config directory.
pub const KEY_FILE_NAME: &str = "openrouter_api_key";

/// `<config dir>/openrouter-signin/openrouter_api_key` (on Linux `$XDG_CONFIG_HOME` or `~/.config`):
/// the key file of an app that gave no app id.
pub fn default_key_path() -> Result<PathBuf, StorageError> {
    key_path_for_app(super::DEFAULT_APP_ID)
}

/// `<config dir>/<app_id>/openrouter_api_key`: each app keeps its own key. `app_id` is checked by
/// [`OpenRouterConfig`](crate::OpenRouterConfig) to be a plain folder name.
pub fn key_path_for_app(app_id: &str) -> Result<PathBuf, StorageError> {
    let dir = dirs::config_dir().ok_or_else(|| StorageError::Unavailable {
        what: "the config directory".into(),
        reason: "the platform reports none (is $HOME set?)".into(),
    })?;
    Ok(dir.join(app_id).join(KEY_FILE_NAME))
}

/// The key in a file (mode 0600 on Unix, in a 0700 directory), the pending sign-in in memory.
pub struct FileStore {
    key_path: PathBuf,
    pending: Mutex<Option<(String, String, u64)>>,
}

impl FileStore {
    /// The store at [`default_key_path`].
    pub fn open_default() -> Result<Self, StorageError> {
        Ok(FileStore::at(default_key_path()?))
    }

    /// A store whose key lives at `key_path`. Nothing is touched until the first call.
    pub fn at(key_path: impl Into<PathBuf>) -> Self {
        FileStore {
            key_path: key_path.into(),
            pending: Mutex::new(None),
        }
    }

    /// The key file's path.
    pub fn key_path(&self) -> &Path {
        &self.key_path
    }

    fn io_error(&self, action: &'static str, path: &Path, error: &io::Error) -> StorageError {
        StorageError::Io {
            action,
            path: path.display().to_string(),
            reason: error.to_string(),
        }
    }

    fn pending_slot(&self) -> std::sync::MutexGuard<'_, Option<(String, String, u64)>> {
        // A panic elsewhere while holding the lock leaves plain strings behind: still usable.
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_atomically(&self, contents: &[u8]) -> Result<(), StorageError> {
        let dir = self
            .key_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| self.io_error("could not create", dir, &e))?;
        let mut nonce = [0u8; 8];
        getrandom::getrandom(&mut nonce).map_err(|e| StorageError::Unavailable {
            what: "secure random numbers".into(),
            reason: e.to_string(),
        })?;
        let tmp = dir.join(format!(
            ".{KEY_FILE_NAME}.{:016x}.tmp",
            u64::from_le_bytes(nonce)
        ));
        let written =
            write_new_private_file(&tmp, contents).and_then(|()| fs::rename(&tmp, &self.key_path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(self.io_error("could not write", &self.key_path, &e));
        }
        // Make the rename itself durable; a failure here does not undo a completed write.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn write_new_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Tightens a key file that someone made readable by others; the key stays usable either way.
#[cfg(unix)]
fn tighten_mode(path: &Path, metadata: &fs::Metadata) {
    use std::os::unix::fs::PermissionsExt as _;
    if metadata.permissions().mode() & 0o077 != 0 {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
}

impl AuthStore for FileStore {
    fn load_key(&self) -> Result<Option<ApiKey>, StorageError> {
        let path = &self.key_path;
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("could not read", path, &e)),
        };
        #[cfg(unix)]
        if let Ok(metadata) = fs::metadata(path) {
            tighten_mode(path, &metadata);
        }
        let corrupt = || StorageError::Corrupt {
            what: path.display().to_string(),
            expected: "OpenRouter key",
        };
        let text = String::from_utf8(bytes).map_err(|_| corrupt())?;
        ApiKey::parse(text.trim_end_matches(['\n', '\r']))
            .map(Some)
            .map_err(|_| corrupt())
    }

    fn save_key(&self, key: &ApiKey) -> Result<(), StorageError> {
        let contents = zeroize::Zeroizing::new(format!("{}\n", key.expose_secret()));
        self.write_atomically(contents.as_bytes())
    }

    fn remove_key(&self) -> Result<(), StorageError> {
        match fs::remove_file(&self.key_path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(self.io_error("could not remove", &self.key_path, &e))
            }
            _ => Ok(()),
        }
    }

    fn has_pending(&self) -> Result<bool, StorageError> {
        Ok(self.pending_slot().is_some())
    }

    fn save_pending(&self, pending: &PendingSignIn) -> Result<(), StorageError> {
        *self.pending_slot() = Some((
            pending.verifier.expose_secret().to_owned(),
            pending.state.expose_secret().to_owned(),
            pending.started_at_ms,
        ));
        Ok(())
    }

    fn take_pending(&self) -> Result<Option<PendingSignIn>, StorageError> {
        match self.pending_slot().take() {
            None => Ok(None),
            Some((verifier, state, started)) => {
                rebuild_pending(verifier, state, started, "the pending sign-in in memory").map(Some)
            }
        }
    }

    fn describe_location(&self) -> String {
        format!(
            "the file {} (readable only by you)",
            self.key_path.display()
        )
    }

    fn location(&self) -> KeyLocation {
        KeyLocation::File(self.key_path.display().to_string())
    }
}
