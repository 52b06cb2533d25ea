//! The options a button takes beyond variant and size, one example each.

use dioxus::prelude::*;
use openrouter_signin::{LogoPosition, SignInButton};

#[component]
pub fn OptionsRow() -> Element {
    rsx! {
        section { id: "options", class: "mb-14",
            h2 { class: "mb-4 text-xl font-semibold", "Options" }
            div { class: "flex flex-wrap items-center gap-4",
                SignInButton { label: "Continue with OpenRouter", "data-option": "label" }
                SignInButton { logo_position: LogoPosition::Right, "data-option": "logo-right" }
                SignInButton { show_logo: false, "data-option": "no-logo" }
                SignInButton { loading: Some(true), "data-option": "loading" }
                SignInButton { disabled: true, "data-option": "disabled" }
            }
        }
    }
}
