//! PKCE (RFC 7636, S256) and `state` values.
//!
//! The verifier and the state are secrets for the few minutes a sign-in lasts: whoever holds
//! the verifier can turn an intercepted code into a key, and whoever can predict the state can
//! feed a victim's tab a code of their own. So they are newtypes that never print their
//! contents, and the verifier cannot be cloned by accident.

use zeroize::{Zeroize as _, Zeroizing};

use crate::platform::sha256;
pub use crate::platform::DigestError;
pub use crate::secret::{State, Verifier};

/// Why random bytes could not be had from the operating system or the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no secure random numbers are available: {0}")]
pub struct RandomError(pub String);

/// Fills `buf` with secure random bytes: the browser's `crypto.getRandomValues` on the web (the
/// getrandom crate would reach the same call through a kilobyte of wasm and messages for
/// platforms a page never runs on), the operating system's elsewhere.
#[cfg(target_arch = "wasm32")]
fn fill_random(buf: &mut [u8]) -> Result<(), RandomError> {
    use crate::platform::js_text;
    let window = web_sys::window().ok_or_else(|| RandomError("there is no window".into()))?;
    let crypto = window.crypto().map_err(|e| RandomError(js_text(&e)))?;
    crypto
        .get_random_values_with_u8_array(buf)
        .map_err(|e| RandomError(js_text(&e)))?;
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
fn fill_random(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::getrandom(buf).map_err(|e| RandomError(e.to_string()))
}

/// `bytes` random bytes in base64url. The raw bytes are wiped before they are freed.
fn random_token(bytes: usize) -> Result<String, RandomError> {
    let mut buf = Zeroizing::new(vec![0u8; bytes]);
    fill_random(&mut buf)?;
    Ok(base64url(&buf))
}

/// base64url without padding (RFC 4648, section 5): the only encoding PKCE needs. Written out
/// rather than taken from a general base64 crate, whose engines cost a page about 3 KB of wasm
/// for these three calls. The string is allocated at its final size, so that growing it leaves
/// no partial copy of a secret behind.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = byte(0) << 16 | byte(1) << 8 | byte(2);
        // 1, 2 or 3 bytes give 2, 3 or 4 characters of 6 bits each.
        for at in 0..=chunk.len() {
            let six = (group >> (18 - 6 * at)) & 0x3f;
            out.push(char::from(ALPHABET[six as usize]));
        }
    }
    out
}

/// RFC 3986 unreserved characters: the only ones a verifier, a state or an encoded query value
/// holds as they are.
pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

impl Verifier {
    /// A fresh verifier from 32 bytes of secure randomness.
    pub fn generate() -> Result<Self, RandomError> {
        random_token(32).map(Verifier)
    }

    /// Takes back a verifier that was stored earlier. RFC 7636 allows 43 to 128 characters
    /// from the unreserved set; anything else was not written by us.
    pub fn from_stored(value: String) -> Option<Self> {
        let ok = (43..=128).contains(&value.len()) && value.bytes().all(is_unreserved);
        refuse_unless(ok, value).map(Verifier)
    }

    /// The S256 challenge of this verifier: base64url of its SHA-256. In a page the browser
    /// computes the digest (`crypto.subtle`, which it offers only to pages on https or
    /// localhost: elsewhere this is a [`DigestError`]); natively it is ready at once.
    pub async fn challenge(&self) -> Result<Challenge, DigestError> {
        let digest = sha256(self.0.as_bytes()).await?;
        Ok(Challenge(base64url(&digest)))
    }
}

/// `value` when `ok`; otherwise `None`, with the text wiped (it may be a secret of some other
/// shape).
fn refuse_unless(ok: bool, mut value: String) -> Option<String> {
    if ok {
        return Some(value);
    }
    value.zeroize();
    None
}

/// The S256 code challenge: base64url (no padding) of SHA-256 of the verifier. Public by design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge(String);

