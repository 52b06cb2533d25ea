//! Stylesheets carried inside the pages the server renders (see
//! [`SignInServer::inline_stylesheets`](super::SignInServer::inline_stylesheets)).
//!
//! A linked stylesheet holds up the first paint until it has arrived, and Dioxus's render puts
//! an inline script before the page's content, which the parser runs only once the stylesheets
//! above it have arrived: the sign-in button's form, which works before any wasm, waits for a
//! second round of requests. Inline, the page paints as soon as its HTML is parsed.
//!
//! Only links to `.css` files directly under the public directory's `assets/` are inlined, read
//! once (their names carry a content hash) and never when the file could end the `<style>`
//! element early. Anything else keeps its link.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A stylesheet's text and its `'sha256-…'` for the policy, both computed once.
#[derive(Debug, Clone)]
struct Inlined {
    css: Arc<str>,
    hash: Arc<str>,
}

/// The public directory the stylesheets are read from, and what was read.
#[derive(Debug)]
pub(crate) struct InlineStyles {
    dir: PathBuf,
    /// Per path under the directory: the file's text and its policy hash, or `None` when it is
    /// not inlined.
    read: Mutex<HashMap<String, Option<Inlined>>>,
}

impl InlineStyles {
    pub(crate) fn new(dir: PathBuf) -> Self {
        InlineStyles {
            dir,
            read: Mutex::new(HashMap::new()),
        }
    }

    /// `html` with each inlinable `<link rel="stylesheet">` replaced by a `<style>` element, and
    /// the policy hashes of what was put in.
    pub(crate) async fn apply(&self, html: &str) -> (String, Vec<String>) {
        let mut out = String::with_capacity(html.len());
        let mut hashes = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find("<link") {
            let Some(length) = rest[start..].find('>') else {
                break;
            };
            let tag = &rest[start..start + length + 1];
            out.push_str(&rest[..start]);
            match stylesheet_path(tag) {
                Some(path) => match self.text(path).await {
                    Some(inlined) => {
                        out.push_str("<style>");
                        out.push_str(&inlined.css);
                        out.push_str("</style>");
                        hashes.push(inlined.hash.to_string());
                    }
                    None => out.push_str(tag),
                },
                None => out.push_str(tag),
            }
            rest = &rest[start + length + 1..];
        }
        out.push_str(rest);
        (out, hashes)
    }

    /// The stylesheet at `path` (`assets/name.css`), read the first time it is asked for.
    async fn text(&self, path: &str) -> Option<Inlined> {
        let known = self
            .read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(path)
            .cloned();
        if let Some(known) = known {
            return known;
        }
        let text = tokio::fs::read_to_string(self.dir.join(path))
            .await
            .ok()
            .filter(|css| !css.to_ascii_lowercase().contains("</style"))
            .map(|css| Inlined {
                hash: Arc::from(super::csp::hash_source(&css)),
                css: Arc::from(css),
            });
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path.to_owned(), text.clone());
        text
    }
}

/// The path under the public directory (`assets/name.css`) of a `<link>` tag that is a
/// stylesheet of this site's `assets/`; `None` for anything else.
fn stylesheet_path(tag: &str) -> Option<&str> {
    if !(tag.contains(r#"rel="stylesheet""#) || tag.contains("rel=stylesheet")) {
        return None;
    }
    let href = tag.split_once(r#"href=""#)?.1.split_once('"')?.0;
    let path = href.strip_prefix('/')?;
    let path = path.strip_prefix("./").unwrap_or(path);
    let name = path.strip_prefix("assets/")?.strip_suffix(".css")?;
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles_in(files: &[(&str, &str)]) -> (tempfile::TempDir, InlineStyles) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("assets").join(name), text).unwrap();
        }
        let styles = InlineStyles::new(dir.path().to_owned());
        (dir, styles)
    }

    #[tokio::test]
    async fn links_to_the_public_assets_become_style_elements() {
        let (_dir, styles) = styles_in(&[("app-dxh1.css", "a{color:red}"), ("b.css", "p{}")]);
        let html = r#"<head><link rel="preload" as="script" href="/./assets/app.js"><link rel="stylesheet" href="/./assets/app-dxh1.css" type="text/css"><link rel="stylesheet" href="/assets/b.css"></head><body><p>x</p></body>"#;
        let (page, hashes) = styles.apply(html).await;
        assert_eq!(
            page,
            r#"<head><link rel="preload" as="script" href="/./assets/app.js"><style>a{color:red}</style><style>p{}</style></head><body><p>x</p></body>"#
        );
        let expected: Vec<String> = ["a{color:red}", "p{}"]
            .iter()
            .map(|css| super::super::csp::hash_source(css))
            .collect();
        assert_eq!(
            hashes, expected,
            "the policy allows exactly what was put in"
        );
    }

    #[tokio::test]
    async fn anything_else_keeps_its_link() {
        let (dir, styles) = styles_in(&[("ends.css", "a{}</STYLE><script>x()</script>")]);
        std::fs::write(dir.path().join("outside.css"), "a{}").unwrap();
        for tag in [
            // Missing, elsewhere on the site, on another site, climbing out, or unsafe to inline.
            r#"<link rel="stylesheet" href="/assets/missing.css">"#,
            r#"<link rel="stylesheet" href="/outside.css">"#,
            r#"<link rel="stylesheet" href="https://cdn.example/assets/a.css">"#,
            r#"<link rel="stylesheet" href="//cdn.example/assets/a.css">"#,
            r#"<link rel="stylesheet" href="/assets/../outside.css">"#,
            r#"<link rel="stylesheet" href="/assets/ends.css">"#,
            r#"<link rel="icon" href="/assets/ends.css">"#,
            r#"<link rel="stylesheet" href="/assets/sub/a.css">"#,
        ] {
            let html = format!("<head>{tag}</head>");
            assert_eq!(styles.apply(&html).await, (html.clone(), vec![]), "{tag}");
        }
        // A tag that never closes is left as it is.
        assert_eq!(styles.apply("<p><link rel=").await.0, "<p><link rel=");
    }

    #[tokio::test]
    async fn a_file_is_read_once() {
        let (dir, styles) = styles_in(&[("a.css", "old{}")]);
        let html = r#"<link rel="stylesheet" href="/assets/a.css">"#;
        assert_eq!(styles.apply(html).await.0, "<style>old{}</style>");
        std::fs::write(dir.path().join("assets/a.css"), "new{}").unwrap();
        assert_eq!(styles.apply(html).await.0, "<style>old{}</style>");
    }
}
