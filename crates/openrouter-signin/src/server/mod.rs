//! The fullstack mode's server side (feature `server`, native only): the server runs the
//! sign-in and keeps the key in a sealed `HttpOnly` cookie, so that no script in the page can
//! ever read it.
//!
//! - No session store: the key lives in the cookie, sealed (XChaCha20-Poly1305) with the
//!   server's secret, so any number of instances that share the secret serve every user.
//! - `GET /auth/start?return_to=/path` makes the verifier and state, seals them into a
//!   short-lived cookie scoped to the callback, and sends the browser to OpenRouter.
//! - `GET /auth/callback` checks the state, exchanges the code from the server, sets the key
//!   cookie, always removes the pending cookie, and sends the browser back to where it started
//!   (with [`SignInFailure`]'s code on failure; an earlier key
//!   stays).
//! - The API under [`API_PREFIX`](crate::fullstack::API_PREFIX) gives the page what it needs
//!   without the key: the session (masked key), the key's status, sign-out, and the streamed
//!   chat, proxied to OpenRouter. State-changing calls must come from the app's own origin.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use openrouter_signin::server::{CookieSecret, SignInServer};
//! use openrouter_signin::OpenRouterConfig;
//!
//! let config = OpenRouterConfig::new("com.example.app").key_label("Example app");
//! let server = SignInServer::new(&config, CookieSecret::from_env()?)?
//!     .public_origin("https://app.example.com")?;
//! let app = axum::Router::new().merge(server.router());
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod api;
mod cookie;
mod csp;
mod guard;
mod inline_css;
mod relay;
mod render;
mod request;
mod routes;
mod seal;
mod secret;
mod session;

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;

pub use guard::{check_same_origin, check_same_origin_browser, CrossOriginRefused};
pub use secret::{CookieSecret, SecretError, MIN_SECRET_BYTES, PREVIOUS_SECRET_ENV, SECRET_ENV};
pub use session::{OpenRouterSession, SessionClient, SessionEvent, SessionRejection};

use crate::auth::{CallbackUrl, OpenRouterConfig};
use crate::fullstack::SignInFailure;
use crate::openrouter::OpenRouterClient;
use cookie::Cookies;

/// The environment variable with the origin users reach the app at (`https://app.example.com`);
/// see [`SignInServer::public_origin`].
pub const ORIGIN_ENV: &str = "OPENROUTER_SIGNIN_ORIGIN";
/// How long the key cookie lives unless [`SignInServer::key_lifetime`] says otherwise.
pub const DEFAULT_KEY_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// How many chat answers one instance streams at once unless
/// [`SignInServer::max_chat_streams`] says otherwise.
pub const DEFAULT_MAX_CHAT_STREAMS: usize = 256;
/// How long one chat answer may stream unless [`SignInServer::chat_deadline`] says otherwise.
pub const DEFAULT_CHAT_DEADLINE: Duration = Duration::from_secs(5 * 60);

/// Why the server's sign-in could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The app's configuration was refused.
    #[error("the sign-in configuration was refused: {0}")]
    Config(String),
    /// The public origin is not `https://host[:port]` (or `http://` on a loopback host).
    #[error("the public origin {origin:?} is unusable: {reason}")]
    Origin {
        /// The origin given.
        origin: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The cookie secret was refused.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Where `dioxus::serve` serves the app's files from, as it finds them: `DIOXUS_PUBLIC_PATH`,
/// or the `public` directory next to the server's executable (where `dx` puts it; `public`
/// under the working directory if the executable's path is unknown). For
/// [`SignInServer::inline_stylesheets`].
pub fn public_dir() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("DIOXUS_PUBLIC_PATH") {
        return path.into();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("public")))
        .unwrap_or_else(|| "public".into())
}

/// The server side of the fullstack sign-in: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct SignInServer {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    client: Arc<OpenRouterClient>,
    key_label: Option<String>,
    credit_limit: Option<crate::auth::CreditLimit>,
    origin: Option<String>,
    secret: Arc<CookieSecret>,
    key_lifetime: Duration,
    clock: fn() -> u64,
    inline_styles: Option<Arc<inline_css::InlineStyles>>,
    /// One permit per chat answer streaming now.
    chat_streams: Arc<tokio::sync::Semaphore>,
    chat_deadline: Duration,
    /// Inline scripts of the app's own pages that the policy allows, word for word.
    allowed_scripts: Vec<Arc<str>>,
    hooks: session::Hooks,
}

impl std::fmt::Debug for SignInServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInServer")
            .field("openrouter", &self.inner.client.base_url().as_str())
            .field("origin", &self.inner.origin)
            .field("secret", &self.inner.secret)
            .finish_non_exhaustive()
    }
}

