//! The gallery as a person sees it, at phone, tablet, laptop and desktop widths, light and dark,
//! in Chinese and right to left in Arabic: the page never scrolls sideways, every button of the
//! variant grid sits inside its cell, and a snippet wraps only between its words.

use page_driver::webdriver::Session;
use serde_json::{json, Value};

use super::{case, open_app, sign_in, WAIT};

/// Viewport widths in CSS px. At 320 an XL button (331 px in DejaVu Sans) is wider than the
/// screen itself, so there it may only scroll inside its cell.
const WIDTHS: [u32; 5] = [320, 360, 768, 1280, 1920];
/// From this width on every button fits its cell outright.
const FITS_FROM: u32 = 360;
const HEIGHT: u32 = 900;

/// Both stylesheets have applied (the button's cursor and main's max-width come from them).
const STYLED: &str = "(() => {
    const button = document.querySelector('[data-cell] [data-variant]');
    const main = document.querySelector('main');
    return !!button && !!main && getComputedStyle(button).cursor === 'pointer'
        && getComputedStyle(main).maxWidth !== 'none';
})()";

/// Returns a list of what is wrong at the current size (empty when all is well).
/// `arguments[0]`: whether every button must fit its cell's content box.
const CHECK: &str = r#"
const strict = arguments[0];
const problems = [];
const px = n => Math.round(n * 10) / 10;
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.dataset.cell ? `[data-cell=${e.dataset.cell}]` : '')
    + (e.dataset.option ? `[data-option=${e.dataset.option}]` : '')
    + (e.dataset.variant ? `[data-variant=${e.dataset.variant}][data-size=${e.dataset.size}]` : '');
const scrolls = e => /(auto|scroll)/.test(getComputedStyle(e).overflowX);

const page = document.scrollingElement;
if (page.scrollWidth > page.clientWidth) {
    // Name the outermost elements that stick out (not their children, nor what scrolls inside
    // a scroll container), so that the message points at the cause.
    const out = [...document.body.querySelectorAll('*')].filter(e => {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || (r.right <= page.clientWidth + 0.5 && r.left >= -0.5)) return false;
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (scrolls(a)) return false;
        }
        return true;
    });
    const roots = out.filter(e => !out.includes(e.parentElement)).slice(0, 5)
        .map(e => { const r = e.getBoundingClientRect(); return `${name(e)} ${px(r.left)}..${px(r.right)}`; });
    problems.push(`the page scrolls sideways: scrollWidth ${page.scrollWidth} > clientWidth `
        + `${page.clientWidth}; sticking out: ${roots.join(', ')}`);
}

for (const cell of document.querySelectorAll('[data-cell]')) {
    const c = cell.getBoundingClientRect();
    const s = getComputedStyle(cell);
    const left = c.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft);
    const right = c.right - parseFloat(s.borderRightWidth) - parseFloat(s.paddingRight);
    for (const button of cell.querySelectorAll('button')) {
        const b = button.getBoundingClientRect();
        if (b.left >= left - 0.5 && b.right <= right + 0.5) continue;
        const what = `cell ${cell.dataset.cell}: ${name(button)} "${button.textContent.trim()}" is `
            + `${px(b.width)} px wide at ${px(b.left)}..${px(b.right)}, the cell's content box `
            + `${px(right - left)} px at ${px(left)}..${px(right)} (cell ${px(c.width)} px)`;
        if (strict) {
            problems.push(what);
        } else if (!(scrolls(cell) && cell.scrollWidth > cell.clientWidth)) {
            problems.push(what + ', and the cell does not scroll');
        }
    }
}

for (const code of document.querySelectorAll('[data-cell] code')) {
    const s = getComputedStyle(code);
    const cell = code.closest('[data-cell]').dataset.cell;
    if (s.wordBreak !== 'normal' || s.overflowWrap !== 'normal') {
        problems.push(`cell ${cell}: the snippet may break inside a word `
            + `(word-break: ${s.wordBreak}, overflow-wrap: ${s.overflowWrap})`);
    }
    if (code.scrollWidth > code.clientWidth) {
        problems.push(`cell ${cell}: the snippet sticks out of its box `
            + `(scrollWidth ${code.scrollWidth} > clientWidth ${code.clientWidth})`);
    }
    // A word whose glyphs sit on more than one line was broken, whatever the styles say.
    for (const text of code.childNodes) {
        if (text.nodeType !== Node.TEXT_NODE) continue;
        for (const word of text.data.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(text, word.index);
            range.setEnd(text, word.index + word[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) {
                problems.push(`cell ${cell}: "${word[0]}" is broken over ${tops.size} lines`);
            }
        }
    }
}
return problems;
"#;

/// Sizes the window so that the layout viewport (`clientWidth`, without a classic scrollbar) is
/// `width` px, as on a phone, whose scrollbars overlay the page.
async fn set_viewport_width(s: &Session, width: u32) {
    let mut scrollbar = 0;
    for _ in 0..3 {
        s.set_window_size(width + scrollbar, HEIGHT).await;
        s.wait_for(
            &format!("window.innerWidth === {}", width + scrollbar),
            WAIT,
            &format!("a window {} px wide", width + scrollbar),
        )
        .await;
        let measured = s
            .exec(
                "return window.innerWidth - document.documentElement.clientWidth",
                json!([]),
            )
            .await
            .as_u64()
            .expect("a scrollbar width") as u32;
        if measured == scrollbar {
            return;
        }
        scrollbar = measured;
    }
    panic!("could not make the viewport {width} px wide");
}

async fn problems(s: &Session, width: u32) -> Vec<String> {
    let found = s.exec(CHECK, json!([width >= FITS_FROM])).await;
    let Value::Array(found) = found else {
        panic!("the layout check returned {found}");
    };
    found
        .into_iter()
        .map(|p| p.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn every_button_fits_its_cell_and_the_page_never_scrolls_sideways() {
    case(async |f, s| {
        // Each problem is also printed as it is found, so that a failure further on (the sign-in)
        // still shows what the layout got wrong before it.
        let mut failures = Vec::new();
        let mut report = |problem: String| {
            println!("{problem}");
            failures.push(problem);
        };
        // Light and dark, and the library's words in Chinese and in the gallery's Arabic, laid
        // out right to left (longer words, the other way round).
        let looks = [
            ("light", "?theme=light"),
            ("dark", "?theme=dark"),
            ("Chinese", "?theme=light&lang=zh"),
            ("Arabic, right to left", "?theme=light&lang=ar"),
        ];
        for (look, query) in looks {
            open_app(s, &format!("{}{query}", f.app)).await;
            s.wait_for(STYLED, WAIT, "the stylesheets to apply").await;
            for width in WIDTHS {
                set_viewport_width(s, width).await;
                for problem in problems(s, width).await {
                    report(format!("{look}, {width} px: {problem}"));
                }
            }
        }
        let direction = s
            .exec(
                "return getComputedStyle(document.querySelector('#gallery')).direction",
                json!([]),
            )
            .await;
        assert_eq!(
            direction,
            json!("rtl"),
            "the Arabic gallery is laid out right to left"
        );
        // Signed in, the page also shows the key's status and the chat.
        sign_in(f, s).await;
        s.wait_for(
            "document.querySelector('#key-label')?.textContent && document.querySelector('#chat')",
            WAIT,
            "the key's status and the chat",
        )
        .await;
        for width in WIDTHS {
            set_viewport_width(s, width).await;
            for problem in problems(s, width).await {
                report(format!("signed in, {width} px: {problem}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}
