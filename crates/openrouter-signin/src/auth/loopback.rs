//! The desktop's way back from the browser (RFC 8252, section 7.3): a one-shot HTTP listener on
//! 127.0.0.1, on a port the system picks, under a random path.
//!
//! Another local process can connect to it too, so it trusts nothing it reads: only a `GET` of
//! the exact path, with a readable return whose state matches (or a denial), ends the wait. Every
//! other request (a favicon, a `HEAD`, a wrong path or state, garbage, a silent client) gets 400 or
//! 404 and the listener keeps waiting. Each connection has a few seconds and a few KB to say what
//! it wants, and only so many are served at once, so junk cannot starve the real callback.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};

use super::callback::{parse_callback, CallbackParams};
use super::pkce::State;
use crate::messages::{fill, Messages};

/// How long the listener waits for the browser before giving up.
pub const LOOPBACK_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The most a request's line and headers may take.
pub(crate) const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections served at once; more wait their turn (the browser's among them, so this is
/// generous: each slot costs a small task and a few KB).
const MAX_CONNECTIONS: usize = 128;

/// Why the wait for the browser ended without a return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The loopback listener could not be opened.
    #[error("could not listen on 127.0.0.1 for the browser's return: {0}")]
    Bind(String),
    /// No return within the given time.
    #[error("the browser did not come back within {} minutes; the sign-in was stopped", .0.as_secs() / 60)]
    TimedOut(Duration),
    /// The sign-in was cancelled (`cancel_sign_in()`), or whoever waited for it went away.
    #[error("the sign-in was cancelled")]
    Cancelled,
}

impl LoopbackError {
    /// Why the wait ended, in the words of `messages` (`Display` is the English).
    pub fn message(&self, messages: &Messages) -> String {
        match self {
            Self::Bind(detail) => fill(&messages.listen_failed, &[("detail", detail)]),
            Self::TimedOut(wait) => fill(
                &messages.browser_timed_out,
                &[("minutes", &(wait.as_secs() / 60).to_string())],
            ),
            Self::Cancelled => messages.wait_cancelled.to_string(),
        }
    }
}

/// A bound, not yet answered, loopback listener. Dropping it frees the port.
pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
    port: u16,
}

/// What one request came to.
enum Verdict {
    /// The return we wait for: answered, and its request target handed to the flow.
    Accept(String),
    /// Anything else: answered with this status and text, and the wait goes on.
    Refuse(u16, &'static str, String),
}

impl LoopbackListener {
    /// Binds 127.0.0.1 on a port the system chooses, under a fresh random path.
    pub async fn bind() -> Result<Self, LoopbackError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| LoopbackError::Bind(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| LoopbackError::Bind(e.to_string()))?
            .port();
        let mut nonce = [0u8; 16];
        getrandom::getrandom(&mut nonce).map_err(|e| LoopbackError::Bind(e.to_string()))?;
        let path = format!(
            "/openrouter-callback/{}",
            nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        Ok(LoopbackListener {
            listener,
            path,
            port,
        })
    }

    /// The callback URL to send to OpenRouter: `http://127.0.0.1:PORT/openrouter-callback/RANDOM`.
    pub fn callback_url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// The port, for tests and diagnostics.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves requests until the return with `state` (or a denial) arrives on our path, then
    /// answers it and gives back the whole callback URL. Stops after `timeout`, or when `cancel`
    /// receives or closes. The port is freed when this returns.
    pub async fn wait(
        self,
        state: &State,
        timeout: Duration,
        mut cancel: mpsc::Receiver<()>,
    ) -> Result<String, LoopbackError> {
        let (found_tx, mut found_rx) = mpsc::channel::<String>(1);
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let expected = Arc::new((self.path.clone(), state.clone()));
        let base = format!("http://127.0.0.1:{}", self.port);
        let serve = async {
            #[allow(clippy::infinite_loop)] // ends when `wait` returns and drops it
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    // Out of descriptors, say: breathe instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    continue;
                };
                let expected = expected.clone();
                let found_tx = found_tx.clone();
                tokio::spawn(async move {
                    if let Some(target) = serve_one(stream, &expected.0, &expected.1).await {
                        let _ = found_tx.send(target).await;
                    }
                    drop(permit);
                });
            }
        };
        tokio::select! {
            () = serve => Err(LoopbackError::Cancelled),
            Some(target) = found_rx.recv() => Ok(format!("{base}{target}")),
            _ = cancel.recv() => Err(LoopbackError::Cancelled),
            () = tokio::time::sleep(timeout) => Err(LoopbackError::TimedOut(timeout)),
        }
    }
}

