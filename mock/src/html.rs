//! The mock's few HTML pages. Every reflected value goes through [`escape`].

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Escapes text for use in HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Wraps already-escaped `body` markup in a complete document titled `title` (a literal).
fn document(title: &'static str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - OpenRouter (mock)</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}}\
         code{{font-size:1.1rem;word-break:break-all}}</style></head>\n\
         <body>\n{body}\n<p><small>This is a local mock of OpenRouter.</small></p>\n</body></html>\n"
    )
}

/// Identifies the asking application on the consent page.
pub(crate) enum Requester<'a> {
    /// A browser or desktop app that will receive the code at this callback.
    Callback { host: &'a str, url: &'a str },
    /// A headless client that will have the user paste the code.
    Headless { key_label: &'a str },
}

/// The Approve / Deny page for a pending request; `limit` is the credit limit (US dollars) the
/// key will have, when the app asked for one.
pub(crate) fn consent_page(
    request_id: &str,
    requester: &Requester<'_>,
    limit: Option<f64>,
) -> String {
    let who = match requester {
        Requester::Callback { host, url } => format!(
            "<p>An application at <strong id=\"callback-host\">{}</strong> wants to connect to \
             your OpenRouter account and receive an API key.</p>\n\
             <p>You will be sent back to <code id=\"callback-url\">{}</code>.</p>",
            escape(host),
            escape(url)
        ),
        Requester::Headless { key_label } => format!(
            "<p>An application without a callback wants an API key labelled \
             <strong id=\"key-label\">{}</strong>. You will be shown a code to paste into it.</p>",
            escape(key_label)
        ),
    };
    let limit = limit.map_or_else(String::new, |limit| {
        format!("<p id=\"credit-limit\">Credit limit: ${limit:.2}</p>\n")
    });
    let body = format!(
        "<h1>Authorize application</h1>\n{who}\n{limit}\
         <form method=\"post\" action=\"/auth/decision\">\
         <input type=\"hidden\" name=\"request_id\" value=\"{}\">\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form>",
        escape(request_id)
    );
    document("Authorize application", &body)
}

/// The code that the headless flow's code page shows, read back from the page as the user would
/// copy it: for tests that play the user of the headless flow, so that they know the page's
/// markup from one place. `None` when the page shows no code.
pub fn code_shown_on(page: &str) -> Option<&str> {
    page.split("<code id=\"code\">").nth(1)?.split('<').next()
}

/// The headless flow's result: a code for the user to paste.
pub(crate) fn code_page(code: &str, key_label: &str, ttl: Duration) -> String {
    let body = format!(
        "<h1>Authorization code</h1>\n\
         <p>Paste this code into the application that asked for the key \
         <strong id=\"key-label\">{}</strong>:</p>\n\
         <p><code id=\"code\">{}</code></p>\n\
         <p>It works once and expires in {}.</p>",
        escape(key_label),
        escape(code),
        describe(ttl)
    );
    document("Authorization code", &body)
}

/// The headless flow's answer when the user (or the auto-deny mode) refused.
pub(crate) fn denied_page() -> String {
    document(
        "Access denied",
        "<h1>Access denied</h1>\n<p id=\"denied\">No key was created. You can close this page.</p>",
    )
}

/// The page of an issued key, named by its SHA-256 `hash`.
pub(crate) fn key_page(hash: &str, label: &str) -> String {
    let body = format!(
        "<h1>API key</h1>\n\
         <p>Key <strong id=\"key-label\">{}</strong></p>\n\
         <p>Hash <code id=\"key-hash\">{}</code></p>\n\
         <p id=\"key-manage\">On OpenRouter, this is where the key's owner sees its usage and \
         limits, and revokes it.</p>",
        escape(label),
        escape(hash)
    );
    document("API key", &body)
}

/// The answer for `/keys/<hash>` when no issued key has that hash.
pub(crate) fn unknown_key_page(hash: &str) -> String {
    let body = format!(
        "<h1>Key not found</h1>\n<p id=\"error\">No key with hash <code>{}</code> was issued \
         by this mock.</p>",
        escape(hash)
    );
    document("Key not found", &body)
}

/// An error page carrying `message`.
pub(crate) fn error_page(message: &str) -> String {
    let body = format!(
        "<h1>Authorization failed</h1>\n<p id=\"error\">{}</p>",
        escape(message)
    );
    document("Authorization failed", &body)
}

fn describe(ttl: Duration) -> String {
    match ttl.as_secs() {
        secs if secs >= 120 => format!("{} minutes", secs / 60),
        1 => "1 second".to_owned(),
        secs => format!("{secs} seconds"),
    }
}

/// A complete HTML response with headers that keep the page from being framed or cached.
pub(crate) fn respond(status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The page may carry a code; keep it out of Referer headers.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A 400 error page.
pub(crate) fn bad_request(message: &str) -> Response {
    respond(StatusCode::BAD_REQUEST, error_page(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_five() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pages_escape_reflected_values() {
        let hostile = "<script>alert('x')</script>";
        let pages = [
            consent_page(
                hostile,
                &Requester::Callback {
                    host: hostile,
                    url: hostile,
                },
                Some(5.0),
            ),
            consent_page("id", &Requester::Headless { key_label: hostile }, None),
            code_page(hostile, hostile, Duration::from_secs(600)),
            error_page(hostile),
            key_page(hostile, hostile),
            unknown_key_page(hostile),
        ];
        for page in pages {
            assert!(!page.contains("<script>"), "{page}");
        }
    }

    #[test]
    fn consent_shows_the_credit_limit_when_asked() {
        let requester = Requester::Headless { key_label: "cli" };
        let limited = consent_page("id", &requester, Some(2.5));
        assert!(
            limited.contains("<p id=\"credit-limit\">Credit limit: $2.50</p>"),
            "{limited}"
        );
        assert!(!consent_page("id", &requester, None).contains("Credit limit"));
    }

    #[test]
    fn ttl_wording() {
        assert_eq!(describe(Duration::from_secs(600)), "10 minutes");
        assert_eq!(describe(Duration::from_secs(30)), "30 seconds");
    }
}
