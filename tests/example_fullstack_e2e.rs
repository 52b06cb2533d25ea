//! The fullstack example (examples/fullstack: "Project namer") as built by dx, run as a process
//! on 127.0.0.1 in front of the mock OpenRouter: its own server function, which takes the
//! signed-in user as `OpenRouterSession`, over plain HTTP and from the page in headless
//! Chromium through Dioxus's own server-function client.
//!
//! Ignored by default; `scripts/test.sh` runs it with `--ignored` after building the example.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use openrouter_mock::{ConsentMode, MockServer};
use page_driver::cookie_browser::Browser;
use page_driver::process::{free_port, random_secret, spawn_tied, wait_listening};
use page_driver::webdriver::{Driver, Session};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);
const FUNCTION: &str = "/api/suggest-names";
const KEY_COOKIE: &str = "openrouter_key";

struct Fixture {
    mock: MockServer,
    /// Held, never read: tied to this process, it ends when the tests do.
    _server: Child,
    origin: String,
    /// What the server printed: its sign-in and sign-out hooks write a line each.
    log: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
        let mock = runtime.block_on(MockServer::start()).unwrap();
        let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/dx/openrouter-signin-example-fullstack/debug/web/server");
        assert!(
            binary.exists(),
            "{} is missing: scripts/test.sh builds it with dx",
            binary.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("example-fullstack-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(&binary);
        command
            .env("IP", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("OPENROUTER_BASE_URL", mock.base_url())
            .env("OPENROUTER_SIGNIN_SECRET", random_secret())
            .env_remove("OPENROUTER_SIGNIN_PREVIOUS_SECRET")
            .env_remove("OPENROUTER_SIGNIN_ORIGIN")
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        // Tied to this process: the fixture lives in a static and is never dropped.
        let mut server = spawn_tied(command).unwrap();
        wait_listening(port, &mut server, "the example's server", Some(&log), WAIT);
        Fixture {
            mock,
            _server: server,
            origin: format!("http://127.0.0.1:{port}"),
            log,
        }
    })
}

/// Runs one case alone, with the mock approving sign-ins at once.
fn case(body: impl AsyncFnOnce(&Fixture)) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let fixture = fixture();
    fixture.mock.set_consent(ConsentMode::AutoApprove);
    fixture.mock.clear_chat_failures();
    fixture.mock.set_chat_delay(Duration::from_millis(0));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(body(fixture));
}

/// The server function's JSON arguments, as Dioxus's client sends them.
fn arguments(model: &str, about: &str) -> String {
    json!({ "model": model, "about": about }).to_string()
}

/// Calls the server function as the page does (JSON, from the page's own origin).
async fn call(
    browser: &mut Browser,
    f: &Fixture,
    about: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let answer = browser
        .post(
            &format!("{}{FUNCTION}", f.origin),
            &all,
            &arguments(openrouter_mock::USER_MODEL_IDS[0], about),
        )
        .await;
    (answer.status, answer.body)
}

const SAME_ORIGIN: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];

/// A sign-in over HTTP; returns the key the mock issued.
async fn sign_in(browser: &mut Browser, f: &Fixture) -> String {
    let landed = browser.sign_in(&f.origin, "/").await;
    // With the server's word that this browser just signed in (the page takes it out).
    assert_eq!(
        landed, "/?signed_in=1",
        "back on the page the sign-in started from"
    );
    f.mock.issued_keys().pop().expect("the mock issued a key")
}

fn hook_lines(log: &Path, start: &str) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with(start))
        .map(str::to_owned)
        .collect()
}

#[test]
#[ignore = "needs the example's dx build; scripts/test.sh runs it"]
fn the_server_function_asks_openrouter_with_the_users_key() {
    case(async |f| {
        let mut browser = Browser::new();
        let key = sign_in(&mut browser, f).await;
        let chats = f.mock.chat_requests();
        let (status, body) = call(&mut browser, f, "a kite that flies itself", SAME_ORIGIN).await;
        assert_eq!(status, 200, "{body}");
        // The mock answers only a key it issued, and echoes the user's message.
        let expected = format!(
            "Echo from {}: a kite that flies itself",
            openrouter_mock::USER_MODEL_IDS[0]
        );
        assert_eq!(body, json!(expected).to_string());
        assert_eq!(f.mock.chat_requests(), chats + 1);

        // The page that says who is signed in, and the models route the page fills its choice
        // from: the masked key, never the key.
        let page = browser.get(&format!("{}/", f.origin)).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains(&format!("Signed in with {}…", &key[..12])),
            "{}",
            page.body
        );
        let models = browser
            .get(&format!(
                "{}/api/openrouter-signin/api/v1/models/user",
                f.origin
            ))
            .await;
        assert_eq!(models.status, 200, "{}", models.body);
        for id in openrouter_mock::USER_MODEL_IDS {
            assert!(models.body.contains(id), "{id}: {}", models.body);
        }
        let secret = &key[12..];
        for sent in &browser.history {
            assert!(
                !sent.body.contains(secret),
                "an answer carried the key: {}",
                sent.body
            );
            for (name, value) in &sent.headers {
                assert!(!value.contains(secret), "the header {name} carried the key");
            }
        }
    });
}

