//! The signed-in user in the app's own handlers: the extractor signed in, signed out, with an
//! expired and with a tampered cookie; the guard on the app's own state-changing routes; and the
//! hooks after sign-in and sign-out, which never see the key.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::routing::{get, post};
use openrouter_signin::server::{OpenRouterSession, SignInServer};
use openrouter_signin::{BaseUrl, OpenRouterConfig};

use crate::{mock, secret, SECRET_A};
use page_driver::cookie_browser::Browser;

static LATER: AtomicU64 = AtomicU64::new(0);
fn clock() -> u64 {
    openrouter_signin::now_ms() + LATER.load(Ordering::SeqCst)
}

/// What the hooks were told, one line per call.
type Heard = Arc<Mutex<Vec<String>>>;

/// An app with its own routes (guarded), mounted with the sign-in; returns its origin.
async fn app(mock: &openrouter_mock::MockServer, heard: Heard) -> String {
    let config = OpenRouterConfig::new("session-tests")
        .base_url(BaseUrl::parse(&mock.base_url()).unwrap())
        .key_label("Session tests");
    let (on_in, on_out) = (heard.clone(), heard);
    let signin = SignInServer::new(&config, secret(&SECRET_A))
        .unwrap()
        .key_lifetime(std::time::Duration::from_secs(3600))
        .with_clock(clock)
        .on_sign_in(move |event| {
            let agent = event
                .headers
                .get("user-agent")
                .map(|v| v.to_str().unwrap_or(""));
            on_in.lock().unwrap().push(format!(
                "in {:?} {} {:?}",
                event.user_id, event.masked_key, agent
            ));
        })
        .on_sign_out(move |event| {
            on_out
                .lock()
                .unwrap()
                .push(format!("out {:?} {}", event.user_id, event.masked_key));
        });
    let routes = axum::Router::new()
        .route(
            "/whoami",
            get(|session: OpenRouterSession| async move {
                let label = session.client().key_info().await.map(|info| info.label);
                format!(
                    "{} {:?} {:?} {:?}",
                    session.masked_key(),
                    session.user_id(),
                    label,
                    session
                        .expires_at()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                        > 0
                )
            }),
        )
        .route(
            "/debug",
            get(|session: OpenRouterSession| async move { format!("{session:?}") }),
        )
        .route(
            "/greeting",
            get(|session: Option<OpenRouterSession>| async move {
                match session {
                    Some(session) => format!("hello {}", session.masked_key()),
                    None => "hello stranger".to_owned(),
                }
            }),
        )
        .route(
            "/summary",
            post(|session: OpenRouterSession| async move {
                format!("{:?}", session.client().models().await.map(|m| m.len()))
            }),
        );
    let app = signin.mount(signin.guard(routes));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

#[tokio::test]
async fn the_extractor_gives_the_signed_in_user_and_refuses_everyone_else() {
    let mock = mock().await;
    let heard = Heard::default();
    let origin = app(&mock, heard.clone()).await;
    let mut browser = Browser::new();
    let refused = browser.get(&format!("{origin}/whoami")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.body,
        r#"{"error":{"code":401,"message":"not signed in"},"code":401,"message":"not signed in"}"#
    );
    let stranger = browser.get(&format!("{origin}/greeting")).await;
    assert_eq!(
        (stranger.status, stranger.body.as_str()),
        (200, "hello stranger")
    );

    browser.sign_in(&origin, "/").await;
    let key = mock.issued_keys().pop().unwrap();
    let me = browser.get(&format!("{origin}/whoami")).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let masked = format!("{}…", &key[..12]);
    assert!(me.body.starts_with(&masked), "{}", me.body);
    assert!(
        me.body.contains(r#"Some("user_mock_"#),
        "the user id: {}",
        me.body
    );
    assert!(
        me.body.contains(r#"Ok("Session tests")"#),
        "the client works: {}",
        me.body
    );
    assert!(me.body.ends_with("true"), "{}", me.body);
    let greeting = browser.get(&format!("{origin}/greeting")).await;
    assert_eq!(greeting.body, format!("hello {masked}"));
    let debug = browser.get(&format!("{origin}/debug")).await;
    assert!(
        debug.body.starts_with("OpenRouterSession"),
        "{}",
        debug.body
    );
    assert!(debug.body.contains(&masked), "{}", debug.body);
    assert!(
        browser
            .history
            .iter()
            .all(|answer| !answer.body.contains(&key)),
        "no answer holds the key"
    );

    // A tampered cookie, then (an hour and a minute later) an expired one.
    let cookie = browser.cookie("openrouter_key").unwrap();
    browser.alter_cookie("openrouter_key");
    let tampered = browser.get(&format!("{origin}/whoami")).await;
    assert_eq!(tampered.status, 401);
    assert!(tampered.body.contains("refused"), "{}", tampered.body);
    let tampered = browser.get(&format!("{origin}/greeting")).await;
    assert_eq!(tampered.body, "hello stranger");
    browser.plant("openrouter_key", &cookie.value, "/");
    let mut fresh = Browser::new();
    fresh.plant("openrouter_key", &cookie.value, "/");
    assert_eq!(fresh.get(&format!("{origin}/whoami")).await.status, 200);
    LATER.store(61 * 60 * 1000, Ordering::SeqCst);
    let expired = fresh.get(&format!("{origin}/whoami")).await;
    LATER.store(0, Ordering::SeqCst);
    assert_eq!(expired.status, 401);
    assert!(expired.body.contains("expired"), "{}", expired.body);
    let _ = heard;
}

#[tokio::test]
async fn the_apps_own_state_changing_routes_refuse_other_origins() {
    let mock = mock().await;
    let origin = app(&mock, Heard::default()).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    let summary = format!("{origin}/summary");
    // Dioxus's server-function client sends no library header: the browser's word is enough.
    let own = browser
        .post(&summary, &[("sec-fetch-site", "same-origin")], "")
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(
        own.body,
        format!("Ok({})", openrouter_mock::USER_MODEL_IDS.len())
    );
    let own_origin = browser
        .post(&summary, &[("origin", origin.as_str())], "")
        .await;
    assert_eq!(own_origin.status, 200);
    let attempts: [&[(&str, &str)]; 5] = [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://127.0.0.1:1"),
        ],
        &[("origin", "http://127.0.0.1:1")],
        &[("sec-fetch-site", "none"), ("origin", origin.as_str())],
        &[],
    ];
    for headers in attempts {
        let refused = browser.post(&summary, headers, "").await;
        assert_eq!(refused.status, 403, "{headers:?}");
        assert!(refused.body.starts_with("Refused"), "{}", refused.body);
    }
    // Reads are not state changes.
    assert_eq!(browser.get(&format!("{origin}/greeting")).await.status, 200);
}

#[tokio::test]
async fn hooks_hear_each_sign_in_and_sign_out_once_and_never_the_key() {
    let mock = mock().await;
    let heard = Heard::default();
    let origin = app(&mock, heard.clone()).await;
    let mut browser = Browser::new();
    browser.sign_in(&origin, "/").await;
    browser.sign_in(&origin, "/").await;
    let own = [
        ("origin", origin.as_str()),
        ("sec-fetch-site", "same-origin"),
        ("x-openrouter-signin", "1"),
    ];
    let sign_out = format!("{origin}/api/openrouter-signin/sign-out");
    assert_eq!(browser.post(&sign_out, &own, "").await.status, 204);
    // Signed out already: nobody to tell about.
    assert_eq!(browser.post(&sign_out, &own, "").await.status, 204);
    let keys = mock.issued_keys();
    let lines = heard.lock().unwrap().clone();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with(r#"in Some("user_mock_"#), "{lines:?}");
    assert!(
        lines[0].contains(&format!("{}…", &keys[0][..12])),
        "{lines:?}"
    );
    assert!(
        lines[1].contains(&format!("{}…", &keys[1][..12])),
        "{lines:?}"
    );
    assert!(lines[2].starts_with(r#"out Some("user_mock_"#), "{lines:?}");
    assert!(
        lines[2].contains(&format!("{}…", &keys[1][..12])),
        "{lines:?}"
    );
    for key in &keys {
        assert!(lines.iter().all(|line| !line.contains(key.as_str())));
    }
}
