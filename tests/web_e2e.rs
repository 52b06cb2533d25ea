//! The web sign-in end to end, in real headless Chromium driven through chromedriver, against
//! the app that dx built and the local mock OpenRouter, both started here on 127.0.0.1.
//!
//! Needs `dx build --platform web` with OPENROUTER_BASE_URL=http://127.0.0.1:8787 (the mock's port
//! here) and Debian's chromium and chromium-driver; `scripts/test.sh` does both and runs this with
//! `--ignored`. The cases share the mock, so they run one at a time.

#[path = "web/back.rs"]
mod back;
#[path = "support/back.rs"]
mod back_and_forth;
#[path = "web/early.rs"]
mod early;
#[path = "web/fixed_callback.rs"]
mod fixed_callback;
#[path = "web/layout.rs"]
mod layout;

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use openrouter_mock::{ChatFailure, ConsentMode, Failure, MockServer};
use page_driver::webdriver::{Driver, Session, SessionOptions};
use serde_json::json;

/// Where the web build expects OpenRouter (baked in at build time by scripts/test.sh).
const MOCK_ADDR: &str = "127.0.0.1:8787";
const WAIT: Duration = Duration::from_secs(15);

struct Fixture {
    mock: MockServer,
    app: String,
}

/// The mock and the static server, started once on a runtime that lives as long as the tests.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let public = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/dx/openrouter-signin-gallery/debug/web/public");
        assert!(
            public.join("index.html").exists(),
            "{} is missing: build the web app first (scripts/test.sh does)",
            public.display()
        );
        let runtime = Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
        let mock = runtime
            .block_on(MockServer::start_on(MOCK_ADDR.parse().unwrap()))
            .unwrap_or_else(|e| {
                panic!("the mock needs {MOCK_ADDR} (the port the web build calls): {e}")
            });
        let app = runtime.block_on(page_driver::static_server::serve(public));
        Fixture {
            mock,
            app: format!("{app}/"),
        }
    })
}

/// Runs one case: alone, in a fresh browser, with the mock reset.
fn case(body: impl AsyncFnOnce(&Fixture, &Session)) {
    case_with(SessionOptions::default(), body);
}

/// [`case`], in a browser started with `options`.
fn case_with(options: SessionOptions, body: impl AsyncFnOnce(&Fixture, &Session)) {
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
        let session = driver.session_with(&options).await;
        body(fixture, &session).await;
        session.close().await;
    });
}

async fn open_app(s: &Session, url: &str) {
    s.goto(url).await;
    open_app_rendered(s).await;
}

/// Waits until the page the browser is on has rendered all of the gallery.
async fn open_app_rendered(s: &Session) {
    s.wait_for(
        // The grid is the last part the gallery renders (a turn of the event loop after the hero).
        "document.querySelector('#hero') && document.querySelector('#variants')",
        WAIT,
        "the gallery to render",
    )
    .await;
}

/// Signs in from the signed-out hero with the mock approving; returns the key.
async fn sign_in(f: &Fixture, s: &Session) -> String {
    f.mock.set_consent(ConsentMode::AutoApprove);
    open_app(s, &f.app).await;
    s.click("#hero-sign-in").await;
    s.wait_for(
        "document.querySelector('#masked-key')",
        WAIT,
        "the masked key",
    )
    .await;
    stored_key(s).await.expect("a key in localStorage")
}

async fn stored_key(s: &Session) -> Option<String> {
    s.exec(
        "return localStorage.getItem('openrouter_api_key')",
        json!([]),
    )
    .await
    .as_str()
    .map(str::to_owned)
}

async fn pending_entries(s: &Session) -> usize {
    let n = s
        .exec(
            "return Object.keys(sessionStorage).filter(k => k.startsWith('openrouter_')).length",
            json!([]),
        )
        .await;
    n.as_u64().unwrap_or(0) as usize
}

async fn alert(s: &Session) -> String {
    s.wait_for("document.querySelector('[role=alert]')", WAIT, "an alert")
        .await;
    s.text("[role=alert]").await.unwrap_or_default()
}

