//! Every variant at every size, each with the snippet that makes it and a Copy button.

use dioxus::prelude::*;
use openrouter_signin::{ButtonSize, ButtonVariant, SignInButton};

/// The rows of the grid, in the order the design lists them.
pub const VARIANTS: [ButtonVariant; 5] = [
    ButtonVariant::Default,
    ButtonVariant::Minimal,
    ButtonVariant::Branded,
    ButtonVariant::Icon,
    ButtonVariant::Cta,
];

/// The columns of the grid, smallest first.
pub const SIZES: [ButtonSize; 4] = [
    ButtonSize::Sm,
    ButtonSize::Default,
    ButtonSize::Lg,
    ButtonSize::Xl,
];

/// `ButtonVariant::Branded` from `"branded"`: the Rust path of a variant or size, for snippets.
fn rust_path(type_name: &str, name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "{type_name}::{}{}",
        first.unwrap_or_default(),
        chars.as_str()
    )
}

/// The rsx that makes this button, defaults left out.
pub fn snippet(variant: ButtonVariant, size: ButtonSize) -> String {
    let mut props = Vec::new();
    if variant != ButtonVariant::Default {
        props.push(format!(
            "variant: {}",
            rust_path("ButtonVariant", variant.name())
        ));
    }
    if size != ButtonSize::Default {
        props.push(format!("size: {}", rust_path("ButtonSize", size.name())));
    }
    if props.is_empty() {
        "SignInButton {}".to_owned()
    } else {
        format!("SignInButton {{ {} }}", props.join(", "))
    }
}

#[component]
pub fn VariantGrid() -> Element {
    let copied = use_signal(|| None::<String>);
    rsx! {
        section { id: "variants",
            h2 { class: "mb-4 text-xl font-semibold", "Variants and sizes" }
            for variant in VARIANTS {
                div { class: "mb-8", "data-row": variant.name(),
                    h3 { class: "mb-3 text-sm font-medium uppercase tracking-wide text-neutral-500 dark:text-neutral-400", "{variant.name()}" }
                    // Cells wrap instead of sitting in equal columns: a cell is never narrower than
                    // its button (a flex item's automatic minimum is its content), so an XL button
                    // takes the room it needs beside a smaller one, and at most two share a row.
                    div { class: "flex flex-wrap gap-4 divide-neutral-200 max-sm:gap-0 max-sm:divide-y dark:divide-neutral-800",
                        for size in SIZES {
                            Cell { key: "{variant.name()}-{size.name()}", variant, size, copied }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Cell(variant: ButtonVariant, size: ButtonSize, copied: Signal<Option<String>>) -> Element {
    let code = snippet(variant, size);
    let is_copied = copied.read().as_deref() == Some(code.as_str());
    let to_copy = code.clone();
    rsx! {
        // On a phone the cells are a list that runs to the screen's edges (through main's px-3),
        // which leaves an XL button the room it needs from 360 px up; on a narrower screen it
        // scrolls inside its cell rather than moving the page sideways.
        div {
            class: "flex grow basis-full flex-col items-start gap-3 border-neutral-200 px-3 py-4 dark:border-neutral-800 \
                    max-sm:-mx-3 max-sm:min-w-0 max-sm:overflow-x-auto sm:basis-[34%] sm:rounded-xl sm:border sm:p-4",
            "data-cell": "{variant.name()}-{size.name()}",
            div { class: "flex h-16 items-center", SignInButton { variant, size } }
            div { class: "flex w-full items-start gap-2",
                code { class: "flex-1 break-normal font-mono text-xs text-neutral-600 dark:text-neutral-400", "{code}" }
                button {
                    r#type: "button",
                    class: "shrink-0 rounded border border-neutral-300 px-2 py-0.5 text-xs hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-800",
                    "aria-label": "Copy {code}",
                    onclick: move |_| {
                        copy_to_clipboard(&to_copy);
                        copied.set(Some(to_copy.clone()));
                    },
                    if is_copied { "Copied" } else { "Copy" }
                }
            }
        }
    }
}

/// The clipboard: the browser's on the web, the webview's on the desktop.
/// A refused clipboard (no permission, no focus) is not worth an error: the text is on screen.
pub fn copy_to_clipboard(text: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(window) = web_sys::window() {
        // The promise's rejection is dropped with it.
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let literal = serde_json::to_string(text).unwrap_or_default();
        let _ = document::eval(&format!(
            "navigator.clipboard.writeText({literal}).catch(() => {{}})"
        ));
    }
}
