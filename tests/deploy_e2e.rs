//! The fullstack gallery as it is deployed, in real headless Chromium: nginx with
//! `deploy/nginx.conf` terminates TLS on 127.0.0.1 (a certificate made for the run) and balances
//! three server processes built by `scripts/build-fullstack.sh`, which share one secret and sign
//! in against the mock OpenRouter. Every process is started here (tied to the test binary) and
//! ended by the case that started it.
//!
//! Ignored by default; `scripts/test.sh` runs it with `--ignored` after building the server.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, MockServer};
use page_driver::webdriver::{Driver, Session, SessionOptions};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);
const CHAT_MODEL: &str = "openai/gpt-4o-mini";

/// nginx, three instances of the gallery's server behind it and the mock they sign in with.
struct Deployment {
    /// `https://127.0.0.1:<nginx's port>`: what the browser opens.
    origin: String,
    /// The instances' `127.0.0.1:<port>`, as nginx's log names them.
    addresses: Vec<String>,
    /// `None` once killed.
    instances: Vec<Option<Child>>,
    nginx: Child,
    dir: tempfile::TempDir,
    mock: MockServer,
    /// The mock runs on it; dropped last.
    _runtime: tokio::runtime::Runtime,
}

use page_driver::process::{free_port, random_secret as new_secret};

/// Waits until something accepts connections on 127.0.0.1:`port`, or panics with the `log`.
fn wait_listening(port: u16, process: &mut Child, what: &str, log: &Path) {
    page_driver::process::wait_listening(port, process, what, Some(log), WAIT);
}

impl Deployment {
    fn start() -> Deployment {
        let binary =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fullstack/debug/server");
        assert!(
            binary.exists(),
            "{} is missing: run scripts/build-fullstack.sh first (scripts/test.sh does)",
            binary.display()
        );
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mock = runtime.block_on(MockServer::start()).unwrap();
        mock.set_consent(ConsentMode::AutoApprove);
        let dir = tempfile::Builder::new()
            .prefix("deploy-e2e-")
            .tempdir()
            .unwrap();
        // nginx's workers run as an unprivileged user (nobody, when started as root) and write
        // the large answers they buffer (the debug page's wasm) under this directory.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let proxy_port = free_port();
        let origin = format!("https://127.0.0.1:{proxy_port}");
        let secret = new_secret();

        let mut instances = Vec::new();
        let mut addresses = Vec::new();
        for index in 1..=3 {
            let port = free_port();
            let log = dir.path().join(format!("instance{index}.log"));
            let mut command = Command::new(&binary);
            command
                .env("IP", "127.0.0.1")
                .env("PORT", port.to_string())
                .env("OPENROUTER_SIGNIN_SECRET", &secret)
                .env("OPENROUTER_SIGNIN_ORIGIN", &origin)
                .env("OPENROUTER_BASE_URL", mock.base_url())
                .env_remove("OPENROUTER_SIGNIN_PREVIOUS_SECRET")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap());
            let mut child = page_driver::process::spawn_tied(command).unwrap();
            wait_listening(port, &mut child, &format!("instance {index}"), &log);
            instances.push(Some(child));
            addresses.push(format!("127.0.0.1:{port}"));
        }

        // A self-signed certificate for 127.0.0.1 and localhost, for this run only.
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
            .args(["-subj", "/CN=127.0.0.1", "-addext"])
            .arg("subjectAltName=IP:127.0.0.1,DNS:localhost")
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl is installed (scripts/setup.sh installs it)");
        assert!(made.success(), "openssl could not make a certificate");

