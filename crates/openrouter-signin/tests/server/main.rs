//! The fullstack server over real HTTP on 127.0.0.1, against the mock OpenRouter, with a small
//! browser that keeps cookies the way a browser does. No key may reach the browser: only the
//! sealed cookie travels.

mod attacks;
mod models;
mod session;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, Failure, MockServer};
use openrouter_signin::server::{CookieSecret, SignInServer};
use openrouter_signin::{BaseUrl, OpenRouterConfig};
use page_driver::cookie_browser::Browser;

const SECRET_A: [u8; 32] = [0x11; 32];
const SECRET_B: [u8; 32] = [0x22; 32];

/// A server on 127.0.0.1:0 in front of `mock`; returns its origin.
async fn serve(mock: &MockServer, secret: CookieSecret, clock: Option<fn() -> u64>) -> String {
    serve_with(mock, secret, |server| match clock {
        Some(clock) => server.with_clock(clock),
        None => server,
    })
    .await
}

/// A server on 127.0.0.1:0 in front of `mock`, set up further by `configure`; returns its
/// origin.
async fn serve_with(
    mock: &MockServer,
    secret: CookieSecret,
    configure: impl FnOnce(SignInServer) -> SignInServer,
) -> String {
    let config = OpenRouterConfig::new("server-tests")
        .base_url(BaseUrl::parse(&mock.base_url()).unwrap())
        .key_label("Server tests")
        .attribution("https://server-tests.invalid", "Server tests");
    let server = configure(SignInServer::new(&config, secret).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server.router::<()>()).await });
    origin
}

async fn mock() -> MockServer {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    mock
}

fn secret(bytes: &[u8; 32]) -> CookieSecret {
    CookieSecret::from_bytes(bytes, None).unwrap()
}

/// The query parameter `name` of a Location.
fn param<'a>(location: &'a str, name: &str) -> Option<&'a str> {
    let query = location.split_once('?')?.1.split('#').next()?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

#[tokio::test]
async fn a_whole_sign_in_leaves_only_a_sealed_httponly_cookie() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    let landed = browser.sign_in(&origin, "/settings?tab=keys#usage").await;
    assert_eq!(
        landed, "/settings?tab=keys&signed_in=1#usage",
        "back where the sign-in started, no code, with the word that this browser signed in"
    );

    let key = mock.issued_keys().pop().expect("the mock issued a key");
    let cookie = browser
        .cookie("openrouter_key")
        .expect("the key cookie is set");
    assert!(
        cookie.http_only && cookie.same_site_lax && cookie.path == "/",
        "{cookie:?}"
    );
    assert!(!cookie.value.contains(&key), "the cookie is sealed");
    assert!(
        browser.cookie("openrouter_pending").is_none(),
        "the pending cookie is gone"
    );

    let session = browser
        .get(&format!("{origin}/api/openrouter-signin/session"))
        .await;
    let session: serde_json::Value = serde_json::from_str(&session.body).unwrap();
    assert_eq!(session["signed_in"], true);
    let masked = session["masked_key"].as_str().unwrap();
    assert!(masked.ends_with('…') && key.starts_with(masked.trim_end_matches('…')));
    assert!(session["manage_url"].as_str().unwrap().contains("/keys/"));

    let status = browser
        .get(&format!("{origin}/api/openrouter-signin/api/v1/key"))
        .await;
    assert_eq!(status.status, 200, "{}", status.body);
    let status: serde_json::Value = serde_json::from_str(&status.body).unwrap();
    assert_eq!(status["data"]["label"], "Server tests");

    assert!(
        browser
            .history
            .iter()
            .all(|sent| !sent.body.contains(&key)
                && sent.headers.iter().all(|(_, v)| !v.contains(&key))),
        "no answer the browser received holds the key"
    );
}

