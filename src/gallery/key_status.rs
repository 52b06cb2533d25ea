//! What OpenRouter says about the key: label, usage, limit, free tier. A 401 means the key was
//! revoked: the gallery forgets it and says so.

use dioxus::prelude::*;
use openrouter_signin::{use_openrouter_auth, ClientError, KeyInfo};

/// Where OpenRouter lists (and revokes) a user's keys.
pub const KEYS_PAGE: &str = "https://openrouter.ai/settings/keys";

/// Set when a key was found revoked, for the hero to explain after the key is gone.
#[derive(Clone, Copy)]
pub struct RevokedNotice(pub Signal<bool>);

#[component]
pub fn KeyStatus() -> Element {
    let auth = use_openrouter_auth();
    let mut revoked = use_context::<RevokedNotice>().0;
    // Through the key here, or through the app's server in fullstack mode: the same call.
    let info = use_resource(move || async move { auth.key_info().await });
    // A revoked key is useless: forget it, and let the hero offer sign-in again.
    use_effect(move || {
        if let Some(Err(ClientError::Api { status: 401, .. })) = &*info.read() {
            revoked.set(true);
            auth.sign_out();
        }
    });
    let body = match &*info.read() {
        None => {
            rsx! { p { class: "text-sm text-neutral-500 dark:text-neutral-400", "Checking the key…" } }
        }
        Some(Ok(info)) => details(info),
        Some(Err(e)) => {
            rsx! { p { id: "key-status-error", role: "alert", class: "text-sm text-red-700 dark:text-red-300", "Could not read the key's status: {e}" } }
        }
    };
    rsx! {
        section { id: "key-status", class: "mb-10 rounded-xl border border-neutral-200 p-5 dark:border-neutral-800",
            h2 { class: "mb-3 text-lg font-semibold", "Your key" }
            {body}
            a { class: "mt-3 inline-block text-sm underline", href: KEYS_PAGE, target: "_blank", rel: "noopener noreferrer",
                "Manage or revoke keys on OpenRouter"
            }
        }
    }
}

/// Beside Sign out: the key's own page on OpenRouter, and what signing out does not do. The app
/// cannot revoke the key it was given (that takes a management key), so it sends the user there.
#[component]
pub fn ManageKey() -> Element {
    let manage_url = use_openrouter_auth().manage_url();
    rsx! {
        if let Some(url) = manage_url {
            a {
                id: "manage-key",
                class: "text-sm underline underline-offset-4 text-neutral-700 hover:text-neutral-900 dark:text-neutral-300 dark:hover:text-white",
                href: "{url}",
                target: "_blank",
                rel: "noopener noreferrer",
                "Manage or revoke this key"
            }
        }
        p { id: "sign-out-note", class: "basis-full text-xs text-neutral-500 dark:text-neutral-400",
            "Signing out forgets the key on this device; it does not revoke it on OpenRouter."
        }
    }
}

fn credits(value: Option<f64>) -> String {
    value.map(dollars).unwrap_or_else(|| "no limit".into())
}

/// `$1.50`: dollars and cents through integers, which keeps float formatting out of the page.
fn dollars(value: f64) -> String {
    let cents = (value * 100.0).round();
    let sign = if cents < 0.0 { "-" } else { "" };
    let cents = cents.abs() as u64;
    format!("{sign}${}.{:02}", cents / 100, cents % 100)
}

fn details(info: &KeyInfo) -> Element {
    let usage = dollars(info.usage);
    let limit = credits(info.limit);
    let remaining = if info.limit.is_some() {
        credits(info.limit_remaining)
    } else {
        "—".into()
    };
    let tier = if info.is_free_tier {
        "free tier"
    } else {
        "paid"
    };
    rsx! {
        dl { class: "grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4",
            dt { class: "text-neutral-500 dark:text-neutral-400", "Label" }
            dd { id: "key-label", class: "font-mono", "{info.label}" }
            dt { class: "text-neutral-500 dark:text-neutral-400", "Used" }
            dd { id: "key-usage", "{usage}" }
            dt { class: "text-neutral-500 dark:text-neutral-400", "Limit" }
            dd { id: "key-limit", "{limit}" }
            dt { class: "text-neutral-500 dark:text-neutral-400", "Remaining" }
            dd { id: "key-remaining", "{remaining}" }
            dt { class: "text-neutral-500 dark:text-neutral-400", "Account" }
            dd { id: "key-tier", "{tier}" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn dollars_round_to_cents() {
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(0.5), "$0.50");
        assert_eq!(dollars(1234.567), "$1234.57");
        assert_eq!(dollars(0.004), "$0.00");
        assert_eq!(dollars(-0.004), "$0.00");
        assert_eq!(dollars(-1.5), "-$1.50");
    }
}
