//! PKCE arithmetic and the random values the mock hands out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Length of an S256 challenge: 32 SHA-256 bytes in unpadded base64url.
const CHALLENGE_LEN: usize = 43;

/// The S256 code challenge of `verifier`: base64url-no-pad(SHA-256(verifier)), per RFC 7636 §4.2.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The lowercase hex SHA-256 of `text`: how OpenRouter names a key in `/keys/<hash>`.
pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `challenge` has the shape of an S256 challenge (43 base64url characters).
pub(crate) fn is_valid_challenge(challenge: &str) -> bool {
    challenge.len() == CHALLENGE_LEN
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)?;
    Ok(bytes)
}

/// An unguessable URL-safe token (256 bits), used for request ids and authorization codes.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// `N` random bytes as lowercase hex (2·N characters).
pub(crate) fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    Ok(random_bytes::<N>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A fresh API key shaped like OpenRouter's: `sk-or-v1-` and 64 lowercase hex digits.
pub(crate) fn random_api_key() -> Result<String, getrandom::Error> {
    Ok(format!("sk-or-v1-{}", random_hex::<32>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let challenge = s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(is_valid_challenge(&challenge));
    }

    #[test]
    fn challenge_shape() {
        assert!(!is_valid_challenge("short"));
        assert!(!is_valid_challenge(&"a".repeat(44)));
        assert!(!is_valid_challenge(&format!("{}=", "a".repeat(42))));
        assert!(!is_valid_challenge(&format!("{}+", "a".repeat(42))));
    }

    #[test]
    fn sha256_hex_matches_a_known_digest() {
        // `printf %s abc | sha256sum`
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn api_key_shape() {
        let key = random_api_key().expect("randomness");
        let hex = key.strip_prefix("sk-or-v1-").expect("prefix");
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    }
}
