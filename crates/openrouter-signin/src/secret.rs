//! The secrets of a sign-in, defined once: the API key, the PKCE verifier, the `state` and the
//! authorization code. Each is a string newtype that prints `[redacted]` in Debug and Display,
//! hands its text out only through `expose_secret()`, and is wiped from memory when dropped.
//! What each one accepts and can do lives beside its use: `openrouter/key.rs` (ApiKey),
//! `auth/pkce.rs` (Verifier, State), `auth/callback.rs` (AuthCode). A leaf, so that the client
//! and the sign-in flow both use these types without importing each other.

use std::fmt;

/// Defines a secret string newtype with the derives given, redacted formatting, zeroize on drop
/// and `expose_secret()`.
macro_rules! secret_string {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        $vis struct $name(pub(crate) String);

        impl $name {
            /// The secret itself, for where it has to go (a header, a URL, storage). Never log it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl Drop for $name {
            /// Wiped from memory when dropped, so that it does not linger in freed heap.
            fn drop(&mut self) {
                zeroize::Zeroize::zeroize(&mut self.0);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    };
}

secret_string! {
    /// A user's OpenRouter API key (`sk-or-...`), checked by [`ApiKey::parse`]. Use
    /// [`ApiKey::masked`] to show it and `expose_secret()` to send it.
    #[derive(Clone, PartialEq, Eq)]
    pub struct ApiKey;
}

secret_string! {
    /// The PKCE code verifier: base64url (no padding) of 32 random bytes, 43 characters.
    ///
    /// Not `Clone`: there is one verifier per sign-in and it goes from storage to the exchange.
    pub struct Verifier;
}

secret_string! {
    /// The OAuth `state`: [`STATE_PREFIX`](crate::auth::STATE_PREFIX) and 192 random bits in
    /// base64url, compared in constant time by [`State::matches`].
    #[derive(Clone)]
    pub struct State;
}

secret_string! {
    /// The single-use authorization code from the callback or pasted by the user.
    #[derive(Clone, PartialEq, Eq)]
    pub struct AuthCode;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_prints_itself() {
        let text = "sk-or-v1-0123456789abcdef";
        let printed = [
            format!("{:?} {}", ApiKey(text.into()), ApiKey(text.into())),
            format!("{:?} {}", Verifier(text.into()), Verifier(text.into())),
            format!("{:?} {}", State(text.into()), State(text.into())),
            format!("{:?} {}", AuthCode(text.into()), AuthCode(text.into())),
        ];
        for line in printed {
            assert!(!line.contains("0123"), "{line}");
            assert!(line.ends_with("([redacted]) [redacted]"), "{line}");
        }
        assert_eq!(ApiKey(text.into()).expose_secret(), text);
    }
}