/// Starts a sign-in with the mock asking, and returns to the app with nothing: the tab now has a
/// sign-in pending, and the test can make up any return it likes. Returns the pending state.
async fn pending_sign_in(f: &Fixture, s: &Session) -> String {
    f.mock.set_consent(ConsentMode::Ask);
    open_app(s, &f.app).await;
    s.click("#hero-sign-in").await;
    s.wait_for(
        "document.querySelector('#approve')",
        WAIT,
        "the mock's consent page",
    )
    .await;
    open_app(s, &f.app).await;
    let state = s
        .exec(
            "return sessionStorage.getItem('openrouter_oauth_state')",
            json!([]),
        )
        .await;
    state.as_str().expect("a pending state").to_owned()
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn full_sign_in_survives_a_reload_and_never_reaches_the_console() {
    case(async |f, s| {
        let before = f.mock.exchange_requests();
        let key = sign_in(f, s).await;
        assert!(key.starts_with("sk-or-v1-"));
        assert_eq!(f.mock.exchange_requests(), before + 1);
        assert_eq!(
            s.current_url().await,
            f.app,
            "code and state are gone from the address bar"
        );
        assert_eq!(
            pending_entries(s).await,
            0,
            "the verifier and state are gone"
        );
        let masked = s.text("#masked-key").await.unwrap();
        assert_eq!(masked, format!("{}…", &key[..12]));
        let base = openrouter_signin::BaseUrl::parse(&f.mock.base_url()).unwrap();
        let manage = openrouter_signin::ApiKey::parse(key.clone())
            .unwrap()
            .manage_url(&base);
        // The link's address is the key's SHA-256, which the browser computes a moment after
        // the key is known (crypto.subtle is asynchronous).
        s.wait_for(
            "document.querySelector('#manage-key')",
            WAIT,
            "the key's manage link",
        )
        .await;
        let link = "const a = document.querySelector('#manage-key');
                    return a && [a.href, a.rel, a.target, a.textContent]";
        let shown = [
            manage.as_str(),
            "noopener noreferrer",
            "_blank",
            "Manage or revoke this key",
        ];
        assert_eq!(s.exec(link, json!([])).await, json!(shown));
        // Beside Sign out, the page says that signing out does not revoke the key.
        let note = s.text("#sign-out-note").await.unwrap_or_default();
        assert!(note.contains("does not revoke it on OpenRouter"), "{note}");
        s.goto(&f.app).await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the key after a reload",
        )
        .await;
        assert_eq!(s.text("#masked-key").await.unwrap(), masked);
        let console = s.console().await;
        assert!(
            console
                .iter()
                .all(|line| !line.contains(&key) && !line.contains(&key[12..])),
            "{console:?}"
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn the_page_signs_in_under_its_content_security_policy_and_it_blocks_other_hosts() {
    case(async |f, s| {
        open_app(s, &f.app).await;
        let policy = s
            .exec(
                "const m = document.querySelector('meta[http-equiv=Content-Security-Policy]');
                 return m && m.content",
                json!([]),
            )
            .await;
        let policy = policy.as_str().expect("a CSP meta element in the page");
        assert!(
            policy.contains(&format!("connect-src 'self' http://{MOCK_ADDR};")),
            "{policy}"
        );
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{policy}"
        );
        let inline_scripts = s
            .exec(
                "return document.querySelectorAll('script:not([src])').length",
                json!([]),
            )
            .await;
        assert_eq!(inline_scripts, json!(0), "no inline script in the page");
        // The two stylesheets dx wrote into the page (the gallery's, which LinkStylesheet finds,
        // and the button's, which the button relies on), each once.
        let stylesheets = s
            .exec(
                "return Array.from(document.querySelectorAll('link[rel=stylesheet]'),
                   l => l.getAttribute('href').replace(/-dxh[0-9a-f]+/, '')).sort()",
                json!([]),
            )
            .await;
        assert_eq!(
            stylesheets,
            json!(["/./assets/gallery.css", "/./assets/openrouter-signin.css"])
        );

        // Everything the app does (the exchange, the key status, a streamed answer) still works.
        sign_in(f, s).await;
        s.wait_for(
            "document.querySelector('#key-label')?.textContent",
            WAIT,
            "the key's label",
        )
        .await;
        send_prompt(s, "under the policy").await;
        s.wait_for(
            "document.querySelector('#answer').textContent === 'Echo from openai/gpt-4o-mini: under the policy'",
            WAIT,
            "the whole answer",
        )
        .await;
        let console = s.console().await;
        assert!(
            console
                .iter()
                .all(|line| !line.contains("Content Security Policy")),
            "the app itself broke its policy: {console:?}"
        );

        // Any other host is out of reach, even the mock's own port under another name.
        let blocked = s
            .exec(
                "return new Promise(resolve => {
                   document.addEventListener('securitypolicyviolation',
                     e => resolve(e.effectiveDirective + ' ' + e.blockedURI), { once: true });
                   fetch('http://localhost:8787/api/v1/key').catch(() => {});
                   setTimeout(() => resolve('not blocked'), 5000);
                 })",
                json!([]),
            )
            .await;
        assert_eq!(
            blocked,
            json!("connect-src http://localhost:8787/api/v1/key")
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn other_tabs_follow_sign_in_and_sign_out_within_a_second() {
    case(async |f, s| {
        open_app(s, &f.app).await;
        let first = s.current_tab().await;
        let second = s.new_tab().await;
        s.switch_to(&second).await;
        open_app(s, &f.app).await;
        s.switch_to(&first).await;
        sign_in(f, s).await;
        s.switch_to(&second).await;
        let started = Instant::now();
        s.wait_for(
            "document.querySelector('#masked-key')",
            Duration::from_secs(1),
            "the second tab to see the sign-in",
        )
        .await;
        println!("second tab saw the sign-in after {:?}", started.elapsed());
        s.click("#sign-out").await;
        s.switch_to(&first).await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            Duration::from_secs(1),
            "the first tab to see the sign-out",
        )
        .await;
        // localStorage.clear() fires a storage event with a null key; that signs out too.
        sign_in(f, s).await;
        s.switch_to(&second).await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            Duration::from_secs(1),
            "the second tab to see it again",
        )
        .await;
        s.exec("localStorage.clear()", json!([])).await;
        s.switch_to(&first).await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            Duration::from_secs(1),
            "the first tab to see clear()",
        )
        .await;
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_foreign_code_is_left_alone() {
    case(async |f, s| {
        let before = f.mock.exchange_requests();
        let url = format!("{}?code=someone-elses&state=theirs", f.app);
        open_app(s, &url).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(
            f.mock.exchange_requests(),
            before,
            "no exchange for a code that is not ours"
        );
        assert_eq!(
            s.current_url().await,
            url,
            "someone else's URL is not touched"
        );
        assert!(s.text("[role=alert]").await.is_none());
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn denial_is_explained_and_keeps_the_earlier_key() {
    case(async |f, s| {
        let key = sign_in(f, s).await;
        f.mock.set_consent(ConsentMode::AutoDeny);
        s.click("[data-option=label]").await;
        let message = alert(s).await;
        assert!(message.contains("cancelled"), "{message}");
        assert_eq!(
            s.current_url().await,
            f.app,
            "error parameters are gone from the address bar"
        );
        assert_eq!(stored_key(s).await, Some(key.clone()));
        assert_eq!(
            s.text("#masked-key").await.unwrap(),
            format!("{}…", &key[..12])
        );
        assert_eq!(pending_entries(s).await, 0);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn an_error_description_is_shown_as_text() {
    case(async |f, s| {
        pending_sign_in(f, s).await;
        let hostile = "<img src=x onerror=\"window.pwned=1\"><b>bold</b>";
        let encoded: String = hostile.bytes().map(|b| format!("%{b:02X}")).collect();
        open_app(
            s,
            &format!("{}?error=access_denied&error_description={encoded}", f.app),
        )
        .await;
        let message = alert(s).await;
        assert!(message.contains(hostile), "{message}");
        let markup = s
            .exec(
                "return document.querySelector('[role=alert]').children.length",
                json!([]),
            )
            .await;
        assert_eq!(markup, json!(0), "no element was made from the description");
        assert_eq!(
            s.exec("return window.pwned === undefined", json!([])).await,
            json!(true)
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_failed_exchange_is_explained_and_keeps_the_earlier_key() {
    case(async |f, s| {
        let key = sign_in(f, s).await;
        let broken = [
            (Failure::Status(500), "500"),
            (Failure::NotJson, "not understood"),
            (Failure::EmptyKey, "key"),
            (Failure::NotAKey, "key"),
            (Failure::HugeBody(3 << 20), "larger than 1048576 bytes"),
            // No length announced and no end: only a reader that stops at its limit gets here.
            (Failure::EndlessBody, "larger than 1048576 bytes"),
            (Failure::DropConnection, "could not reach OpenRouter"),
        ];
        for (failure, expected) in broken {
            f.mock.inject_exchange_failure(failure.clone());
            s.click("[data-option=label]").await;
            let message = alert(s).await;
            assert!(message.contains(expected), "{failure:?}: {message}");
            assert_eq!(stored_key(s).await, Some(key.clone()), "{failure:?}");
            assert_eq!(pending_entries(s).await, 0, "{failure:?}");
            assert_eq!(s.current_url().await, f.app, "{failure:?}");
        }
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_tampered_state_never_reaches_the_mock() {
    case(async |f, s| {
        let state = pending_sign_in(f, s).await;
        let before = f.mock.exchange_requests();
        // Its last character changed: to one it is not (a random state ends in `x` one time
        // in 64, and then an `x` would change nothing).
        let last = if state.ends_with('x') { 'y' } else { 'x' };
        let tampered = format!("{}{last}", &state[..state.len() - 1]);
        assert_ne!(tampered, state);
        open_app(s, &format!("{}?code=stolen&state={tampered}", f.app)).await;
        let message = alert(s).await;
        assert!(message.contains("state"), "{message}");
        assert_eq!(f.mock.exchange_requests(), before);
        assert_eq!(pending_entries(s).await, 0);
        assert_eq!(s.current_url().await, f.app);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn an_expired_sign_in_is_refused() {
    case(async |f, s| {
        let state = pending_sign_in(f, s).await;
        s.exec("sessionStorage.setItem('openrouter_oauth_started_at', String(Date.now() - 11 * 60 * 1000))", json!([])).await;
        let before = f.mock.exchange_requests();
        open_app(s, &format!("{}?code=abc&state={state}", f.app)).await;
        let message = alert(s).await;
        assert!(message.contains("10 minutes"), "{message}");
        assert_eq!(f.mock.exchange_requests(), before);
        assert_eq!(pending_entries(s).await, 0);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_return_to_a_tab_that_did_not_start_it_is_explained() {
    case(async |f, s| {
        let before = f.mock.exchange_requests();
        open_app(
            s,
            &format!("{}?code=abc&state=ors_{}", f.app, "A".repeat(32)),
        )
        .await;
        let message = alert(s).await;
        assert!(message.contains("another tab"), "{message}");
        assert_eq!(f.mock.exchange_requests(), before);
        assert_eq!(s.current_url().await, f.app);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_slow_exchange_shows_the_loading_state_then_signs_in() {
    case(async |f, s| {
        f.mock
            .inject_exchange_failure(Failure::Delay(Duration::from_millis(2500)));
        open_app(s, &f.app).await;
        s.click("#hero-sign-in").await;
        let busy =
            "document.querySelector('#hero-sign-in[aria-busy=true][disabled] [data-spinner]')";
        s.wait_for(busy, WAIT, "the hero button's loading state")
            .await;
        assert!(
            s.text("#hero-sign-in")
                .await
                .unwrap()
                .contains("Sign in with OpenRouter"),
            "the name stays"
        );
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the key after the slow exchange",
        )
        .await;
    });
}

/// Installed before the returned page's code: what that page showed, in the order it showed it.
const RETURN_WATCH: &str = "(() => {
  if (!location.search.includes('code=')) return;
  const seen = window.__returned = { signInEnabled: false };
  const check = () => {
    const button = document.querySelector('#hero-sign-in');
    if (button) {
      if (seen.firstButtonBusy === undefined) seen.firstButtonBusy = button.getAttribute('aria-busy') === 'true';
      if (!button.disabled) seen.signInEnabled = true;
    }
    if (seen.signOutAt === undefined && document.querySelector('#sign-out')) {
      seen.signOutAt = performance.now();
      seen.restWithSignOut = !!document.querySelector('#variants');
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();";

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_return_finishes_from_the_first_frame_and_shows_sign_out_before_the_rest() {
    case(async |f, s| {
        f.mock.set_consent(ConsentMode::AutoApprove);
        open_app(s, &f.app).await;
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": RETURN_WATCH }),
        )
        .await;
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key') && document.querySelector('#variants') \
             && performance.getEntriesByType('resource').some(r => r.name.includes('/api/v1/key'))",
            WAIT,
            "the signed-in page, the rest of it, and the key's status asked for",
        )
        .await;
        let seen = s.exec("return window.__returned", json!([])).await;
        assert_eq!(
            seen["firstButtonBusy"], true,
            "the returned page's first frame already shows the sign-in being finished: {seen}"
        );
        assert_eq!(
            seen["signInEnabled"], false,
            "the returned page never offered Sign in while finishing it: {seen}"
        );
        assert_eq!(
            seen["restWithSignOut"], false,
            "Sign out shows before the variants, options, key status and chat: {seen}"
        );
        let asked = s
            .exec(
                "return performance.getEntriesByType('resource').find(r => r.name.includes('/api/v1/key')).startTime",
                json!([]),
            )
            .await;
        assert!(
            asked.as_f64().unwrap() >= seen["signOutAt"].as_f64().unwrap(),
            "the key's status is asked for after Sign out shows: {asked} vs {seen}"
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn cleaning_the_url_keeps_other_parameters_and_the_hash() {
    case(async |f, s| {
        let state = pending_sign_in(f, s).await;
        // A code the mock refuses is enough: the address bar is cleaned before the exchange.
        open_app(
            s,
            &format!("{}?tab=2&code=abc&state={state}&x=%20y#section", f.app),
        )
        .await;
        let message = alert(s).await;
        assert!(message.contains("403"), "{message}");
        assert_eq!(
            s.current_url().await,
            format!("{}?tab=2&x=%20y#section", f.app)
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn without_local_storage_sign_in_works_for_the_page_and_says_so() {
    case(async |f, s| {
        let refuse = "Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });";
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": refuse }),
        )
        .await;
        open_app(s, &f.app).await;
        let notice = s
            .wait_for(
                "document.querySelector('#auth-notice')?.textContent",
                WAIT,
                "the notice",
            )
            .await;
        assert!(
            notice.as_str().unwrap().contains("will not be remembered"),
            "{notice}"
        );
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "signed in for this page",
        )
        .await;
        s.goto(&f.app).await;
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "signed out after a reload",
        )
        .await;
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_full_local_storage_keeps_the_key_for_the_page_and_says_so() {
    case(async |f, s| {
        let quota = "const set = Storage.prototype.setItem; Storage.prototype.setItem = function (k, v) { if (this === window.localStorage) { throw new DOMException('quota', 'QuotaExceededError'); } return set.call(this, k, v); };";
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": quota }),
        )
        .await;
        open_app(s, &f.app).await;
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "signed in for this page",
        )
        .await;
        let notice = s.text("#auth-notice").await.unwrap_or_default();
        assert!(notice.contains("will not be remembered"), "{notice}");
        assert_eq!(stored_key(s).await, None);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn without_session_storage_sign_in_refuses_before_leaving() {
    case(async |f, s| {
        let refuse = "Object.defineProperty(window, 'sessionStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });";
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": refuse }),
        )
        .await;
        let before = f.mock.authorize_requests();
        open_app(s, &f.app).await;
        s.click("#hero-sign-in").await;
        let message = alert(s).await;
        assert!(message.contains("sessionStorage"), "{message}");
        assert_eq!(s.current_url().await, f.app, "the page stayed");
        assert_eq!(
            f.mock.authorize_requests(),
            before,
            "nothing went to OpenRouter"
        );
    });
}

async fn send_prompt(s: &Session, prompt: &str) {
    s.wait_for("document.querySelector('#prompt')", WAIT, "the chat panel")
        .await;
    s.type_into("#prompt", prompt).await;
    s.click("#send").await;
}

async fn prompt_value(s: &Session) -> serde_json::Value {
    s.exec("return document.querySelector('#prompt').value", json!([]))
        .await
}

async fn send_disabled(s: &Session) -> serde_json::Value {
    s.exec("return document.querySelector('#send').disabled", json!([]))
        .await
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn the_key_status_shows_and_the_chat_answer_streams_in() {
    case(async |f, s| {
        let key = sign_in(f, s).await;
        let label = s
            .wait_for(
                "document.querySelector('#key-label')?.textContent",
                WAIT,
                "the key's label",
            )
            .await;
        // The key carries the label the gallery configured, sent with the callback flow.
        assert_eq!(label, "openrouter-signin gallery", "key {}", &key[..12]);
        assert_eq!(s.text("#key-tier").await.as_deref(), Some("free tier"));
        f.mock.set_chat_delay(Duration::from_millis(60));
        let prompt = "héllo from the browser ✓";
        send_prompt(s, prompt).await;
        // Pieces arrive one by one: the answer is seen part-way before it is complete.
        s.wait_for(
            "document.querySelector('#answer').textContent.length > 0",
            WAIT,
            "the first piece",
        )
        .await;
        let early = s.text("#answer").await.unwrap();
        let full = format!("Echo from openai/gpt-4o-mini: {prompt}");
        assert!(
            early.len() < full.len(),
            "the answer arrived all at once: {early}"
        );
        let done = format!(
            "document.querySelector('#answer').textContent === {}",
            json!(full)
        );
        s.wait_for(&done, WAIT, "the whole answer").await;
        let headers = f.mock.last_chat_headers();
        assert!(
            headers
                .iter()
                .any(|(n, v)| n == "x-title" && v == "openrouter-signin gallery"),
            "{headers:?}"
        );
        assert!(
            headers
                .iter()
                .any(|(n, v)| n == "http-referer" && f.app.starts_with(v.as_str())),
            "{headers:?}"
        );
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn stop_stops_the_stream() {
    case(async |f, s| {
        sign_in(f, s).await;
        f.mock.set_chat_delay(Duration::from_millis(250));
        send_prompt(s, "a prompt long enough to take a while to stream back").await;
        s.wait_for(
            "document.querySelector('#answer').textContent.length > 0",
            WAIT,
            "the first piece",
        )
        .await;
        s.click("#stop").await;
        let stopped = s.text("#answer").await.unwrap();
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(
            s.text("#answer").await.unwrap(),
            stopped,
            "nothing arrives after Stop"
        );
        assert!(s
            .text("#chat-error")
            .await
            .unwrap_or_default()
            .contains("Stopped"));
        assert_eq!(send_disabled(s).await, json!(false));
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn chat_failures_are_explained_and_the_prompt_is_kept() {
    case(async |f, s| {
        sign_in(f, s).await;
        let prompt = "keep me";
        f.mock.inject_chat_failure(ChatFailure::Status(402));
        send_prompt(s, prompt).await;
        let error = s
            .wait_for(
                "document.querySelector('#chat-error')?.textContent",
                WAIT,
                "the 402 message",
            )
            .await;
        assert!(
            error.as_str().unwrap().contains("Out of credits"),
            "{error}"
        );
        assert_eq!(prompt_value(s).await, json!(prompt));

        f.mock.inject_chat_failure(ChatFailure::RateLimited {
            retry_after_secs: 2,
        });
        s.click("#send").await;
        let error = s
            .wait_for(
                "(document.querySelector('#chat-error')?.textContent || '').includes('rate')",
                WAIT,
                "the 429 message",
            )
            .await;
        assert!(error.as_bool().unwrap());
        assert!(s.text("#chat-error").await.unwrap().contains("2 s"));
        assert_eq!(
            send_disabled(s).await,
            json!(true),
            "Retry-After is honoured"
        );
        s.wait_for(
            "!document.querySelector('#send').disabled",
            Duration::from_secs(5),
            "Send to come back",
        )
        .await;

        f.mock
            .inject_chat_failure(ChatFailure::ErrorMidStream { after_events: 2 });
        s.click("#send").await;
        let error = s
            .wait_for(
                "document.querySelector('#chat-error')?.textContent",
                WAIT,
                "the mid-stream error",
            )
            .await;
        assert!(error.as_str().unwrap().contains("502"), "{error}");
        assert!(
            !s.text("#answer").await.unwrap().is_empty(),
            "the text before the error stays"
        );
        assert_eq!(prompt_value(s).await, json!(prompt));
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_revoked_key_is_forgotten_and_sign_in_is_offered() {
    case(async |f, s| {
        open_app(s, &f.app).await;
        // A key OpenRouter does not know: as if the user revoked it on the keys page.
        let revoked = format!("sk-or-v1-{}", "0".repeat(64));
        s.exec(
            "localStorage.setItem('openrouter_api_key', arguments[0])",
            json!([revoked]),
        )
        .await;
        open_app(s, &f.app).await;
        let notice = s
            .wait_for(
                "document.querySelector('#key-revoked')?.textContent",
                WAIT,
                "the revoked notice",
            )
            .await;
        assert!(notice.as_str().unwrap().contains("revoked"), "{notice}");
        s.wait_for(
            "document.querySelector('#hero-sign-in')",
            WAIT,
            "sign-in offered again",
        )
        .await;
        assert_eq!(stored_key(s).await, None);
    });
}

#[path = "support/model_field.rs"]
mod model_field;

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn the_model_field_offers_the_keys_models_remembers_the_choice_and_each_answer_shows_its_cost() {
    case(async |f, s| {
        sign_in(f, s).await;
        model_field::offers_the_keys_models_shows_the_cost_and_remembers_the_choice(s).await;
    });
}

/// The animations running in the page (CSS animations and transitions alike) just after the
/// theme is switched, which changes every button's colours (a transition where transitions are on).
async fn running_animations_after_a_theme_switch(s: &Session) -> Vec<String> {
    s.click("#theme-toggle").await;
    // Two frames: the new colours' style change, and the transitions it would start.
    let running = s
        .exec(
            "return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(
                document.getAnimations().filter(a => a.playState === 'running')
                    .map(a => a.constructor.name + ' on ' + (a.effect?.target?.outerHTML ?? '?').slice(0, 80))))));",
            json!([]),
        )
        .await;
    serde_json::from_value(running).unwrap_or_default()
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn with_reduced_motion_asked_for_nothing_on_the_page_moves() {
    case(async |f, s| {
        // As most users see it: the loading preview's spinner turns, and the buttons' colours
        // change smoothly with the theme.
        open_app(s, &f.app).await;
        assert!(
            s.exec(
                "return !!document.querySelector('[data-spinner]')",
                json!([])
            )
            .await
            .as_bool()
            .unwrap_or(false),
            "the gallery shows a spinner (its loading preview)"
        );
        let moving = running_animations_after_a_theme_switch(s).await;
        assert!(
            moving.iter().any(|a| a.starts_with("CSSAnimation")),
            "the spinner turns: {moving:?}"
        );
        assert!(
            moving.iter().any(|a| a.starts_with("CSSTransition")),
            "the buttons' colours transition: {moving:?}"
        );

        // Asked for less motion (as the system setting does).
        s.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] }),
        )
        .await;
        open_app(s, &f.app).await;
        let moving = running_animations_after_a_theme_switch(s).await;
        assert!(moving.is_empty(), "still moving: {moving:?}");
    });
}

#[path = "support/axe.rs"]
mod axe;

#[test]
#[ignore = "needs the dx web build, Chromium and axe-core; scripts/test.sh runs it"]
fn no_accessibility_violations_in_any_state_width_or_theme() {
    case(async |f, s| {
        let page = |dark: bool| format!("{}{}", f.app, if dark { "?theme=dark" } else { "" });
        for (width, dark) in axe::widths_and_themes() {
            s.set_window_size(width, 900).await;
            open_app(s, &page(dark)).await;
            axe::assert_none(s, &format!("signed out, {width} px, dark {dark}")).await;
        }
        // An error on screen: OpenRouter refused.
        f.mock.set_consent(ConsentMode::AutoDeny);
        open_app(s, &f.app).await;
        s.click("#hero-sign-in").await;
        alert(s).await;
        axe::assert_none(s, "with an error shown").await;
        // Signed in: the key's status and the chat, with an answer and its cost.
        sign_in(f, s).await;
        for (width, dark) in axe::widths_and_themes() {
            s.set_window_size(width, 900).await;
            open_app(s, &page(dark)).await;
            s.wait_for(
                "document.querySelector('#key-label')",
                WAIT,
                "the key's status",
            )
            .await;
            if (width, dark) == (1280, false) {
                s.type_into("#prompt", "hello").await;
                s.click("#send").await;
                s.wait_for(
                    "document.querySelector('#answer-cost')",
                    WAIT,
                    "the answer and its cost",
                )
                .await;
            }
            axe::assert_none(s, &format!("signed in, {width} px, dark {dark}")).await;
        }
    });
}

/// For every enabled sign-in button of the page, focused as the keyboard focuses it: the focus
/// ring's contrast with what surrounds it (its offset, and the page behind the button), as
/// `selector: ring against offset, against background` for those under 3:1.
const FOCUS_RING_CONTRASTS: &str = r#"
const luminance = (color) => {
  let m = color.match(/^rgba?\(([^)]+)\)/);
  if (m) {
    const [r, g, b] = m[1].split(',').slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  m = color.match(/^lab\(([\d.]+)/);
  if (m) { const L = Number(m[1]); return L > 8 ? ((L + 16) / 116) ** 3 : L / 903.3; }
  throw new Error('a colour this check cannot read: ' + color);
};
const opaque = (color) => !/^rgba\(.*,\s*0\)$/.test(color) && !/\/\s*0\)$/.test(color);
const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
const background = (element) => {
  for (let e = element.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (opaque(c)) return c;
  }
  return 'rgb(255, 255, 255)';
};
const low = [];
let checked = 0;
for (const button of document.querySelectorAll('.openrouter-signin-button:not([disabled])')) {
  button.focus({ focusVisible: true });
  document.getAnimations().filter(a => a instanceof CSSTransition).forEach(a => a.finish());
  const rings = getComputedStyle(button).boxShadow.split(/,(?![^()]*\))/).map(s => s.trim())
    .map(s => { const m = s.match(/^(.*\))\s+0px 0px 0px (\d+(?:\.\d+)?)px$/); return m && { color: m[1], spread: Number(m[2]) }; })
    .filter(r => r && r.spread > 0 && opaque(r.color))
    .sort((a, b) => b.spread - a.spread);
  if (!rings.length) { low.push(button.id || button.dataset.variant + ': no focus ring'); continue; }
  const ring = luminance(rings[0].color);
  const offset = rings[1] ? luminance(rings[1].color) : luminance(background(button));
  const behind = luminance(background(button));
  const [a, b] = [ratio(ring, offset), ratio(ring, behind)];
  checked++;
  if (a < 3 || b < 3) low.push((button.id || button.dataset.variant + '/' + button.dataset.size) + ': ' + a.toFixed(2) + ', ' + b.toFixed(2));
}
return [checked, low];
"#;

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn every_buttons_focus_ring_has_three_to_one_contrast_in_both_themes() {
    case(async |f, s| {
        for dark in [false, true] {
            open_app(
                s,
                &format!("{}{}", f.app, if dark { "?theme=dark" } else { "" }),
            )
            .await;
            let found = s.exec(FOCUS_RING_CONTRASTS, json!([])).await;
            let checked = found[0].as_u64().unwrap_or(0);
            // The hero's, the options row's enabled previews and the grid's 20.
            assert!(checked >= 20, "only {checked} buttons checked: {found}");
            assert_eq!(
                found[1],
                json!([]),
                "dark {dark}: rings under 3:1 (against offset, background)"
            );
        }
    });
}

#[path = "support/keyboard.rs"]
mod keyboard;

use keyboard::{press, Key};

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn the_keyboard_alone_signs_in_and_out_and_the_focus_follows() {
    case(async |f, s| {
        f.mock.set_consent(ConsentMode::AutoApprove);
        open_app(s, &f.app).await;
        keyboard::sign_in_from_the_first_tab(s, WAIT).await;
        // Back from OpenRouter, the focus is on the control that replaced the one used.
        keyboard::wait_focus(s, "sign-out", WAIT).await;
        assert!(stored_key(s).await.is_some());
        press(s, Key::Tab).await;
        assert_eq!(keyboard::focused(s).await, "manage-key");
        assert_eq!(keyboard::focus_problem(s).await, None);
        press(s, Key::ShiftTab).await;
        assert_eq!(keyboard::focused(s).await, "sign-out");
        assert_eq!(keyboard::focus_problem(s).await, None);
        press(s, Key::Space).await;
        keyboard::wait_focus(s, "hero-sign-in", WAIT).await;
        assert_eq!(stored_key(s).await, None);
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn every_tab_stop_is_visible_and_shows_its_focus_in_both_themes() {
    case(async |f, s| {
        sign_in(f, s).await;
        for theme in ["light", "dark"] {
            open_app(s, &format!("{}?theme={theme}", f.app)).await;
            // Signed in, the chat's fields are there too; the grid's 20 buttons and snippets follow.
            let stops = keyboard::tab_through(s, 200).await;
            for id in [
                "hero-sign-in",
                "sign-out",
                "manage-key",
                "model",
                "prompt",
                "theme-toggle",
            ] {
                let expected = id != "hero-sign-in";
                assert_eq!(
                    stops.iter().any(|stop| stop == id),
                    expected,
                    "{theme}: #{id} among the stops: {stops:?}"
                );
            }
            assert!(
                stops.len() >= 25,
                "{theme}: only {} stops: {stops:?}",
                stops.len()
            );
        }
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_screen_reader_hears_named_buttons_labelled_fields_and_the_busy_state() {
    case(async |f, s| {
        open_app(s, &f.app).await;
        let nodes = keyboard::ax_nodes(s).await;
        let buttons: Vec<_> = nodes.iter().filter(|(role, ..)| role == "button").collect();
        assert!(buttons.len() >= 21, "{buttons:?}");
        for (_, name, _) in &buttons {
            assert!(
                !name.trim().is_empty(),
                "a button without a name: {buttons:?}"
            );
        }
        assert!(
            buttons
                .iter()
                .filter(|(_, name, _)| name == "Sign in with OpenRouter")
                .count()
                >= 17,
            "{buttons:?}"
        );

        // Busy: announced, and the name stays.
        f.mock
            .inject_exchange_failure(Failure::Delay(Duration::from_millis(2500)));
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#hero-sign-in[aria-busy=true]')",
            WAIT,
            "the hero button's loading state",
        )
        .await;
        let nodes = keyboard::ax_nodes(s).await;
        let busy: Vec<_> = nodes
            .iter()
            // Chromium says 1 or true.
            .filter(|(role, _, props)| {
                role == "button" && (props["busy"] == json!(true) || props["busy"] == json!(1))
            })
            .collect();
        assert!(!busy.is_empty(), "no button is busy: {nodes:?}");
        for (_, name, _) in &busy {
            assert_eq!(name, "Sign in with OpenRouter");
        }

        // Signed in: the fields are named by their labels alone, also while they hold text.
        s.wait_for("document.querySelector('#prompt')", WAIT, "the chat")
            .await;
        s.type_into("#prompt", "hello there").await;
        let nodes = keyboard::ax_nodes(s).await;
        for label in ["Model", "Prompt"] {
            let named: Vec<_> = nodes
                .iter()
                .filter(|(role, name, _)| {
                    name == label && (role == "textbox" || role == "combobox")
                })
                .collect();
            assert_eq!(named.len(), 1, "{label}: {nodes:?}");
        }
    });
}

/// Installed before the page's code: counts each time an alert (`role=alert`) enters the page or
/// its text changes, as a screen reader would announce it again. Changes the page makes in one
/// task reach the observer together and count once per alert.
const ALERT_COUNTER: &str = "(() => {
  window.__alerts = 0;
  new MutationObserver((records) => {
    const announced = new Set();
    for (const record of records) {
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const changed = target && target.closest('[role=alert]');
      if (changed) announced.add(changed);
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches('[role=alert]')) announced.add(node);
        node.querySelectorAll('[role=alert]').forEach((alert) => announced.add(alert));
      }
    }
    window.__alerts += announced.size;
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();";

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn an_error_is_announced_once() {
    case(async |f, s| {
        s.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": ALERT_COUNTER }),
        )
        .await;
        f.mock.set_consent(ConsentMode::AutoDeny);
        open_app(s, &f.app).await;
        s.click("#hero-sign-in").await;
        let message = alert(s).await;
        assert!(message.contains("cancelled"), "{message}");
        // The rest of the page has rendered after it (a turn of the event loop later).
        open_app_rendered(s).await;
        let alerts = s.exec("return window.__alerts", json!([])).await;
        assert_eq!(alerts, json!(1), "announcements of the error");
        let nodes = keyboard::ax_nodes(s).await;
        let in_tree = nodes.iter().filter(|(role, ..)| role == "alert").count();
        assert_eq!(in_tree, 1, "alerts in the accessibility tree: {nodes:?}");
    });
}

/// Chooses `choice` in the gallery's language switch.
async fn choose_language(s: &Session, choice: &str) {
    s.click(&format!("#language [data-lang={choice}]")).await;
}

/// The hero button's words and `lang`, once they are `words`.
async fn hero_speaks(s: &Session, words: &str, lang: &str) {
    let condition = format!(
        "(() => {{ const b = document.querySelector('#hero-sign-in');
           return b && b.textContent.trim() === {} && b.getAttribute('lang') === {}; }})()",
        json!(words),
        json!(lang)
    );
    s.wait_for(&condition, WAIT, &format!("the hero button to say {words}"))
        .await;
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn the_library_speaks_chinese_and_an_apps_arabic_right_to_left() {
    case(async |f, s| {
        open_app(s, &f.app).await;
        hero_speaks(s, "Sign in with OpenRouter", "en").await;
        choose_language(s, "zh").await;
        hero_speaks(s, "使用 OpenRouter 登录", "zh-Hans").await;
        assert_eq!(
            s.text("#key-location").await.unwrap(),
            "密钥保存在此浏览器为本网站保存的 localStorage。"
        );
        // Every button with the library's words, the grid's too, changed at once.
        let english_left = s
            .exec(
                "return [...document.querySelectorAll('.openrouter-signin-button')]
                   .filter(b => b.textContent.includes('Sign in with OpenRouter')).length",
                json!([]),
            )
            .await;
        assert_eq!(english_left, json!(0));

        // Remembered, and an error in the same words.
        f.mock.set_consent(ConsentMode::AutoDeny);
        open_app(s, &f.app).await;
        hero_speaks(s, "使用 OpenRouter 登录", "zh-Hans").await;
        s.click("#hero-sign-in").await;
        let message = alert(s).await;
        // OpenRouter's own explanation goes into the sentence as it came.
        assert_eq!(
            message,
            "已在 OpenRouter 上取消登录：The user denied access。请点击登录重试。"
        );
        assert_eq!(
            s.exec(
                "return document.querySelector('#auth-error').lang",
                json!([])
            )
            .await,
            json!("zh-Hans")
        );
        axe::assert_none(s, "in Chinese, with an error").await;

        // Arabic, the app's own table: right to left.
        choose_language(s, "ar").await;
        hero_speaks(s, "الدخول عبر OpenRouter", "ar").await;
        let layout = s
            .exec(
                "const gallery = document.querySelector('#gallery');
                 const button = document.querySelector('#hero-sign-in');
                 const logo = button.querySelector('svg').getBoundingClientRect();
                 const words = button.querySelector('span').getBoundingClientRect();
                 const nav = document.querySelector('nav').getBoundingClientRect();
                 const hero = document.querySelector('#hero h1').getBoundingClientRect();
                 const main = document.querySelector('main');
                 const content = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
                 return {
                   dir: getComputedStyle(gallery).direction,
                   logoAfterWords: logo.left >= words.right,
                   navOnTheLeft: nav.right < innerWidth / 2,
                   headingOnTheRight: Math.abs(hero.right - content) < 2,
                   overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                 };",
                json!([]),
            )
            .await;
        assert_eq!(
            layout,
            json!({
                "dir": "rtl",
                "logoAfterWords": true,
                "navOnTheLeft": true,
                "headingOnTheRight": true,
                "overflow": 0,
            }),
            "the right-to-left layout"
        );
        assert!(
            alert(s).await.starts_with("أُلغي تسجيل الدخول"),
            "the error follows the language"
        );
        axe::assert_none(s, "in Arabic, right to left").await;
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn by_default_the_library_follows_the_browsers_language() {
    case(async |f, s| {
        // The browser's language as a user sets it (what Chromium's --lang would set, which
        // its headless mode leaves to the system).
        let agent = s.exec("return navigator.userAgent", json!([])).await;
        s.cdp(
            "Network.setUserAgentOverride",
            json!({ "userAgent": agent, "acceptLanguage": "zh-CN,zh" }),
        )
        .await;
        open_app(s, &f.app).await;
        let language = s.exec("return navigator.language", json!([])).await;
        assert_eq!(language, json!("zh-CN"));
        hero_speaks(s, "使用 OpenRouter 登录", "zh-Hans").await;
        // The switch says it follows the browser.
        let choice = s
            .exec(
                "return document.querySelector('#language [aria-pressed=true]').dataset.lang",
                json!([]),
            )
            .await;
        assert_eq!(choice, json!("auto"));
    });
}

#[test]
#[ignore = "needs the dx web build and Chromium; scripts/test.sh runs it"]
fn a_rate_limit_says_its_wait_in_the_chosen_language() {
    case(async |f, s| {
        sign_in(f, s).await;
        choose_language(s, "zh").await;
        hero_speaks_after_sign_in(s).await;
        f.mock.inject_chat_failure(ChatFailure::RateLimited {
            retry_after_secs: 2,
        });
        send_prompt(s, "hello").await;
        let error = s
            .wait_for(
                "(document.querySelector('#chat-error')?.textContent || '').includes('秒')",
                WAIT,
                "the 429 message in Chinese",
            )
            .await;
        assert!(error.as_bool().unwrap());
        let shown = s.text("#chat-error").await.unwrap();
        assert!(
            shown.starts_with("OpenRouter 正在限制此密钥的请求频率；请在 2 秒后重试"),
            "{shown}"
        );
    });
}

/// Waits until the signed-in hero's words are Chinese (where the key is kept).
async fn hero_speaks_after_sign_in(s: &Session) {
    s.wait_for(
        "(document.querySelector('#key-location')?.textContent || '').startsWith('密钥保存在')",
        WAIT,
        "the key's place in Chinese",
    )
    .await;
}
