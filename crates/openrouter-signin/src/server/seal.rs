//! Sealing: a cookie value that only the server can read and that nobody can alter.
//! XChaCha20-Poly1305 with a random 192-bit nonce, under a key of the cookie's own (HKDF of the
//! secret, the cookie's name in the label); the name is also the associated data, so a value
//! sealed for one cookie is refused as another. The expiry is inside the seal: a browser that
//! keeps a cookie past its Max-Age gains nothing.
//!
//! Layout, base64url without padding: `version (1) | nonce (24) | ciphertext + tag`, where the
//! plaintext is `expires at, Unix seconds (8, big-endian) | payload`. Version 2 is sealed now;
//! version 1 (one key for every cookie, a single SHA-256 of the secret) is still opened for one
//! release, so that nobody is signed out by the change.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroize as _;

use super::secret::{CookieSecret, Derivation};

/// The layout sealed now: keys from HKDF, one per cookie.
const VERSION: u8 = 2;
/// The layout of before: opened with the legacy keys, never sealed.
const LEGACY_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Longer values are refused before any decoding (a browser sends at most ~4 KB per cookie).
const MAX_SEALED_LEN: usize = 4096;

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsealed {
    /// Not something this server ever made: cut, altered, sealed for another cookie, or sealed
    /// with a secret this server does not have.
    NotOurs,
    /// Genuine, but past its expiry.
    Expired,
}

/// Seals `payload` for the cookie `purpose`, valid until `expires_at` (Unix seconds).
pub(crate) fn seal(
    secret: &CookieSecret,
    purpose: &str,
    expires_at: u64,
    payload: &[u8],
) -> String {
    // HKDF cannot refuse a 32-byte key; an empty value would simply never open.
    let Some(key) = secret.sealing_key(purpose) else {
        return String::new();
    };
    let cipher = XChaCha20Poly1305::new(key.as_slice().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut plaintext = Vec::with_capacity(8 + payload.len());
    plaintext.extend_from_slice(&expires_at.to_be_bytes());
    plaintext.extend_from_slice(payload);
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: &plaintext,
                aad: purpose.as_bytes(),
            },
        )
        // Encryption fails only for messages of gigabytes.
        .unwrap_or_default();
    plaintext.zeroize();
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
}

/// Opens a value sealed for `purpose` by any key `secret` can read, if it has not expired by
/// `now` (Unix seconds).
pub(crate) fn open(
    secret: &CookieSecret,
    purpose: &str,
    sealed: &str,
    now: u64,
) -> Result<Vec<u8>, Unsealed> {
    open_with_expiry(secret, purpose, sealed, now).map(|(payload, _)| payload)
}