/// Reads one request, answers it, and returns its target when it is the return we wait for.
async fn serve_one(mut stream: TcpStream, path: &str, state: &State) -> Option<String> {
    let verdict = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Err(_) => Verdict::Refuse(400, "Bad Request", "The request took too long.".into()),
        Ok(Err(refusal)) => refusal,
        Ok(Ok(head)) => judge(&head, path, state),
    };
    let (status, reason, body, accepted) = match verdict {
        Verdict::Accept(target) => {
            let page = result_page(&target);
            (200, "OK", page, Some(target))
        }
        Verdict::Refuse(status, reason, text) => {
            (status, reason, page("Not a sign-in return", &text), None)
        }
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(READ_TIMEOUT, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
    accepted
}

/// The request line and headers, at most [`MAX_REQUEST_HEAD`] bytes of them.
async fn read_head(stream: &mut TcpStream) -> Result<String, Verdict> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end);
            return String::from_utf8(buf).map_err(|_| {
                Verdict::Refuse(400, "Bad Request", "The request is not text.".into())
            });
        }
        if buf.len() > MAX_REQUEST_HEAD {
            return Err(Verdict::Refuse(
                431,
                "Request Header Fields Too Large",
                "The request is too large.".into(),
            ));
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                return Err(Verdict::Refuse(
                    400,
                    "Bad Request",
                    "The request ended early.".into(),
                ))
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// For the fuzz target: judges `head` against a fixed path and state. Only a `GET` of that path
/// may be accepted, and the page answered never carries markup from the request.
#[cfg(fuzzing)]
pub(crate) fn fuzz_request(head: &str) {
    const PATH: &str = "/openrouter-callback/0123456789abcdef0123456789abcdef";
    let state =
        State::from_stored("ors_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()).expect("a valid state");
    if let Verdict::Accept(target) = judge(head, PATH, &state) {
        assert!(head.starts_with("GET "), "{head:?}");
        assert!(target.starts_with(PATH), "{target:?}");
        let tags = |page: &str| page.matches('<').count();
        assert_eq!(
            tags(&result_page(&target)),
            tags(&page("", "")),
            "{target:?}"
        );
    }
}

/// Decides what a request is, from its head alone.
fn judge(head: &str, path: &str, state: &State) -> Verdict {
    let bad = |text: &str| Verdict::Refuse(400, "Bad Request", text.to_owned());
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return bad("The request line is malformed.");
    };
    if !version.starts_with("HTTP/1.") {
        return bad("Only HTTP/1.x is spoken here.");
    }
    if target.split('?').next() != Some(path) {
        return Verdict::Refuse(404, "Not Found", "Nothing is here.".into());
    }
    if method != "GET" {
        return bad("Only GET is answered here.");
    }
    match parse_callback(target) {
        Err(e) => bad(&format!("The return could not be read: {e}.")),
        Ok(CallbackParams::Absent) => bad("The return carries no code."),
        Ok(CallbackParams::Code {
            state: Some(returned),
            ..
        }) if state.matches(&returned) => Verdict::Accept(target.to_owned()),
        Ok(CallbackParams::Code { .. }) => bad("The return does not carry this sign-in's state."),
        // A denial carries no state upstream; our secret path is what makes it ours.
        Ok(CallbackParams::Error { .. }) => Verdict::Accept(target.to_owned()),
    }
}

/// The page the browser shows once the return was taken.
fn result_page(target: &str) -> String {
    match parse_callback(target) {
        Ok(CallbackParams::Error {
            description, error, ..
        }) => page(
            "Sign-in cancelled",
            &format!(
                "OpenRouter says: {}. You can close this tab.",
                description.unwrap_or(error)
            ),
        ),
        _ => page("Signed in", "You can close this tab and return to the app."),
    }
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#171717}}</style>\
         </head><body><h1>{t}</h1><p>{x}</p></body></html>",
        t = escape_html(title),
        x = escape_html(text)
    )
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PATH: &str = "/openrouter-callback/0123456789abcdef0123456789abcdef";

    fn state() -> State {
        State::from_stored("ors_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any request head at all: judged without a panic, and only ours is accepted.
        #[test]
        fn any_head_is_judged_and_only_ours_accepted(head in any::<String>(), junk in "[ -~]{0,80}") {
            for head in [head, format!("GET {junk} HTTP/1.1"), format!("GET {PATH}{junk} HTTP/1.1")] {
                if let Verdict::Accept(target) = judge(&head, PATH, &state()) {
                    prop_assert!(target.starts_with(PATH));
                    let ours = matches!(
                        parse_callback(&target),
                        Ok(CallbackParams::Code { state: Some(s), .. }) if state().matches(&s)
                    ) || matches!(parse_callback(&target), Ok(CallbackParams::Error { .. }));
                    prop_assert!(ours, "accepted {head:?}");
                }
            }
        }

        /// Whatever the browser brings back is shown escaped.
        #[test]
        fn the_result_page_never_carries_markup(description in any::<String>()) {
            let encoded: String = description.bytes().map(|b| format!("%{b:02X}")).collect();
            let page = result_page(&format!("{PATH}?error=access_denied&error_description={encoded}"));
            let body = &page[page.find("<body>").unwrap()..];
            prop_assert_eq!(body.matches('<').count(), 7, "{}", body);
        }
    }

    #[test]
    fn our_return_is_accepted() {
        let head = format!(
            "GET {PATH}?code=abc&state=ors_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x"
        );
        assert!(matches!(judge(&head, PATH, &state()), Verdict::Accept(_)));
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn english_words_match_the_log_text_and_chinese_says_the_minutes() {
        let (en, zh) = (Messages::english(), Messages::simplified_chinese());
        for error in [
            LoopbackError::Bind("address in use".into()),
            LoopbackError::TimedOut(LOOPBACK_TIMEOUT),
            LoopbackError::Cancelled,
        ] {
            assert_eq!(error.message(&en), error.to_string());
            assert!(!error.message(&zh).contains('{'));
        }
        assert_eq!(
            LoopbackError::TimedOut(LOOPBACK_TIMEOUT).message(&zh),
            "浏览器在 5 分钟内没有返回，登录已停止"
        );
    }
}
