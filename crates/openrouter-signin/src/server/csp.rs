//! The page's Content-Security-Policy in fullstack mode, sent as a header: the page talks only
//! to its own server (`connect-src 'self'`), loads only its own scripts, and may run exactly the
//! inline scripts Dioxus's render writes and the stylesheets the server inlined itself, each
//! allowed by its SHA-256, computed per page since the render's data changes with every request.
//!
//! An inline script is allowed only when it has one of the shapes Dioxus 0.7's server render
//! writes (its streaming bootstrap, word for word, and its hydration data: a base64 string and,
//! in debug builds, two lists of plain strings), or when the app named it with
//! [`SignInServer::allow_inline_script`](super::SignInServer::allow_inline_script). Anything else
//! in the page, such as a `<script>` that an HTML injection in an app's own route put there, is
//! left without a hash, and the browser refuses to run it. A `<style>` is allowed only when the
//! server itself inlined it.

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

/// `'sha256-…'` of every inline script (a `<script>` without `src`) in `html` that `allowed`
/// accepts.
pub(crate) fn inline_script_hashes(html: &str, allowed: impl Fn(&str) -> bool) -> Vec<String> {
    inline_hashes(html, "script", allowed)
}

/// `'sha256-…'` of a text, as a policy names it.
pub(crate) fn hash_source(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(sha256(text.as_bytes()));
    format!("'sha256-{encoded}'")
}

/// Whether `body` is an inline script Dioxus 0.7's server render writes: its streaming
/// bootstrap, its hydration data, or a streamed suspense boundary's hydration call. Each shape is
/// matched whole; the values in it can only be base64 text, mount ids, and lists of plain
/// strings, none of which can hold code.
pub(crate) fn is_dioxus_script(body: &str) -> bool {
    body == dioxus_interpreter_js::INITIALIZE_STREAMING_JS
        || is_hydration_data(body)
        || is_streamed_hydration(body)
}

/// `window.initial_dioxus_hydration_data="<base64>";`, in debug builds followed by
/// `window.initial_dioxus_hydration_debug_types=[…];window.initial_dioxus_hydration_debug_locations=[…];`.
fn is_hydration_data(body: &str) -> bool {
    let Some(rest) = body.strip_prefix(r#"window.initial_dioxus_hydration_data=""#) else {
        return false;
    };
    let Some((data, rest)) = rest.split_once(r#"";"#) else {
        return false;
    };
    if !is_base64(data) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let debug = rest
        .strip_prefix("window.initial_dioxus_hydration_debug_types=")
        .and_then(after_string_list)
        .and_then(|rest| rest.strip_prefix(";window.initial_dioxus_hydration_debug_locations="))
        .and_then(after_string_list);
    debug == Some(";")
}

/// `window.dx_hydrate([<ids>], "<base64>")`, in debug builds with two lists of plain strings
/// before the closing parenthesis.
fn is_streamed_hydration(body: &str) -> bool {
    let Some(rest) = body.strip_prefix("window.dx_hydrate([") else {
        return false;
    };
    let Some((ids, rest)) = rest.split_once("], \"") else {
        return false;
    };
    if !ids.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return false;
    }
    let Some((data, rest)) = rest.split_once('"') else {
        return false;
    };
    if !is_base64(data) {
        return false;
    }
    if rest == ")" {
        return true;
    }
    let debug = rest
        .strip_prefix(", ")
        .and_then(after_string_list)
        .and_then(|rest| rest.strip_prefix(", "))
        .and_then(after_string_list);
    debug == Some(")")
}

