//! Sign in with OpenRouter for Dioxus.
//!
//! OAuth 2.0 PKCE (S256) with `state` against OpenRouter: no client id, no secret, no backend.
//! The user approves on OpenRouter and the app receives a user-controlled API key.
//!
//! ```ignore
//! use dioxus::prelude::*;
//! use openrouter_signin::use_openrouter_auth;
//!
//! fn App() -> Element {
//!     let auth = use_openrouter_auth();
//!     rsx! {
//!         if let Some(masked) = auth.masked_key() {
//!             p { "Signed in as {masked}" }
//!             button { onclick: move |_| auth.sign_out(), "Sign out" }
//!         } else {
//!             button { onclick: move |_| auth.sign_in(), "Sign in with OpenRouter" }
//!         }
//!     }
//! }
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod components;
pub mod openrouter;
mod platform;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use auth::{
    on_auth_change, use_openrouter_auth, AuthState, AuthStatus, AuthSubscription, FlowError,
    OpenRouterAuth,
};
pub use components::{
    ButtonSize, ButtonVariant, LogoPosition, OpenRouterLogo, SignInButton, Spinner,
};
pub use openrouter::{ApiKey, BaseUrl, ClientError, KeyInfo, OpenRouterClient};
pub use platform::{now_ms, sleep_ms};
