//! The server's cookie secret: where it comes from, what is refused, and the keys derived from
//! it (HKDF-SHA256, a key per cookie). Every server instance that shares the secret reads every
//! other instance's cookies; a previous secret is still read (never written), so that a secret
//! can be rotated without signing everyone out.

use base64::Engine as _;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

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

/// What every sealing key's HKDF `info` starts with; the cookie's name follows, so that each
/// cookie (the key's, the pending sign-in's) is sealed with a key of its own.
const SEALING_LABEL: &[u8] = b"openrouter-signin cookie sealing key v2\0";
/// The label of the single SHA-256 that derived the one sealing key of before (sealed layout
/// version 1). Those cookies are still opened, never sealed, for one release: a key cookie
/// lives 30 days by default, and nobody is signed out by the change.
const LEGACY_LABEL: &[u8] = b"openrouter-signin cookie sealing key v1\0";

/// How a sealed value's key was derived, as its layout version says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Derivation {
    /// HKDF-SHA256 of the secret, `info` = [`SEALING_LABEL`] and the cookie's name.
    PerPurpose,
    /// SHA-256 of [`LEGACY_LABEL`] and the secret, one key for every cookie: only opened.
    Legacy,
}

/// The keys that seal and open cookies, derived from the server's secret (and the previous one,
/// while it is rotated out). The raw secrets are not kept: only HKDF's pseudorandom keys (in
/// HMAC states that sha2's `zeroize` feature wipes on drop) and the legacy keys (wiped too).
pub struct CookieSecret {
    current: Hkdf<Sha256>,
    previous: Option<Hkdf<Sha256>>,
    /// The legacy keys of the current and the previous secret.
    legacy: Vec<Zeroizing<[u8; 32]>>,
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

impl CookieSecret {
    /// Reads [`SECRET_ENV`] and [`PREVIOUS_SECRET_ENV`]. Without [`SECRET_ENV`] a random secret
    /// is made ([`CookieSecret::is_ephemeral`]): sign-ins then last only as long as this process
    /// and are not shared with other instances. A variable that is set but unusable is an error,
    /// never a silent fallback.
    pub fn from_env() -> Result<Self, SecretError> {
        let previous = match std::env::var(PREVIOUS_SECRET_ENV).map(Zeroizing::new) {
            Ok(text) if !text.trim().is_empty() => Some(decode(PREVIOUS_SECRET_ENV, &text)?),
            _ => None,
        };
        match std::env::var(SECRET_ENV).map(Zeroizing::new) {
            Ok(text) if !text.trim().is_empty() => {
                let current = decode(SECRET_ENV, &text)?;
                Ok(Self::derive(
                    &current,
                    previous.as_deref().map(Vec::as_slice),
                ))
            }
            _ => Self::random(previous.as_deref().map(Vec::as_slice)),
        }
    }

    /// A secret from `current` (and `previous`, still read), each at least
    /// [`MIN_SECRET_BYTES`] long: a shorter one is refused with [`SecretError::TooShort`]. For
    /// secrets that come from somewhere other than the environment; see
    /// [`CookieSecret::parse`] for text.
    pub fn from_bytes(current: &[u8], previous: Option<&[u8]>) -> Result<Self, SecretError> {
        check_length("the secret", current)?;
        if let Some(previous) = previous {
            check_length("the previous secret", previous)?;
        }
        Ok(Self::derive(current, previous))
    }

    /// A secret from its base64 or hex text, checked as [`CookieSecret::from_env`] checks it.
    pub fn parse(current: &str, previous: Option<&str>) -> Result<Self, SecretError> {
        let current = decode("the secret", current)?;
        let previous = previous
            .map(|text| decode("the previous secret", text))
            .transpose()?;
        Ok(Self::derive(
            &current,
            previous.as_deref().map(Vec::as_slice),
        ))
    }

    /// A random secret for this process only.
    pub fn generate() -> Result<Self, SecretError> {
        Self::random(None)
    }

    /// A random current secret, and `previous` (checked) still read.
    fn random(previous: Option<&[u8]>) -> Result<Self, SecretError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(bytes.as_mut_slice())
            .map_err(|e| SecretError::Random(e.to_string()))?;
        let mut secret = Self::from_bytes(bytes.as_slice(), previous)?;
        secret.ephemeral = true;
        Ok(secret)
    }

    /// The keys of secrets already checked.
    fn derive(current: &[u8], previous: Option<&[u8]>) -> Self {
        CookieSecret {
            current: Hkdf::new(None, current),
            previous: previous.map(|previous| Hkdf::new(None, previous)),
            legacy: std::iter::once(current)
                .chain(previous)
                .map(legacy_key)
                .collect(),
            ephemeral: false,
        }
    }

    /// Whether the secret was made at start because none was given: sign-ins will not survive a
    /// restart, and other instances cannot read this one's cookies.
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// The key that seals the cookie named `purpose`: the current secret's.
    pub(super) fn sealing_key(&self, purpose: &str) -> Option<Zeroizing<[u8; 32]>> {
        expand(&self.current, purpose)
    }

