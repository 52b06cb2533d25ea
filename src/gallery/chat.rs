//! Proof that the key works: a prompt, a model (offered from the models this key may use, the
//! choice remembered), and the answer streaming in, then what it cost. Stop cancels the
//! request; failures say what happened and what to do, and the prompt is never lost.

use dioxus::core::Task;
use dioxus::prelude::*;
use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
use openrouter_signin::{now_ms, sleep_ms, use_openrouter_auth, ClientError, Generation};

/// `$0.000123` from US dollars, through whole millionths (formatting floats would add kilobytes
/// to the page).
fn dollars(amount: f64) -> String {
    let millionths = (amount.max(0.0) * 1_000_000.0).round() as u64;
    format!("${}.{:06}", millionths / 1_000_000, millionths % 1_000_000)
}

/// What an answer cost and used, in one line.
fn cost_line(generation: &Generation) -> String {
    let cost = generation
        .total_cost
        .map_or_else(|| "unknown".to_owned(), dollars);
    match (generation.tokens_prompt, generation.tokens_completion) {
        (Some(prompt), Some(completion)) => {
            format!("Cost {cost}: {prompt} prompt and {completion} completion tokens")
        }
        _ => format!("Cost {cost}"),
    }
}

const DEFAULT_MODEL: &str = "openai/gpt-4o-mini";

/// The model chosen last, remembered like the theme. Anything but a plausible model id (as
/// OpenRouter writes them: `vendor/name`, printable, short) is left alone.
fn remembered_model() -> Option<String> {
    let stored = super::prefs::remembered("model")?;
    let stored = stored.trim();
    let plausible =
        stored.len() <= 200 && stored.contains('/') && stored.chars().all(|c| c.is_ascii_graphic());
    plausible.then(|| stored.to_owned())
}

fn remember_model(model: &str) {
    let model = model.trim();
    if !model.is_empty() {
        super::prefs::remember("model", model);
    }
}

/// The model field's starting value: the remembered choice, else the default. In the fullstack
/// page the server renders the default and the page's first render must match it, so there the
/// remembered choice comes right after (see `ChatPanel`).
fn first_model() -> String {
    if cfg!(feature = "fullstack") {
        DEFAULT_MODEL.to_owned()
    } else {
        remembered_model().unwrap_or_else(|| DEFAULT_MODEL.to_owned())
    }
}

/// What to tell the user about a failed chat request.
fn explain(error: &ClientError, messages: &openrouter_signin::Messages) -> String {
    match error {
        ClientError::Api {
            status: 402,
            message,
        } => {
            format!("Out of credits ({message}). Add credits on OpenRouter, then send again.")
        }
        ClientError::Api { status: 401, .. } => {
            "The key was refused: it may have been revoked. Sign out and sign in again.".into()
        }
        // The library's words, in the chosen language, with the wait in it.
        ClientError::RateLimited { .. } => error.message(messages),
        ClientError::Api { status, message } if *status >= 500 => {
            format!("OpenRouter or the model's provider failed (HTTP {status}: {message}). Send again in a moment.")
        }
        ClientError::Status { status } if *status >= 500 => {
            format!("OpenRouter failed (HTTP {status}). Send again in a moment.")
        }
        ClientError::Network { reason, .. } => format!(
            "The connection to OpenRouter failed ({reason}). Check the network and send again."
        ),
        other => other.message(messages),
    }
}

