//! Time to a working sign-in, for `scripts/bench.sh`: what a user feels, measured from outside
//! the page.
//!
//! usage: `bench-signin MOCK_ORIGIN LOADS NAME=WHERE=SELECTOR...`
//!
//! WHERE is a page's URL (a server already running), or a directory of static files that this
//! program serves gzip -9 from 127.0.0.1 as bench-web does, with `@path/` after it when the page
//! is below the root (`target/bench/reference@sign-in-with-openrouter/`).
//!
//! For each page NAME (its first sign-in button matches SELECTOR), LOADS fresh
//! loads, interleaved with the other pages', each in a new browser with an empty profile left to
//! finish starting first. A script installed before the page's own code clicks the first button
//! matching SELECTOR as soon as it is in the document and enabled (a MutationObserver sees it
//! arrive), and again every 10 ms until the page starts to leave or a form is submitted: a
//! button that is painted but ignores the click counts only once a click works. The time is the browser's own, from its
//! DevTools network events: from the request for the page (navigation start) until the request
//! that brings the browser to OpenRouter's `/auth` (the mock at MOCK_ORIGIN), which the mock
//! must then have counted. Nothing in the page's clock is used.
//!
//! Prints each page's median, min and max, and, when a page is named `reference`, each other
//! page's ratio to it with its goal (`gallery` at most 0.6x, `fullstack` at most 0.4x).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use page_driver::measure::{browser, figures, goal, settle};
use page_driver::static_server::serve_gzip;
use page_driver::webdriver::{Driver, Session};
use serde_json::{json, Value};

/// How long one load may take to reach `/auth`.
const DEADLINE: Duration = Duration::from_secs(30);

/// The goals against the reference, by page name.
const GOALS: &[(&str, f64)] = &[("gallery", 0.6), ("fullstack", 0.4)];

struct Page {
    name: String,
    url: String,
    selector: String,
}

/// `NAME=WHERE=SELECTOR`, with a directory served here.
async fn parse_page(arg: &str) -> Option<Page> {
    let (name, rest) = arg.split_once('=')?;
    // WHERE holds no `=` of its own here (an origin and a path, or a directory); the selector may.
    let (place, selector) = rest.split_once('=')?;
    if name.is_empty() || place.is_empty() || selector.is_empty() {
        return None;
    }
    let url = if place.starts_with("http://") || place.starts_with("https://") {
        place.to_owned()
    } else {
        let (dir, path) = place.split_once('@').unwrap_or((place, ""));
        let dir = std::path::PathBuf::from(dir);
        if !dir.is_dir() {
            return None;
        }
        format!("{}/{path}", serve_gzip(dir).await)
    };
    Some(Page {
        name: name.to_owned(),
        url,
        selector: selector.to_owned(),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench-signin MOCK_ORIGIN LOADS NAME=WHERE=SELECTOR... (WHERE: a URL, or DIR[@path/])";
    let (Some(mock), Some(Ok(loads))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let mut pages = Vec::new();
    for arg in &args[2..] {
        match parse_page(arg).await {
            Some(page) => pages.push(page),
            None => {
                eprintln!("bench-signin: not NAME=WHERE=SELECTOR with an existing directory or a URL: {arg}\n{usage}");
                return ExitCode::from(2);
            }
        }
    }
    if pages.is_empty() || loads == 0 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let driver = Driver::start().await;
    match run(&driver, mock.trim_end_matches('/'), loads, &pages).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-signin: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(driver: &Driver, mock: &str, loads: usize, pages: &[Page]) -> Result<(), String> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); pages.len()];
    let http = reqwest::Client::new();
    let options = page_driver::webdriver::SessionOptions {
        network: true,
        ..browser()
    };
    // Interleaved, so that whatever else the machine does weighs on all alike.
    for _ in 0..loads {
        for (page, times) in pages.iter().zip(times.iter_mut()) {
            let before = authorize_requests(&http, mock).await?;
            let session = driver.session_with(&options).await;
            let result = one_load(&session, page, mock).await;
            session.close().await;
            times.push(result?);
            let after = authorize_requests(&http, mock).await?;
            if after <= before {
                return Err(format!(
                    "{}: the browser asked for {mock}/auth, but the mock saw no request",
                    page.name
                ));
            }
        }
    }
    let mut medians = Vec::new();
    for (page, times) in pages.iter().zip(&times) {
        let median = figures(&format!("time to a working sign-in, {}", page.name), times);
        medians.push((page.name.as_str(), median));
    }
    if let Some(&(_, reference)) = medians.iter().find(|(name, _)| *name == "reference") {
        for &(name, median) in &medians {
            let ratio = median / reference;
            match GOALS.iter().find(|(goal_name, _)| *goal_name == name) {
                Some(&(_, limit)) => goal(
                    &format!("time to a working sign-in, {name} / reference"),
                    ratio,
                    limit,
                ),
                None if name != "reference" => {
                    println!("time to a working sign-in, {name} / reference: {ratio:.2}x");
                }
                None => {}
            }
        }
    }
    Ok(())
}

/// The mock's count of requests to `/auth`.
async fn authorize_requests(http: &reqwest::Client, mock: &str) -> Result<u64, String> {
    let stats: Value = http
        .get(format!("{mock}/__mock/stats"))
        .send()
        .await
        .map_err(|e| format!("the mock's stats: {e}"))?
        .text()
        .await
        .map_err(|e| format!("the mock's stats: {e}"))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("the mock's stats: {e}"))
        })?;
    stats["authorize_requests"]
        .as_u64()
        .ok_or_else(|| format!("the mock's stats have no authorize_requests: {stats}"))
}

