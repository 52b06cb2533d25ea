use dioxus::prelude::*;

use super::logo::logo_svg;
use super::spinner::spinner_svg;
use crate::auth::use_openrouter_auth;

/// The button's compiled CSS (Tailwind utilities for every class it can emit, and nothing that
/// styles the rest of the page).
///
/// On the web `dx` writes its link into the page's `index.html` (and so into a fullstack
/// server's pages), so the first paint is already styled and [`SignInButton`] adds nothing at
/// run time. A page whose HTML is made without `dx` links it itself, for example with
/// `LinkStylesheet { href: BUTTON_CSS }` in the root component. On the desktop the button links
/// it.
pub const BUTTON_CSS: Asset = asset!(
    "/assets/openrouter-signin.css",
    AssetOptions::css().with_static_head(true)
);

/// The label unless one is given, and the accessible name of the icon-only variant.
pub const DEFAULT_LABEL: &str = "Sign in with OpenRouter";

/// Classes every variant gets: layout, the disabled look and a visible keyboard focus ring (at
/// least 3:1 against the page and its offset in both themes: neutral-500 is 4.7:1 on white and
/// 4.2:1 on neutral-950). With
/// `prefers-reduced-motion: reduce` nothing of it moves: no transitions (hover and press change
/// at once) and a still spinner (see `spinner.rs`).
const BASE: &str = "openrouter-signin-button inline-flex items-center justify-center gap-2 whitespace-nowrap font-medium \
     transition-all motion-reduce:transition-none cursor-pointer disabled:opacity-50 disabled:cursor-not-allowed \
     focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-500 \
     focus-visible:ring-offset-2 dark:focus-visible:ring-offset-neutral-950";

/// How the button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum ButtonVariant {
    /// White with a border; for most places.
    #[default]
    Default,
    /// Text only, underlined on hover; for dense UIs.
    Minimal,
    /// Solid dark; for a primary action.
    Branded,
    /// Logo only, square; the label becomes the accessible name.
    Icon,
    /// Larger shadow, rounder, a little grow on hover; for landing pages.
    Cta,
}

impl ButtonVariant {
    /// Every variant, in the order the gallery shows them.
    pub(crate) const ALL: [ButtonVariant; 5] = [
        Self::Default,
        Self::Minimal,
        Self::Branded,
        Self::Icon,
        Self::Cta,
    ];

    /// The variant's classes, dark mode included.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Default => {
                "rounded-lg border border-neutral-300 bg-white text-neutral-900 shadow-sm hover:bg-neutral-50 \
                 dark:border-neutral-700 dark:bg-neutral-900 dark:text-white dark:hover:bg-neutral-800"
            }
            Self::Minimal => "text-neutral-700 underline-offset-4 hover:underline dark:text-neutral-200",
            Self::Branded => {
                "rounded-lg bg-neutral-900 text-white shadow hover:bg-neutral-800 \
                 dark:bg-white dark:text-neutral-900 dark:hover:bg-neutral-200"
            }
            Self::Icon => {
                "rounded-lg border border-neutral-300 bg-white text-neutral-900 shadow-sm hover:bg-neutral-50 \
                 aspect-square dark:border-neutral-700 dark:bg-neutral-900 dark:text-white dark:hover:bg-neutral-800"
            }
            Self::Cta => {
                "rounded-xl bg-neutral-900 text-white shadow-lg hover:bg-neutral-800 hover:scale-[1.02] \
                 active:scale-[0.98] dark:bg-white dark:text-neutral-900 dark:hover:bg-neutral-200"
            }
        }
    }

    /// The lower-case name used in `data-variant` and in Rust snippets.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Minimal => "minimal",
            Self::Branded => "branded",
            Self::Icon => "icon",
            Self::Cta => "cta",
        }
    }
}

/// How big the button is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum ButtonSize {
    /// 32 px high.
    Sm,
    /// 40 px high.
    #[default]
    Default,
    /// 48 px high.
    Lg,
    /// 56 px high.
    Xl,
}

impl ButtonSize {
    /// Every size, smallest first.
    pub(crate) const ALL: [ButtonSize; 4] = [Self::Sm, Self::Default, Self::Lg, Self::Xl];

    /// The size's classes for a button with a label.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Sm => "h-8 px-3 text-xs",
            Self::Default => "h-10 px-5 text-sm",
            Self::Lg => "h-12 px-8 text-base",
            Self::Xl => "h-14 px-10 text-lg",
        }
    }

    /// The size's classes for the square icon-only button: the height, no side padding.
    pub fn icon_class(&self) -> &'static str {
        match self {
            Self::Sm => "h-8 p-0 text-xs",
            Self::Default => "h-10 p-0 text-sm",
            Self::Lg => "h-12 p-0 text-base",
            Self::Xl => "h-14 p-0 text-lg",
        }
    }

    /// The logo's (and spinner's) size classes at this button size.
    pub fn logo_class(&self) -> &'static str {
        match self {
            Self::Sm => "size-3.5 shrink-0",
            Self::Default => "size-4 shrink-0",
            Self::Lg => "size-5 shrink-0",
            Self::Xl => "size-6 shrink-0",
        }
    }

    /// The lower-case name used in `data-size`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sm => "sm",
            Self::Default => "default",
            Self::Lg => "lg",
            Self::Xl => "xl",
        }
    }
}

/// Which side of the label the logo sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum LogoPosition {
    /// Before the label.
    #[default]
    Left,
    /// After the label.
    Right,
}

