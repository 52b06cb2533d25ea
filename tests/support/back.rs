//! Going to OpenRouter's consent page (the mock asking) and Back again, for the static and the
//! fullstack gallery's suites.

use std::time::Duration;

use page_driver::webdriver::Session;
use serde_json::json;

/// Clicks `button`, waits for the mock's consent page, goes Back, and waits until `back` (a
/// script condition) holds on the page the browser shows. Fails unless that page came from the
/// browser's back-forward cache, as it was left (a fresh load would prove nothing): a mark left
/// on `window` before the click must still be there.
pub async fn there_and_back(s: &Session, button: &str, back: &str, wait: Duration) {
    s.exec("window.__leftForOpenRouter = true; return true;", json!([]))
        .await;
    s.click(button).await;
    s.wait_for(
        "document.querySelector('#approve')",
        wait,
        "the mock's consent page",
    )
    .await;
    s.exec("history.back(); return true;", json!([])).await;
    s.wait_for(
        &format!("!document.querySelector('#approve') && ({back})"),
        wait,
        "the page again",
    )
    .await;
    let kept = s
        .exec(
            "return [window.__leftForOpenRouter === true,
                     JSON.stringify(performance.getEntriesByType('navigation')[0].notRestoredReasons)];",
            json!([]),
        )
        .await;
    assert_eq!(
        kept[0], true,
        "the browser loaded the page again instead of showing it from its back-forward cache: {kept}"
    );
}

/// Waits until the button `selector` can be clicked again (no longer disabled).
pub async fn works_again(s: &Session, selector: &str, wait: Duration) {
    s.wait_for(
        &format!("!document.querySelector({selector:?}).disabled"),
        wait,
        "the button to work again",
    )
    .await;
}
