//! A small W3C WebDriver client for chromedriver: start the driver, open browsers with fresh
//! profiles, and send the commands the tests, the screenshots and the benchmark need.
//! (fantoccini's TLS features pull in OpenSSL or aws-lc; a loopback-only client needs neither.)

use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The Chromium flags every browser gets. As root on these machines Chromium needs
/// `--no-sandbox`; without the background-networking flags it keeps trying to reach Google's
/// hosts, which a closed network refuses.
pub const CHROMIUM_ARGS: [&str; 8] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// How to start one browser. The default is what the tests use: a 1200 x 900 window, no other
/// flags, and the console collected for [`Session::console`].
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Outer width of the window, in CSS px.
    pub width: u32,
    /// Outer height of the window, in CSS px.
    pub height: u32,
    /// Chromium flags beyond [`CHROMIUM_ARGS`] (`--hide-scrollbars` for a screenshot, say).
    pub extra_args: Vec<String>,
    /// Whether the browser keeps its console messages for [`Session::console`].
    pub console: bool,
    /// Whether the browser keeps its DevTools network events for [`Session::network_events`].
    pub network: bool,
    /// Whether a navigation is done once the page is parsed (WebDriver's "eager"), rather than
    /// at its load event: for a page whose resources are held back on purpose.
    pub eager: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            width: 1200,
            height: 900,
            extra_args: Vec::new(),
            console: true,
            network: false,
            eager: false,
        }
    }
}

/// A chromedriver process and the browsers it started, all killed on drop.
///
/// chromedriver and its browsers run in a process group of their own, with `TMPDIR` pointing at a
/// directory of this driver's. Chromium's profiles (about 180 MB each once a debug build's wasm
/// is in their cache) and its socket folders all land there, and the whole directory goes when
/// the driver does. Left to themselves they stay in `/tmp`: a profile is only deleted when
/// chromedriver outlives its browser's shutdown, which a test ending does not wait for.
pub struct Driver {
    process: Child,
    base: String,
    http: reqwest::Client,
    scratch: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The negative pid names the group: chromedriver and every Chromium process it started.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.process.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let scratch =
            std::env::temp_dir().join(format!("page-driver-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&scratch)
            .unwrap_or_else(|e| panic!("could not make {}: {e}", scratch.display()));
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/setup.sh installs it)");
        let driver = Driver {
            process,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            scratch,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while driver
            .http
            .get(format!("{}/status", driver.base))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    /// A new browser with the default [`SessionOptions`].
    pub async fn session(&self) -> Session {
        self.session_with(&SessionOptions::default()).await
    }

    /// A new browser. Each has its own empty profile (chromedriver makes a temporary one in the
    /// driver's directory), so nothing carries over from an earlier one.
    pub async fn session_with(&self, options: &SessionOptions) -> Session {
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!(
            "--window-size={},{}",
            options.width, options.height
        ));
        args.extend(options.extra_args.iter().cloned());
        let mut always = json!({
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        });
        let mut logs = serde_json::Map::new();
        if options.console {
            logs.insert("browser".into(), json!("ALL"));
        }
        if options.network {
            logs.insert("performance".into(), json!("ALL"));
        }
        if !logs.is_empty() {
            always["goog:loggingPrefs"] = Value::Object(logs);
        }
        if options.eager {
            always["pageLoadStrategy"] = json!("eager");
        }
        let caps = json!({"capabilities": {"alwaysMatch": always}});
        let answer = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/session", self.base),
            Some(caps),
        )
        .await
        .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        let id = answer["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session {
            http: self.http.clone(),
            url: format!("{}/session/{id}", self.base),
        }
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let ok = response.status().is_success();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let value = value.get("value").cloned().unwrap_or(Value::Null);
    if ok {
        Ok(value)
    } else {
        Err(value.to_string())
    }
}

/// One browser session.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        call(&self.http, method, &format!("{}{path}", self.url), body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"))
    }

    /// Navigates and waits for the load event.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The address bar.
    pub async fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn exec(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Polls the expression `condition` until it is truthy; returns its value, or panics with
    /// `what` after `timeout`.
    pub async fn wait_for(&self, condition: &str, timeout: Duration, what: &str) -> Value {
        match self
            .try_wait_for(condition, timeout, Duration::from_millis(50))
            .await
        {
            Some(value) => value,
            None => panic!(
                "timed out after {timeout:?} waiting for {what} ({condition}); at {}",
                self.current_url().await
            ),
        }
    }

    /// Evaluates the expression `condition` every `interval` until it is truthy (not null,
    /// false, 0 or ""), and returns its value; `None` once `timeout` has passed. An error while
    /// the page changes (between two documents) counts as not yet.
    pub async fn try_wait_for(
        &self,
        condition: &str,
        timeout: Duration,
        interval: Duration,
    ) -> Option<Value> {
        let script = format!("return ({condition});");
        let deadline = Instant::now() + timeout;
        loop {
            let value = call(
                &self.http,
                reqwest::Method::POST,
                &format!("{}/execute/sync", self.url),
                Some(json!({"script": script, "args": []})),
            )
            .await
            .unwrap_or(Value::Null);
            let truthy = !matches!(value, Value::Null | Value::Bool(false))
                && value != json!("")
                && value != json!(0);
            if truthy {
                return Some(value);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Text of the first element matching `css`, or `None`.
    pub async fn text(&self, css: &str) -> Option<String> {
        self.exec(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// A real click (through the browser's input pipeline) on the first element matching `css`.
    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Types `text` into the first element matching `css`, as a user would (input events fire).
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// The WebDriver id of the first element matching `css`.
    async fn find(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("an element id")
            .to_owned()
    }

    /// Opens a new tab and returns its handle (the session stays on the current one).
    pub async fn new_tab(&self) -> String {
        let value = self
            .command(
                reqwest::Method::POST,
                "/window/new",
                Some(json!({"type": "tab"})),
            )
            .await;
        value["handle"].as_str().unwrap().to_owned()
    }

    /// The handle of the current tab.
    pub async fn current_tab(&self) -> String {
        self.command(reqwest::Method::GET, "/window", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Switches to the tab `handle`.
    pub async fn switch_to(&self, handle: &str) {
        self.command(
            reqwest::Method::POST,
            "/window",
            Some(json!({ "handle": handle })),
        )
        .await;
    }

    /// Resizes the browser window (outer size, in CSS px).
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Everything the page wrote to the console so far (and clears the buffer).
    pub async fn console(&self) -> Vec<String> {
        let logs = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await;
        logs.as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["message"].as_str().map(str::to_owned))
            .collect()
    }

    /// The DevTools `Network.*` events since the last call (`{"method", "params"}` each), for a
    /// session started with [`SessionOptions::network`].
    pub async fn network_events(&self) -> Vec<Value> {
        let logs = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "performance"})),
            )
            .await;
        logs.as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .map(|message| message["message"].clone())
            .filter(|event| {
                event["method"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("Network."))
            })
            .collect()
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }

    /// Runs a Chrome DevTools Protocol command.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .await
    }

    /// Runs a Chrome DevTools Protocol command that may fail (a response body the browser no
    /// longer holds, say): the error instead of a panic.
    pub async fn try_cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/goog/cdp/execute", self.url),
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .await
    }

    /// Ends the session and closes the browser.
    pub async fn close(self) {
        let _ = call(&self.http, reqwest::Method::DELETE, &self.url, None).await;
    }
}