#[test]
#[ignore = "needs the example's dx build; scripts/test.sh runs it"]
fn without_a_valid_sign_in_the_server_function_is_refused_with_401() {
    case(async |f| {
        let chats = f.mock.chat_requests();
        let mut stranger = Browser::new();
        let (status, body) = call(&mut stranger, f, "anything", SAME_ORIGIN).await;
        assert_eq!(status, 401);
        assert_eq!(
            body,
            r#"{"error":{"code":401,"message":"not signed in"},"code":401,"message":"not signed in"}"#
        );

        let mut altered = Browser::new();
        sign_in(&mut altered, f).await;
        altered.alter_cookie(KEY_COOKIE);
        let (status, body) = call(&mut altered, f, "anything", SAME_ORIGIN).await;
        assert_eq!(status, 401);
        assert!(
            body.contains("\"message\":\"not signed in: the sign-in cookie was refused\""),
            "{body}"
        );

        // A forged cookie is refused the same way.
        let mut elsewhere = Browser::new();
        elsewhere.plant(
            KEY_COOKIE,
            "v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "/",
        );
        let (status, _) = call(&mut elsewhere, f, "anything", SAME_ORIGIN).await;
        assert_eq!(status, 401);
        assert_eq!(
            f.mock.chat_requests(),
            chats,
            "no refused call reached OpenRouter"
        );
    });
}

#[test]
#[ignore = "needs the example's dx build; scripts/test.sh runs it"]
fn the_guard_refuses_the_server_function_from_another_origin() {
    case(async |f| {
        let mut browser = Browser::new();
        sign_in(&mut browser, f).await;
        let chats = f.mock.chat_requests();
        let other_port = format!("http://127.0.0.1:{}", free_port());
        let refused: [&[(&str, &str)]; 4] = [
            // Another port of 127.0.0.1 is the same site: SameSite=Lax lets the cookie travel.
            &[("sec-fetch-site", "same-site"), ("origin", &other_port)],
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://attacker.example"),
            ],
            // A browser without Sec-Fetch-Site, from another origin.
            &[("origin", "https://attacker.example")],
            // Nothing says where the call comes from.
            &[],
        ];
        for headers in refused {
            let (status, body) = call(&mut browser, f, "for the attacker", headers).await;
            assert_eq!(status, 403, "{headers:?}: {body}");
            assert!(body.starts_with("Refused: "), "{body}");
        }
        assert_eq!(
            f.mock.chat_requests(),
            chats,
            "no refused call reached OpenRouter"
        );
        // The page's own origin, said either way, passes.
        let own: [&[(&str, &str)]; 2] = [SAME_ORIGIN, &[("origin", &f.origin)]];
        for headers in own {
            let (status, body) = call(&mut browser, f, "for me", headers).await;
            assert_eq!(status, 200, "{headers:?}: {body}");
        }
    });
}