/// Signs in once, then runs a failing sign-in and checks that the earlier key stays, and that
/// the pending sign-in ended (`ends`) or, for a return that lacks its state, lives on.
async fn fails_keeping_the_key(
    setup: impl FnOnce(&MockServer),
    tamper: impl FnOnce(&mut Browser, String) -> String,
    expected: &str,
    ends: bool,
) {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let before = browser.cookie("openrouter_key").unwrap().value;
    setup(&mock);
    let to_openrouter = browser.start(&origin, "/here?x=1").await;
    let back = browser.follow_at_openrouter(&to_openrouter).await;
    let back = tamper(&mut browser, back);
    let landed = browser.get(&back).await;
    assert_eq!(landed.status, 303);
    let location = landed.location();
    assert!(location.starts_with('/'), "{location}");
    assert_eq!(
        param(&location, "signin_error"),
        Some(expected),
        "{location}"
    );
    assert!(!location.contains("code="), "{location}");
    assert_eq!(
        browser.cookie("openrouter_key").unwrap().value,
        before,
        "the earlier key stays"
    );
    assert_eq!(
        browser.cookie("openrouter_pending").is_none(),
        ends,
        "the pending cookie is gone exactly when the return carried its state"
    );
    let session = browser
        .get(&format!("{origin}/api/openrouter-signin/session"))
        .await;
    assert!(
        session.body.contains(r#""signed_in":true"#),
        "{}",
        session.body
    );
}

#[tokio::test]
async fn denial_is_explained_and_keeps_the_key() {
    fails_keeping_the_key(
        |m| m.set_consent(ConsentMode::AutoDeny),
        |_, back| back,
        "denied",
        // OpenRouter's denial carries no state: it cannot prove it is this sign-in's.
        false,
    )
    .await;
}

#[tokio::test]
async fn a_tampered_state_is_refused() {
    let tamper = |_: &mut Browser, back: String| {
        let state = param(&back, "state").unwrap().to_owned();
        back.replace(&state, &format!("{state}x"))
    };
    fails_keeping_the_key(|_| {}, tamper, "state_mismatch", false).await;
}

#[tokio::test]
async fn failed_exchanges_are_explained() {
    for failure in [Failure::Status(500), Failure::NotJson, Failure::EmptyKey] {
        fails_keeping_the_key(
            |m| m.inject_exchange_failure(failure),
            |_, back| back,
            "exchange_failed",
            true,
        )
        .await;
    }
}

#[tokio::test]
async fn a_tampered_pending_cookie_is_refused() {
    let tamper = |browser: &mut Browser, back: String| {
        browser.alter_cookie("openrouter_pending");
        back
    };
    fails_keeping_the_key(|_| {}, tamper, "pending_refused", true).await;
}

static LATER: AtomicU64 = AtomicU64::new(0);
fn shifted_clock() -> u64 {
    openrouter_signin::now_ms() + LATER.load(Ordering::SeqCst)
}

#[tokio::test]
async fn an_expired_pending_cookie_is_refused() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), Some(shifted_clock)).await;
    let mut browser = Browser::new();
    let to_openrouter = browser.start(&origin, "/").await;
    let back = browser.follow_at_openrouter(&to_openrouter).await;
    // The browser still sends the cookie (as one whose clock is behind would); the seal says no.
    LATER.store(11 * 60 * 1000, Ordering::SeqCst);
    let landed = browser.get(&back).await;
    assert_eq!(param(&landed.location(), "signin_error"), Some("expired"));
    assert!(browser.cookie("openrouter_key").is_none());
    assert_eq!(mock.exchange_requests(), 0, "no exchange was attempted");
}

#[tokio::test]
async fn a_return_without_a_pending_sign_in_is_explained() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut starter = Browser::new();
    let to_openrouter = starter.start(&origin, "/").await;
    let back = starter.follow_at_openrouter(&to_openrouter).await;
    // Another browser (no pending cookie) lands on the return.
    let mut other = Browser::new();
    let landed = other.get(&back).await;
    assert_eq!(
        param(&landed.location(), "signin_error"),
        Some("not_pending")
    );
    assert_eq!(mock.exchange_requests(), 0);
}

#[tokio::test]
async fn a_tampered_key_cookie_reads_as_signed_out() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    browser.alter_cookie("openrouter_key");
    let session = browser
        .get(&format!("{origin}/api/openrouter-signin/session"))
        .await;
    assert_eq!(
        (session.status, session.body.as_str()),
        (200, r#"{"signed_in":false}"#)
    );
    let status = browser
        .get(&format!("{origin}/api/openrouter-signin/api/v1/key"))
        .await;
    assert_eq!(status.status, 401);
}

#[tokio::test]
async fn return_to_must_be_a_path_on_this_site() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    for target in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
    ] {
        let answer = browser
            .get(&format!("{origin}/auth/start?return_to={target}"))
            .await;
        assert_eq!(answer.status, 400, "{target}");
        assert!(
            !answer.body.contains("evil") && !answer.body.contains("alert"),
            "not reflected"
        );
        assert!(browser.cookie("openrouter_pending").is_none());
    }
    assert_eq!(mock.authorize_requests(), 0);
}

