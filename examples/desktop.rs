//! A minimal desktop app that signs in with OpenRouter: the system browser opens, the user
//! approves, and the key goes to the OS keychain (or a private file) of this app alone.
//!
//! Run it with `cargo run --example desktop`; it needs only `openrouter-signin` (feature
//! `desktop`, which brings the window back to the front) and `dioxus` with `desktop`.

use dioxus::prelude::*;
use openrouter_signin::{
    use_openrouter_auth, use_openrouter_config, AuthStatus, OpenRouterConfig, SignInButton,
};

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    // The app id keeps this app's key apart from every other app's on the same desktop.
    use_openrouter_config(|| {
        OpenRouterConfig::new("com.example.desktop-demo").key_label("Desktop demo")
    });
    let auth = use_openrouter_auth();
    let mut pasted = use_signal(String::new);
    let state = auth.state();

    rsx! {
        main {
            h1 { "OpenRouter demo" }
            if let Some(masked) = auth.masked_key() {
                p { "Signed in with {masked}, kept in {state.key_location}" }
                button { onclick: move |_| auth.sign_out(), "Sign out" }
            } else {
                SignInButton {}
            }
            // While the browser is away: approve anywhere and paste the code OpenRouter shows.
            if auth.status() == AuthStatus::Redirecting {
                if let Some(url) = state.paste_url {
                    p { "No browser? Open {url} and paste the code here:" }
                    input { value: "{pasted}", oninput: move |e| pasted.set(e.value()) }
                    button { onclick: move |_| auth.complete_with_code(&pasted()), "Use code" }
                    button { onclick: move |_| auth.cancel_sign_in(), "Cancel" }
                }
            }
            if let Some(message) = auth.error_message() {
                p { role: "alert", "{message}" }
            }
        }
    }
}