#[component]
pub fn ChatPanel() -> Element {
    let auth = use_openrouter_auth();
    let mut model = use_signal(first_model);
    // The field is set once, not bound (see the prompt's note below): a remembered model that
    // arrives after the first render makes a new field, with a new key.
    let mut field = use_signal(|| 0u32);
    if cfg!(feature = "fullstack") {
        use_effect(move || {
            if let Some(stored) = remembered_model() {
                if stored != *model.peek() {
                    model.set(stored);
                    field += 1;
                }
            }
        });
    }
    let mut prompt = use_signal(String::new);
    let mut answer = use_signal(String::new);
    let mut failure = use_signal(|| None::<String>);
    let mut running = use_signal(|| None::<Task>);
    // Until when (ms since the epoch) OpenRouter asked us to wait.
    let mut wait_until = use_signal(|| None::<u64>);
    // What the last answer cost, once OpenRouter has it.
    let mut cost = use_signal(|| None::<String>);
    // The models this key may use, offered by the model field (a list it searches as you type).
    let models = use_resource(move || async move { auth.user_models().await.ok() });
    let busy = running.read().is_some();
    let waiting = wait_until.read().is_some();

    let mut send = move |()| {
        let text = prompt.read().trim().to_owned();
        if text.is_empty() || running.peek().is_some() || wait_until.peek().is_some() {
            return;
        }
        answer.set(String::new());
        failure.set(None);
        cost.set(None);
        remember_model(&model.peek());
        let request = ChatRequest::new(model.peek().trim(), vec![ChatMessage::user(text)]);
        let task = spawn(async move {
            // With the key here, or through the app's server in fullstack mode.
            let result = auth
                .chat_stream(&request, |piece| answer.write().push_str(piece))
                .await;
            running.set(None);
            if let Ok(streamed) = &result {
                if let Some(id) = streamed.generation_id.clone() {
                    if let Ok(generation) = auth.generation(&id).await {
                        cost.set(Some(cost_line(&generation)));
                    }
                }
            }
            if let Err(error) = result {
                failure.set(Some(explain(&error, &auth.messages())));
                if let ClientError::RateLimited { retry_after, .. } = error {
                    let seconds = retry_after.map_or(5, |d| d.as_secs().max(1));
                    wait_until.set(Some(now_ms() + seconds * 1000));
                    sleep_ms((seconds * 1000) as u32).await;
                    wait_until.set(None);
                }
            }
        });
        running.set(Some(task));
    };
    let stop = move |_| {
        if let Some(task) = running.take() {
            task.cancel();
            failure.set(Some(
                "Stopped. The answer so far is kept; send again to start over.".into(),
            ));
        }
    };

    rsx! {
        section { id: "chat", class: "mb-10 rounded-xl border border-neutral-200 p-5 dark:border-neutral-800",
            h2 { class: "mb-3 text-lg font-semibold", "Try the key" }
            // The answer comes first, so that it stays in view above the form.
            if let Some(text) = failure() {
                p { id: "chat-error", role: "alert", class: "mb-3 text-sm text-red-700 dark:text-red-300", "{text}" }
            }
            pre {
                id: "answer",
                "aria-live": "polite",
                "aria-busy": if busy { "true" } else { "false" },
                class: "mb-3 min-h-12 whitespace-pre-wrap rounded-lg bg-neutral-50 p-3 text-sm dark:bg-neutral-900",
                "{answer}"
            }
            if let Some(line) = cost() {
                p { id: "answer-cost", class: "mb-3 text-xs text-neutral-600 dark:text-neutral-400", "{line}" }
            }
            form {
                class: "flex flex-col gap-3",
                onsubmit: move |event| {
                    event.prevent_default();
                    send(());
                },
                // The label names the field alone: wrapped around it, the label's text would
                // take in the field's value ("Model openai/gpt-4o-mini" to a screen reader).
                div { class: "flex flex-col gap-1 text-sm",
                    label { r#for: "model", "Model" }
                    // Set once, not bound, for the reason the prompt below gives; made anew
                    // (a new key) when a remembered model replaces the rendered one.
                    for generation in [field()] {
                        input {
                            key: "{generation}",
                            id: "model",
                            list: "model-options",
                            autocomplete: "off",
                            class: "rounded-lg border border-neutral-300 px-3 py-2 font-mono text-sm dark:border-neutral-700 dark:bg-neutral-900",
                            initial_value: "{model}",
                            oninput: move |e| model.set(e.value()),
                            onchange: move |e| remember_model(&e.value()),
                        }
                    }
                    datalist { id: "model-options",
                        if let Some(Some(list)) = models.read().as_ref() {
                            for m in list.iter() {
                                option { key: "{m.id}", value: "{m.id}", "{m.display_name()}" }
                            }
                        }
                    }
                }
                // Beside the field rather than in its label, so that the field's name stays "Model".
                if let Some(Some(list)) = models.read().as_ref() {
                    p { id: "model-count", class: "text-xs text-neutral-600 dark:text-neutral-400",
                        "{list.len()} models this key may use"
                    }
                }
                // Beside the field, not around it, as for the model.
                div { class: "flex flex-col gap-1 text-sm",
                    label { r#for: "prompt", "Prompt" }
                    // Not bound to `value`: on the desktop each input event takes a round trip
                    // to Rust, and writing back an older value there dropped the keys typed
                    // meanwhile. Nothing else ever sets the prompt.
                    textarea {
                        id: "prompt",
                        class: "min-h-20 rounded-lg border border-neutral-300 px-3 py-2 text-sm dark:border-neutral-700 dark:bg-neutral-900",
                        oninput: move |e| prompt.set(e.value()),
                    }
                }
                div { class: "flex gap-2",
                    button {
                        id: "send",
                        r#type: "submit",
                        // While answering, Send stays focusable (aria-disabled) so the keyboard
                        // user is not thrown back to the top; a second press is ignored.
                        disabled: waiting,
                        "aria-disabled": if busy { "true" } else { "false" },
                        class: "rounded-lg bg-neutral-900 px-4 py-2 text-sm font-medium text-white disabled:opacity-50 dark:bg-white dark:text-neutral-900",
                        if busy { "Answering…" } else { "Send" }
                    }
                    button {
                        id: "stop",
                        r#type: "button",
                        disabled: !busy,
                        class: "rounded-lg border border-neutral-300 px-4 py-2 text-sm disabled:opacity-50 dark:border-neutral-700",
                        onclick: stop,
                        "Stop"
                    }
                }
            }
        }
    }
}