impl Challenge {
    /// The challenge as it goes into the authorize URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What every state we send starts with. A return whose state has it, in a tab with no sign-in
/// pending, was started by us in another tab (or this tab lost its storage): worth telling the
/// user about. A return without it belongs to someone else and is left alone.
pub const STATE_PREFIX: &str = "ors_";

impl State {
    /// A fresh state from 24 bytes (192 bits) of secure randomness.
    pub fn generate() -> Result<Self, RandomError> {
        let token = Zeroizing::new(random_token(24)?);
        // Sized up front, so that no shorter copy is left behind by growing.
        let mut state = String::with_capacity(STATE_PREFIX.len() + token.len());
        state.push_str(STATE_PREFIX);
        state.push_str(&token);
        Ok(State(state))
    }

    /// Takes back a state that was stored earlier; `None` when it is not one of ours
    /// (we only ever write 22 to 128 unreserved characters).
    pub fn from_stored(value: String) -> Option<Self> {
        let ok = (22..=128).contains(&value.len()) && value.bytes().all(is_unreserved);
        refuse_unless(ok, value).map(State)
    }

    /// Whether the `state` that came back equals this one, in time independent of where they differ.
    pub fn matches(&self, returned: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        self.0.len() == returned.len() && bool::from(self.0.as_bytes().ct_eq(returned.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_and_a_general_encoder() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        // RFC 4648, section 10, without the padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), encoded);
        }
        // Every byte value, in every position of a group, and both alphabet's last characters.
        let all: Vec<u8> = (0..=255u8).collect();
        for start in 0..3 {
            let bytes = &all[start..];
            assert_eq!(base64url(bytes), URL_SAFE_NO_PAD.encode(bytes));
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[tokio::test]
    async fn rfc7636_appendix_b_vector() {
        let v =
            Verifier::from_stored("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()).unwrap();
        assert_eq!(
            v.challenge().await.unwrap().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[tokio::test]
    async fn generated_values_have_the_documented_shape() {
        let v = Verifier::generate().unwrap();
        assert_eq!(v.expose_secret().len(), 43);
        assert!(v.expose_secret().bytes().all(is_unreserved));
        assert_eq!(v.challenge().await.unwrap().as_str().len(), 43);
        let s = State::generate().unwrap();
        assert_eq!(s.expose_secret().len(), STATE_PREFIX.len() + 32);
        assert!(s.expose_secret().starts_with(STATE_PREFIX));
        assert_ne!(
            Verifier::generate().unwrap().expose_secret(),
            v.expose_secret()
        );
        assert_ne!(
            State::generate().unwrap().expose_secret(),
            s.expose_secret()
        );
    }

    #[test]
    fn secrets_never_print() {
        let v = Verifier::generate().unwrap();
        let s = State::generate().unwrap();
        for text in [
            format!("{v:?}"),
            format!("{v}"),
            format!("{s:?}"),
            format!("{s}"),
        ] {
            assert!(text.contains("[redacted]"), "{text}");
            assert!(!text.contains(v.expose_secret()) && !text.contains(s.expose_secret()));
        }
    }

    #[test]
    fn state_comparison() {
        let s = State::from_stored("abcdefghijklmnopqrstuvwxyz".into()).unwrap();
        assert!(s.matches("abcdefghijklmnopqrstuvwxyz"));
        assert!(!s.matches("abcdefghijklmnopqrstuvwxyZ"));
        assert!(!s.matches("abcdefghijklmnopqrstuvwxy"));
        assert!(!s.matches(""));
    }

    #[test]
    fn stored_values_are_validated() {
        assert!(Verifier::from_stored("short".into()).is_none());
        assert!(Verifier::from_stored("a".repeat(129)).is_none());
        assert!(Verifier::from_stored(format!("{}+", "a".repeat(43))).is_none());
        assert!(State::from_stored("has space in it and is long".into()).is_none());
    }
}
