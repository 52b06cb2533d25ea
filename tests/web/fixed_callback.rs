//! `examples/web.rs` in the browser: an app configured with a fixed callback route
//! (`/auth/callback`), a key label and a storage prefix signs in, and the user lands back on the
//! page where the sign-in started, query and fragment included, with no code left in the address
//! bar.

use std::path::PathBuf;
use std::sync::OnceLock;

use page_driver::webdriver::Session;
use serde_json::json;

use crate::{case, WAIT};

/// The example's page, built by scripts/test.sh next to the gallery, served on its own origin.
fn example_origin() -> &'static str {
    static ORIGIN: OnceLock<String> = OnceLock::new();
    ORIGIN.get_or_init(|| {
        let public =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/dx/web/debug/web/public");
        assert!(
            public.join("index.html").exists(),
            "{} is missing: build the web example first (scripts/test.sh does)",
            public.display()
        );
        let runtime = Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
        runtime.block_on(page_driver::static_server::serve(public))
    })
}

/// Waits for the example's sign-in button.
async fn wait_for_the_button(s: &Session) {
    s.wait_for(
        "document.querySelector('button[data-variant]')",
        WAIT,
        "the example's sign-in button",
    )
    .await;
}

/// Signs in with the example's button, the mock approving, and waits for the signed-in line.
async fn sign_in_here(s: &Session) {
    s.click("button[data-variant]").await;
    s.wait_for(
        "document.querySelector('#signed-in')",
        WAIT,
        "the signed-in line",
    )
    .await;
}

#[test]
#[ignore = "needs chromium, chromedriver and the dx-built web example; scripts/test.sh runs it"]
fn a_fixed_callback_route_brings_the_user_back_where_they_started() {
    let origin = example_origin();
    case(async |f, s| {
        let start = format!("{origin}/settings?tab=keys#usage");
        s.goto(&start).await;
        wait_for_the_button(s).await;
        sign_in_here(s).await;

        // Back where the sign-in started, nothing of the return left in the address bar...
        assert_eq!(s.current_url().await, start);
        // ...and the return itself went to the fixed route, not to that page.
        let landed = s
            .exec(
                "return performance.getEntriesByType('navigation')[0].name",
                json!([]),
            )
            .await;
        let landed = landed.as_str().unwrap_or_default();
        assert!(
            landed.starts_with(&format!("{origin}/auth/callback?code=")),
            "the return landed on {landed}"
        );
        assert_eq!(
            crate::pending_entries(s).await,
            0,
            "nothing of the sign-in is left pending"
        );

        // The key sits under the app's own storage prefix, not the reference's bare name.
        let stored = s
            .exec(
                "return [localStorage.getItem('demo_openrouter_api_key'), localStorage.getItem('openrouter_api_key')]",
                json!([]),
            )
            .await;
        assert!(
            stored[0].as_str().is_some_and(|k| k.starts_with("sk-or-")),
            "{stored}"
        );
        assert_eq!(stored[1], json!(null), "{stored}");

        // OpenRouter named the key with the app's configured label.
        let key = f.mock.issued_keys().pop().expect("a key was issued");
        let info = reqwest::Client::new()
            .get(format!("{}/api/v1/key", f.mock.base_url()))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&info).unwrap();
        assert_eq!(info["data"]["label"], "Web demo", "{info}");
    });
}

#[test]
#[ignore = "needs chromium, chromedriver, the dx-built web example and axe-core; scripts/test.sh runs it"]
fn the_web_example_has_no_accessibility_violations_signed_out_or_in() {
    let origin = example_origin();
    case(async |_f, s| {
        s.goto(&format!("{origin}/")).await;
        wait_for_the_button(s).await;
        crate::axe::assert_none(s, "the web example, signed out").await;
        sign_in_here(s).await;
        crate::axe::assert_none(s, "the web example, signed in").await;
    });
}
