//! The fullstack gallery end to end, in real headless Chromium, against server processes built
//! by `scripts/build-fullstack.sh` (target/fullstack/debug) and the mock OpenRouter, all on
//! 127.0.0.1. The server signs in and keeps the key in a sealed HttpOnly cookie: these cases
//! check that the page works the same and that the key never reaches it.
//!
//! Ignored by default; `scripts/test.sh` runs it with `--ignored` after building the server.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, Failure, MockServer};
use page_driver::webdriver::{Driver, Session, SessionOptions};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

/// A server process, killed on drop.
struct Server {
    child: Child,
    origin: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

use page_driver::process::{free_port, random_secret as new_secret};

/// Starts the fullstack gallery against `openrouter`, and waits until it answers.
fn start_server(openrouter: &str, secret: &str, previous: Option<&str>) -> Server {
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fullstack/debug/server");
    assert!(
        binary.exists(),
        "{} is missing: run scripts/build-fullstack.sh first (scripts/test.sh does)",
        binary.display()
    );
    let port = free_port();
    let mut command = Command::new(&binary);
    command
        .env("IP", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("OPENROUTER_BASE_URL", openrouter)
        .env("OPENROUTER_SIGNIN_SECRET", secret)
        .env_remove("OPENROUTER_SIGNIN_PREVIOUS_SECRET")
        .env_remove("OPENROUTER_SIGNIN_ORIGIN")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(previous) = previous {
        command.env("OPENROUTER_SIGNIN_PREVIOUS_SECRET", previous);
    }
    let mut server = Server {
        // Tied to this process: the fixture lives in a static and is never dropped.
        child: page_driver::process::spawn_tied(command).unwrap(),
        origin: format!("http://127.0.0.1:{port}"),
    };
    page_driver::process::wait_listening(port, &mut server.child, "the server", None, WAIT);
    server
}

struct Fixture {
    mock: MockServer,
    /// Two instances with one secret.
    a: Server,
    b: Server,
    /// Another secret.
    other: Server,
    /// A rotated secret: a new one, with a's as the previous.
    rotated: Server,
    /// A page of another origin on the same site (another port of 127.0.0.1).
    elsewhere: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
        let mock = runtime.block_on(MockServer::start()).unwrap();
        let base = mock.base_url();
        let (first, second) = (new_secret(), new_secret());
        let elsewhere_root = std::env::temp_dir().join(format!("fullstack-e2e-{}", free_port()));
        std::fs::create_dir_all(&elsewhere_root).unwrap();
        std::fs::write(
            elsewhere_root.join("index.html"),
            "<!DOCTYPE html><title>another origin</title><p>another origin</p>",
        )
        .unwrap();
        let elsewhere = runtime.block_on(page_driver::static_server::serve(elsewhere_root));
        Fixture {
            a: start_server(&base, &first, None),
            b: start_server(&base, &first, None),
            other: start_server(&base, &second, None),
            rotated: start_server(&base, &new_secret(), Some(&first)),
            mock,
            elsewhere,
        }
    })
}

/// Runs one case: alone, in a fresh browser (no cookies), with the mock reset.
fn case(body: impl AsyncFnOnce(&Fixture, &Session)) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let fixture = fixture();
    fixture.mock.clear_exchange_failures();
    fixture.mock.clear_chat_failures();
    fixture.mock.set_chat_delay(Duration::from_millis(20));
    fixture.mock.set_consent(ConsentMode::AutoApprove);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let driver = Driver::start().await;
        let options = SessionOptions {
            network: true,
            ..SessionOptions::default()
        };
        let session = driver.session_with(&options).await;
        body(fixture, &session).await;
        session.close().await;
    });
}

/// Opens `url` and waits until the page is hydrated and its sign-in is live.
async fn open(s: &Session, url: &str) {
    s.goto(url).await;
    s.wait_for(
        "document.documentElement.dataset.openrouterSignin === 'ready'",
        WAIT,
        "the page's sign-in to be live",
    )
    .await;
}

/// Signs in on `origin` from the hero, the mock approving; returns the key OpenRouter issued.
async fn sign_in(f: &Fixture, s: &Session, origin: &str) -> String {
    f.mock.set_consent(ConsentMode::AutoApprove);
    open(s, &format!("{origin}/")).await;
    s.click("#hero-sign-in").await;
    s.wait_for(
        "document.querySelector('#masked-key')",
        WAIT,
        "the masked key",
    )
    .await;
    // The server's render shows the key first; typing needs the page hydrated.
    wait_live(s).await;
    f.mock.issued_keys().pop().expect("the mock issued a key")
}

