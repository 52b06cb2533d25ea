//! The desktop app end to end: the real binary in a real window under Xvfb, driven and read
//! through its accessibility tree as a screen reader would (scripts/atspi.py: buttons pressed by
//! role and name, text typed and read back exactly), a `$BROWSER` script that follows
//! OpenRouter's redirect like a browser would, and the local mock. Needs an X display
//! (`xvfb-run`, with `-noreset`), a D-Bus session with the accessibility bus
//! (`dbus-run-session`, at-spi2-core) and Debian's python3-gi with gir1.2-atspi-2.0;
//! `scripts/test.sh` provides them and runs this with `--ignored`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, Failure, MockServer};

/// The gallery, killed on drop.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const TITLE: &str = "Sign in with OpenRouter for Dioxus";

/// Starts the gallery and waits until its window is on the accessibility bus.
fn start_app(config: &Path, browser: &Path, base: &str) -> App {
    start_app_with(config, browser, base, &[])
}

/// [`start_app`], with more variables in the app's environment.
fn start_app_with(config: &Path, browser: &Path, base: &str, env: &[(&str, &str)]) -> App {
    let log = config.with_file_name("app.log");
    let child = Command::new(env!("CARGO_BIN_EXE_openrouter-signin-gallery"))
        .envs(env.iter().copied())
        .env("XDG_CONFIG_HOME", config)
        .env("BROWSER", browser)
        // The session bus may offer a Secret Service: the key must still go to the file.
        .env("OPENROUTER_SIGNIN_KEY_STORE", "file")
        .env("OPENROUTER_BASE_URL", base)
        // An unbundled binary finds its stylesheets through the manifest dir.
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        // Either would hide the window from the accessibility bus.
        .env_remove("NO_AT_BRIDGE")
        .env_remove("GTK_A11Y")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("the gallery binary starts");
    let mut app = App(child);
    if let Err(why) = run_atspi(&["wait", "frame", TITLE, ""]) {
        let exit = app.0.try_wait().ok().flatten();
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<_> = output.lines().rev().take(30).collect();
        panic!(
            "no window: {why}\nthe app: {}\n{}",
            exit.map_or("still running".into(), |status| status.to_string()),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    app
}

/// Runs scripts/atspi.py (its doc says what each command does and waits for): what it printed,
/// or its error, which names what it looked for and what it saw.
fn run_atspi(args: &[&str]) -> Result<String, String> {
    // Debian's python3, the one with python3-gi (another python3 may come first in PATH).
    let out = Command::new("/usr/bin/python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/atspi.py"))
        .args(args)
        .output()
        .expect("/usr/bin/python3 runs scripts/atspi.py");
    if !out.status.success() {
        return Err(format!(
            "atspi.py {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8(out.stdout).expect("atspi.py prints UTF-8");
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

/// [`run_atspi`], failing the test with the reason and the whole tree.
fn atspi(args: &[&str]) -> String {
    run_atspi(args).unwrap_or_else(|why| {
        let tree = run_atspi(&["dump"]).unwrap_or_else(|e| e);
        panic!("{why}\nthe accessibility tree:\n{tree}")
    })
}

fn press(role: &str, name: &str) {
    atspi(&["press", role, name]);
}

/// Waits until the element is there (and, with `text`, until its text holds it); returns its text.
fn wait_for(role: &str, name: &str, id: Option<&str>, text: &str) -> String {
    let mut args = vec!["wait", role, name, text];
    if let Some(id) = id {
        args.extend(["--id", id]);
    }
    atspi(&args)
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn screenshot(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status()
        .expect("ImageMagick's import");
    assert!(status.success());
    path
}

/// What both tests need: the mock (approving), a private config dir, and the "browser".
struct Setup {
    _runtime: tokio::runtime::Runtime,
    mock: MockServer,
    work: tempfile::TempDir,
    config: PathBuf,
    browser: PathBuf,
}

fn setup() -> Setup {
    assert!(std::env::var_os("DISPLAY").is_some(), "run under xvfb-run");
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run in a D-Bus session (dbus-run-session) for the accessibility bus"
    );
    // The accessibility bus starts on first use: up before any window, or a clear error here.
    atspi(&["ready"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(MockServer::start()).unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config");
    // The "browser": follows OpenRouter's redirect back to the app's loopback listener.
    let browser = work.path().join("browser");
    std::fs::write(
        &browser,
        "#!/bin/sh\nexec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30).read()' \"$1\" >>\"$0.log\" 2>&1\n",
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    Setup {
        _runtime: runtime,
        mock,
        work,
        config,
        browser,
    }
}

/// The key file, in the folder of the gallery's app id: no other app's.
fn find_key_file(config: &Path) -> Option<PathBuf> {
    let file = config
        .join("openrouter-signin-gallery")
        .join("openrouter_api_key");
    file.exists().then_some(file)
}

/// Presses the hero's sign-in button (the gallery's grid has twenty more with the same name).
fn press_hero_sign_in() {
    atspi(&[
        "press",
        "push button",
        "Sign in with OpenRouter",
        "--id",
        "hero-sign-in",
    ]);
}

/// Presses the hero's sign-in button and waits until the browser script has brought the key
/// back and the window says so. Returns the key file.
fn sign_in(config: &Path) -> PathBuf {
    press_hero_sign_in();
    signed_in(config)
}

/// Waits until the key is back and the window says so; returns the key file.
fn signed_in(config: &Path) -> PathBuf {
    let mut key_file = None;
    wait_until("the key file", Duration::from_secs(30), || {
        key_file = find_key_file(config);
        key_file.is_some()
    });
    wait_for("push button", "Sign out", None, "");
    key_file.unwrap()
}

#[test]
#[ignore = "needs an X display and the accessibility bus; scripts/test.sh runs it"]
fn sign_in_persists_across_restarts_and_sign_out_removes_the_key() {
    let Setup {
        _runtime,
        mock,
        work: _work,
        config,
        browser,
    } = setup();

    let started = Instant::now();
    let app = start_app(&config, &browser, &mock.base_url());
    // OpenRouter takes its time to hand out the key: meanwhile a screen reader hears the button
    // busy, under its own name.
    mock.inject_exchange_failure(Failure::Delay(Duration::from_secs(3)));
    press_hero_sign_in();
    atspi(&[
        "state",
        "push button",
        "Sign in with OpenRouter",
        "--id",
        "hero-sign-in",
        "busy",
    ]);
    let key_file = signed_in(&config);
    // The focus went to what replaced the button.
    atspi(&["state", "push button", "Sign out", "focused"]);
    println!("signed in {:?} after start", started.elapsed());
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is private");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(mock.issued_keys(), [key.trim_end().to_owned()]);
    // The window says where the key is.
    wait_for(
        "paragraph",
        "*",
        Some("key-location"),
        &key_file.to_string_lossy(),
    );
    let picture = screenshot("desktop-signed-in");
    assert!(
        std::fs::metadata(&picture).unwrap().len() > 10_000,
        "the window shows something"
    );
    drop(app);

    // Restart: the window comes up signed in, and signing out removes the key.
    let app = start_app(&config, &browser, &mock.base_url());
    press("push button", "Sign out");
    wait_until(
        "sign-out to remove the key",
        Duration::from_secs(15),
        || !key_file.exists(),
    );
    wait_for(
        "push button",
        "Sign in with OpenRouter",
        Some("hero-sign-in"),
        "",
    );
    assert_eq!(mock.issued_keys().len(), 1, "no second sign-in happened");
    drop(app);
}

#[test]
#[ignore = "needs an X display and the accessibility bus; scripts/test.sh runs it"]
fn the_chat_answer_streams_into_the_window_and_stop_stops_it() {
    let Setup {
        _runtime,
        mock,
        work: _work,
        config,
        browser,
    } = setup();
    let app = start_app(&config, &browser, &mock.base_url());
    sign_in(&config);
    // The model field offers the models this key may use (the mock's list for the key).
    let count = format!(
        "{} models this key may use",
        openrouter_mock::USER_MODEL_IDS.len()
    );
    wait_for("paragraph", "*", Some("model-count"), &count);

    // Another model than the default, typed into the field as a user would.
    let chosen = openrouter_mock::USER_MODEL_IDS[2];
    atspi(&["type", "entry", "Model", "--clear", chosen]);
    // The mock echoes the model and the prompt, streamed in pieces of at most 8 bytes.
    let answer = format!("Echo from {chosen}: hello");
    let answer = answer.as_str();
    mock.set_chat_delay(Duration::from_millis(40));
    atspi(&["type", "entry", "Prompt", "hello"]);
    // Each field's accessible name is its label alone, whatever it holds.
    wait_for("entry", "Prompt", None, "hello");
    wait_for("entry", "Model", None, chosen);
    press("push button", "Send");
    let shown = wait_for("section", "*", Some("answer"), answer);
    assert_eq!(shown, answer);
    assert_eq!(mock.chat_requests(), 1);
    // And what it cost, once the mock has recorded it.
    wait_for("paragraph", "*", Some("answer-cost"), "Cost $0.");
    screenshot("desktop-chat");

    // Again, slowly: Stop after the first piece. While the stream runs a piece comes every
    // 1.5 s, so an answer unchanged for 4 s after Stop has stopped, and the piece before stays.
    mock.set_chat_delay(Duration::from_millis(1500));
    press("push button", "Send");
    // Send turns into Answering… in the same update that empties the old answer.
    wait_for("push button", "Answering…", None, "");
    wait_for("section", "*", Some("answer"), "Echo fro");
    press("push button", "Stop");
    wait_for("notification", "*", Some("chat-error"), "Stopped.");
    let stopped = atspi(&["steady", "section", "*", "--id", "answer", "4"]);
    assert!(
        stopped.starts_with("Echo fro") && answer.starts_with(&stopped),
        "{stopped:?}"
    );
    assert!(
        stopped.len() < answer.len(),
        "the whole answer came: {stopped:?}"
    );
    wait_for("push button", "Send", None, "");
    screenshot("desktop-chat-stopped");
    assert_eq!(mock.chat_requests(), 2);

    // The next run starts with the model chosen last.
    drop(app);
    let _app = start_app(&config, &browser, &mock.base_url());
    let field = wait_for("entry", "Model", None, chosen);
    assert_eq!(field, chosen);
}

#[test]
#[ignore = "needs an X display and the accessibility bus; scripts/test.sh runs it"]
fn the_window_speaks_the_systems_language() {
    let Setup {
        _runtime,
        mock,
        work: _work,
        config,
        browser,
    } = setup();
    // A user whose messages are in Chinese (the C library need not have the locale: only the
    // variable is read).
    let _app = start_app_with(
        &config,
        &browser,
        &mock.base_url(),
        &[("LC_ALL", ""), ("LC_MESSAGES", "zh_CN.UTF-8")],
    );
    wait_for(
        "push button",
        "使用 OpenRouter 登录",
        Some("hero-sign-in"),
        "",
    );
    wait_for("paragraph", "*", Some("key-location"), "密钥保存在文件");
}