    /// The keys to try when opening the cookie named `purpose` sealed with keys derived by
    /// `derivation`, newest first.
    pub(super) fn opening_keys(
        &self,
        purpose: &str,
        derivation: Derivation,
    ) -> Vec<Zeroizing<[u8; 32]>> {
        match derivation {
            Derivation::PerPurpose => std::iter::once(&self.current)
                .chain(self.previous.as_ref())
                .filter_map(|hkdf| expand(hkdf, purpose))
                .collect(),
            Derivation::Legacy => self.legacy.clone(),
        }
    }
}

/// The sealing key of the cookie named `purpose`, from a secret's HKDF. `None` only if HKDF
/// refused the length, which 32 bytes never is.
fn expand(hkdf: &Hkdf<Sha256>, purpose: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf.expand_multi_info(&[SEALING_LABEL, purpose.as_bytes()], key.as_mut_slice())
        .ok()?;
    Some(key)
}

/// The one sealing key of before, for layout version 1.
fn legacy_key(secret: &[u8]) -> Zeroizing<[u8; 32]> {
    use sha2::Digest as _;
    let mut hasher = Sha256::new();
    hasher.update(LEGACY_LABEL);
    hasher.update(secret);
    Zeroizing::new(hasher.finalize().into())
}

fn check_length(name: &str, secret: &[u8]) -> Result<(), SecretError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(SecretError::TooShort {
            name: name.into(),
            bytes: secret.len(),
        });
    }
    Ok(())
}

/// Decodes hex (when the text is all hex digits) or base64 (standard or URL-safe, padded or
/// not), and checks the length. The bytes are wiped when dropped.
fn decode(name: &str, text: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let text = text.trim();
    let is_hex = text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hex {
        // Sized up front: a growing vector would leave copies of the secret behind.
        let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() / 2));
        for i in (0..text.len()).step_by(2) {
            match u8::from_str_radix(&text[i..i + 2], 16) {
                Ok(byte) => bytes.push(byte),
                Err(_) => return Err(SecretError::Malformed { name: name.into() }),
            }
        }
        Some(bytes)
    } else {
        let unpadded = text.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(unpadded)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
            .ok()
            .map(Zeroizing::new)
    };
    let bytes = bytes.ok_or_else(|| SecretError::Malformed { name: name.into() })?;
    check_length(name, &bytes)?;
    Ok(bytes)
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
        let expected = CookieSecret::from_bytes(&bytes, None)
            .unwrap()
            .sealing_key("openrouter_key");
        for text in [&hex, &standard, &url_safe] {
            let secret = CookieSecret::parse(text, None).unwrap();
            assert_eq!(secret.sealing_key("openrouter_key"), expected, "{text}");
        }
    }

    #[test]
    fn from_bytes_refuses_short_secrets_by_name() {
        let error = CookieSecret::from_bytes(&[7u8; 31], None).unwrap_err();
        assert_eq!(
            error,
            SecretError::TooShort {
                name: "the secret".into(),
                bytes: 31
            }
        );
        assert!(error.to_string().contains("31 bytes"), "{error}");
        let error = CookieSecret::from_bytes(&[7u8; 32], Some(&[])).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the previous secret is 0 bytes"),
            "{error}"
        );
        assert!(CookieSecret::from_bytes(&[7u8; 32], Some(&[8u8; 64])).is_ok());
    }

    #[test]
    fn each_cookie_has_its_own_key_and_each_secret_its_own_keys() {
        let secret = CookieSecret::from_bytes(&[1u8; 32], None).unwrap();
        let key = secret.sealing_key("openrouter_key").unwrap();
        let pending = secret.sealing_key("openrouter_pending").unwrap();
        assert_ne!(key, pending);
        // Another instance with the same secret derives the same keys; another secret does not.
        let same = CookieSecret::from_bytes(&[1u8; 32], None).unwrap();
        assert_eq!(same.sealing_key("openrouter_key").unwrap(), key);
        let other = CookieSecret::from_bytes(&[2u8; 32], None).unwrap();
        assert_ne!(other.sealing_key("openrouter_key").unwrap(), key);
        // Neither is the single hash of before.
        let legacy = legacy_key(&[1u8; 32]);
        assert!(*key != *legacy && *pending != *legacy);
    }

    #[test]
    fn a_rotated_secret_opens_with_the_current_key_first() {
        let rotated = CookieSecret::from_bytes(&[2u8; 32], Some(&[1u8; 32])).unwrap();
        let old = CookieSecret::from_bytes(&[1u8; 32], None).unwrap();
        let new = CookieSecret::from_bytes(&[2u8; 32], None).unwrap();
        let keys = rotated.opening_keys("openrouter_key", Derivation::PerPurpose);
        assert_eq!(
            keys,
            [
                new.sealing_key("openrouter_key").unwrap(),
                old.sealing_key("openrouter_key").unwrap()
            ]
        );
        let legacy = rotated.opening_keys("openrouter_key", Derivation::Legacy);
        assert_eq!(legacy, [legacy_key(&[2u8; 32]), legacy_key(&[1u8; 32])]);
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
        let secret = CookieSecret::from_bytes(&[9u8; 32], Some(&[8u8; 32])).unwrap();
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
        assert_ne!(a.sealing_key("k"), b.sealing_key("k"));
    }
}
