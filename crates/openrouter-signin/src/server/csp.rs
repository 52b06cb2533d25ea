//! The page's Content-Security-Policy in fullstack mode, sent as a header: the page talks only
//! to its own server (`connect-src 'self'`), loads only its own scripts, and may run exactly the
//! inline scripts the server's render wrote (Dioxus carries its render into the page's
//! hydration in one), each allowed by its SHA-256, computed per page since their data changes
//! with every request.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::platform::sha256_now as sha256;

/// The largest page the policy is computed for; a larger one is refused rather than sent
/// without a policy.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The policy for a page whose inline scripts hash to `scripts` and whose inline stylesheets
/// hash to `styles` (`'sha256-…'` each). Forms may
/// go to the page's own server and, since its start route redirects there and a form's policy
/// follows redirects, to OpenRouter's origin (`openrouter`): the sign-in button's form, for a
/// sign-in before the wasm has loaded.
pub(crate) fn policy(scripts: &[String], styles: &[String], openrouter: Option<&str>) -> String {
    let sources = |first: &str, hashes: &[String]| {
        let mut sources = String::from(first);
        for hash in hashes {
            sources.push(' ');
            sources.push_str(hash);
        }
        sources
    };
    let scripts = sources("'self' 'wasm-unsafe-eval'", scripts);
    let styles = sources("'self'", styles);
    let mut forms = String::from("'self'");
    // An origin is one token of the policy; anything else is left out rather than spliced in.
    if let Some(origin) = openrouter.filter(|o| {
        !o.is_empty() && !o.contains(|c: char| c.is_whitespace() || c == ';' || c == ',')
    }) {
        forms.push(' ');
        forms.push_str(origin);
    }
    format!(
        "default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action {forms}; object-src 'none'; frame-ancestors 'none'"
    )
}

/// `'sha256-…'` of every inline script (a `<script>` without `src`) in `html`.
pub(crate) fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_hashes(html, "script")
}

/// `'sha256-…'` of every `<style>` element in `html`.
pub(crate) fn inline_style_hashes(html: &str) -> Vec<String> {
    inline_hashes(html, "style")
}

/// `'sha256-…'` of the text of every `<tag>` element in `html` without a `src`.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close_tag = format!("</{tag}>");
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find(&close_tag) else {
            break;
        };
        if !attributes.contains("src=") {
            let digest = sha256(&body.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body[close..];
    }
    hashes
}

/// Adds the policy to HTML answers that have none.
pub(crate) async fn add_policy(request: Request, next: Next) -> Response {
    let server = request.extensions().get::<super::SignInServer>().cloned();
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.headers().contains_key(CONTENT_SECURITY_POLICY) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The page was too large to send.",
        )
            .into_response();
    };
    let inline_styles = server
        .as_ref()
        .and_then(|s| s.inner.inline_styles.as_deref());
    let bytes = match (inline_styles, std::str::from_utf8(&bytes)) {
        (Some(styles), Ok(html)) => {
            // The body changes length; the server sets it again for the new body.
            parts.headers.remove(CONTENT_LENGTH);
            axum::body::Bytes::from(styles.apply(html).await)
        }
        _ => bytes,
    };
    let html = String::from_utf8_lossy(&bytes);
    let (scripts, styles) = (inline_script_hashes(&html), inline_style_hashes(&html));
    let openrouter = server.as_ref().map(|s| s.inner.client.base_url().origin());
    if let Ok(value) = HeaderValue::from_str(&policy(&scripts, &styles, openrouter)) {
        parts.headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    parts.headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    // The hashes the policy carries, computed with the general crate.
    use sha2::{Digest as _, Sha256};

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<head><script type="module" src="/a.js"></script></head>
            <body><script>window.x=1;</script><p>text</p><script>b()</script></body>"#;
        let expected: Vec<String> = ["window.x=1;", "b()"]
            .iter()
            .map(|body| {
                let digest = Sha256::digest(body.as_bytes());
                format!(
                    "'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        assert_eq!(inline_script_hashes(html), expected);
        assert!(inline_script_hashes("<script>unterminated").is_empty());
        assert!(inline_style_hashes(html).is_empty());
    }

    #[test]
    fn hashes_style_elements() {
        let html =
            "<head><style>a{color:red}</style><link rel=\"stylesheet\" href=\"/b.css\"></head>\
            <body><script>x()</script></body>";
        let digest = Sha256::digest(b"a{color:red}");
        let expected = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(inline_style_hashes(html), vec![expected.clone()]);
        let policy = policy(&[], std::slice::from_ref(&expected), None);
        assert!(policy.contains(&format!("style-src 'self' {expected};")));
    }

    #[test]
    fn the_page_talks_only_to_itself() {
        let policy = policy(&["'sha256-abc'".into()], &[], Some("https://openrouter.ai"));
        assert!(policy.contains("connect-src 'self';"));
        assert!(policy.contains("style-src 'self';"));
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(policy.contains("form-action 'self' https://openrouter.ai;"));
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn forms_go_only_to_the_server_and_openrouter() {
        assert!(policy(&[], &[], None).contains("form-action 'self';"));
        for spliced in ["https://a.example; script-src *", "https://a.example *", ""] {
            assert!(
                policy(&[], &[], Some(spliced)).contains("form-action 'self';"),
                "{spliced:?}"
            );
        }
    }
}
