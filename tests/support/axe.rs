//! An accessibility audit of the page a browser case has open: axe-core (Deque's engine, pinned
//! and installed by `scripts/setup.sh --test` into target/axe) with the WCAG 2.0, 2.1 and 2.2 A
//! and AA rules and the best-practice rules. Used by the static gallery's, the fullstack
//! gallery's and the fullstack example's suites.

use std::path::PathBuf;
use std::sync::OnceLock;

use page_driver::webdriver::Session;
use serde_json::json;

/// The window widths (CSS px) a page is audited at: a phone and a desktop.
pub const WIDTHS: [u32; 2] = [360, 1280];

/// Each width of [`WIDTHS`] in the light and the dark theme (`true`: dark), for the galleries.
#[allow(dead_code)] // the example's suite has no themes
pub fn widths_and_themes() -> impl Iterator<Item = (u32, bool)> {
    WIDTHS
        .into_iter()
        .flat_map(|width| [(width, false), (width, true)])
}

/// The rule sets the audit runs.
const TAGS: &[&str] = &[
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
];

fn engine() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/axe/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "{}: {error} (scripts/setup.sh --test installs axe-core)",
                path.display()
            )
        })
    })
}

/// Every violation in the page as it is now, of any impact: `rule (impact) xN: selectors`.
pub async fn violations(s: &Session) -> Vec<String> {
    // Through WebDriver, which the page's Content-Security-Policy does not govern.
    s.exec(&format!("{}\nreturn true;", engine()), json!([]))
        .await;
    let found = s
        .exec(
            "return axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
                .then(r => r.violations.map(v => v.id + ' (' + v.impact + ') x' + v.nodes.length + ': '
                    + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ') + ' -- ' + v.help));",
            json!([TAGS]),
        )
        .await;
    serde_json::from_value(found).unwrap_or_else(|_| vec!["the audit did not run".to_owned()])
}

/// Fails the case with every violation found in the page, saying which state it was in.
pub async fn assert_none(s: &Session, state: &str) {
    let found = violations(s).await;
    assert!(
        found.is_empty(),
        "accessibility violations, {state}:\n{}",
        found.join("\n")
    );
}
