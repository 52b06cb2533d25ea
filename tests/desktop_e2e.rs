//! The desktop app end to end: the real binary in a real window under Xvfb, keys sent with
//! xdotool, a `$BROWSER` script that follows OpenRouter's redirect like a browser would, and the
//! local mock. Needs an X display (`xvfb-run`) and xdotool; `scripts/test.sh` provides both and
//! runs this with `--ignored`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use openrouter_mock::{ConsentMode, MockServer};

/// The gallery, killed on drop.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const TITLE: &str = "Sign in with OpenRouter for Dioxus";

fn start_app(config: &Path, browser: &Path, base: &str) -> App {
    let child = Command::new(env!("CARGO_BIN_EXE_openrouter-signin-gallery"))
        .env("XDG_CONFIG_HOME", config)
        .env("BROWSER", browser)
        .env("OPENROUTER_SIGNIN_KEY_STORE", "file")
        .env("OPENROUTER_BASE_URL", base)
        // An unbundled binary finds its stylesheets through the manifest dir.
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the gallery binary starts");
    App(child)
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool is installed");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Waits for the window, gives the page a moment to render, focuses it and presses `keys`.
fn press(keys: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let window = loop {
        let found = xdotool(&["search", "--name", TITLE]);
        if let Some(id) = found.lines().next().filter(|id| !id.is_empty()) {
            break id.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no window titled {TITLE:?} appeared"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(3));
    xdotool(&["windowfocus", "--sync", &window]);
    let mut args = vec!["key", "--window", &window, "--delay", "150"];
    args.extend_from_slice(keys);
    xdotool(&args);
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
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
    key_file: PathBuf,
    browser: PathBuf,
}

fn setup() -> Setup {
    assert!(std::env::var_os("DISPLAY").is_some(), "run under xvfb-run");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(MockServer::start()).unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config");
    let key_file = config.join("openrouter-signin").join("openrouter_api_key");
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
        key_file,
        browser,
    }
}

#[test]
#[ignore = "needs an X display and xdotool; scripts/test.sh runs it under xvfb-run"]
fn sign_in_persists_across_restarts_and_sign_out_removes_the_key() {
    let Setup {
        _runtime,
        mock,
        work: _work,
        config,
        key_file,
        browser,
    } = setup();

    // Sign in: the hero button is the first thing Tab reaches.
    let started = Instant::now();
    let app = start_app(&config, &browser, &mock.base_url());
    press(&["Tab", "Return"]);
    wait_until("the key file", Duration::from_secs(30), || {
        key_file.exists()
    });
    println!("signed in {:?} after start", started.elapsed());
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is private");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(mock.issued_keys(), [key.trim_end().to_owned()]);
    std::thread::sleep(Duration::from_secs(1));
    let picture = screenshot("desktop-signed-in");
    assert!(
        std::fs::metadata(&picture).unwrap().len() > 10_000,
        "the window shows something"
    );
    drop(app);

    // Restart: still signed in, so the first focusable element is now "Sign out", and pressing it
    // removes the key. (Signed out, the same keys would start a new sign-in and keep a key file.)
    let app = start_app(&config, &browser, &mock.base_url());
    press(&["Tab", "Return"]);
    wait_until(
        "sign-out to remove the key",
        Duration::from_secs(15),
        || !key_file.exists(),
    );
    assert_eq!(mock.issued_keys().len(), 1, "no second sign-in happened");
    drop(app);
}

/// Presses `keys` in the window right away (the window is up and rendered).
fn keys(keys: &[&str]) {
    let window = xdotool(&["search", "--name", TITLE]);
    let window = window.lines().next().expect("the window").to_owned();
    xdotool(&["windowfocus", "--sync", &window]);
    let mut args = vec!["key", "--window", &window, "--delay", "100"];
    args.extend_from_slice(keys);
    xdotool(&args);
}

/// What the screen says, read by tesseract.
fn read_screen(name: &str) -> String {
    let picture = screenshot(name);
    let out = Command::new("tesseract")
        .arg(&picture)
        .arg("stdout")
        .output()
        .expect("tesseract is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Types into the focused window through XTEST (events sent to a window can lose characters).
fn type_text(text: &str) {
    let window = xdotool(&["search", "--name", TITLE]);
    let window = window.lines().next().expect("the window").to_owned();
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["type", "--delay", "80", text]);
}

#[test]
#[ignore = "needs an X display, xdotool and tesseract; scripts/test.sh runs it under xvfb-run"]
fn the_chat_answer_streams_into_the_window_and_stop_stops_it() {
    let Setup {
        _runtime,
        mock,
        work: _work,
        config,
        key_file,
        browser,
    } = setup();
    let _app = start_app(&config, &browser, &mock.base_url());
    press(&["Tab", "Return"]);
    wait_until("the key file", Duration::from_secs(30), || {
        key_file.exists()
    });

    // Signed in, Tab goes: Sign out, the keys-page link, the model, the prompt.
    mock.set_chat_delay(Duration::from_millis(40));
    press(&["Tab", "Tab", "Tab", "Tab"]);
    // Under Xvfb without a window manager xdotool may drop a keystroke or two, so the check below
    // looks for the answer's shape, not for the exact prompt.
    type_text("hello");
    keys(&["Tab", "Return"]);
    wait_until("the chat request", Duration::from_secs(10), || {
        mock.chat_requests() == 1
    });
    std::thread::sleep(Duration::from_secs(3));
    let screen = read_screen("desktop-chat");
    assert!(
        screen.contains("Echo from") && screen.contains("4o-mini: h"),
        "{screen}"
    );

    // Again, slowly, and Stop after a few pieces: the answer stops growing.
    mock.set_chat_delay(Duration::from_millis(900));
    keys(&["Return"]);
    wait_until("the second chat request", Duration::from_secs(10), || {
        mock.chat_requests() == 2
    });
    std::thread::sleep(Duration::from_millis(1500));
    keys(&["Tab", "Return"]);
    std::thread::sleep(Duration::from_millis(500));
    let stopped = read_screen("desktop-chat-stopped");
    assert!(stopped.contains("Stopped"), "{stopped}");
    std::thread::sleep(Duration::from_secs(3));
    let later = read_screen("desktop-chat-stopped-later");
    assert!(
        later.contains("Echo fro"),
        "the text before Stop stays: {later}"
    );
    assert!(
        !later.contains("4o-mini: h"),
        "the answer kept growing after Stop: {later}"
    );
    assert_eq!(mock.chat_requests(), 2);
}