/// "Sign in with OpenRouter". Without an `onclick` it starts the sign-in through
/// [`use_openrouter_auth`], and without `loading` it shows the spinner while a sign-in is under way.
///
/// In fullstack mode (without an `onclick`) the button is also the submit button of a plain
/// `GET` form to the server's start route, which takes no part in the layout: a page the server
/// rendered can be signed in from before its wasm has loaded. The page's Content-Security-Policy
/// must then allow the form (`form-action 'self'` and OpenRouter's origin, which
/// `SignInServer::mount` sets).
///
/// ```no_run
/// use dioxus::prelude::*;
/// use openrouter_signin::{ButtonSize, ButtonVariant, SignInButton};
///
/// #[component]
/// fn Header() -> Element {
///     rsx! {
///         SignInButton { variant: ButtonVariant::Branded, size: ButtonSize::Lg }
///         SignInButton { variant: ButtonVariant::Icon, title: "Sign in" }
///     }
/// }
/// ```
#[component]
pub fn SignInButton(
    /// How it looks.
    #[props(default)]
    variant: ButtonVariant,
    /// How big it is.
    #[props(default)]
    size: ButtonSize,
    /// The text; also the accessible name of the icon variant. By default the words of the
    /// app's language ([`Messages::sign_in`](crate::Messages), "Sign in with OpenRouter" in
    /// English), marked with that language's `lang`.
    #[props(default, into)]
    label: String,
    /// Whether the OpenRouter logo is shown next to the label.
    #[props(default = true)]
    show_logo: bool,
    /// Which side of the label the logo sits on.
    #[props(default)]
    logo_position: LogoPosition,
    /// Forces the loading state on or off; unset follows the sign-in state.
    #[props(default, !optional)]
    loading: Option<bool>,
    /// Disables the button.
    #[props(default)]
    disabled: bool,
    /// More classes, added after ours.
    #[props(default, into)]
    class: String,
    /// Any other attribute of a `button` (id, title, aria-*, data-*, ...).
    #[props(extends = GlobalAttributes, extends = button)]
    attributes: Vec<Attribute>,
    /// Replaces the default action (starting the sign-in).
    onclick: Option<EventHandler<MouseEvent>>,
    /// Called when the button is in the page, with a handle to it: to give it the focus, say,
    /// after the user signed out with the control that stood in its place. On the web this needs
    /// Dioxus's `mounted` feature (among its default features).
    onmounted: Option<EventHandler<MountedEvent>>,
) -> Element {
    let auth = use_openrouter_auth();
    let loading = loading.unwrap_or_else(|| auth.is_busy());
    let (label, lang) = if label.is_empty() {
        let messages = auth.messages();
        (
            messages.sign_in.to_string(),
            Some(messages.lang.to_string()),
        )
    } else {
        (label, None)
    };
    let inactive = loading || disabled;
    let icon_only = variant == ButtonVariant::Icon;
    let size_class = if icon_only {
        size.icon_class()
    } else {
        size.class()
    };
    let classes = format!("{BASE} {} {size_class} {class}", variant.class());
    let classes = classes.trim_end();
    let logo_class = size.logo_class();
    let logo_left = show_logo && logo_position == LogoPosition::Left || icon_only;
    let logo_right = show_logo && logo_position == LogoPosition::Right && !icon_only;

    // In fullstack mode the button sits in a plain form that goes to the server's start route,
    // so that it signs in even before the page's wasm has loaded; once it has, the click is
    // handled here like everywhere else (and the address's hash is kept too).
    #[cfg(feature = "fullstack")]
    let form_return_to = onclick
        .is_none()
        .then(crate::auth::rendered_return_to)
        .flatten();
    #[cfg(not(feature = "fullstack"))]
    let form_return_to: Option<String> = None;
    let in_form = form_return_to.is_some();

    let button = rsx! {
        button {
            r#type: if in_form { "submit" } else { "button" },
            class: "{classes}",
            lang,
            "data-variant": variant.name(),
            "data-size": size.name(),
            "data-loading": loading.then_some("true"),
            "aria-busy": loading.then_some("true"),
            "aria-label": icon_only.then(|| label.clone()),
            disabled: inactive,
            onclick: move |event| {
                if in_form {
                    event.prevent_default();
                }
                // A click can still arrive while the disabled attribute is being applied.
                if inactive {
                    return;
                }
                match onclick {
                    Some(handler) => handler.call(event),
                    None => auth.sign_in(),
                }
            },
            onmounted: move |event| {
                if let Some(handler) = onmounted {
                    handler.call(event);
                }
            },
            ..attributes,
            // Drawn here, not as child components: a page of many buttons creates a third of
            // the component scopes it would otherwise.
            if loading {
                {spinner_svg(logo_class)}
            } else if logo_left {
                {logo_svg(logo_class)}
            }
            if !icon_only {
                span { "{label}" }
            }
            if logo_right && !loading {
                {logo_svg(logo_class)}
            }
        }
    };

    rsx! {
        // Linked on the desktop; on the web index.html has it (see `asset_stylesheet`).
        {super::asset_stylesheet(BUTTON_CSS)}
        if let Some(return_to) = form_return_to {
            form {
                class: "openrouter-signin-form",
                method: "get",
                action: crate::fullstack::START_PATH,
                input {
                    r#type: "hidden",
                    name: crate::fullstack::RETURN_TO_PARAM,
                    value: "{return_to}",
                }
                {button}
            }
        } else {
            {button}
        }
    }
}