/// [`open`], with the expiry sealed inside (Unix seconds).
pub(crate) fn open_with_expiry(
    secret: &CookieSecret,
    purpose: &str,
    sealed: &str,
    now: u64,
) -> Result<(Vec<u8>, u64), Unsealed> {
    if sealed.len() > MAX_SEALED_LEN {
        return Err(Unsealed::NotOurs);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sealed)
        .map_err(|_| Unsealed::NotOurs)?;
    if bytes.len() < 1 + NONCE_LEN + TAG_LEN + 8 {
        return Err(Unsealed::NotOurs);
    }
    let derivation = match bytes[0] {
        VERSION => Derivation::PerPurpose,
        LEGACY_VERSION => Derivation::Legacy,
        _ => return Err(Unsealed::NotOurs),
    };
    let nonce = XNonce::from_slice(&bytes[1..1 + NONCE_LEN]);
    let ciphertext = &bytes[1 + NONCE_LEN..];
    let mut plaintext = secret
        .opening_keys(purpose, derivation)
        .iter()
        .find_map(|key| {
            XChaCha20Poly1305::new(key.as_slice().into())
                .decrypt(
                    nonce,
                    Payload {
                        msg: ciphertext,
                        aad: purpose.as_bytes(),
                    },
                )
                .ok()
        })
        .ok_or(Unsealed::NotOurs)?;
    let mut expiry = [0u8; 8];
    expiry.copy_from_slice(&plaintext[..8]);
    let expires_at = u64::from_be_bytes(expiry);
    let payload = if expires_at > now {
        Ok((plaintext[8..].to_vec(), expires_at))
    } else {
        Err(Unsealed::Expired)
    };
    // Only the caller's copy of the payload is left.
    plaintext.zeroize();
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> CookieSecret {
        CookieSecret::from_bytes(&[byte; 32], None).unwrap()
    }

    #[test]
    fn round_trip_until_expiry() {
        let s = secret(1);
        let sealed = seal(&s, "key", 1_000, b"sk-or-v1-abc");
        assert_eq!(open(&s, "key", &sealed, 999).unwrap(), b"sk-or-v1-abc");
        assert_eq!(open(&s, "key", &sealed, 1_000), Err(Unsealed::Expired));
        assert!(!sealed.contains("abc"));
    }

    #[test]
    fn every_single_bit_flip_is_refused() {
        let s = secret(2);
        let sealed = seal(&s, "key", u64::MAX, b"payload");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&sealed)
            .unwrap();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[index] ^= 1 << bit;
                let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&altered);
                assert_eq!(
                    open(&s, "key", &text, 0),
                    Err(Unsealed::NotOurs),
                    "byte {index} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn refuses_other_purposes_secrets_and_junk() {
        let s = secret(3);
        let sealed = seal(&s, "pending", u64::MAX, b"x");
        assert_eq!(open(&s, "key", &sealed, 0), Err(Unsealed::NotOurs));
        assert_eq!(
            open(&secret(4), "pending", &sealed, 0),
            Err(Unsealed::NotOurs)
        );
        for junk in [
            "",
            "a",
            "!!!",
            &"A".repeat(5000),
            &sealed[..sealed.len() - 1],
        ] {
            assert_eq!(
                open(&s, "pending", junk, 0),
                Err(Unsealed::NotOurs),
                "{junk:.20}"
            );
        }
    }

    #[test]
    fn a_previous_secret_is_read_but_never_written() {
        let old = secret(5);
        let sealed_old = seal(&old, "key", u64::MAX, b"old");
        let rotated = CookieSecret::from_bytes(&[6; 32], Some(&[5; 32])).unwrap();
        assert_eq!(open(&rotated, "key", &sealed_old, 0).unwrap(), b"old");
        let sealed_new = seal(&rotated, "key", u64::MAX, b"new");
        assert_eq!(open(&old, "key", &sealed_new, 0), Err(Unsealed::NotOurs));
        assert_eq!(open(&secret(6), "key", &sealed_new, 0).unwrap(), b"new");
    }

    #[test]
    fn two_seals_of_the_same_payload_differ() {
        let s = secret(7);
        assert_ne!(seal(&s, "key", 9, b"same"), seal(&s, "key", 9, b"same"));
    }

    /// What the server sealed before keys came from HKDF: layout version 1, under the single
    /// SHA-256 of a label and the secret, for every cookie. Built here from the old rules.
    fn seal_as_before(secret: &[u8], purpose: &str, expires_at: u64, payload: &[u8]) -> String {
        use sha2::{Digest as _, Sha256};
        let key: [u8; 32] = Sha256::new()
            .chain_update(b"openrouter-signin cookie sealing key v1\0")
            .chain_update(secret)
            .finalize()
            .into();
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let plaintext = [&expires_at.to_be_bytes()[..], payload].concat();
        let sealed = XChaCha20Poly1305::new(&key.into())
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .unwrap();
        let out = [&[1u8][..], &nonce, &sealed].concat();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    #[test]
    fn cookies_sealed_before_hkdf_still_open_until_they_expire() {
        let old = seal_as_before(&[8; 32], "key", 1_000, b"sk-or-v1-old");
        assert_eq!(open(&secret(8), "key", &old, 999).unwrap(), b"sk-or-v1-old");
        assert_eq!(open(&secret(8), "key", &old, 1_000), Err(Unsealed::Expired));
        // Through a previous secret too, and still bound to its cookie and its secret.
        let rotated = CookieSecret::from_bytes(&[9; 32], Some(&[8; 32])).unwrap();
        assert_eq!(open(&rotated, "key", &old, 0).unwrap(), b"sk-or-v1-old");
        assert_eq!(open(&secret(8), "pending", &old, 0), Err(Unsealed::NotOurs));
        assert_eq!(open(&secret(9), "key", &old, 0), Err(Unsealed::NotOurs));
        // A value of the old layout under a new key, or the reverse, never opens.
        let new = seal(&secret(8), "key", u64::MAX, b"new");
        let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&new)
            .unwrap();
        assert_eq!(bytes[0], VERSION);
        bytes[0] = LEGACY_VERSION;
        let relabelled = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            open(&secret(8), "key", &relabelled, 0),
            Err(Unsealed::NotOurs)
        );
    }
}
