//! SignInButton, OpenRouterLogo and Spinner rendered to HTML by dioxus-ssr: every variant and size,
//! every option, and every class they emit present in the committed stylesheet.

use std::collections::BTreeSet;

use dioxus::prelude::*;
use openrouter_signin::testing::{ALL_SIZES, ALL_VARIANTS};
use openrouter_signin::{ButtonVariant, LogoPosition, SignInButton};

const LOGO_PATHS: [&str; 4] = [
    "M3 248.945C18 248.945 76 236 106 219C136 202 136 202 198 158C276.497 102.293 332 120.945 423 120.945",
    "M511 121.5L357.25 210.268L357.25 32.7324L511 121.5Z",
    "M0 249C15 249 73 261.945 103 278.945C133 295.945 133 295.945 195 339.945C273.497 395.652 329 377 420 377",
    "M508 376.445L354.25 287.678L354.25 465.213L508 376.445Z",
];

fn render(element: impl FnOnce() -> Element) -> String {
    // The session reads the key store on first use: an empty, private place.
    crate::environment();
    dioxus_ssr::render_element(element())
}

/// The opening `<button ...>` tag of `html`.
fn button_tag(html: &str) -> &str {
    let start = html.find("<button").expect("a button");
    &html[start..start + html[start..].find('>').unwrap() + 1]
}

/// An attribute's value; dioxus-ssr writes boolean attributes unquoted (`disabled=true`).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=");
    let start = tag.find(&needle)? + needle.len();
    let rest = &tag[start..];
    match rest.strip_prefix('"') {
        Some(quoted) => Some(&quoted[..quoted.find('"')?]),
        None => Some(&rest[..rest.find([' ', '>'])?]),
    }
}