#[test]
#[ignore = "needs the example's dx build; scripts/test.sh runs it"]
fn the_hooks_hear_each_sign_in_and_sign_out_once_and_never_the_key() {
    case(async |f| {
        let (ins, outs) = (
            hook_lines(&f.log, "signed in: ").len(),
            hook_lines(&f.log, "signed out: ").len(),
        );
        let mut browser = Browser::new();
        let key = sign_in(&mut browser, f).await;
        let out = browser
            .post(
                &format!("{}/api/openrouter-signin/sign-out", f.origin),
                &[
                    ("x-openrouter-signin", "1"),
                    ("sec-fetch-site", "same-origin"),
                ],
                "",
            )
            .await;
        assert!(
            out.status < 300,
            "sign-out answered {}: {}",
            out.status,
            out.body
        );
        let (status, _) = call(&mut browser, f, "after sign-out", SAME_ORIGIN).await;
        assert_eq!(status, 401, "signed out, the server function refuses");

        // The server writes its hooks' lines as it runs them; wait for the sign-out's.
        let deadline = std::time::Instant::now() + WAIT;
        while hook_lines(&f.log, "signed out: ").len() == outs {
            assert!(
                std::time::Instant::now() < deadline,
                "the sign-out hook never ran"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let signed_in = hook_lines(&f.log, "signed in: ");
        let signed_out = hook_lines(&f.log, "signed out: ");
        assert_eq!(signed_in.len(), ins + 1, "{signed_in:?}");
        assert_eq!(signed_out.len(), outs + 1, "{signed_out:?}");
        let masked = format!("{}…", &key[..12]);
        for line in [&signed_in[ins], &signed_out[outs]] {
            assert!(line.contains("user_mock_"), "the user id: {line}");
            assert!(line.ends_with(&masked), "the masked key: {line}");
        }
        let whole_log = std::fs::read_to_string(&f.log).unwrap();
        assert!(
            !whole_log.contains(&key[12..]),
            "the server's output holds the key"
        );
    });
}

/// Opens the example's page and waits until it is hydrated and its sign-in is live.
async fn open(s: &Session, f: &Fixture) {
    s.goto(&format!("{}/", f.origin)).await;
    wait_live(s).await;
}

async fn wait_live(s: &Session) {
    s.wait_for(
        "document.documentElement.dataset.openrouterSignin === 'ready'",
        WAIT,
        "the page's sign-in to be live",
    )
    .await;
}

/// Signs in with the page's own button, the mock approving, and waits for the returned page
/// to show it.
async fn sign_in_from_the_page(s: &Session) {
    s.click("form.openrouter-signin-form button").await;
    s.wait_for(
        "document.querySelector('#signed-in')",
        WAIT,
        "the signed-in line",
    )
    .await;
}

/// Asks for names from the page and returns what the page shows.
async fn ask_from_the_page(s: &Session, about: &str) -> String {
    s.type_into("#about", about).await;
    s.click("#suggest").await;
    s.wait_for(
        "document.querySelector('#names').textContent || null",
        WAIT,
        "the server function's answer on the page",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[test]
#[ignore = "needs the example's dx build and Chromium; scripts/test.sh runs it"]
fn from_the_page_the_server_function_answers_signed_in_and_refuses_signed_out() {
    case(async |f| {
        let driver = Driver::start().await;
        let s = driver.session().await;

        // Signed out: Dioxus's client gets the 401 and the page says so.
        open(&s, f).await;
        assert_eq!(ask_from_the_page(&s, "a bakery").await, "Not signed in.");

        // Signed in through the page's own button, with the mock approving.
        sign_in_from_the_page(&s).await;
        wait_live(&s).await;
        // The choice offers the models of this key, and the call uses the one chosen.
        let offered = s
            .wait_for(
                "(() => { const ids = [...document.querySelectorAll('#model option')].map(o => o.value); return ids.length ? ids : null })()",
                WAIT,
                "the key's models in the choice",
            )
            .await;
        assert_eq!(offered, json!(openrouter_mock::USER_MODEL_IDS));
        let chosen = openrouter_mock::USER_MODEL_IDS[1];
        s.exec(
            "const m = document.querySelector('#model'); m.value = arguments[0]; m.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([chosen]),
        )
        .await;
        // Through the guard: Dioxus's client sends no header of the library's.
        let names = ask_from_the_page(&s, "a bakery").await;
        assert_eq!(names, format!("Echo from {chosen}: a bakery"));
        let console = s.console().await;
        assert!(
            !console
                .iter()
                .any(|line| line.contains("Content Security Policy")),
            "the policy refused part of the page: {console:?}"
        );
        s.close().await;
    });
}

#[path = "support/axe.rs"]
mod axe;

#[test]
#[ignore = "needs the example's dx build, Chromium and axe-core; scripts/test.sh runs it"]
fn no_accessibility_violations_signed_out_or_in() {
    case(async |f| {
        let driver = Driver::start().await;
        let s = driver.session().await;
        for width in axe::WIDTHS {
            s.set_window_size(width, 900).await;
            open(&s, f).await;
            axe::assert_none(&s, &format!("signed out, {width} px")).await;
        }
        assert_eq!(ask_from_the_page(&s, "a bakery").await, "Not signed in.");
        axe::assert_none(&s, "signed out, refused").await;
        sign_in_from_the_page(&s).await;
        for width in axe::WIDTHS {
            s.set_window_size(width, 900).await;
            open(&s, f).await;
            s.wait_for(
                "document.querySelector('#model option')",
                WAIT,
                "the key's models",
            )
            .await;
            axe::assert_none(&s, &format!("signed in, {width} px")).await;
        }
        ask_from_the_page(&s, "a bakery").await;
        axe::assert_none(&s, "signed in, with an answer").await;
        s.close().await;
    });
}
