//! The server's cookie secret: where it comes from, what is refused, and the keys derived from
//! it. Every server instance that shares the secret reads every other instance's cookies; a
//! previous secret is still read (never written), so that a secret can be rotated without
//! signing everyone out.

use base64::Engine as _;
use zeroize::Zeroize as _;

/// The environment variable that holds the cookie secret: at least [`MIN_SECRET_BYTES`] random
/// bytes, in base64 (`openssl rand -base64 32`) or hex (`openssl rand -hex 32`).
pub const SECRET_ENV: &str = "OPENROUTER_SIGNIN_SECRET";
/// The environment variable that holds the secret being rotated out: cookies sealed with it are
/// still read, and replaced by ones sealed with the current secret when next set.
pub const PREVIOUS_SECRET_ENV: &str = "OPENROUTER_SIGNIN_PREVIOUS_SECRET";
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Why a cookie secret was refused. The message names the variable and what was wrong, never
/// the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret decodes to fewer than [`MIN_SECRET_BYTES`] bytes.
    #[error("{name} is {bytes} bytes long; it must be at least {MIN_SECRET_BYTES} random bytes (for example `openssl rand -base64 32`)")]
    TooShort {
        /// Where the secret came from.
        name: String,
        /// How many bytes it decoded to.
        bytes: usize,
    },
    /// The secret is neither base64 nor hex.
    #[error("{name} is neither base64 nor hex; give at least {MIN_SECRET_BYTES} random bytes in one of them (for example `openssl rand -base64 32`)")]
    Malformed {
        /// Where the secret came from.
        name: String,
    },
    /// The system's random number generator failed while making a secret.
    #[error("no random secret could be made: {0}")]
    Random(String),
}

/// The keys that seal and open cookies, derived from the server's secret (and the previous one,
/// while it is rotated out). The raw secrets are not kept.
pub struct CookieSecret {
    current: [u8; 32],
    previous: Option<[u8; 32]>,
    ephemeral: bool,
}

impl std::fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieSecret")
            .field("previous", &self.previous.is_some())
            .field("ephemeral", &self.ephemeral)
            .finish_non_exhaustive()
    }
}

impl Drop for CookieSecret {
    fn drop(&mut self) {
        self.current.zeroize();
        if let Some(previous) = self.previous.as_mut() {
            previous.zeroize();
        }
    }
}

impl CookieSecret {
    /// Reads [`SECRET_ENV`] and [`PREVIOUS_SECRET_ENV`]. Without [`SECRET_ENV`] a random secret
    /// is made ([`CookieSecret::is_ephemeral`]): sign-ins then last only as long as this process
    /// and are not shared with other instances. A variable that is set but unusable is an error,
    /// never a silent fallback.
    pub fn from_env() -> Result<Self, SecretError> {
        let previous = match std::env::var(PREVIOUS_SECRET_ENV) {
            Ok(text) if !text.trim().is_empty() => Some(decode(PREVIOUS_SECRET_ENV, &text)?),
            _ => None,
        };
        match std::env::var(SECRET_ENV) {
            Ok(text) if !text.trim().is_empty() => {
                let current = decode(SECRET_ENV, &text)?;
                Ok(Self::from_bytes(&current, previous.as_deref()))
            }
            _ => {
                let mut secret = Self::generate()?;
                secret.previous = previous.as_deref().map(derive);
                Ok(secret)
            }
        }
    }

    /// A secret from `current` (and `previous`, still read), each at least
    /// [`MIN_SECRET_BYTES`] long. For secrets that come from somewhere other than the
    /// environment; see [`CookieSecret::parse`] for text.
    pub fn from_bytes(current: &[u8], previous: Option<&[u8]>) -> Self {
        CookieSecret {
            current: derive(current),
            previous: previous.map(derive),
            ephemeral: false,
        }
    }

    /// A secret from its base64 or hex text, checked as [`CookieSecret::from_env`] checks it.
    pub fn parse(current: &str, previous: Option<&str>) -> Result<Self, SecretError> {
        let current = decode("the secret", current)?;
        let previous = previous
            .map(|text| decode("the previous secret", text))
            .transpose()?;
        Ok(Self::from_bytes(&current, previous.as_deref()))
    }

    /// A random secret for this process only.
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
        let mut secret = Self::from_bytes(&bytes, None);
        bytes.zeroize();
        secret.ephemeral = true;
        Ok(secret)
    }

    /// Whether the secret was made at start because none was given: sign-ins will not survive a
    /// restart, and other instances cannot read this one's cookies.
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    pub(super) fn current(&self) -> &[u8; 32] {
        &self.current
    }

    /// The keys to try when opening a cookie, newest first.
    pub(super) fn readable(&self) -> impl Iterator<Item = &[u8; 32]> {
        std::iter::once(&self.current).chain(self.previous.as_ref())
    }
}

/// Decodes hex (when the text is all hex digits) or base64 (standard or URL-safe, padded or
/// not), and checks the length.
fn decode(name: &str, text: &str) -> Result<Vec<u8>, SecretError> {
    let text = text.trim();
    let is_hex = text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hex {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .ok()
    } else {
        let unpadded = text.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(unpadded)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
            .ok()
    };
    let bytes = bytes.ok_or_else(|| SecretError::Malformed { name: name.into() })?;
    if bytes.len() < MIN_SECRET_BYTES {
        return Err(SecretError::TooShort {
            name: name.into(),
            bytes: bytes.len(),
        });
    }
    Ok(bytes)
}

/// The sealing key for a secret. The secret is at least 32 random bytes, so one hash with a
/// label that names this use is a sound key derivation; the label keeps the key apart from any
/// other use the app makes of the same secret.
fn derive(secret: &[u8]) -> [u8; 32] {
    let mut input = [
        b"openrouter-signin cookie sealing key v1\0".as_slice(),
        secret,
    ]
    .concat();
    let key = crate::sha256::sha256(&input);
    input.zeroize();
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hex_and_both_base64_alphabets() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let standard = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        for text in [&hex, &standard, &url_safe] {
            let secret = CookieSecret::parse(text, None).unwrap();
            assert_eq!(secret.current, derive(&bytes), "{text}");
        }
    }

    #[test]
    fn refuses_short_and_malformed_secrets_by_name() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        let error = CookieSecret::parse(&short, None).unwrap_err();
        assert_eq!(
            error,
            SecretError::TooShort {
                name: "the secret".into(),
                bytes: 31
            }
        );
        assert!(error.to_string().contains("at least 32"));
        let error = CookieSecret::parse("not a secret!", None).unwrap_err();
        assert!(matches!(error, SecretError::Malformed { .. }), "{error}");
        let good = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let error = CookieSecret::parse(&good, Some("zz")).unwrap_err();
        assert!(error.to_string().contains("the previous secret"), "{error}");
    }

    #[test]
    fn debug_shows_no_key_material() {
        let secret = CookieSecret::from_bytes(&[9u8; 32], Some(&[8u8; 32]));
        let shown = format!("{secret:?}");
        assert!(
            !shown.contains('9') && shown.contains("previous: true"),
            "{shown}"
        );
    }

    #[test]
    fn generated_secrets_differ_and_say_so() {
        let a = CookieSecret::generate().unwrap();
        let b = CookieSecret::generate().unwrap();
        assert!(a.is_ephemeral());
        assert_ne!(a.current, b.current);
    }
}