/// The clicker, installed before the page's own code (and in every page the browser opens
/// after it, so it acts only on the page's own origin).
fn clicker(page: &Page) -> String {
    let origin = page.url.split('/').take(3).collect::<Vec<_>>().join("/");
    let (origin, selector) = (Value::from(origin), Value::from(page.selector.as_str()));
    format!(
        r#"(() => {{
  if (location.origin !== {origin}) return;
  let leaving = false;
  addEventListener('beforeunload', () => {{ leaving = true; }});
  addEventListener('pagehide', () => {{ leaving = true; }});
  // A submitted form has taken effect: clicking again would only plan its navigation anew, and
  // Chromium then starts it later still.
  addEventListener('submit', () => {{ leaving = true; }}, true);
  const attempt = () => {{
    if (leaving) return;
    const button = document.querySelector({selector});
    if (button && !button.disabled) button.click();
  }};
  new MutationObserver(attempt).observe(document, {{ childList: true, subtree: true, attributes: true }});
  const again = () => {{ attempt(); if (!leaving) setTimeout(again, 10); }};
  again();
}})();"#
    )
}

/// One load: the ms between the browser's request for the page and its request for `/auth`.
async fn one_load(session: &Session, page: &Page, mock: &str) -> Result<f64, String> {
    // Let the new browser finish starting up, so that its own work is not timed.
    settle().await;
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": clicker(page) }),
        )
        .await;
    // Forget what the start-up did on the network.
    session.network_events().await;
    session.goto(&page.url).await;
    let auth = format!("{mock}/auth?");
    let (mut started, deadline) = (None::<f64>, Instant::now() + DEADLINE);
    // BENCH_SIGNIN_TRACE=1 prints every request of each load, from navigation start.
    let trace = std::env::var_os("BENCH_SIGNIN_TRACE").is_some();
    loop {
        for event in session.network_events().await {
            if event["method"] != "Network.requestWillBeSent" {
                continue;
            }
            let params = &event["params"];
            let url = params["request"]["url"].as_str().unwrap_or_default();
            let wall = params["wallTime"].as_f64();
            if started.is_none() && params["type"] == "Document" && url == page.url {
                started = wall;
            }
            if let (true, Some(start), Some(at)) = (trace, started, wall) {
                let short: String = url.chars().take(90).collect();
                eprintln!("  {}: {:7.1} ms {short}", page.name, (at - start) * 1000.0);
            }
            if url.starts_with(&auth) {
                let (Some(start), Some(at)) = (started, wall) else {
                    return Err(format!("{}: /auth came before the page", page.name));
                };
                return Ok((at - start) * 1000.0);
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{}: no request for {auth} within {DEADLINE:?} of loading {}",
                page.name, page.url
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
