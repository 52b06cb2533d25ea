//! Back from OpenRouter's consent page without deciding. The browser may show the page again
//! from its back-forward cache exactly as it was left, its sign-in button busy on the way out;
//! the button must work again, whichever way the page left: through the live button (the
//! library), through index.html's copy and the starter (public/early.js), or with the gallery
//! showing the starter's sign-in as its own (src/gallery/early.rs).

use openrouter_mock::ConsentMode;
use page_driver::webdriver::Session;
use serde_json::json;

use super::early::{
    block_starter, held_case, held_page, mock_authorizes, COPY_STATE, GALLERY_WASM,
};
use super::{case, open_app, open_app_rendered, Fixture, WAIT};

/// The hero's live button: disabled, and `aria-busy`.
const HERO_BUTTON: &str = "const b = document.querySelector('#hero-sign-in');
    return [b.disabled, b.getAttribute('aria-busy')];";

/// From `button` to the mock's consent page and Back to the gallery (its copy or itself).
async fn there_and_back(s: &Session, button: &str) {
    super::back_and_forth::there_and_back(
        s,
        button,
        "document.querySelector('#hero-sign-in, #prerendered-sign-in')",
        WAIT,
    )
    .await;
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn back_from_openrouter_the_live_button_works_again() {
    case(async |f, s| {
        f.mock.set_consent(ConsentMode::Ask);
        open_app(s, &f.app).await;
        let authorizes = f.mock.authorize_requests();
        there_and_back(s, "#hero-sign-in").await;
        super::back_and_forth::works_again(s, "#hero-sign-in", WAIT).await;
        assert_eq!(s.exec(HERO_BUTTON, json!([])).await, json!([false, null]));
        s.click("#hero-sign-in").await;
        mock_authorizes(f, authorizes + 2).await;
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn back_from_openrouter_the_copys_button_works_again_and_so_does_the_gallerys() {
    held_case(async |f: &Fixture, s: &Session| {
        f.mock.set_consent(ConsentMode::Ask);
        let (page, gate) = held_page(GALLERY_WASM).await;
        let authorizes = f.mock.authorize_requests();
        s.goto(&page).await;
        // The starter takes the click before the gallery's wasm has come.
        there_and_back(s, "#prerendered-sign-in").await;
        assert_eq!(f.mock.authorize_requests() - authorizes, 1);
        let copy = s.exec(COPY_STATE, json!([])).await;
        assert_eq!(
            copy,
            json!({ "button": true, "text": "Sign in with OpenRouter", "busy": null,
                    "disabled": false, "spinner": false, "logo": true, "click": null, "live": false }),
            "the copy's button as before the click"
        );
        gate.open();
        open_app_rendered(s).await;
        assert_eq!(
            s.exec(HERO_BUTTON, json!([])).await,
            json!([false, null]),
            "the gallery does not show the starter's sign-in as under way"
        );
        s.click("#hero-sign-in").await;
        mock_authorizes(f, authorizes + 2).await;
    });
}

#[test]
#[ignore = "needs the web build and Chromium; scripts/test.sh runs it"]
fn a_page_shown_again_ends_the_starters_sign_in_in_the_gallery() {
    held_case(async |f: &Fixture, s: &Session| {
        let (page, gate) = held_page(GALLERY_WASM).await;
        // The gallery shows the starter's sign-in as its own when the starter took the click
        // and the page has not left yet; nothing leaves here (the starter is kept away).
        block_starter(s).await;
        let authorizes = f.mock.authorize_requests();
        s.goto(&page).await;
        s.exec(
            "document.documentElement.setAttribute('data-early-sign-in', 'started'); return true;",
            json!([]),
        )
        .await;
        gate.open();
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "the gallery",
        )
        .await;
        assert_eq!(
            s.exec(HERO_BUTTON, json!([])).await,
            json!([true, "true"]),
            "the starter's sign-in, shown as under way"
        );
        // What the browser sends when it shows the page again from its back-forward cache.
        s.exec(
            "window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })); return true;",
            json!([]),
        )
        .await;
        super::back_and_forth::works_again(s, "#hero-sign-in", WAIT).await;
        assert_eq!(s.exec(HERO_BUTTON, json!([])).await, json!([false, null]));
        assert_eq!(f.mock.authorize_requests(), authorizes, "nothing left");
    });
}
