//! The gallery app: for now one page that signs in, shows the key's status and signs out.

use dioxus::prelude::*;
use openrouter_signin::{use_openrouter_auth, AuthStatus};

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    let auth = use_openrouter_auth();
    let state = auth.state();
    let mut pasted = use_signal(String::new);
    rsx! {
        main { style: "font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem;",
            h1 { "Sign in with OpenRouter" }
            match (state.status, auth.masked_key()) {
                (AuthStatus::Redirecting | AuthStatus::Exchanging, _) => rsx! {
                    p { id: "status", aria_live: "polite", "Signing in…" }
                },
                (_, Some(masked)) => rsx! {
                    p { id: "status", "Signed in with key " code { id: "masked-key", "{masked}" } }
                    button { id: "sign-out", r#type: "button", onclick: move |_| auth.sign_out(), "Sign out" }
                },
                (_, None) => rsx! {
                    p { id: "status", "Signed out." }
                    button { id: "sign-in", r#type: "button", onclick: move |_| auth.sign_in(), "Sign in with OpenRouter" }
                },
            }
            if let Some(url) = state.approve_url.clone() {
                section { id: "paste-code",
                    p { "Approve in your browser, then paste the code OpenRouter shows. If no browser opened, open: " }
                    code { style: "word-break: break-all;", "{url}" }
                    form {
                        onsubmit: move |event| {
                            event.prevent_default();
                            auth.complete_with_code(&pasted.read());
                        },
                        input { id: "code", aria_label: "Code from OpenRouter", value: "{pasted}", oninput: move |e| pasted.set(e.value()) }
                        button { r#type: "submit", "Finish sign-in" }
                    }
                }
            }
            if let Some(error) = state.error.as_ref() {
                p { id: "auth-error", role: "alert", "{error}" }
            }
            if let Some(notice) = state.notice.as_ref() {
                p { id: "auth-notice", role: "status", "{notice}" }
            }
            p { style: "color: #666; font-size: 0.875rem;", "The key is kept in {state.key_location}." }
        }
    }
}
