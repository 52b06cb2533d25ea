//! The gallery's model field and an answer's cost, read the same way in the static page
//! (tests/web_e2e.rs) and the fullstack page (tests/fullstack_e2e.rs).

use std::time::Duration;

use page_driver::webdriver::Session;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// Signed in: the model field offers exactly the mock's models for the key (none of the
/// public-only ones), the model chosen is the one that answers, the answer's cost appears, and
/// the page loaded again starts with the model chosen.
pub async fn offers_the_keys_models_shows_the_cost_and_remembers_the_choice(s: &Session) {
    let offered = s
        .wait_for(
            "(() => { const ids = [...document.querySelectorAll('#model-options option')].map(o => o.value); return ids.length ? ids : null })()",
            WAIT,
            "the key's models",
        )
        .await;
    assert_eq!(offered, json!(openrouter_mock::USER_MODEL_IDS));
    let count = format!(
        "{} models this key may use",
        openrouter_mock::USER_MODEL_IDS.len()
    );
    assert_eq!(s.text("#model-count").await, Some(count));
    // The field is not bound: the page's own input event carries the change, as typing does.
    let chosen = openrouter_mock::USER_MODEL_IDS[2];
    s.exec(
        "const i = document.querySelector('#model'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([]),
    )
    .await;
    s.type_into("#model", chosen).await;
    s.type_into("#prompt", "which model").await;
    s.click("#send").await;
    let done = format!(
        "document.querySelector('#answer').textContent === {}",
        json!(format!("Echo from {chosen}: which model"))
    );
    s.wait_for(&done, WAIT, "the answer of the chosen model")
        .await;
    let cost = s
        .wait_for(
            "document.querySelector('#answer-cost')?.textContent",
            WAIT,
            "the answer's cost",
        )
        .await;
    let cost = cost.as_str().unwrap_or_default();
    assert!(cost.starts_with("Cost $0."), "{cost}");
    assert!(cost.ends_with("completion tokens"), "{cost}");

    // The choice is remembered: the page, loaded again, starts with it.
    s.goto(&s.current_url().await).await;
    let remembered = format!(
        "document.querySelector('#model')?.value === {}",
        json!(chosen)
    );
    s.wait_for(&remembered, WAIT, "the field to hold the model chosen last")
        .await;
}
