//! The keyboard and the accessibility tree of the page a browser case has open, for the static
//! and the fullstack gallery's suites.
//!
//! Keys go through DevTools' `Input.dispatchKeyEvent`, which answers once the page has handled
//! the key: nothing is typed into a window that might lose it. The tree is Chromium's own
//! (`Accessibility.getFullAXTree`), as a screen reader gets it.

use std::time::Duration;

use page_driver::webdriver::Session;
use serde_json::{json, Value};

/// A key a keyboard-only user presses.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Tab,
    ShiftTab,
    Enter,
    Space,
}

/// Presses and releases `key` in the page.
pub async fn press(s: &Session, key: Key) {
    // (key, code, virtual key code, text it types, modifiers: 8 is Shift)
    let (name, code, vk, text, modifiers) = match key {
        Key::Tab => ("Tab", "Tab", 9, "", 0),
        Key::ShiftTab => ("Tab", "Tab", 9, "", 8),
        Key::Enter => ("Enter", "Enter", 13, "\r", 0),
        Key::Space => (" ", "Space", 32, " ", 0),
    };
    let mut down = json!({
        "type": if text.is_empty() { "rawKeyDown" } else { "keyDown" },
        "key": name,
        "code": code,
        "windowsVirtualKeyCode": vk,
        "nativeVirtualKeyCode": vk,
        "modifiers": modifiers,
    });
    if !text.is_empty() {
        down["text"] = json!(text);
        down["unmodifiedText"] = json!(text);
    }
    s.cdp("Input.dispatchKeyEvent", down).await;
    s.cdp(
        "Input.dispatchKeyEvent",
        json!({
            "type": "keyUp",
            "key": name,
            "code": code,
            "windowsVirtualKeyCode": vk,
            "nativeVirtualKeyCode": vk,
            "modifiers": modifiers,
        }),
    )
    .await;
}

/// The id of the focused element (`""` for one without an id, `"(body)"` when nothing has the
/// focus).
pub async fn focused(s: &Session) -> String {
    s.exec(FOCUSED, json!([]))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const FOCUSED: &str = "const el = document.activeElement;
  return !el || el === document.body ? '(body)' : el.id || el.outerHTML.slice(0, 80);";

/// Waits until the element with `id` has the focus.
pub async fn wait_focus(s: &Session, id: &str, timeout: Duration) {
    let condition = format!(
        "document.activeElement && document.activeElement.id === {}",
        json!(id)
    );
    if s.try_wait_for(&condition, timeout, Duration::from_millis(20))
        .await
        .is_none()
    {
        panic!("#{id} never had the focus; it is on {}", focused(s).await);
    }
}

/// On a signed-out gallery just opened: the first Tab reaches the hero's button, and Enter
/// signs in (the mock approving) until the page shows the masked key.
pub async fn sign_in_from_the_first_tab(s: &Session, timeout: Duration) {
    assert_eq!(
        tab_to(s, "hero-sign-in", 1).await,
        1,
        "the first Tab reaches the hero's button"
    );
    press(s, Key::Enter).await;
    s.wait_for(
        "document.querySelector('#masked-key')",
        timeout,
        "the masked key",
    )
    .await;
}

/// Presses Tab until the element with `id` has the focus (at most `limit` times), with every
/// stop checked by [`focus_problem`]; returns how many presses it took.
pub async fn tab_to(s: &Session, id: &str, limit: usize) -> usize {
    for presses in 1..=limit {
        press(s, Key::Tab).await;
        if let Some(problem) = focus_problem(s).await {
            panic!("after {presses} Tab on the way to #{id}: {problem}");
        }
        if focused(s).await == id {
            return presses;
        }
    }
    panic!("#{id} was not reached in {limit} presses of Tab");
}

/// What is wrong with where the focus is, if anything: on something hidden (no box, invisible,
/// inside `aria-hidden` or `inert`), or with no visible focus indicator (neither an outline nor
/// a ring drawn as a box shadow).
pub async fn focus_problem(s: &Session) -> Option<String> {
    let found = s.exec(FOCUS_PROBLEM, json!([])).await;
    found.as_str().map(str::to_owned)
}

const FOCUS_PROBLEM: &str = "const el = document.activeElement;
  if (!el || el === document.body) return null;
  const what = el.id ? '#' + el.id : el.outerHTML.slice(0, 80);
  const box = el.getBoundingClientRect();
  if (el.getClientRects().length === 0 || box.width === 0 || box.height === 0) return what + ' has no box';
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible' || Number(style.opacity) === 0) return what + ' is invisible';
  if (el.closest('[aria-hidden=true], [inert]')) return what + ' is inside aria-hidden or inert';
  if (!el.matches(':focus-visible')) return what + ' does not match :focus-visible';
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow !== 'none';
  if (!outline && !ring) return what + ' shows no focus indicator';
  return null;";

/// Chromium's accessibility tree of the page: every node that is not ignored, as
/// `(role, name, properties)` with the properties as a JSON object (`busy`, `live`, ...).
pub async fn ax_nodes(s: &Session) -> Vec<(String, String, Value)> {
    let tree = s.cdp("Accessibility.getFullAXTree", json!({})).await;
    tree["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| node["ignored"] != json!(true))
        .map(|node| {
            let properties: serde_json::Map<String, Value> = node["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p["value"]["value"].clone())))
                .collect();
            (
                node["role"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                node["name"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                Value::Object(properties),
            )
        })
        .collect()
}

/// Presses Tab through the whole page, from where the focus is until it leaves the page or
/// comes back to a stop it has been on (at most `limit` presses), with every stop checked by
/// [`focus_problem`]; returns the stops in order (ids, or the start of the element's markup).
pub async fn tab_through(s: &Session, limit: usize) -> Vec<String> {
    let mut stops: Vec<String> = Vec::new();
    for _ in 0..limit {
        press(s, Key::Tab).await;
        // Marked on the element itself: buttons without ids look alike.
        let seen = s
            .exec(
                "const el = document.activeElement;
                 if (!el || el === document.body) return true;
                 const seen = el.__tabStop === true;
                 el.__tabStop = true;
                 return seen;",
                json!([]),
            )
            .await;
        if seen == json!(true) {
            return stops;
        }
        if let Some(problem) = focus_problem(s).await {
            panic!("after {stops:?}: {problem}");
        }
        stops.push(focused(s).await);
    }
    panic!("the focus was still in the page after {limit} presses of Tab: {stops:?}");
}