impl SignInServer {
    /// A server for the app `config` describes (its OpenRouter address, key label and
    /// attribution are used; its storage settings are the page's and do not apply here),
    /// sealing cookies with `secret`.
    pub fn new(config: &OpenRouterConfig, secret: CookieSecret) -> Result<Self, ServerError> {
        config
            .validate()
            .map_err(|e| ServerError::Config(e.to_string()))?;
        let client = OpenRouterClient::new(config.openrouter().clone())
            .map_err(|e| ServerError::Config(e.to_string()))?;
        let client = match config.attributed_as() {
            Some((site, title)) => client.with_attribution(site, title),
            None => client,
        };
        Ok(SignInServer {
            inner: Arc::new(Inner {
                client: Arc::new(client),
                key_label: config.label().map(str::to_owned),
                credit_limit: config.requested_credit_limit(),
                origin: None,
                secret: Arc::new(secret),
                key_lifetime: DEFAULT_KEY_LIFETIME,
                clock: crate::now_ms,
                inline_styles: None,
                chat_streams: Arc::new(tokio::sync::Semaphore::new(DEFAULT_MAX_CHAT_STREAMS)),
                chat_deadline: DEFAULT_CHAT_DEADLINE,
                allowed_scripts: Vec::new(),
                hooks: session::Hooks::default(),
            }),
        })
    }