fn classes_of(html: &str) -> BTreeSet<String> {
    html.split("class=\"")
        .skip(1)
        .flat_map(|rest| {
            rest[..rest.find('"').unwrap()]
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_variant_and_size_renders_its_contract() {
    for variant in ALL_VARIANTS {
        for size in ALL_SIZES {
            let html = render(|| rsx! { SignInButton { variant, size } });
            let tag = button_tag(&html);
            let classes: BTreeSet<String> = attr(tag, "class")
                .unwrap()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            let context = format!("{variant:?}/{size:?}: {tag}");
            assert_eq!(attr(tag, "type"), Some("button"), "{context}");
            assert_eq!(attr(tag, "data-variant"), Some(variant.name()), "{context}");
            assert_eq!(attr(tag, "data-size"), Some(size.name()), "{context}");
            for common in [
                "inline-flex",
                "items-center",
                "justify-center",
                "gap-2",
                "font-medium",
                "transition-all",
                "cursor-pointer",
                "disabled:opacity-50",
                "focus-visible:ring-2",
            ] {
                assert!(classes.contains(common), "{common} missing in {context}");
            }
            for class in variant.class().split_whitespace() {
                assert!(classes.contains(class), "{class} missing in {context}");
            }
            let size_classes = if variant == ButtonVariant::Icon {
                size.icon_class()
            } else {
                size.class()
            };
            for class in size_classes.split_whitespace() {
                assert!(classes.contains(class), "{class} missing in {context}");
            }
            assert!(
                classes.iter().any(|c| c.starts_with("dark:")),
                "no dark variant in {context}"
            );
            // The logo, exactly, at the size's logo size.
            for d in LOGO_PATHS {
                assert!(
                    html.contains(&format!("d=\"{d}\"")),
                    "logo path missing in {context}"
                );
            }
            assert_eq!(html.matches("stroke-width=\"90\"").count(), 2, "{context}");
            assert!(html.contains("viewBox=\"0 0 512 512\""), "{context}");
            assert!(html.contains(size.logo_class()), "{context}");
            assert!(
                attr(tag, "disabled").is_none() && attr(tag, "aria-busy").is_none(),
                "{context}"
            );
            if variant == ButtonVariant::Icon {
                assert_eq!(
                    attr(tag, "aria-label"),
                    Some("Sign in with OpenRouter"),
                    "{context}"
                );
                assert!(
                    !html.contains("<span>"),
                    "the icon variant shows no text: {context}"
                );
                assert!(classes.contains("aspect-square"), "{context}");
            } else {
                assert!(attr(tag, "aria-label").is_none(), "{context}");
                assert!(
                    html.contains("<span>Sign in with OpenRouter</span>"),
                    "{context}"
                );
            }
        }
    }
}

#[test]
fn options_render_as_documented() {
    let html = render(|| rsx! { SignInButton { label: "Continue with OpenRouter" } });
    assert!(html.contains("<span>Continue with OpenRouter</span>"));

    let html = render(|| rsx! { SignInButton { logo_position: LogoPosition::Right } });
    assert!(
        html.find("<span>").unwrap() < html.find("<svg").unwrap(),
        "logo after the label: {html}"
    );
    let html = render(|| rsx! { SignInButton {} });
    assert!(
        html.find("<svg").unwrap() < html.find("<span>").unwrap(),
        "logo before the label: {html}"
    );

    let html = render(|| rsx! { SignInButton { show_logo: false } });
    assert!(!html.contains("<svg"), "{html}");

    let html = render(|| rsx! { SignInButton { disabled: true } });
    let tag = button_tag(&html);
    assert_eq!(attr(tag, "disabled"), Some("true"), "{tag}");
    assert!(attr(tag, "aria-busy").is_none(), "{tag}");

    let html = render(
        || rsx! { SignInButton { class: "my-extra another", id: "mine", "data-test": "x", title: "Hello" } },
    );
    let tag = button_tag(&html);
    assert!(
        attr(tag, "class").unwrap().ends_with(" my-extra another"),
        "our classes first: {tag}"
    );
    assert_eq!(attr(tag, "id"), Some("mine"));
    assert_eq!(attr(tag, "data-test"), Some("x"));
    assert_eq!(attr(tag, "title"), Some("Hello"));
}

#[test]
fn loading_disables_shows_a_spinner_and_keeps_the_name() {
    for variant in ALL_VARIANTS {
        let html = render(|| rsx! { SignInButton { variant, loading: Some(true) } });
        let tag = button_tag(&html);
        assert_eq!(attr(tag, "disabled"), Some("true"), "{tag}");
        assert_eq!(attr(tag, "aria-busy"), Some("true"), "{tag}");
        assert_eq!(attr(tag, "data-loading"), Some("true"), "{tag}");
        assert!(html.contains("data-spinner"), "{html}");
        assert!(html.contains("animate-spin"), "{html}");
        assert!(
            !html.contains("data-openrouter-logo"),
            "the spinner replaces the logo: {html}"
        );
        if variant == ButtonVariant::Icon {
            assert_eq!(attr(tag, "aria-label"), Some("Sign in with OpenRouter"));
        } else {
            assert!(html.contains("<span>Sign in with OpenRouter</span>"));
        }
    }
    // Unset, it follows the sign-in state, which starts signed out: not loading.
    let html = render(|| rsx! { SignInButton {} });
    assert!(attr(button_tag(&html), "aria-busy").is_none());
    // Forced off, it is not loading either.
    let html = render(|| rsx! { SignInButton { loading: Some(false) } });
    assert!(attr(button_tag(&html), "disabled").is_none());
}

/// `class` as a CSS selector, escaped the way Tailwind writes it.
fn selector(class: &str) -> String {
    let mut out = String::from(".");
    for (i, c) in class.chars().enumerate() {
        if c.is_ascii_alphanumeric() && !(i == 0 && c.is_ascii_digit()) || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

#[test]
fn every_class_the_button_can_emit_is_in_the_compiled_css() {
    let css = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/openrouter-signin/assets/openrouter-signin.css"
    ))
    .unwrap();
    let mut classes = BTreeSet::new();
    for variant in ALL_VARIANTS {
        for size in ALL_SIZES {
            for loading in [false, true] {
                classes.extend(classes_of(&render(
                    || rsx! { SignInButton { variant, size, loading: Some(loading) } },
                )));
            }
        }
    }
    assert!(classes.len() > 60, "{classes:?}");
    let missing: Vec<&String> = classes
        .iter()
        .filter(|class| {
            let sel = selector(class);
            !css.match_indices(&sel).any(|(at, _)| {
                let next = css[at + sel.len()..].chars().next();
                matches!(next, Some('{' | ':' | ',' | ' ' | ')' | '>' | '['))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "classes missing from crates/openrouter-signin/assets/openrouter-signin.css (run scripts/build-css.sh): {missing:?}"
    );
}
