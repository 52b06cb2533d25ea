//! index.html's copy of the hero (public/early.js) and the starter (crates/gallery-start):
//! there before the gallery's wasm, clickable before any wasm, the same as what the wasm renders,
//! and gone once it has. These cases serve the page with some of its wasm held back until the
//! test lets it go, as on a slow network.

use std::path::PathBuf;
use std::time::Instant;

use page_driver::static_server::{serve_holding, Gate};
use page_driver::webdriver::{Session, SessionOptions};
use serde_json::json;

use super::{alert, case_with, open_app_rendered, pending_entries, stored_key, Fixture, WAIT};

/// The gallery's own wasm (not the starter's).
pub(super) const GALLERY_WASM: &str = "/openrouter-signin-gallery_bg.wasm";

/// A second server of the same build, whose files ending with `held` wait for the gate.
pub(super) async fn held_page(held: &str) -> (String, Gate) {
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/dx/openrouter-signin-gallery/debug/web/public");
    let (origin, gate) = serve_holding(public, held).await;
    (format!("{origin}/"), gate)
}

/// A case whose navigations end once the page is parsed: the held wasm would keep its load event
/// (which the preload waits for) from ever coming.
pub(super) fn held_case(body: impl AsyncFnOnce(&Fixture, &Session)) {
    let options = SessionOptions {
        eager: true,
        ..SessionOptions::default()
    };
    case_with(options, body);
}

/// Keeps the starter (crates/gallery-start) from ever loading in this browser.
pub(super) async fn block_starter(s: &Session) {
    s.cdp("Network.enable", json!({})).await;
    s.cdp(
        "Network.setBlockedURLs",
        json!({ "urls": ["*openrouter-signin-gallery-start*"] }),
    )
    .await;
}