        let template = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx.conf"),
        )
        .unwrap();
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        let config = template
            .replace("@LISTEN@", &format!("127.0.0.1:{proxy_port}"))
            .replace("@CERTIFICATE@", &path(&cert))
            .replace("@CERTIFICATE_KEY@", &path(&key))
            .replace("@ACCESS_LOG@", &path(&dir.path().join("access.log")))
            .replace("@INSTANCE_1@", &addresses[0])
            .replace("@INSTANCE_2@", &addresses[1])
            .replace("@INSTANCE_3@", &addresses[2]);
        let unfilled: Vec<&str> = config
            .lines()
            .filter(|line| !line.trim_start().starts_with('#') && line.contains('@'))
            .collect();
        assert!(unfilled.is_empty(), "placeholders left: {unfilled:?}");
        std::fs::create_dir_all(dir.path().join("temp")).unwrap();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config).unwrap();
        let error_log = dir.path().join("error.log");
        let mut command = Command::new("nginx");
        command
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            // A group of its own: Drop ends the workers with the master.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut nginx = page_driver::process::spawn_tied(command)
            .expect("nginx is installed (scripts/setup.sh installs it)");
        wait_listening(proxy_port, &mut nginx, "nginx", &error_log);

        Deployment {
            origin,
            addresses,
            instances,
            nginx,
            dir,
            mock,
            _runtime: runtime,
        }
    }

    /// Kills instance `index` (0-based) at once, as a crash would.
    fn kill(&mut self, index: usize) {
        let mut child = self.instances[index].take().expect("a running instance");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// nginx's access log so far: one JSON object per request.
    fn access_log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON log line"))
            .collect()
    }

    /// Polls the access log until `condition` holds (nginx writes a line once the answer has
    /// gone, which can be just after the browser has it); panics with `what` after [`WAIT`].
    async fn wait_for_log(&self, what: &str, condition: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            let log = self.access_log();
            if condition(&log) {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "nginx's log never showed {what}: {log:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        // TERM asks the master to stop its workers; what is left of its group goes after 5 s.
        let group = format!("-{}", self.nginx.id());
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.nginx.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.nginx.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.nginx.wait();
        for child in self.instances.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The instance that answered a request: the last one nginx tried.
fn served_by(entry: &Value) -> &str {
    entry["upstream"]
        .as_str()
        .unwrap_or("")
        .rsplit(", ")
        .next()
        .unwrap_or("")
}

/// Runs one case in a deployment of its own and a fresh browser that accepts the run's
/// self-signed certificate; everything is ended afterwards.
fn case(body: impl AsyncFnOnce(&mut Deployment, &Session)) {
    let mut deployment = Deployment::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let driver = Driver::start().await;
        let options = SessionOptions {
            extra_args: vec!["--ignore-certificate-errors".into()],
            ..SessionOptions::default()
        };
        let session = driver.session_with(&options).await;
        body(&mut deployment, &session).await;
        session.close().await;
    });
}

/// Opens `url` and waits until the page is hydrated and its sign-in is live.
async fn open(s: &Session, url: &str) {
    s.goto(url).await;
    wait_live(s).await;
}

/// Waits until the page now shown is hydrated (also after a navigation the page made itself).
async fn wait_live(s: &Session) {
    s.wait_for(
        "document.documentElement.dataset.openrouterSignin === 'ready'",
        WAIT,
        "the page's sign-in to be live",
    )
    .await;
}

