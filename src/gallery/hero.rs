//! The top of the page: the sign-in button, or the key and a way to sign out; what went wrong;
//! and on the desktop the paste-the-code panel.

use std::cell::Cell;
use std::rc::Rc;

use dioxus::prelude::*;
use openrouter_signin::messages::fill;
use openrouter_signin::{use_openrouter_auth, ButtonSize, ButtonVariant, SignInButton};

/// Where the focus goes after a change this page made itself, so that a keyboard user is not
/// left on the page's body when the control they used is replaced: "Sign out" once a sign-in
/// this page started has ended with a key (the library's `just_signed_in`: a return from
/// OpenRouter, the desktop's wait, the fullstack server's callback), and the sign-in button once
/// "Sign out" was used. A change from another tab or window moves no focus.
#[derive(Clone, Default)]
struct FocusNext {
    sign_out: Rc<Cell<bool>>,
    sign_in: Rc<Cell<bool>>,
}

impl FocusNext {
    /// Gives `element` the focus if `wanted` was set, once.
    fn take(wanted: &Cell<bool>, element: MountedEvent) {
        if wanted.replace(false) {
            spawn(async move {
                let _ = element.data().set_focus(true).await;
            });
        }
    }
}

#[component]
pub fn Hero() -> Element {
    let auth = use_openrouter_auth();
    let state = auth.state();
    let revoked = use_context::<super::key_status::RevokedNotice>().0;
    // The live button keeps the focus a keyboard user gave index.html's copy of it.
    let focus = use_hook(|| {
        let focus = FocusNext::default();
        focus
            .sign_in
            .set(consume_context::<super::early::EarlyClick>().focused);
        focus
    });
    focus.sign_out.set(state.just_signed_in);
    let (sign_out_focus, sign_in_focus) = (focus.clone(), focus.clone());
    let early_started = use_context::<super::early::Started>().0;
    rsx! {
        section { id: "hero", class: "mb-14 flex flex-col items-start gap-5",
            h1 { class: "text-4xl font-semibold tracking-tight", "Sign in with OpenRouter" }
            p { class: "max-w-2xl text-lg text-neutral-600 dark:text-neutral-400",
                "Your users bring their own OpenRouter account: one click, they approve on OpenRouter, and "
                "your Dioxus app holds a key they control. No client registration, no backend, no secrets."
            }
            if let Some(masked) = auth.masked_key() {
                div { id: "signed-in", class: "flex flex-wrap items-center gap-4 rounded-xl border border-neutral-200 px-5 py-4 dark:border-neutral-800",
                    span { class: "text-sm text-neutral-600 dark:text-neutral-400", "Signed in with key" }
                    code { id: "masked-key", class: "rounded bg-neutral-100 px-2 py-1 font-mono text-sm dark:bg-neutral-800", "{masked}" }
                    button {
                        id: "sign-out",
                        r#type: "button",
                        class: "rounded-lg border border-neutral-300 px-4 py-2 text-sm font-medium hover:bg-neutral-50 dark:border-neutral-700 dark:hover:bg-neutral-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-400",
                        onmounted: move |e| FocusNext::take(&sign_out_focus.sign_out, e),
                        onclick: move |_| {
                            focus.sign_in.set(true);
                            auth.sign_out();
                        },
                        "Sign out"
                    }
                    super::key_status::ManageKey {}
                }
            } else {
                // On a phone the XL button takes the width it has: at 320 px its own padding
                // would push the page sideways. `!` because the button's stylesheet may come later.
                SignInButton {
                    id: "hero-sign-in",
                    variant: ButtonVariant::Cta,
                    size: ButtonSize::Xl,
                    class: "max-sm:w-full max-sm:px-4!",
                    // Otherwise it follows the sign-in's state.
                    loading: early_started().then_some(true),
                    onmounted: move |e| FocusNext::take(&sign_in_focus.sign_in, e),
                }
            }
            if let Some(error) = auth.error_message() {
                p { id: "auth-error", role: "alert", lang: "{state.messages.lang}", class: "max-w-2xl rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200",
                    "{error}"
                }
            }
            if revoked() && !auth.is_signed_in() {
                p { id: "key-revoked", role: "alert", class: "max-w-2xl rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200",
                    "OpenRouter says this key was revoked, so it was forgotten here. Sign in again to get a new one."
                }
            }
            if let Some(notice) = state.notice.as_ref() {
                p { id: "auth-notice", role: "status", lang: "{state.messages.lang}", class: "max-w-2xl text-sm text-amber-700 dark:text-amber-300", "{notice}" }
            }
            if let Some(paste_url) = state.paste_url.clone() {
                WaitingPanel { browser_url: state.approve_url.clone().unwrap_or_default(), paste_url }
            }
            p { id: "key-location", lang: "{state.messages.lang}", class: "text-xs text-neutral-500 dark:text-neutral-400",
                {fill(&state.messages.key_kept_in, &[("location", &state.key_location)])}
            }
        }
    }
}

/// While the desktop waits for the browser: the link it opened, and the fallback of approving
/// anywhere and pasting the code OpenRouter shows.
#[component]
fn WaitingPanel(browser_url: String, paste_url: String) -> Element {
    let auth = use_openrouter_auth();
    let mut pasted = use_signal(String::new);
    let copy_url = paste_url.clone();
    rsx! {
        section {
            id: "waiting",
            class: "flex max-w-2xl flex-col gap-3 rounded-xl border border-neutral-200 p-5 dark:border-neutral-800",
            p { class: "text-sm",
                "Approve in the browser that just opened. If none did, "
                a { id: "browser-url", class: "underline", href: "{browser_url}", target: "_blank", "open this link" }
                "."
            }
            p { class: "text-sm text-neutral-600 dark:text-neutral-400",
                "Can't come back from that browser (another machine, a remote session)? Open this link anywhere, approve, and paste the code it shows:"
            }
            div { class: "flex items-start gap-2",
                code { id: "paste-url", class: "flex-1 break-all rounded bg-neutral-100 p-2 font-mono text-xs dark:bg-neutral-800", "{paste_url}" }
                button {
                    r#type: "button",
                    class: "shrink-0 rounded border border-neutral-300 px-2 py-1 text-xs hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-800",
                    onclick: move |_| super::grid::copy_to_clipboard(&copy_url),
                    "Copy link"
                }
            }
            form {
                id: "paste-code",
                class: "flex gap-2",
                onsubmit: move |event| {
                    event.prevent_default();
                    auth.complete_with_code(&pasted.read());
                },
                input {
                    id: "code",
                    class: "flex-1 rounded-lg border border-neutral-300 px-3 py-2 text-sm dark:border-neutral-700 dark:bg-neutral-900",
                    aria_label: "Code from OpenRouter",
                    placeholder: "The code, code=…, or the whole URL",
                    value: "{pasted}",
                    oninput: move |e| pasted.set(e.value()),
                }
                button {
                    r#type: "submit",
                    class: "rounded-lg bg-neutral-900 px-4 py-2 text-sm font-medium text-white dark:bg-white dark:text-neutral-900",
                    "Finish sign-in"
                }
                button {
                    id: "cancel-sign-in",
                    r#type: "button",
                    class: "rounded-lg border border-neutral-300 px-4 py-2 text-sm dark:border-neutral-700",
                    onclick: move |_| auth.cancel_sign_in(),
                    "Cancel"
                }
            }
        }
    }
}
