//! The `auth` module: PKCE, the sign-in flow, where things are stored, and the Dioxus signal
//! that the UI reads. The same code builds for the web and the desktop; only `storage` and
//! `platform` pick an implementation with cfg.

mod authorize;
pub(crate) mod callback;
mod config;
mod flow;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod loopback;
mod pkce;
#[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
#[path = "desktop.rs"]
mod platform;
#[cfg(all(not(target_arch = "wasm32"), feature = "server"))]
#[path = "fullstack_render.rs"]
mod platform;
#[cfg(all(target_arch = "wasm32", not(feature = "fullstack")))]
#[path = "web.rs"]
mod platform;
#[cfg(all(target_arch = "wasm32", feature = "fullstack"))]
#[path = "fullstack_page.rs"]
mod platform;
mod runtime;
mod session;
mod state;
pub mod storage;

pub use authorize::{
    authorize_url, headless_authorize_url, with_credit_limit, AuthorizeError, CallbackUrl,
    CreditLimit, CreditLimitError, MAX_CALLBACK_URL_LEN, MAX_CREDIT_LIMIT_DOLLARS,
    MAX_KEY_LABEL_LEN,
};
pub use callback::{parse_callback, AuthCode, CallbackError, CallbackParams, MAX_PARAM_LEN};
pub use config::{
    ConfigError, OpenRouterConfig, DEFAULT_APP_ID, MAX_APP_ID_LEN, MAX_STORAGE_PREFIX_LEN,
};
pub use flow::{
    begin_desktop_sign_in, begin_headless_sign_in, begin_sign_in, finish_sign_in, finish_with_code,
    DesktopStart, FlowError, Return, SignedIn, PENDING_MAX_AGE_MS,
};
#[cfg(not(target_arch = "wasm32"))]
pub use loopback::{LoopbackError, LoopbackListener, LOOPBACK_TIMEOUT};
pub use pkce::{Challenge, DigestError, RandomError, State, Verifier, STATE_PREFIX};
#[cfg(all(target_arch = "wasm32", not(feature = "fullstack")))]
pub use platform::start_sign_in;
#[cfg(feature = "fullstack")]
pub(crate) use session::rendered_return_to;
pub use session::{
    on_auth_change, use_openrouter_auth, use_openrouter_config, AuthState, AuthStatus,
    AuthSubscription, OpenRouterAuth,
};