    /// The origin users reach the app at, e.g. `https://app.example.com`: the callback is
    /// built on it, state-changing calls must come from it, and over https the cookies are
    /// `Secure` with the `__Host-` prefix. Without one the server serves only loopback hosts
    /// (`http://127.0.0.1:PORT`, `http://localhost:PORT`), taking the origin from the request.
    pub fn public_origin(self, origin: &str) -> Result<Self, ServerError> {
        let origin = origin.trim().trim_end_matches('/');
        let refuse = |reason: &str| ServerError::Origin {
            origin: origin.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| refuse("it must start with https://"))?;
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return Err(refuse(
                "it must be a scheme and a host (and port) only, with no path",
            ));
        }
        CallbackUrl::parse(&format!("{origin}{}", crate::fullstack::CALLBACK_PATH))
            .map_err(|e| refuse(&e.to_string()))?;
        Ok(self.with_inner(|inner| inner.origin = Some(origin.to_owned())))
    }

    /// Reads [`ORIGIN_ENV`] when it is set; see [`SignInServer::public_origin`].
    pub fn public_origin_from_env(self) -> Result<Self, ServerError> {
        match std::env::var(ORIGIN_ENV) {
            Ok(origin) if !origin.trim().is_empty() => self.public_origin(&origin),
            _ => Ok(self),
        }
    }

    /// How long a sign-in lasts: the key cookie's `Max-Age`, and the expiry sealed inside it.
    pub fn key_lifetime(self, lifetime: Duration) -> Self {
        self.with_inner(|inner| inner.key_lifetime = lifetime)
    }

    /// How many chat answers this instance streams at once ([`DEFAULT_MAX_CHAT_STREAMS`]
    /// unless set; at least 1). One more is refused with `503 Service Unavailable` and
    /// `Retry-After`, so that a burst of streams, or clients that open them and never read, cannot
    /// take the instance down; a balancer sends the retry to another instance.
    pub fn max_chat_streams(self, streams: usize) -> Self {
        let permits = Arc::new(tokio::sync::Semaphore::new(streams.max(1)));
        self.with_inner(|inner| inner.chat_streams = permits)
    }

    /// How long one chat answer may stream ([`DEFAULT_CHAT_DEADLINE`] unless set): then the
    /// upstream request is ended and the page gets a timeout error, whether it was reading or
    /// not.
    pub fn chat_deadline(self, deadline: Duration) -> Self {
        self.with_inner(|inner| inner.chat_deadline = deadline)
    }

    /// Runs `hook` after each sign-in, with OpenRouter's user id, the masked key and the
    /// request's headers (never the key): for an audit log, or the app's own table of users.
    /// It runs on the request's task: hand slow work to a task of its own.
    pub fn on_sign_in(self, hook: impl Fn(&SessionEvent<'_>) + Send + Sync + 'static) -> Self {
        let hook: session::Hook = Arc::new(hook);
        self.with_inner(|inner| inner.hooks.on_sign_in = Some(hook))
    }

    /// Runs `hook` after each sign-out of a signed-in user, as [`SignInServer::on_sign_in`].
    pub fn on_sign_out(self, hook: impl Fn(&SessionEvent<'_>) + Send + Sync + 'static) -> Self {
        let hook: session::Hook = Arc::new(hook);
        self.with_inner(|inner| inner.hooks.on_sign_out = Some(hook))
    }

    /// Guards the app's own routes (and server functions) against calls from other origins:
    /// every state-changing request (anything but GET, HEAD and OPTIONS) must come from this
    /// server's origin, as the browser says (`Sec-Fetch-Site: same-origin`, or an `Origin` equal
    /// to the server's); others are refused with 403. Cookies with `SameSite=Lax` still travel
    /// with requests from the same *site* (another port, a sibling subdomain), and Dioxus does
    /// not check where a server function call comes from. One line:
    /// `let app = signin.guard(dioxus::server::router(App));`
    pub fn guard<S: Clone + Send + Sync + 'static>(
        &self,
        routes: axum::Router<S>,
    ) -> axum::Router<S> {
        routes.layer(axum::middleware::from_fn_with_state(
            self.clone(),
            guard::refuse_cross_origin_app_calls,
        ))
    }

    /// Allows one inline script of the app's own pages (its text between `<script>` and
    /// `</script>`, exactly) under the pages' policy. Without this, the policy allows only the
    /// inline scripts Dioxus's render writes: an HTML injection into one of the app's pages
    /// cannot run, and neither can an inline script the app wrote into its `index.html`.
    pub fn allow_inline_script(self, source: &str) -> Self {
        let source = Arc::from(source);
        self.with_inner(|inner| inner.allowed_scripts.push(source))
    }

    /// Carries the stylesheets of the pages the server renders inside them, read from
    /// `public_dir` (where `dx` puts the app's assets: see [`public_dir`]): each
    /// `<link rel="stylesheet">` to a `.css` file
    /// under its `assets/` becomes a `<style>` element, allowed by its hash in the page's policy.
    ///
    /// A linked stylesheet holds up the first paint until it arrives, and Dioxus's render puts
    /// an inline script before the content, which waits for it too: inline, a page paints, and
    /// its sign-in button's form works, as soon as its HTML is parsed, with no second round of
    /// requests. The cost is the stylesheets' bytes in every page instead of once in the
    /// browser's cache. Files are read once (dx names them by their content); a missing or
    /// unsuitable one keeps its link.
    pub fn inline_stylesheets(self, public_dir: impl Into<std::path::PathBuf>) -> Self {
        let styles = Arc::new(inline_css::InlineStyles::new(public_dir.into()));
        self.with_inner(|inner| inner.inline_styles = Some(styles))
    }

    /// Replaces the clock (milliseconds since the Unix epoch), for tests of expiry.
    #[doc(hidden)]
    pub fn with_clock(self, clock: fn() -> u64) -> Self {
        self.with_inner(|inner| inner.clock = clock)
    }

    /// Whether the cookie secret was made at start (none was given): say so at start, since
    /// sign-ins will then not survive a restart.
    pub fn secret_is_ephemeral(&self) -> bool {
        self.inner.secret.is_ephemeral()
    }

    /// The routes: `/auth/start`, `/auth/callback` and the API under
    /// [`API_PREFIX`](crate::fullstack::API_PREFIX), its state-changing calls guarded against
    /// other origins. Merge it into the app's router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        routes::router(self.clone())
    }

    /// Adds the routes to the app's router (usually `dioxus::server::router(App)`), makes the
    /// sign-in known to the pages the server renders (so that a page arrives already showing
    /// who is signed in), and gives every HTML page without a Content-Security-Policy a strict
    /// one: scripts from the app and the inline scripts of the render only (by hash), styles
    /// from the app and the ones [`SignInServer::inline_stylesheets`] put in (by hash), and
    /// `connect-src 'self'`, since the page never talks to OpenRouter in this mode.
    pub fn mount(&self, app: axum::Router) -> axum::Router {
        crate::fullstack::set_render_reader(render::rendered_session);
        app.merge(self.router())
            .layer(axum::middleware::from_fn(csp::add_policy))
            .layer(axum::Extension(self.clone()))
    }

    fn with_inner(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        change(&mut inner);
        SignInServer {
            inner: Arc::new(inner),
        }
    }

    fn now_ms(&self) -> u64 {
        (self.inner.clock)()
    }

    /// The origin this request is served at: the configured one, or a loopback host from the
    /// request's `Host`.
    fn origin_for(&self, headers: &HeaderMap) -> Result<String, SignInFailure> {
        if let Some(origin) = &self.inner.origin {
            return Ok(origin.clone());
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or(SignInFailure::Config)?;
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
            Ok(format!("http://{host}"))
        } else {
            Err(SignInFailure::Config)
        }
    }

    fn cookies(&self) -> Cookies {
        Cookies {
            secure: self
                .inner
                .origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://")),
        }
    }
}