fn is_base64(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// What follows a list of plain string literals at the start of `text` (`["a","b\\n"]`, each
/// string escaping only `\\`, newline and `"`, as Dioxus writes its debug lists), or `None`
/// when `text` does not start with one.
fn after_string_list(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut i = 1;
    if bytes.get(i) == Some(&b']') {
        return Some(&text[i + 1..]);
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
        loop {
            match *bytes.get(i)? {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\\' if matches!(bytes.get(i + 1), Some(b'\\' | b'n' | b'"')) => i += 2,
                b'\\' | b'\n' | b'\r' => return None,
                _ => i += 1,
            }
        }
        match *bytes.get(i)? {
            b',' => i += 1,
            b']' => return Some(&text[i + 1..]),
            _ => return None,
        }
    }
}

/// `'sha256-…'` of the text of every `<tag>` element in `html` without a `src` that `allowed`
/// accepts.
fn inline_hashes(html: &str, tag: &str, allowed: impl Fn(&str) -> bool) -> Vec<String> {
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
        let text = &body[..close];
        if !attributes.contains("src=") && allowed(text) {
            hashes.push(hash_source(text));
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
    // Only the stylesheets the server put in itself are allowed, never a <style> of the page's.
    let (bytes, mut styles) = match (inline_styles, std::str::from_utf8(&bytes)) {
        (Some(inliner), Ok(html)) => {
            let (html, inlined) = inliner.apply(html).await;
            // The body changes length; the server sets it again for the new body.
            parts.headers.remove(CONTENT_LENGTH);
            (axum::body::Bytes::from(html), inlined)
        }
        _ => (bytes, Vec::new()),
    };
    styles.sort_unstable();
    styles.dedup();
    let html = String::from_utf8_lossy(&bytes);
    let app_scripts = server
        .as_ref()
        .map(|s| s.inner.allowed_scripts.as_slice())
        .unwrap_or_default();
    let scripts = inline_script_hashes(&html, |body| {
        is_dioxus_script(body) || app_scripts.iter().any(|allowed| **allowed == *body)
    });
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

    fn expected_hash(body: &str) -> String {
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()))
        )
    }

    #[test]
    fn hashes_the_inline_scripts_it_is_told_to_allow() {
        let html = r#"<head><script type="module" src="/a.js"></script></head>
            <body><script>window.x=1;</script><p>text</p><script>b()</script></body>"#;
        assert_eq!(
            inline_script_hashes(html, |_| true),
            vec![expected_hash("window.x=1;"), expected_hash("b()")]
        );
        assert_eq!(
            inline_script_hashes(html, |body| body == "b()"),
            vec![expected_hash("b()")]
        );
        assert!(inline_script_hashes("<script>unterminated", |_| true).is_empty());
    }

    #[test]
    fn knows_the_scripts_dioxus_writes() {
        let mut known = vec![
            dioxus_interpreter_js::INITIALIZE_STREAMING_JS.to_owned(),
            r#"window.initial_dioxus_hydration_data="gqFhAQ==";"#.to_owned(),
            r#"window.initial_dioxus_hydration_data="";"#.to_owned(),
            r#"window.dx_hydrate([0,1], "gqFhAQ==")"#.to_owned(),
        ];
        // Debug builds add the types and places of the data, as lists of plain strings.
        known.push(
            r#"window.initial_dioxus_hydration_data="gqFhAQ==";window.initial_dioxus_hydration_debug_types=["core::option::Option<alloc::string::String>","unknown"];window.initial_dioxus_hydration_debug_locations=["src/auth/session.rs:10:5","a \"quoted\" \\ place\n"];"#
                .to_owned(),
        );
        known.push(r#"window.dx_hydrate([2], "AA==", [], ["x"])"#.to_owned());
        // An escaped quote stays inside its string: text, not code.
        known.push(
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=["\"];alert(1);//"];window.initial_dioxus_hydration_debug_locations=[];"#
                .to_owned(),
        );
        for body in &known {
            assert!(is_dioxus_script(body), "{body}");
        }
    }

    #[test]
    fn refuses_anything_else_even_when_it_looks_close() {
        let attacks = [
            "alert(1)",
            r#"window.initial_dioxus_hydration_data="AA==";alert(1)"#,
            r#"window.initial_dioxus_hydration_data="A"+alert(1)+"";"#,
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=[alert(1)];window.initial_dioxus_hydration_debug_locations=[];"#,
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=["a",alert(1)];window.initial_dioxus_hydration_debug_locations=[];"#,
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=["\\"];alert(1);//"];window.initial_dioxus_hydration_debug_locations=[];"#,
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=["\x41"];window.initial_dioxus_hydration_debug_locations=[];"#,
            r#"window.initial_dioxus_hydration_data="AA==";window.initial_dioxus_hydration_debug_types=[];window.initial_dioxus_hydration_debug_locations=[];alert(1)"#,
            r#"window.dx_hydrate([0], "AA==");alert(1)"#,
            r#"window.dx_hydrate([0,alert(1)], "AA==")"#,
            r#"window.dx_hydrate([0], "AA==", alert(1), [])"#,
            r#"window.dx_hydrate([0], "AA==", ["a"], ["b"]);alert(1)//)"#,
        ];
        for body in attacks {
            assert!(!is_dioxus_script(body), "{body}");
        }
        let bootstrap = dioxus_interpreter_js::INITIALIZE_STREAMING_JS;
        assert!(!is_dioxus_script(&format!("{bootstrap}alert(1)")));
    }

    #[test]
    fn the_page_talks_only_to_itself() {
        let policy = policy(&["'sha256-abc'".into()], &[], Some("https://openrouter.ai"));
        assert!(policy.contains("connect-src 'self';"));
        assert!(policy.contains("style-src 'self';"));
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(policy.contains("form-action 'self' https://openrouter.ai;"));
        assert!(!policy.contains("unsafe-inline"));
        let style = expected_hash("a{color:red}");
        let policy = super::policy(&[], std::slice::from_ref(&style), None);
        assert!(policy.contains(&format!("style-src 'self' {style};")));
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