/// Signs in from the hero through nginx, the mock approving; returns the masked key shown.
async fn sign_in(d: &Deployment, s: &Session) -> String {
    open(s, &format!("{}/", d.origin)).await;
    s.click("#hero-sign-in").await;
    s.wait_for(
        "document.querySelector('#masked-key')",
        WAIT,
        "the masked key",
    )
    .await;
    wait_live(s).await;
    let key = d.mock.issued_keys().pop().expect("the mock issued a key");
    let masked = s.text("#masked-key").await.unwrap();
    assert_eq!(masked, format!("{}…", &key[..12]));
    masked
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

/// The names of every cookie the browser holds.
async fn cookie_names(s: &Session) -> Vec<String> {
    let cookies = s.cdp("Network.getAllCookies", json!({})).await;
    cookies["cookies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect()
}

/// A cookie that no other host or path can plant or read: `__Host-`, Secure, Path=/, no Domain.
fn assert_host_cookie(cookie: &Value) {
    assert!(
        cookie["name"].as_str().unwrap().starts_with("__Host-"),
        "{cookie}"
    );
    assert_eq!(cookie["secure"], true, "{cookie}");
    assert_eq!(cookie["httpOnly"], true, "{cookie}");
    assert_eq!(cookie["path"], "/", "{cookie}");
    assert_eq!(cookie["sameSite"], "Lax", "{cookie}");
    assert_eq!(cookie["domain"], "127.0.0.1", "host-only: {cookie}");
}

/// Sends `prompt` from the gallery's chat and waits for the mock's whole echo.
async fn chat(s: &Session, prompt: &str) {
    s.exec(
        "const field = document.querySelector('#prompt'); field.value = ''; field.focus();",
        json!([]),
    )
    .await;
    s.type_into("#prompt", prompt).await;
    s.click("#send").await;
    s.wait_for(
        &format!(
            "document.querySelector('#answer').textContent === {}",
            json!(format!("Echo from {CHAT_MODEL}: {prompt}"))
        ),
        WAIT,
        "the whole streamed answer",
    )
    .await;
}

#[test]
#[ignore = "needs nginx, the fullstack build and Chromium; scripts/test.sh runs it"]
fn a_sign_in_through_nginx_keeps_its_cookies_to_this_host() {
    case(async |d, s| {
        // The mock asks, so the pending sign-in's cookie can be seen while the user is away.
        d.mock.set_consent(ConsentMode::Ask);
        open(s, &format!("{}/", d.origin)).await;
        s.click("#hero-sign-in").await;
        s.wait_for(
            "document.querySelector('#approve')",
            WAIT,
            "the consent page",
        )
        .await;
        let pending = browser_cookie(s, "__Host-openrouter_pending")
            .await
            .unwrap_or_else(|| {
                panic!("no __Host-openrouter_pending cookie while at OpenRouter");
            });
        assert_host_cookie(&pending);
        s.click("#approve").await;
        s.wait_for(
            "document.querySelector('#masked-key')",
            WAIT,
            "the masked key",
        )
        .await;
        wait_live(s).await;
        assert_eq!(
            s.current_url().await,
            format!("{}/", d.origin),
            "back at the page, no code in the address bar"
        );
        let key = d.mock.issued_keys().pop().expect("the mock issued a key");
        assert_eq!(
            s.text("#masked-key").await.unwrap(),
            format!("{}…", &key[..12])
        );
        let cookie = browser_cookie(s, "__Host-openrouter_key")
            .await
            .expect("the key cookie");
        assert_host_cookie(&cookie);
        assert!(!cookie["value"].as_str().unwrap().contains(&key[12..]));
        // Nothing else: the pending cookie is cleared, and no cookie goes without the prefix.
        assert_eq!(cookie_names(s).await, ["__Host-openrouter_key"]);

        // Both legs of the sign-in went through nginx.
        let log = d
            .wait_for_log("the sign-in's two legs", |log| {
                ["/auth/start", "/auth/callback"].iter().all(|path| {
                    log.iter().any(|e| {
                        e["path"].as_str().unwrap_or("").starts_with(path) && e["status"] == 303
                    })
                })
            })
            .await;
        assert!(
            log.iter().all(|e| e["status"].as_u64() < Some(500)),
            "{log:#?}"
        );
        // The access log keeps paths only: OpenRouter's code never lands in it.
        assert!(
            log.iter().all(|e| !e.to_string().contains("code=")),
            "{log:#?}"
        );
    });
}

#[test]
#[ignore = "needs nginx, the fullstack build and Chromium; scripts/test.sh runs it"]
fn requests_are_balanced_over_all_three_instances_which_share_the_sign_in() {
    case(async |d, s| {
        let masked = sign_in(d, s).await;
        for _ in 0..3 {
            open(s, &format!("{}/", d.origin)).await;
            assert_eq!(
                s.text("#masked-key").await.as_deref(),
                Some(masked.as_str())
            );
        }
        // Nine reads of the session, one after another: round robin gives each instance three,
        // and each opens the cookie that one of them sealed.
        let before = d.access_log().len();
        for _ in 0..9 {
            let answer = s
                .exec(
                    "return fetch('/api/openrouter-signin/session', {headers: {'x-openrouter-signin': '1'}})
                         .then(r => r.text());",
                    json!([]),
                )
                .await;
            assert!(
                answer.as_str().unwrap_or("").contains("\"signed_in\":true"),
                "{answer}"
            );
        }
        let log = d
            .wait_for_log("the nine session reads", |log| {
                log[before..]
                    .iter()
                    .filter(|e| e["path"] == "/api/openrouter-signin/session")
                    .count()
                    >= 9
            })
            .await;
        let reads: Vec<&str> = log[before..]
            .iter()
            .filter(|e| e["path"] == "/api/openrouter-signin/session")
            .map(served_by)
            .collect();
        for address in &d.addresses {
            assert!(
                reads.contains(&address.as_str()),
                "{address} served none of the session reads: {reads:?}"
            );
        }
        // Over everything so far, pages and files included, each instance served requests.
        for address in &d.addresses {
            assert!(
                log.iter().any(|e| served_by(e) == address),
                "{address} served nothing"
            );
        }
        assert!(
            log.iter().all(|e| e["status"].as_u64() < Some(500)),
            "{log:#?}"
        );
    });
}

#[test]
#[ignore = "needs nginx, the fullstack build and Chromium; scripts/test.sh runs it"]
fn an_instance_that_dies_mid_session_leaves_the_user_signed_in_and_chatting() {
    case(async |d, s| {
        let masked = sign_in(d, s).await;
        chat(s, "before the crash").await;
        // The instance that sealed the key cookie dies, as a crash would. nginx writes a
        // streamed answer's line once its last byte is sent, which may be after the page has
        // shown it: the chat's line must be in before the log is split at the kill.
        let log = d
            .wait_for_log("the callback and the first chat", |log| {
                log.iter().any(|e| {
                    e["path"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("/auth/callback")
                }) && log
                    .iter()
                    .any(|e| e["path"] == "/api/openrouter-signin/api/v1/chat/completions")
            })
            .await;
        let sealer = log
            .iter()
            .find(|e| {
                e["path"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("/auth/callback")
            })
            .map(served_by)
            .unwrap()
            .to_owned();
        let dead = d
            .addresses
            .iter()
            .position(|a| *a == sealer)
            .expect("the callback was served by one of the instances");
        let at_kill = log.len();
        d.kill(dead);

        // The next requests: nginx finds it gone and hands them to the others.
        for _ in 0..3 {
            open(s, &format!("{}/", d.origin)).await;
            assert_eq!(
                s.text("#masked-key").await.as_deref(),
                Some(masked.as_str()),
                "still signed in"
            );
        }
        for prompt in ["after the crash", "and once more", "a third time"] {
            chat(s, prompt).await;
        }

        let log = d
            .wait_for_log("the chats after the crash", |log| {
                log[at_kill..]
                    .iter()
                    .filter(|e| e["path"] == "/api/openrouter-signin/api/v1/chat/completions")
                    .count()
                    >= 3
            })
            .await;
        let after = &log[at_kill..];
        assert!(
            after.iter().all(|e| e["status"].as_u64() < Some(500)),
            "no request failed: {after:#?}"
        );
        assert!(
            after.iter().all(|e| served_by(e) != sealer),
            "the dead instance served nothing: {after:#?}"
        );
        assert!(
            after.iter().any(|e| {
                let tried = e["upstream"].as_str().unwrap_or("");
                tried.starts_with(&format!("{sealer}, ")) && e["status"].as_u64() < Some(500)
            }),
            "a request nginx first sent to the dead instance went to another: {after:#?}"
        );
    });
}