async fn alert(s: &Session) -> String {
    s.wait_for(
        "document.querySelector('#auth-error')",
        WAIT,
        "an explanation",
    )
    .await;
    s.text("#auth-error").await.unwrap_or_default()
}

/// The browser's cookie `name` (HttpOnly ones included), as DevTools describes it.
async fn browser_cookie(s: &Session, name: &str) -> Option<Value> {
    let cookies = s.cdp("Network.getAllCookies", json!({})).await;
    cookies["cookies"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
}

/// What script in the page can see: both storages and `document.cookie`.
async fn visible_to_script(s: &Session) -> String {
    s.exec(
        "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])",
        json!([]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn a_whole_sign_in_never_gives_the_page_the_key() {
    case(async |f, s| {
        open(s, &format!("{}/?tab=keys", f.a.origin)).await;
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the masked key",
        )
        .await;
        let key = f.mock.issued_keys().pop().expect("a key");
        // The page takes what the server came back with out of the address bar once it is live.
        wait_live(s).await;
        assert_eq!(
            s.current_url().await,
            format!("{}/?tab=keys", f.a.origin),
            "back where the sign-in started, no code in the address bar"
        );
        assert_eq!(
            s.text("#masked-key").await.unwrap(),
            format!("{}…", &key[..12])
        );
        s.wait_for(
            "document.querySelector('#key-label')",
            WAIT,
            "the key's status",
        )
        .await;
        assert_eq!(
            s.text("#key-label").await.unwrap(),
            "openrouter-signin gallery"
        );

        let seen = visible_to_script(s).await;
        assert!(!seen.contains(&key) && !seen.contains(&key[12..]), "{seen}");
        assert!(
            !seen.contains("openrouter_key"),
            "the cookie is HttpOnly: {seen}"
        );

        let cookie = browser_cookie(s, "openrouter_key")
            .await
            .expect("the key cookie");
        assert_eq!(cookie["httpOnly"], true);
        assert_eq!(cookie["sameSite"], "Lax");
        assert!(!cookie["value"].as_str().unwrap().contains(&key[12..]));

        // Every answer the browser received and still keeps a body of: none holds the key. The
        // browser's log reaches chromedriver a little after the page shows things, so the loop
        // runs until the page's own body was read and every answer that finished loading was
        // asked for. Chromium does not keep every body: not the wasm's (too large for its
        // buffer), and at times not a fetch's that the page consumed as a stream; the API's
        // answers are read again by the page itself below, so none goes unchecked.
        let page = format!("{}/?tab=keys", f.a.origin);
        let mut responses: Vec<(String, Value)> = Vec::new();
        let (mut finished, mut failed) = (Vec::<Value>::new(), Vec::<Value>::new());
        let (mut read, mut refused) = (Vec::<String>::new(), Vec::<String>::new());
        let mut asked = Vec::<Value>::new();
        let deadline = Instant::now() + WAIT;
        let mut policy = None::<String>;
        loop {
            for event in s.network_events().await {
                let id = event["params"]["requestId"].clone();
                match event["method"].as_str().unwrap_or("") {
                    "Network.responseReceived" => {
                        let response = &event["params"]["response"];
                        let url = response["url"].as_str().unwrap_or("").to_owned();
                        if url.starts_with(&page) {
                            policy = response["headers"].as_object().and_then(|headers| {
                                headers.iter().find_map(|(name, value)| {
                                    name.eq_ignore_ascii_case("content-security-policy")
                                        .then(|| value.as_str().unwrap_or("").to_owned())
                                })
                            });
                        }
                        responses.push((url, id));
                    }
                    "Network.loadingFinished" => finished.push(id),
                    "Network.loadingFailed" => failed.push(id),
                    _ => {}
                }
            }
            // The document the sign-in ended on; earlier ones' bodies went with them.
            let last_page = responses
                .iter()
                .rposition(|(url, _)| url.starts_with(&page));
            for (index, (url, id)) in responses.iter().enumerate() {
                if asked.contains(id) || !finished.contains(id) {
                    continue;
                }
                match s
                    .try_cdp("Network.getResponseBody", json!({ "requestId": id }))
                    .await
                {
                    Ok(body) => {
                        let text = body["body"].as_str().unwrap_or("");
                        assert!(!text.contains(&key[12..]), "{url} carried the key");
                        read.push(url.clone());
                        asked.push(id.clone());
                    }
                    // The page's own body is read by all means: it is what the server rendered.
                    Err(error) if Some(index) == last_page => {
                        refused.push(format!("{url}: {error}"))
                    }
                    Err(error) => {
                        refused.push(format!("{url}: {error}"));
                        asked.push(id.clone());
                    }
                }
            }
            let page_read = last_page.is_some_and(|index| asked.contains(&responses[index].1));
            let all_asked = responses
                .iter()
                .all(|(_, id)| asked.contains(id) || failed.contains(id));
            if page_read && all_asked {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "not every answer was read: read {read:?}, refused {refused:?}, \
                 unfinished {:?}",
                responses
                    .iter()
                    .filter(|(_, id)| !asked.contains(id) && !failed.contains(id))
                    .map(|(url, _)| url)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The page runs under its server's policy: it may talk to its own server only.
        let policy = policy.expect("the page's Content-Security-Policy header");
        assert!(policy.contains("connect-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        // OpenRouter is named only where forms may go (the sign-in button's form, whose start
        // route redirects there), never where the page may fetch from.
        for directive in policy.split(';').map(str::trim) {
            if directive.starts_with("form-action ") {
                assert_eq!(
                    directive,
                    format!("form-action 'self' {}", f.mock.base_url()),
                    "{policy}"
                );
            } else {
                assert!(!directive.contains(&f.mock.base_url()), "{policy}");
            }
        }
        // What script in the page gets from every route of the API, read by the page itself.
        let answers = s
            .exec(
                "const get = (path) => fetch(path, {headers: {'x-openrouter-signin': '1'}}).then(r => r.text());
                 return Promise.all(['/api/openrouter-signin/session', '/api/openrouter-signin/api/v1/key',
                                     '/api/openrouter-signin/api/v1/models/user'].map(get))
                     .then(texts => texts.join(' '));",
                json!([]),
            )
            .await;
        let answers = answers.as_str().unwrap_or_default();
        assert!(
            answers.contains("\"signed_in\":true")
                && answers.contains("\"label\"")
                && answers.contains("\"data\""),
            "{answers}"
        );
        assert!(!answers.contains(&key[12..]), "{answers}");
        let console = s.console().await;
        assert!(
            console.iter().all(|line| !line.contains(&key[12..])),
            "{console:?}"
        );
    });
}

#[path = "support/back.rs"]
mod back_and_forth;

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn back_from_openrouter_the_sign_in_button_works_again() {
    case(async |f, s| {
        // Back from OpenRouter's consent page without deciding: the browser shows the page from
        // its back-forward cache as it was left, its button busy on the way out.
        f.mock.set_consent(ConsentMode::Ask);
        open(s, &format!("{}/?tab=keys", f.a.origin)).await;
        back_and_forth::there_and_back(
            s,
            "#hero-sign-in",
            "document.querySelector('#hero-sign-in')",
            WAIT,
        )
        .await;
        back_and_forth::works_again(s, "#hero-sign-in", WAIT).await;
        let authorizes = f.mock.authorize_requests();
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#approve')",
            WAIT,
            "the mock's consent page, a second time",
        )
        .await;
        assert_eq!(f.mock.authorize_requests(), authorizes + 1);
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn the_sign_in_button_works_before_the_wasm_has_loaded() {
    case(async |f, s| {
        // The browser is never given the page's wasm: what works is what the server rendered.
        s.cdp("Network.enable", json!({})).await;
        s.cdp("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
            .await;
        let start = format!("{}/?tab=keys", f.a.origin);
        s.goto(&start).await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "the server's sign-in button",
        )
        .await;
        // Its stylesheets came inside the page, allowed by the policy: styled without a request
        // (an inline-flex button in the hero's flex column is laid out as flex).
        let styles = s
            .exec(
                "const button = getComputedStyle(document.querySelector('#hero-sign-in'));
                 return [document.querySelectorAll('link[rel=stylesheet]').length,
                         document.querySelectorAll('style').length, button.display, button.height];",
                json!([]),
            )
            .await;
        assert_eq!(styles, json!([0, 2, "flex", "56px"]));
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the masked key, in the server's page",
        )
        .await;
        let key = f.mock.issued_keys().pop().expect("the mock issued a key");
        // Without its wasm the page cannot take the server's `signed_in=1` out again; no code
        // is ever in the address bar.
        assert_eq!(
            s.current_url().await,
            format!("{start}&signed_in=1"),
            "back where the sign-in started, no code in the address bar"
        );
        assert_eq!(
            s.text("#masked-key").await.unwrap(),
            format!("{}…", &key[..12])
        );
        let cookie = browser_cookie(s, "openrouter_key")
            .await
            .expect("the key cookie");
        assert_eq!(cookie["httpOnly"], true, "{cookie}");
        // The page that came back never had its wasm either: the block still holds, and the
        // page's sign-in never went live.
        let wasm = s
            .exec(
                "const link = document.querySelector('link[rel=preload][as=fetch]');
                 return fetch(link.href).then(() => 'loaded', () => 'blocked');",
                json!([]),
            )
            .await;
        assert_eq!(wasm, "blocked");
        let live = s
            .exec(
                "return document.documentElement.dataset.openrouterSignin || 'not live'",
                json!([]),
            )
            .await;
        assert_eq!(live, "not live");
        let seen = visible_to_script(s).await;
        assert!(!seen.contains(&key[12..]), "{seen}");
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn chat_streams_through_the_server_and_stop_closes_the_upstream_request() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        s.type_into("#prompt", "hello through the server").await;
        s.click("#send").await;
        s.wait_for(
            "document.querySelector('#answer').textContent === 'Echo from openai/gpt-4o-mini: hello through the server'",
            WAIT,
            "the whole answer",
        )
        .await;
        let chats: Vec<String> = s
            .network_events()
            .await
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .filter(|url| url.contains("chat/completions"))
            .collect();
        assert!(!chats.is_empty(), "the chat request was seen");
        assert!(
            chats.iter().all(|url| url.starts_with(&f.a.origin)),
            "the page talks only to its own server: {chats:?}"
        );

        let closed = f.mock.chats_closed_early();
        f.mock.set_chat_delay(Duration::from_millis(300));
        s.click("#send").await;
        s.wait_for(
            "document.querySelector('#answer').textContent.length > 0 && document.querySelector('#stop') && !document.querySelector('#stop').disabled",
            WAIT,
            "the first piece of the answer",
        )
        .await;
        s.click("#stop").await;
        let deadline = Instant::now() + WAIT;
        while f.mock.chats_closed_early() == closed {
            assert!(
                Instant::now() < deadline,
                "the mock never saw the upstream request closed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let note = s.text("#chat-error").await.unwrap_or_default();
        assert!(note.starts_with("Stopped"), "{note}");
    });
}

/// What a failure case does to the mock before the sign-in.
type Setup = Box<dyn Fn(&MockServer)>;

/// Starts a sign-in from a grid button (the hero shows the key), and returns the explanation.
async fn failing_sign_in(s: &Session) -> String {
    s.click("[data-cell='default-default'] button").await;
    let explained = alert(s).await;
    wait_live(s).await;
    explained
}

/// Waits until the page now shown is hydrated (after a navigation the page made itself).
async fn wait_live(s: &Session) {
    s.wait_for(
        "document.documentElement.dataset.openrouterSignin === 'ready'",
        WAIT,
        "the page's sign-in to be live",
    )
    .await;
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn failures_are_explained_and_the_earlier_key_stays() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        let masked = s.text("#masked-key").await.unwrap();
        let page = format!("{}/", f.a.origin);
        let cases: [(&str, Setup, &str); 4] = [
            (
                "denial",
                Box::new(|m| m.set_consent(ConsentMode::AutoDeny)),
                "cancelled on OpenRouter",
            ),
            (
                "a 500",
                Box::new(|m| m.inject_exchange_failure(Failure::Status(500))),
                "did not hand out a key",
            ),
            (
                "an HTML page",
                Box::new(|m| m.inject_exchange_failure(Failure::NotJson)),
                "did not hand out a key",
            ),
            (
                "an empty key",
                Box::new(|m| m.inject_exchange_failure(Failure::EmptyKey)),
                "did not hand out a key",
            ),
        ];
        for (what, setup, expected) in cases {
            f.mock.clear_exchange_failures();
            f.mock.set_consent(ConsentMode::AutoApprove);
            setup(&f.mock);
            open(s, &page).await;
            let explained = failing_sign_in(s).await;
            assert!(explained.contains(expected), "{what}: {explained}");
            assert_eq!(
                s.text("#masked-key").await.unwrap(),
                masked,
                "{what}: the key stays"
            );
            assert_eq!(
                s.current_url().await,
                page,
                "{what}: the code is gone from the address bar"
            );
        }
        f.mock.clear_exchange_failures();

        // A tampered state: start (the mock asks), then come back with another state.
        f.mock.set_consent(ConsentMode::Ask);
        open(s, &page).await;
        s.click("[data-cell='default-default'] button").await;
        s.wait_for(
            "document.querySelector('#approve')",
            WAIT,
            "the consent page",
        )
        .await;
        s.goto(&format!(
            "{}/auth/callback?code=abc&state=ors_tampered",
            f.a.origin
        ))
        .await;
        let explained = alert(s).await;
        wait_live(s).await;
        assert!(explained.contains("did not carry the state"), "{explained}");
        assert_eq!(s.text("#masked-key").await.unwrap(), masked);

        // A return without the sign-in's state does not end it: anyone can link here. The
        // pending cookie stays, and the same return again is still refused for its state.
        assert!(
            browser_cookie(s, "openrouter_pending").await.is_some(),
            "the pending sign-in outlives a return that lacks its state"
        );
        s.goto(&format!(
            "{}/auth/callback?code=abc&state=ors_tampered",
            f.a.origin
        ))
        .await;
        let explained = alert(s).await;
        assert!(explained.contains("did not carry the state"), "{explained}");

        // A key cookie altered in the browser: the page shows signed out, and nothing alarming.
        let mut cookie = browser_cookie(s, "openrouter_key").await.unwrap();
        let value = cookie["value"].as_str().unwrap().to_owned();
        let middle = value.len() / 2;
        let flipped = if &value[middle..=middle] == "A" {
            "B"
        } else {
            "A"
        };
        let altered = format!("{}{flipped}{}", &value[..middle], &value[middle + 1..]);
        cookie["value"] = Value::String(altered);
        s.cdp(
            "Network.setCookie",
            json!({
                "name": "openrouter_key", "value": cookie["value"], "domain": "127.0.0.1",
                "path": "/", "httpOnly": true, "sameSite": "Lax"
            }),
        )
        .await;
        open(s, &page).await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "signed out",
        )
        .await;
        assert!(s.text("#auth-error").await.is_none());
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn an_expired_pending_sign_in_is_explained_and_nothing_is_exchanged() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        let masked = s.text("#masked-key").await.unwrap();
        f.mock.set_consent(ConsentMode::Ask);
        open(s, &format!("{}/", f.a.origin)).await;
        s.click("[data-cell='default-default'] button").await;
        s.wait_for(
            "document.querySelector('#approve')",
            WAIT,
            "the consent page",
        )
        .await;
        // Ten minutes on, the browser drops the pending cookie (its Max-Age); a browser that
        // still sends it is refused by the expiry sealed inside (tests/server in the library).
        let pending = browser_cookie(s, "openrouter_pending")
            .await
            .expect("the pending cookie while at OpenRouter");
        assert_eq!(pending["path"], "/");
        assert_eq!(pending["httpOnly"], true);
        s.cdp(
            "Network.deleteCookies",
            json!({"name": "openrouter_pending", "domain": "127.0.0.1", "path": "/"}),
        )
        .await;
        let exchanges = f.mock.exchange_requests();
        s.click("#approve").await;
        let explained = alert(s).await;
        wait_live(s).await;
        assert!(explained.contains("has no sign-in waiting"), "{explained}");
        assert_eq!(
            f.mock.exchange_requests(),
            exchanges,
            "nothing was exchanged"
        );
        assert_eq!(
            s.text("#masked-key").await.unwrap(),
            masked,
            "the key stays"
        );
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn a_return_to_another_origin_is_refused() {
    case(async |f, s| {
        let asked = f.mock.authorize_requests();
        for target in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example"] {
            s.goto(&format!("{}/auth/start?return_to={target}", f.a.origin))
                .await;
            let body = s.text("body").await.unwrap_or_default();
            assert!(
                body.contains("return_to must be one path on this site"),
                "{body}"
            );
            assert!(!body.contains("evil"), "not reflected");
            assert!(s.current_url().await.starts_with(&f.a.origin));
        }
        assert_eq!(
            f.mock.authorize_requests(),
            asked,
            "OpenRouter was never asked"
        );
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn state_changes_from_another_origin_of_the_site_are_refused() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        let masked = s.text("#masked-key").await.unwrap();
        s.goto(&format!("{}/", f.elsewhere)).await;
        let sign_out = format!("{}/api/openrouter-signin/sign-out", f.a.origin);
        // The cookie travels (same site), so only the server's check stands in the way.
        let outcome = s
            .exec(
                "const [url, done] = [arguments[0], arguments[arguments.length - 1]];
                 const attempt = (init) => fetch(url, Object.assign({method: 'POST', credentials: 'include'}, init))
                     .then(r => 'answered ' + r.status, e => 'failed');
                 return Promise.all([attempt({mode: 'no-cors'}), attempt({headers: {'x-openrouter-signin': '1'}})]);",
                json!([sign_out]),
            )
            .await;
        assert_eq!(
            outcome,
            json!(["answered 0", "failed"]),
            "opaque, and no preflight granted"
        );
        open(s, &format!("{}/", f.a.origin)).await;
        assert_eq!(
            s.text("#masked-key").await.as_deref(),
            Some(masked.as_str()),
            "still signed in"
        );
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn instances_that_share_the_secret_share_the_sign_in() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        let masked = s.text("#masked-key").await.unwrap();
        // A browser sends 127.0.0.1's cookies to every port, as to instances behind one name.
        for (server, signed_in) in [(&f.b, true), (&f.other, false), (&f.rotated, true)] {
            open(s, &format!("{}/", server.origin)).await;
            if signed_in {
                assert_eq!(
                    s.text("#masked-key").await.as_deref(),
                    Some(masked.as_str()),
                    "{}",
                    server.origin
                );
            } else {
                assert!(s.text("#hero-sign-in").await.is_some(), "{}", server.origin);
                assert!(
                    s.text("[role=alert]").await.is_none(),
                    "nothing alarming on {}",
                    server.origin
                );
            }
        }
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn sign_in_and_sign_out_show_in_every_open_tab() {
    case(async |f, s| {
        let first = s.current_tab().await;
        open(s, &format!("{}/", f.a.origin)).await;
        let second = s.new_tab().await;
        s.switch_to(&second).await;
        open(s, &format!("{}/", f.a.origin)).await;
        assert!(
            s.text("#hero-sign-in").await.is_some(),
            "signed out at first"
        );
        // A sign-in finished in the first tab shows in the second, which was not reloaded.
        s.switch_to(&first).await;
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "signed in here",
        )
        .await;
        wait_live(s).await;
        s.switch_to(&second).await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the sign-in in the second tab",
        )
        .await;
        // The second tab notes when it shows signed out.
        s.exec(
            "new MutationObserver((_, observer) => {
                 if (document.querySelector('#hero-sign-in')) { window.signedOutAt = Date.now(); observer.disconnect(); }
             }).observe(document.body, {childList: true, subtree: true});",
            json!([]),
        )
        .await;
        s.switch_to(&first).await;
        let clicked = s
            .exec("return Date.now()", json!([]))
            .await
            .as_f64()
            .unwrap();
        s.click("#sign-out").await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "signed out here",
        )
        .await;
        assert!(
            browser_cookie(s, "openrouter_key").await.is_none(),
            "the cookie is cleared"
        );
        s.switch_to(&second).await;
        let shown = s
            .wait_for("window.signedOutAt", WAIT, "signed out in the second tab")
            .await
            .as_f64()
            .unwrap();
        assert!(
            shown - clicked < 1000.0,
            "the second tab took {} ms",
            shown - clicked
        );
    });
}

#[path = "support/model_field.rs"]
mod model_field;

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn the_model_field_offers_the_keys_models_remembers_the_choice_and_each_answer_shows_its_cost() {
    case(async |f, s| {
        sign_in(f, s, &f.a.origin).await;
        // Through the server, which holds the key.
        model_field::offers_the_keys_models_shows_the_cost_and_remembers_the_choice(s).await;
    });
}

#[path = "support/axe.rs"]
mod axe;

#[test]
#[ignore = "needs the fullstack build, Chromium and axe-core; scripts/test.sh runs it"]
fn no_accessibility_violations_in_any_state_width_or_theme() {
    case(async |f, s| {
        let page = |dark: bool| format!("{}/{}", f.a.origin, if dark { "?theme=dark" } else { "" });
        for (width, dark) in axe::widths_and_themes() {
            s.set_window_size(width, 900).await;
            open(s, &page(dark)).await;
            axe::assert_none(s, &format!("signed out, {width} px, dark {dark}")).await;
        }
        // An error on screen: OpenRouter refused.
        f.mock.set_consent(ConsentMode::AutoDeny);
        open(s, &page(false)).await;
        s.click("#hero-sign-in").await;
        alert(s).await;
        axe::assert_none(s, "with an error shown").await;
        sign_in(f, s, &f.a.origin).await;
        for (width, dark) in axe::widths_and_themes() {
            s.set_window_size(width, 900).await;
            open(s, &page(dark)).await;
            s.wait_for(
                "document.querySelector('#key-label')",
                WAIT,
                "the key's status",
            )
            .await;
            axe::assert_none(s, &format!("signed in, {width} px, dark {dark}")).await;
        }
    });
}

#[path = "support/keyboard.rs"]
mod keyboard;

use keyboard::{press, Key};

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn the_keyboard_alone_signs_in_and_out_the_focus_follows_every_stop_visible() {
    case(async |f, s| {
        f.mock.set_consent(ConsentMode::AutoApprove);
        open(s, &format!("{}/", f.a.origin)).await;
        keyboard::sign_in_from_the_first_tab(s, WAIT).await;
        wait_live(s).await;
        // Back from the server's callback, the focus is on the control that replaced the one used.
        keyboard::wait_focus(s, "sign-out", WAIT).await;
        // The fields are named by their labels alone, as a screen reader hears them.
        let nodes = keyboard::ax_nodes(s).await;
        for label in ["Model", "Prompt"] {
            let named = nodes
                .iter()
                .filter(|(role, name, _)| {
                    name == label && (role == "textbox" || role == "combobox")
                })
                .count();
            assert_eq!(named, 1, "{label}: {nodes:?}");
        }
        press(s, Key::Tab).await;
        press(s, Key::ShiftTab).await;
        assert_eq!(keyboard::focused(s).await, "sign-out");
        press(s, Key::Space).await;
        keyboard::wait_focus(s, "hero-sign-in", WAIT).await;
        assert!(
            browser_cookie(s, "openrouter_key").await.is_none(),
            "signed out"
        );
        // Every stop of the signed-out page is visible and shows its focus.
        let stops = keyboard::tab_through(s, 200).await;
        assert!(stops.len() >= 22, "only {} stops: {stops:?}", stops.len());
    });
}

#[test]
#[ignore = "needs the fullstack build and Chromium; scripts/test.sh runs it"]
fn the_page_speaks_the_chosen_language_and_explains_the_servers_failures_in_it() {
    case(async |f, s| {
        open(s, &format!("{}/", f.a.origin)).await;
        s.click("#language [data-lang=zh]").await;
        let chinese = "(() => { const b = document.querySelector('#hero-sign-in');
            return b && b.textContent.trim() === '使用 OpenRouter 登录' && b.lang === 'zh-Hans'; })()";
        s.wait_for(chinese, WAIT, "the button in Chinese").await;
        // The server refuses (OpenRouter declined): the page says so in the chosen language.
        f.mock.set_consent(ConsentMode::AutoDeny);
        s.click("#hero-sign-in").await;
        wait_live(s).await;
        s.wait_for(chinese, WAIT, "the button in Chinese after the return")
            .await;
        s.wait_for(
            "document.querySelector('#auth-error') && document.querySelector('#auth-error').lang === 'zh-Hans'",
            WAIT,
            "the explanation in Chinese",
        )
        .await;
        assert_eq!(
            s.text("#auth-error").await.unwrap(),
            "已在 OpenRouter 上取消登录。请点击登录重试。"
        );
        assert!(s
            .text("#key-location")
            .await
            .unwrap()
            .starts_with("密钥保存在只有本应用服务器能读取"));
    });
}
