//! Sign in with OpenRouter for Dioxus.
//!
//! OAuth 2.0 PKCE (S256) with `state` against OpenRouter: no client id, no secret, no backend.
//! The user approves on OpenRouter and the app receives a user-controlled API key. The same code
//! builds for the web (wasm32) and the desktop; the app picks the Dioxus renderer.
//!
//! ```no_run
//! use dioxus::prelude::*;
//! use openrouter_signin::{use_openrouter_auth, SignInButton};
//!
//! #[component]
//! fn App() -> Element {
//!     let auth = use_openrouter_auth();
//!     rsx! {
//!         if let Some(masked) = auth.masked_key() {
//!             p { "Signed in as {masked}" }
//!             button { onclick: move |_| auth.sign_out(), "Sign out" }
//!         } else {
//!             SignInButton {}
//!         }
//!         if let Some(message) = auth.error_message() {
//!             p { role: "alert", "{message}" }
//!         }
//!     }
//! }
//! ```

#![warn(missing_docs)]

#[cfg(all(
    feature = "fullstack",
    not(feature = "server"),
    not(target_arch = "wasm32")
))]
compile_error!(
    "the `fullstack` feature is the page of the fullstack mode (wasm32); a native build of it is \
     its server and needs the `server` feature too"
);

pub mod auth;
pub mod components;
pub mod fullstack;
pub mod messages;
pub mod openrouter;
mod platform;
mod secret;
#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
pub mod server;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

#[doc(hidden)]
pub mod testing;

#[cfg(all(target_arch = "wasm32", not(feature = "fullstack")))]
pub use auth::start_sign_in;
pub use auth::{
    on_auth_change, use_openrouter_auth, use_openrouter_config, AuthState, AuthStatus,
    AuthSubscription, FlowError, OpenRouterAuth,
};
pub use auth::{
    ConfigError, OpenRouterConfig, DEFAULT_APP_ID, MAX_APP_ID_LEN, MAX_STORAGE_PREFIX_LEN,
};
pub use components::{
    ButtonSize, ButtonVariant, LogoPosition, OpenRouterLogo, SignInButton, Spinner,
};
pub use messages::{KeyLocation, Messages};
pub use openrouter::{
    ApiKey, BaseUrl, ClientError, ExchangedKey, Generation, KeyInfo, Model, OpenRouterClient,
};
pub use platform::{now_ms, sleep_ms};
