//! Each defence of the server, broken the way an attacker would try: every case is the request
//! sequence of an attack, and fails on a server without the defence.

use std::time::{Duration, Instant};

use crate::{mock, param, secret, serve, serve_with, upstream_closed, SECRET_A};
use page_driver::cookie_browser::Browser;

/// The public origin of the https servers below; the test's requests reach them on 127.0.0.1.
const HTTPS_ORIGIN: &str = "https://app.example";

/// A server whose users reach it at [`HTTPS_ORIGIN`] (through a TLS proxy, as deployed).
async fn https_server(mock: &openrouter_mock::MockServer) -> String {
    serve_with(mock, secret(&SECRET_A), |server| {
        server.public_origin(HTTPS_ORIGIN).unwrap()
    })
    .await
}

/// A sign-in started and approved at OpenRouter, not yet returned: the way back, with the
/// public origin swapped for the one the test reaches.
async fn approved(browser: &mut Browser, origin: &str, public: &str) -> String {
    let to_openrouter = browser.start(origin, "/").await;
    let back = browser.follow_at_openrouter(&to_openrouter).await;
    assert!(
        back.starts_with(&format!("{public}/auth/callback?")),
        "{back}"
    );
    back.replacen(public, origin, 1)
}

/// Login CSRF from a sibling subdomain: the attacker starts a sign-in with their own account,
/// approves it, plants their pending cookie in the victim's browser under a name a sibling can
/// set (`Domain=` the parent: anything but `__Host-`), and sends the victim to the callback.
#[tokio::test]
async fn a_pending_sign_in_planted_by_a_sibling_site_is_ignored() {
    let mock = mock().await;
    let origin = https_server(&mock).await;
    let mut attacker = Browser::new();
    let back = approved(&mut attacker, &origin, HTTPS_ORIGIN).await;
    let pending = attacker
        .cookie("__Host-openrouter_pending")
        .or_else(|| attacker.cookie("__Secure-openrouter_pending"))
        .expect("the attacker's pending cookie");

    let mut victim = Browser::new();
    for name in [
        "__Secure-openrouter_pending",
        "openrouter_pending",
        "__host-openrouter_pending",
    ] {
        victim.plant(name, &pending.value, "/");
    }
    let landed = victim.get(&back).await;
    assert_eq!(landed.status, 303);
    assert_eq!(
        param(&landed.location(), "signin_error"),
        Some("not_pending"),
        "{}",
        landed.location()
    );
    assert!(
        victim.cookie("__Host-openrouter_key").is_none(),
        "the victim is not signed in with the attacker's key"
    );
    assert_eq!(
        mock.exchange_requests(),
        0,
        "the attacker's code was not spent"
    );

    // The planted cookies do not spoil the victim's own sign-in either.
    let back = approved(&mut victim, &origin, HTTPS_ORIGIN).await;
    let landed = victim.get(&back).await;
    assert_eq!(landed.location(), "/?signed_in=1", "signed in, no error");
    let key = victim.cookie("__Host-openrouter_key").expect("signed in");
    assert_eq!(key.path, "/");
    // Only a __Host- cookie is beyond a sibling's reach, and __Host- demands Path=/.
    assert_eq!(pending.name, "__Host-openrouter_pending");
    assert_eq!(pending.path, "/");
}

/// A cross-site link to the callback while the user is at OpenRouter: it must not end their
/// sign-in, so their real return still signs them in.
#[tokio::test]
async fn a_cross_site_link_to_the_callback_does_not_cancel_a_sign_in() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    let to_openrouter = browser.start(&origin, "/").await;
    let back = browser.follow_at_openrouter(&to_openrouter).await;
    let state = param(&back, "state").unwrap().to_owned();
    for forged in [
        "?error=access_denied".to_owned(),
        "?error=access_denied&error_description=%3Cb%3E".to_owned(),
        "?code=attackers-code&state=ors_guessed".to_owned(),
        format!("?code=attackers-code&state={state}x"),
        "?code=attackers-code".to_owned(),
        String::new(),
    ] {
        let answer = browser
            .get(&format!("{origin}/auth/callback{forged}"))
            .await;
        assert_eq!(answer.status, 303, "{forged}");
        assert!(
            param(&answer.location(), "signin_error").is_some(),
            "{forged}: explained"
        );
        assert!(
            browser.cookie("openrouter_pending").is_some(),
            "{forged}: the pending sign-in lives on"
        );
    }
    assert_eq!(mock.exchange_requests(), 0);
    let landed = browser.get(&back).await;
    assert_eq!(
        landed.location(),
        "/?signed_in=1",
        "the real return still signs in"
    );
    assert!(browser.cookie("openrouter_key").is_some());
    assert!(
        browser.cookie("openrouter_pending").is_none(),
        "and ends it"
    );
}

