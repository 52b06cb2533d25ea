//! Project namer: a fullstack Dioxus app whose own server function asks OpenRouter, as the
//! signed-in user, to name the user's project. The key never reaches the page: the server keeps
//! it in a sealed HttpOnly cookie and the server function gets it from there.
//!
//! Build and run (from the workspace root; see "A fullstack app, from an empty crate" in the
//! README): `dx build --platform web --fullstack -p openrouter-signin-example-fullstack`, then
//! `IP=127.0.0.1 PORT=8080 target/dx/openrouter-signin-example-fullstack/debug/web/server`
//! (`--release` builds into `…/release/web/`).

use dioxus::prelude::*;
use openrouter_signin::{
    use_openrouter_auth, use_openrouter_config, OpenRouterConfig, SignInButton,
};

/// The page's own few styles; dx links them in the page's head.
const STYLE: Asset = asset!(
    "/assets/main.css",
    AssetOptions::css().with_static_head(true)
);

/// Who the app is to OpenRouter; the page and the server use the same.
fn config() -> OpenRouterConfig {
    OpenRouterConfig::new("com.example.project-namer")
        .base_url_from_env() // OPENROUTER_BASE_URL (a local mock, say); openrouter.ai without it
        .key_label("Project namer")
        .attribution("https://namer.example.com", "Project namer")
}

/// The server: renders the page, runs the sign-in, and serves the server function.
#[cfg(feature = "server")]
fn main() {
    use openrouter_signin::server::{CookieSecret, SignInServer};
    dioxus::serve(|| async move {
        let secret = CookieSecret::from_env()?; // OPENROUTER_SIGNIN_SECRET (+ _PREVIOUS_SECRET)
        if secret.is_ephemeral() {
            eprintln!("No OPENROUTER_SIGNIN_SECRET: sign-ins will not survive a restart.");
        }
        let signin = SignInServer::new(&config(), secret)?
            .public_origin_from_env()? // OPENROUTER_SIGNIN_ORIGIN, e.g. https://namer.example.com
            .on_sign_in(|event| println!("signed in: {:?} {}", event.user_id, event.masked_key))
            .on_sign_out(|event| println!("signed out: {:?} {}", event.user_id, event.masked_key));
        // `guard`: the app's own state-changing calls (server functions are POSTs) are refused
        // unless the browser says they come from this origin.
        Ok(signin.mount(signin.guard(dioxus::server::router(App))))
    })
}

/// The page.
#[cfg(not(feature = "server"))]
fn main() {
    dioxus::launch(App);
}

/// Three names for the project `about`, from `model`, asked as the signed-in user. Runs on the
/// server; a visitor who is not signed in is refused with 401 before it runs.
#[post("/api/suggest-names", session: openrouter_signin::server::OpenRouterSession)]
async fn suggest_names(model: String, about: String) -> Result<String, ServerFnError> {
    use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
    let request = ChatRequest::new(
        model,
        vec![
            ChatMessage::system("Suggest three short names for this project, one per line."),
            ChatMessage::user(about),
        ],
    )
    .max_tokens(60);
    let answer = session.client().chat(&request).await;
    answer.map_err(|error| ServerFnError::new(error.to_string()))
}

#[component]
fn App() -> Element {
    use_openrouter_config(config);
    let auth = use_openrouter_auth();
    // The models this user's key may use, through the server (the page never has the key).
    let models = use_resource(move || async move { auth.user_models().await.unwrap_or_default() });
    let mut model = use_signal(String::new);
    let mut about = use_signal(String::new);
    let mut names = use_signal(String::new);

    let ask = move |event: FormEvent| async move {
        event.prevent_default();
        let chosen = match model() {
            chosen if chosen.is_empty() => models().and_then(|m| m.first().map(|m| m.id.clone())),
            chosen => Some(chosen),
        };
        let answer = suggest_names(chosen.unwrap_or_default(), about()).await;
        names.set(match answer {
            Ok(suggested) => suggested,
            Err(ServerFnError::ServerError { code: 401, .. }) => "Not signed in.".into(),
            Err(error) => format!("Could not ask: {error}"),
        });
    };

    rsx! {
        {openrouter_signin::components::asset_stylesheet(STYLE)}
        main {
            h1 { "Project namer" }
            match auth.masked_key() {
                Some(masked) => rsx! {
                    p { id: "signed-in", "Signed in with {masked}" }
                    button { onclick: move |_| auth.sign_out(), "Sign out" }
                },
                None => rsx! { SignInButton {} },
            }
            form { onsubmit: ask,
                label { "Model "
                    select { id: "model", onchange: move |e| model.set(e.value()),
                        for m in models().unwrap_or_default() {
                            option { key: "{m.id}", value: "{m.id}", "{m.display_name()}" }
                        }
                    }
                }
                label { "What is it? "
                    input { id: "about", oninput: move |e| about.set(e.value()) }
                }
                button { id: "suggest", r#type: "submit", "Suggest names" }
            }
            pre { id: "names", "aria-live": "polite", "{names}" }
            if let Some(message) = auth.error_message() {
                p { role: "alert", "{message}" }
            }
        }
    }
}
