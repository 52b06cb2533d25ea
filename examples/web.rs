//! A minimal web app that signs in with OpenRouter and uses the key.
//!
//! Run it with `dx serve --platform web --example web`, which picks the `web` feature (see the
//! README); it needs only `openrouter-signin` and `dioxus` with the `web` feature.

use dioxus::prelude::*;
use openrouter_signin::{
    use_openrouter_auth, use_openrouter_config, OpenRouterConfig, SignInButton,
};

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    // Once, at the root: who the app is, how it names itself to OpenRouter, and the route
    // OpenRouter sends the user back to (the app serves every path; the user then lands where
    // the sign-in started). OPENROUTER_BASE_URL at build time can point it at a local mock.
    use_openrouter_config(|| {
        OpenRouterConfig::new("com.example.web-demo")
            .base_url_from_env()
            .key_label("Web demo")
            .attribution("https://demo.example.com", "Web demo")
            .web_callback("/auth/callback")
            .web_storage_prefix("demo_") // its own entries, beside another app on the same origin
    });
    let auth = use_openrouter_auth();
    let mut credits = use_signal(String::new);

    rsx! {
        main {
            h1 { "OpenRouter demo" }
            if let Some(masked) = auth.masked_key() {
                p { id: "signed-in", "Signed in with {masked}" }
                button {
                    onclick: move |_| async move {
                        let (Some(key), Some(client)) = (auth.key(), auth.client()) else { return };
                        credits.set(match client.key_info(&key).await {
                            Ok(info) => format!("{} used of {:?}", info.usage, info.limit),
                            Err(error) => error.to_string(),
                        });
                    },
                    "Check usage"
                }
                p { "{credits}" }
                if let Some(url) = auth.manage_url() {
                    a { href: "{url}", target: "_blank", rel: "noopener noreferrer", "Manage or revoke this key" }
                }
                button { onclick: move |_| auth.sign_out(), "Sign out" }
            } else {
                SignInButton {}
            }
            if let Some(message) = auth.error_message() {
                p { role: "alert", "{message}" }
            }
        }
    }
}