/// The chat route of a server at `origin`, and the headers of the page's own calls.
fn chat_route(origin: &str) -> (String, [(&'static str, &str); 2]) {
    (
        format!("{origin}/api/openrouter-signin/api/v1/chat/completions"),
        [("origin", origin), ("x-openrouter-signin", "1")],
    )
}

const CHAT_BODY: &str =
    r#"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}"#;

/// A request that announces a body and never sends it: the sign-in is checked first, so a
/// visitor who is not signed in cannot make the server wait on (or buffer) a body.
#[tokio::test]
async fn the_sign_in_is_checked_before_the_chat_body_is_read() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let address = origin.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/openrouter-signin/api/v1/chat/completions HTTP/1.1\r\nHost: {address}\r\n\
         Origin: {origin}\r\nx-openrouter-signin: 1\r\nContent-Type: application/json\r\n\
         Content-Length: 100000\r\n\r\n{{\"model\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the server answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

#[tokio::test]
async fn a_chat_body_over_the_limit_is_refused() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let (chat, own) = chat_route(&origin);
    // 1.5 MiB: under axum's default limit of 2 MiB, over the route's own 1 MiB.
    let long = "x".repeat(1536 * 1024);
    let body = format!(
        r#"{{"model":"openai/gpt-4o-mini","messages":[{{"role":"user","content":"{long}"}}]}}"#
    );
    let answer = browser.post(&chat, &own, &body).await;
    assert_eq!(answer.status, 413, "{:.200}", answer.body);
    assert_eq!(mock.chat_requests(), 0, "nothing went upstream");
}

/// Waits until `read` gives the same value for half a second in a row; returns it.
async fn settled(read: impl Fn() -> u64, within: Duration) -> u64 {
    let deadline = Instant::now() + within;
    let mut last = read();
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = read();
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() >= Duration::from_millis(500) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "still moving after {within:?}: {now}"
        );
    }
}

/// A page that opens a chat and never reads it must not make the server pull the whole answer
/// from OpenRouter into its memory: the upstream waits for the reader.
#[tokio::test]
async fn a_chat_that_is_never_read_holds_back_the_upstream() {
    // Far beyond what the sockets between the three can hold (here about 9 MB stalled; the
    // kernel may let a loopback receive buffer grow to 32 MB).
    const ANSWER: usize = 128 * 1024 * 1024;
    let mock = mock().await;
    mock.set_chat_delay(Duration::ZERO);
    mock.set_chat_size(Some(ANSWER));
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let (chat, own) = chat_route(&origin);
    let mut response = browser.post_streaming(&chat, &own, CHAT_BODY).await;
    response.chunk().await.unwrap().expect("a first piece");
    let sent = settled(|| mock.chat_bytes_sent(), Duration::from_secs(30)).await;
    assert!(
        sent < (ANSWER / 2) as u64,
        "the upstream sent {sent} of {ANSWER} bytes to a server whose reader stopped"
    );
    drop(response);
    upstream_closed(&mock).await;
}

#[tokio::test]
async fn chat_streams_beyond_the_cap_are_refused_with_retry_after() {
    let mock = mock().await;
    mock.set_chat_delay(Duration::from_millis(200));
    let origin = serve_with(&mock, secret(&SECRET_A), |server| {
        server.max_chat_streams(2)
    })
    .await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let (chat, own) = chat_route(&origin);
    let mut first = browser.post_streaming(&chat, &own, CHAT_BODY).await;
    let mut second = browser.post_streaming(&chat, &own, CHAT_BODY).await;
    first.chunk().await.unwrap();
    second.chunk().await.unwrap();
    let refused = browser.post(&chat, &own, CHAT_BODY).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(
        refused
            .headers
            .iter()
            .any(|(name, value)| name == "retry-after" && value.parse::<u64>().is_ok()),
        "{:?}",
        refused.headers
    );
    assert_eq!(mock.chat_requests(), 2, "the third never went upstream");
    drop(first);
    // The freed place is taken again once the first upstream request has ended.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = browser.post(&chat, &own, CHAT_BODY).await;
        if answer.status == 200 {
            assert!(answer.body.ends_with("data: [DONE]\n\n"));
            break;
        }
        assert_eq!(answer.status, 503);
        assert!(Instant::now() < deadline, "the place was never freed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(second);
}

#[tokio::test]
async fn a_chat_ends_at_its_deadline_read_or_not() {
    let mock = mock().await;
    mock.set_chat_delay(Duration::from_millis(100));
    let origin = serve_with(&mock, secret(&SECRET_A), |server| {
        server.chat_deadline(Duration::from_millis(600))
    })
    .await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let (chat, own) = chat_route(&origin);
    // About 40 events 100 ms apart: four seconds, well past the deadline.
    let body = r#"{"model":"m","messages":[{"role":"user","content":"a question long enough to take some forty pieces of eight bytes each to answer, which is long"}]}"#;
    let started = Instant::now();
    let answer = browser.post(&chat, &own, body).await;
    assert_eq!(answer.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!answer.body.contains("[DONE]"), "{}", answer.body);
    assert!(
        answer.body.trim_end().ends_with(
            r#"{"error":{"code":504,"message":"OpenRouter did not answer within 600 ms"}}"#
        ),
        "{}",
        answer.body
    );
    upstream_closed(&mock).await;
}

/// OpenRouter (or whatever answers at its address) cannot choose this server's status: only
/// the few a page acts on pass; anything else is a 502.
#[tokio::test]
async fn upstream_statuses_are_mapped_to_a_fixed_set() {
    use openrouter_mock::ChatFailure;
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let (chat, own) = chat_route(&origin);
    for (upstream, expected) in [
        (402, 402),
        (429, 429),
        (503, 503),
        (418, 502),
        (451, 502),
        (599, 502),
        (305, 502),
    ] {
        mock.inject_chat_failure(ChatFailure::Status(upstream));
        let answer = browser.post(&chat, &own, CHAT_BODY).await;
        assert_eq!(answer.status, expected, "{upstream}: {}", answer.body);
        assert!(
            answer
                .body
                .starts_with(&format!(r#"{{"error":{{"code":{expected},"#)),
            "{upstream}: {}",
            answer.body
        );
    }
}

/// Every answer of the API says what it is and forbids the browser to guess otherwise.
#[tokio::test]
async fn api_answers_forbid_content_sniffing() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let mut browser = Browser::new();
    let api = format!("{origin}/api/openrouter-signin");
    let signed_out = browser.get(&format!("{api}/api/v1/key")).await;
    assert_eq!(signed_out.status, 401);
    let refused = browser
        .post(
            &format!("{api}/sign-out"),
            &[("origin", "http://evil.example")],
            "",
        )
        .await;
    assert_eq!(refused.status, 403);
    let bad_start = browser
        .get(&format!("{origin}/auth/start?return_to=//evil.example"))
        .await;
    assert_eq!(bad_start.status, 400);
    browser.sign_in(&origin, "/").await;
    let session = browser.get(&format!("{api}/session")).await;
    let key = browser.get(&format!("{api}/api/v1/key")).await;
    let (chat, own) = chat_route(&origin);
    let streamed = browser.post(&chat, &own, CHAT_BODY).await;
    for (what, answer) in [
        ("a 401", &signed_out),
        ("a refusal", &refused),
        ("a bad start", &bad_start),
        ("the session", &session),
        ("the key's status", &key),
        ("a chat", &streamed),
    ] {
        assert!(
            answer
                .headers
                .iter()
                .any(|(name, value)| name == "x-content-type-options" && value == "nosniff"),
            "{what}: {:?}",
            answer.headers
        );
    }
}

/// An app route that reflects its input unescaped (an HTML injection), under the policy the
/// server gives every page: the injected script and style get no hash, so they cannot run.
#[tokio::test]
async fn the_policy_does_not_bless_injected_scripts_or_styles() {
    use axum::response::Html;
    let mock = mock().await;
    let config = openrouter_signin::OpenRouterConfig::new("server-tests")
        .base_url(openrouter_signin::BaseUrl::parse(&mock.base_url()).unwrap());
    let server = openrouter_signin::server::SignInServer::new(&config, secret(&SECRET_A))
        .unwrap()
        .allow_inline_script("window.appTheme='dark';");
    let reflect = |axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
        let query = percent_encoding::percent_decode_str(&query.unwrap_or_default())
            .decode_utf8_lossy()
            .into_owned();
        Html(format!(
            "<!DOCTYPE html><html><head><script>window.appTheme='dark';</script>\
             <script>window.initial_dioxus_hydration_data=\"AA==\";</script></head>\
             <body><p>You searched for {query}</p></body></html>"
        ))
    };
    let app = axum::Router::new().route("/search", axum::routing::get(reflect));
    let app = server.mount(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let injected = "<script>fetch('/api/openrouter-signin/sign-out')</script><style>body{display:none}</style><script>window.initial_dioxus_hydration_data=\"AA==\";alert(1)</script>";
    let query = percent_encoding::utf8_percent_encode(injected, percent_encoding::NON_ALPHANUMERIC);
    let mut browser = Browser::new();
    let page = browser.get(&format!("{origin}/search?{query}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(injected),
        "the route does reflect its input"
    );
    let policy = page
        .headers
        .iter()
        .find(|(name, _)| name == "content-security-policy")
        .map(|(_, value)| value.clone())
        .expect("a policy");
    let hash = |text: &str| {
        use base64::Engine as _;
        use sha2::Digest as _;
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text))
        )
    };
    for refused in [
        "fetch('/api/openrouter-signin/sign-out')",
        "body{display:none}",
        "window.initial_dioxus_hydration_data=\"AA==\";alert(1)",
    ] {
        assert!(
            !policy.contains(&hash(refused)),
            "{refused} is allowed: {policy}"
        );
    }
    for allowed in [
        "window.appTheme='dark';",
        "window.initial_dioxus_hydration_data=\"AA==\";",
    ] {
        assert!(
            policy.contains(&hash(allowed)),
            "{allowed} is refused: {policy}"
        );
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(
        policy.contains("style-src 'self';"),
        "no inline style at all: {policy}"
    );
}