/// Waits until the mock has seen `count` requests for `/auth` in all.
pub(super) async fn mock_authorizes(f: &Fixture, count: usize) {
    let start = Instant::now();
    while f.mock.authorize_requests() < count {
        assert!(
            start.elapsed() < WAIT,
            "the mock saw no /auth within {WAIT:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The copy's button, its state as the page shows it, and whether the wasm has run.
pub(super) const COPY_STATE: &str = "const b = document.querySelector('#prerendered-sign-in');
    const shown = e => !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
    return { button: shown(b), text: b && b.textContent, busy: b && b.getAttribute('aria-busy'),
             disabled: b && b.disabled, spinner: shown(b && b.querySelector('[data-spinner]')),
             logo: shown(b && b.querySelector('[data-openrouter-logo]')),
             click: document.documentElement.getAttribute('data-early-sign-in'),
             live: !!document.querySelector('#hero') };";

/// A part of the page as a tree of tags, attributes (without ids) and words, leaving out what is
/// hidden and the comments Dioxus leaves as placeholders: the same for the copy and the live
/// hero exactly when they look and read the same.
const SHAPE: &str = "const shape = e => {
        if (e.nodeType === 3) { return e.textContent.trim() ? e.textContent.trim() : null; }
        if (e.nodeType !== 1 || e.hasAttribute('hidden')) { return null; }
        const attrs = [...e.attributes].map(a => a.name)
            .filter(n => n !== 'id' && !n.startsWith('data-dioxus')).sort()
            .map(n => n + '=' + e.getAttribute(n));
        // Dioxus keeps each literal of a paragraph as a text node of its own.
        const children = [];
        for (const c of [...e.childNodes].map(shape).filter(c => c !== null)) {
            if (typeof c === 'string' && typeof children[children.length - 1] === 'string') {
                children[children.length - 1] += ' ' + c;
            } else {
                children.push(c);
            }
        }
        return [e.tagName.toLowerCase(), attrs, children];
    };
    return JSON.stringify(shape(document.querySelector(arguments[0])));";

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn the_starter_signs_in_from_an_early_click_before_the_gallerys_wasm_arrives() {
    held_case(async |f: &Fixture, s: &Session| {
        let (page, gate) = held_page(GALLERY_WASM).await;
        let authorizes = f.mock.authorize_requests();
        let exchanges = f.mock.exchange_requests();
        s.goto(&page).await;
        s.click("#prerendered-sign-in").await;
        // The gallery's wasm never came, and yet the browser went to OpenRouter, once.
        mock_authorizes(f, authorizes + 1).await;
        assert_eq!(f.mock.exchange_requests(), exchanges, "no exchange yet");
        // Back on the page (held too), whose wasm now arrives and finishes the sign-in.
        gate.open();
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the masked key after the starter's sign-in",
        )
        .await;
        assert_eq!(f.mock.authorize_requests() - authorizes, 1, "one sign-in");
        assert_eq!(f.mock.exchange_requests() - exchanges, 1);
        let key = f.mock.issued_keys().pop().expect("the mock issued a key");
        assert_eq!(stored_key(s).await.as_deref(), Some(key.as_str()));
        assert_eq!(pending_entries(s).await, 0);
        assert_eq!(s.current_url().await, page, "no code in the address bar");
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn without_the_starter_the_gallery_takes_the_early_click_and_signs_in_exactly_once() {
    held_case(async |f: &Fixture, s: &Session| {
        let (page, gate) = held_page(".wasm").await;
        block_starter(s).await;
        let authorizes = f.mock.authorize_requests();
        let exchanges = f.mock.exchange_requests();
        s.goto(&page).await;
        let before = s.exec(COPY_STATE, json!([])).await;
        assert_eq!(before["button"], true, "{before}");
        assert_eq!(before["text"], "Sign in with OpenRouter", "{before}");
        assert_eq!(before["live"], false, "the wasm is held back: {before}");
        // Three clicks, as an impatient user gives them.
        for _ in 0..3 {
            s.click("#prerendered-sign-in").await;
        }
        let clicked = s.exec(COPY_STATE, json!([])).await;
        assert_eq!(
            clicked,
            json!({ "button": true, "text": "Sign in with OpenRouter", "busy": "true",
                    "disabled": true, "spinner": true, "logo": false, "click": "", "live": false }),
            "the loading state at once, and the click kept for the wasm"
        );
        // Nothing leaves before the library, in wasm, has made the sign-in.
        assert_eq!(f.mock.authorize_requests(), authorizes);
        assert_eq!(pending_entries(s).await, 0);
        gate.open();
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the masked key after the early click",
        )
        .await;
        assert_eq!(
            f.mock.authorize_requests() - authorizes,
            1,
            "one sign-in for three clicks"
        );
        assert_eq!(f.mock.exchange_requests() - exchanges, 1);
        let key = f.mock.issued_keys().pop().expect("the mock issued a key");
        assert_eq!(stored_key(s).await.as_deref(), Some(key.as_str()));
        assert_eq!(pending_entries(s).await, 0);
        assert_eq!(s.current_url().await, page, "no code in the address bar");
        let after = s
            .exec(
                "return [!!document.querySelector('#prerendered'),
                         document.documentElement.hasAttribute('data-early-sign-in')]",
                json!([]),
            )
            .await;
        assert_eq!(after, json!([false, false]));
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn a_start_the_starter_cannot_make_comes_back_to_the_gallery_which_says_why() {
    held_case(async |f: &Fixture, s: &Session| {
        let (page, gate) = held_page(GALLERY_WASM).await;
        let refuse = "Object.defineProperty(window, 'sessionStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
            document.addEventListener('openrouter-early-sign-in-returned', () => { window.__returned = true; });";
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": refuse }),
        )
        .await;
        let authorizes = f.mock.authorize_requests();
        s.goto(&page).await;
        s.click("#prerendered-sign-in").await;
        s.wait_for(
            "window.__returned",
            WAIT,
            "the starter to give the click back",
        )
        .await;
        let back = s.exec(COPY_STATE, json!([])).await;
        assert_eq!(back["click"], "", "the click waits again: {back}");
        assert_eq!(back["busy"], "true", "still loading: {back}");
        gate.open();
        let message = alert(s).await;
        assert!(message.contains("sessionStorage"), "{message}");
        assert_eq!(
            f.mock.authorize_requests(),
            authorizes,
            "nothing went to OpenRouter"
        );
        assert_eq!(s.current_url().await, page, "the page stayed");
        let hero = s
            .exec(
                "const b = document.querySelector('#hero-sign-in');
                 return [b.disabled, b.getAttribute('aria-busy'),
                         document.documentElement.hasAttribute('data-early-sign-in')];",
                json!([]),
            )
            .await;
        assert_eq!(hero, json!([false, null, false]), "the button works again");
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn the_copy_is_the_live_hero_in_the_remembered_theme_until_the_wasm_takes_over() {
    held_case(async |_f: &Fixture, s: &Session| {
        let (page, gate) = held_page(".wasm").await;
        s.goto(&page).await;
        // Without its wasm the page says that it is loading, not that it is broken.
        assert_eq!(
            s.text("#prerendered-loading").await.as_deref(),
            Some("Loading the rest of the gallery…")
        );
        let light = s
            .exec(
                "return getComputedStyle(document.querySelector('#prerendered > div')).backgroundColor",
                json!([]),
            )
            .await;
        assert_eq!(light, "rgb(255, 255, 255)");
        // The dark theme, remembered, applies before the first paint.
        s.exec(
            "localStorage.setItem('openrouter_signin_gallery_theme', 'dark')",
            json!([]),
        )
        .await;
        s.goto(&page).await;
        let dark = s
            .exec(
                "return [document.documentElement.className,
                         getComputedStyle(document.querySelector('#prerendered > div')).backgroundColor,
                         getComputedStyle(document.querySelector('#prerendered-sign-in')).backgroundColor]",
                json!([]),
            )
            .await;
        assert_eq!(dark[0], "dark", "{dark}");
        assert_ne!(dark[1], light, "{dark}");
        assert_eq!(
            dark[2], "rgb(255, 255, 255)",
            "the CTA is white in the dark: {dark}"
        );
        let copy = s.exec(SHAPE, json!(["#prerendered section"])).await;
        // A keyboard user who reached the copy's button keeps the focus on the live one.
        s.exec(
            "document.querySelector('#prerendered-sign-in').focus()",
            json!([]),
        )
        .await;
        gate.open();
        open_app_rendered(s).await;
        s.wait_for(
            "document.activeElement && document.activeElement.id === 'hero-sign-in'",
            WAIT,
            "the live button to take the copy's focus",
        )
        .await;
        let live = s.exec(SHAPE, json!(["#hero"])).await;
        assert_eq!(
            copy, live,
            "index.template.html's copy of the hero differs from what the wasm renders: update the copy"
        );
        // Taken over: the copy is gone, and the theme is the page's own again.
        let after = s
            .exec(
                "return [!!document.querySelector('#prerendered'), document.documentElement.className,
                         document.querySelector('#gallery').className]",
                json!([]),
            )
            .await;
        assert_eq!(after, json!([false, "", "dark"]));
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn no_copy_where_the_page_will_show_something_else() {
    held_case(async |_f: &Fixture, s: &Session| {
        let (page, _gate) = held_page(".wasm").await;
        let copy_shown = "const c = document.querySelector('#prerendered');
            return !!c && getComputedStyle(c).display !== 'none';";
        s.goto(&page).await;
        assert_eq!(s.exec(copy_shown, json!([])).await, true);
        let load = async |url: String| {
            s.goto(&url).await;
            s.wait_for(
                &format!(
                    "location.href === {} && document.querySelector('#prerendered-loading')",
                    json!(url)
                ),
                WAIT,
                "the page to be parsed",
            )
            .await;
        };
        // A stored key: the page will say "Signed in", not offer a sign-in.
        s.exec(
            "localStorage.setItem('openrouter_api_key', 'sk-or-v1-stored')",
            json!([]),
        )
        .await;
        load(format!("{page}?visit=2")).await;
        assert_eq!(s.exec(copy_shown, json!([])).await, false, "signed in");
        s.exec("localStorage.clear()", json!([])).await;
        // Another language: the copy is English.
        load(format!("{page}?lang=zh")).await;
        assert_eq!(s.exec(copy_shown, json!([])).await, false, "in Chinese");
        // A return from OpenRouter: the page will be finishing a sign-in.
        load(format!("{page}?code=abc&state=def")).await;
        assert_eq!(s.exec(copy_shown, json!([])).await, false, "a return");
        // And a click on a hidden copy is no sign-in.
        s.exec(
            "document.querySelector('#prerendered-sign-in').click()",
            json!([]),
        )
        .await;
        let early = s
            .exec(
                "return document.documentElement.hasAttribute('data-early-sign-in')",
                json!([]),
            )
            .await;
        assert_eq!(early, false);
    });
}
