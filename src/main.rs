//! The gallery app: every SignInButton variant and size, a real sign-in, and the key's status.
//! Built three ways: the desktop window (default), the static web page (`web`), and the
//! fullstack server that renders the page and holds the key (`server`, with `fullstack`).

mod gallery;

#[cfg(feature = "desktop")]
fn main() {
    use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
    let window = WindowBuilder::new()
        .with_title("Sign in with OpenRouter for Dioxus")
        .with_inner_size(LogicalSize::new(1200.0, 900.0));
    // No menu bar: the gallery has nothing to put in it.
    let config = Config::new().with_window(window).with_menu(None);
    dioxus::LaunchBuilder::desktop()
        .with_cfg(config)
        .launch(gallery::App);
}

/// The fullstack server: renders the gallery, serves its page, and runs the sign-in. Reads
/// `OPENROUTER_SIGNIN_SECRET` (+ `_PREVIOUS_SECRET`), `OPENROUTER_SIGNIN_ORIGIN`,
/// `OPENROUTER_BASE_URL`, and `IP` / `PORT` for where to listen.
#[cfg(all(feature = "server", not(feature = "desktop")))]
fn main() {
    use openrouter_signin::server::{public_dir, CookieSecret, SignInServer};
    dioxus::serve(|| async move {
        let secret = CookieSecret::from_env()?;
        if secret.is_ephemeral() {
            eprintln!(
                "openrouter-signin: no OPENROUTER_SIGNIN_SECRET is set, so a random one was made: \
                 sign-ins will not survive a restart and are not shared with other instances."
            );
        }
        let signin = SignInServer::new(&gallery::config(), secret)?
            .public_origin_from_env()?
            // The page paints, and its sign-in button works, as soon as its HTML is parsed.
            .inline_stylesheets(public_dir());
        let app = signin.mount(dioxus::server::router(gallery::App));
        // A debug page's wasm is ~47 MB: gzipping it on every load costs far more than it saves.
        if cfg!(debug_assertions) {
            return Ok(app);
        }
        Ok(app.layer(tower_http::compression::CompressionLayer::new()))
    })
}

#[cfg(not(any(feature = "desktop", feature = "server")))]
fn main() {
    dioxus::launch(gallery::App);
}
