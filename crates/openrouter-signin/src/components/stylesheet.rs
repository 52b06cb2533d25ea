//! Puts a stylesheet into the page once, however many components ask for it.

use dioxus::prelude::*;

/// Links `href` into the page as a stylesheet, once.
///
/// What `document::Stylesheet` does, without needing Dioxus's `document` feature on the web,
/// which adds about 28 KB gzip of wasm and js to a hello-world page (25 KB to the gallery's).
/// On the desktop it is `document::Stylesheet`.
///
/// On the web the link is usually in the page before any code runs: give the asset
/// `AssetOptions::css().with_static_head(true)` and `dx` writes it into `index.html`. This
/// component then finds it and adds nothing; it only adds a link when the page lacks one (an
/// `index.html` made another way).
#[component]
pub fn LinkStylesheet(
    /// The stylesheet: an `asset!()` or a URL.
    href: String,
) -> Element {
    #[cfg(target_arch = "wasm32")]
    {
        use_hook(|| ensure_linked(&href));
        rsx! {}
    }
    // A fullstack server renders what the page renders (nothing): the page's template links the
    // stylesheet, and the page adds it if not.
    #[cfg(all(not(target_arch = "wasm32"), feature = "server"))]
    {
        let _ = href;
        rsx! {}
    }
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
    rsx! {
        document::Stylesheet { href }
    }
}

/// A `static_head` CSS asset where the page does not link it already: on the desktop. On the web
/// dx writes its link into `index.html` (and so into a fullstack server's pages), and this
/// renders nothing, the same in a server's render and in the page it hydrates: the asset is
/// never resolved there, which would cost a page about 5 KB gzip (manganis's decoder, its
/// formatting, the search of the head). HTML made without dx uses [`LinkStylesheet`] instead.
pub fn asset_stylesheet(asset: Asset) -> Element {
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "server")))]
    return rsx! {
        LinkStylesheet { href: asset }
    };
    #[cfg(any(target_arch = "wasm32", feature = "server"))]
    {
        let _ = asset;
        VNode::empty()
    }
}

/// Appends `<link rel="stylesheet" href>` to the head unless a stylesheet link already resolves to
/// the same URL. A page without a document or head is left alone: there is nothing to style.
#[cfg(target_arch = "wasm32")]
fn ensure_linked(href: &str) {
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use web_sys::HtmlLinkElement;

    // Every button asks; the page is searched once per stylesheet.
    thread_local!(static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) });
    let first_time = SEEN.with_borrow_mut(|seen| {
        let new = !seen.iter().any(|known| known == href);
        if new {
            seen.push(href.to_owned());
        }
        new
    });
    if !first_time {
        return;
    }

    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Some(head) = document.head() else {
        return;
    };
    let Some(link) = document
        .create_element("link")
        .ok()
        .and_then(|element| element.dyn_into::<HtmlLinkElement>().ok())
    else {
        return;
    };
    link.set_rel("stylesheet");
    // The element resolves the URL against the page's base, as the existing links did.
    link.set_href(href);
    let wanted = link.href();
    if let Ok(existing) = document.query_selector_all("link[rel~='stylesheet']") {
        for index in 0..existing.length() {
            let same = existing
                .item(index)
                .and_then(|node| node.dyn_into::<HtmlLinkElement>().ok())
                .is_some_and(|other| other.href() == wanted);
            if same {
                return;
            }
        }
    }
    let _ = head.append_child(&link);
}