#[tokio::test]
async fn state_changing_calls_from_another_origin_are_refused() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let sign_out = format!("{origin}/api/openrouter-signin/sign-out");
    // Another port of 127.0.0.1 is the same site: the cookie travels, so the server must refuse.
    let attempts: [&[(&str, &str)]; 4] = [
        &[
            ("origin", "http://127.0.0.1:8788"),
            ("sec-fetch-site", "same-site"),
        ],
        &[
            ("origin", "http://127.0.0.1:8788"),
            ("sec-fetch-site", "same-site"),
            ("x-openrouter-signin", "1"),
        ],
        &[
            ("origin", "http://127.0.0.1:8788"),
            ("x-openrouter-signin", "1"),
        ],
        &[
            ("origin", origin.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
    ];
    for headers in attempts {
        let answer = browser.post(&sign_out, headers, "").await;
        assert_eq!(answer.status, 403, "{headers:?}");
        assert!(answer.body.starts_with("Refused"), "{}", answer.body);
    }
    let session = browser
        .get(&format!("{origin}/api/openrouter-signin/session"))
        .await;
    assert!(
        session.body.contains(r#""signed_in":true"#),
        "still signed in"
    );

    let own = [
        ("origin", origin.as_str()),
        ("sec-fetch-site", "same-origin"),
        ("x-openrouter-signin", "1"),
    ];
    let answer = browser.post(&sign_out, &own, "").await;
    assert_eq!(answer.status, 204);
    assert!(
        browser.cookie("openrouter_key").is_none(),
        "sign-out clears the cookie"
    );
    let session = browser
        .get(&format!("{origin}/api/openrouter-signin/session"))
        .await;
    assert_eq!(session.body, r#"{"signed_in":false}"#);
}

#[tokio::test]
async fn instances_that_share_the_secret_share_the_sign_in() {
    let mock = mock().await;
    let first = serve(&mock, secret(&SECRET_A), None).await;
    let second = serve(&mock, secret(&SECRET_A), None).await;
    let other = serve(&mock, secret(&SECRET_B), None).await;
    let rotated = serve(
        &mock,
        CookieSecret::from_bytes(&SECRET_B, Some(&SECRET_A)).unwrap(),
        None,
    )
    .await;
    let mut browser = Browser::new();
    browser.sign_in(&first, "/").await;
    // A browser sends the 127.0.0.1 cookie to every port of it, as to instances behind one name.
    for (server, signed_in) in [(&second, true), (&other, false), (&rotated, true)] {
        let session = browser
            .get(&format!("{server}/api/openrouter-signin/session"))
            .await;
        assert_eq!(session.status, 200, "nothing alarming: {}", session.body);
        assert_eq!(
            session.body.contains(r#""signed_in":true"#),
            signed_in,
            "{server}: {}",
            session.body
        );
    }
}

/// The chat pieces of an OpenRouter-style event stream.
fn pieces(stream: &str) -> String {
    stream
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .filter_map(|data| {
            let event: serde_json::Value = serde_json::from_str(data).ok()?;
            Some(event["choices"][0]["delta"]["content"].as_str()?.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn chat_streams_through_the_server_and_stop_closes_the_upstream() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let chat = format!("{origin}/api/openrouter-signin/api/v1/chat/completions");
    let own = [("origin", origin.as_str()), ("x-openrouter-signin", "1")];
    let body =
        r#"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}"#;
    let answer = browser.post(&chat, &own, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        pieces(&answer.body),
        "Echo from openai/gpt-4o-mini: hello there"
    );
    assert!(answer.body.ends_with("data: [DONE]\n\n"));
    assert!(mock
        .last_chat_headers()
        .iter()
        .any(|(name, _)| name == "x-openrouter-title"));

    // Stop: read the first piece, then go away.
    mock.set_chat_delay(Duration::from_millis(300));
    let mut response = browser.post_streaming(&chat, &own, body).await;
    let first = response.chunk().await.unwrap().expect("a first piece");
    assert!(String::from_utf8_lossy(&first).starts_with("data: "));
    drop(response);
    upstream_closed(&mock).await;
}

/// Waits (10 s at most) until the mock has seen a streamed answer's request closed early.
async fn upstream_closed(mock: &MockServer) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while mock.chats_closed_early() == 0 {
        assert!(
            Instant::now() < deadline,
            "the mock never saw the upstream request closed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn chat_failures_keep_their_status() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    let chat = format!("{origin}/api/openrouter-signin/api/v1/chat/completions");
    let own = [("origin", origin.as_str()), ("x-openrouter-signin", "1")];
    let body = r#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#;
    let answer = browser.post(&chat, &own, body).await;
    assert_eq!(answer.status, 401, "signed out: {}", answer.body);
    browser.sign_in(&origin, "/").await;
    mock.inject_chat_failure(openrouter_mock::ChatFailure::Status(402));
    let answer = browser.post(&chat, &own, body).await;
    assert_eq!(answer.status, 402, "{}", answer.body);
    assert!(
        answer.body.starts_with(r#"{"error":{"code":402"#),
        "{}",
        answer.body
    );
    let answer = browser.post(&chat, &own, "not json").await;
    assert_eq!(answer.status, 400);
}
