//! Web speed figures for `scripts/bench.sh`, in headless Chromium driven through chromedriver.
//!
//! usage: `bench-web GALLERY_DIR HELLO_DIR [LOADS] [ROUND_TRIPS]`
//!
//! - page ready: for each page, LOADS (15) fresh loads, each in a new browser with an empty
//!   profile that is first left to finish starting until its processes are idle (its own start-up
//!   work is not the page's: a user's browser is already running; timing it half a second after
//!   start, the gallery / hello-world ratio wandered from 1.20x to 1.54x between runs of the same
//!   builds), of the page served gzip -9 from 127.0.0.1 (compressed in advance). The time is the
//!   page's own clock (navigation start = 0) at the first moment every sign-in button of the
//!   gallery is in the document and the first is enabled (the hello-world: its heading). A script
//!   installed before the page's own code watches for it with a MutationObserver, so the figure is
//!   not rounded to a polling interval.
//! - round trip: ROUND_TRIPS (10) sign-ins against the local mock OpenRouter, which must listen
//!   where the gallery was built to call it and approve at once (`--consent approve`): from the
//!   click on the hero's button, in the page's clock, until the returned page shows "Sign out".
//!   The same browser does them all, as a user's would.
//!
//! Prints one line per figure (median, min and max in ms) and the ratios the budgets are set in.

use std::path::PathBuf;
use std::process::ExitCode;

use page_driver::measure::{figures, settle, wait, wait_time, watch};
use page_driver::static_server::serve_gzip;
use page_driver::webdriver::{Driver, Session, SessionOptions};
use serde_json::{json, Value};

/// Every sign-in button of the gallery: the hero's, the options row's previews and the grid's 20.
/// Two of them are disabled on purpose (the loading and disabled previews); the hero's must not be.
const GALLERY_BUTTONS: usize = 26;

/// Installed before the page's own code: notes, in the page's clock, the first moment at least
/// `count` elements match `selector` and the first of them is enabled.
async fn watch_ready(session: &Session, selector: &str, count: usize) {
    let selector = Value::from(selector);
    let ready = format!(
        "(() => {{ const found = document.querySelectorAll({selector}); return found.length >= {count} && !found[0].disabled; }})()"
    );
    watch(session, "__benchReady", &ready).await;
}

/// The options the benchmark's browsers start with: the same for every load.
fn browser() -> SessionOptions {
    SessionOptions {
        extra_args: vec!["--disable-extensions".into(), "--hide-scrollbars".into()],
        console: false,
        ..SessionOptions::default()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = |at: usize, default: usize| match args.get(at) {
        None => Some(default),
        Some(text) => text.parse().ok(),
    };
    let (Some(gallery_dir), Some(hello_dir), Some(loads), Some(trips)) =
        (args.first(), args.get(1), count(2, 15), count(3, 10))
    else {
        eprintln!("usage: bench-web GALLERY_DIR HELLO_DIR [LOADS] [ROUND_TRIPS]");
        return ExitCode::from(2);
    };
    if args.len() > 4 || loads == 0 {
        eprintln!("usage: bench-web GALLERY_DIR HELLO_DIR [LOADS >= 1] [ROUND_TRIPS]");
        return ExitCode::from(2);
    }
    let gallery = format!("{}/", serve_gzip(PathBuf::from(gallery_dir)).await);
    let hello = format!("{}/", serve_gzip(PathBuf::from(hello_dir)).await);
    let driver = Driver::start().await;
    match run(&driver, &gallery, &hello, loads, trips).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-web: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    driver: &Driver,
    gallery: &str,
    hello: &str,
    loads: usize,
    trips: usize,
) -> Result<(), String> {
    let pages = [
        (
            "gallery",
            gallery,
            ".openrouter-signin-button",
            GALLERY_BUTTONS,
        ),
        ("hello", hello, "h1", 1),
    ];
    let mut ready: [Vec<f64>; 2] = Default::default();
    // Interleaved, so that whatever else the machine does weighs on both alike.
    for _ in 0..loads {
        for (times, (name, url, selector, count)) in ready.iter_mut().zip(pages) {
            let session = driver.session_with(&browser()).await;
            let result = load(&session, url, selector, count, name).await;
            session.close().await;
            times.push(result?);
        }
    }
    let gallery_ready = figures("page ready, gallery", &ready[0]);
    let hello_ready = figures("page ready, hello-world", &ready[1]);
    println!(
        "page ready, gallery / hello-world: {:.2}x (budget 1.30x)",
        gallery_ready / hello_ready
    );

    if trips == 0 {
        return Ok(());
    }
    let session = driver.session_with(&browser()).await;
    let result = round_trips(&session, gallery, trips).await;
    session.close().await;
    let trip = figures("sign-in round trip (mock)", &result?);
    println!(
        "round trip / gallery page ready: {:.2} page loads (budget 3)",
        trip / gallery_ready
    );
    Ok(())
}

/// One timed load in a fresh browser: page ready, in ms from navigation start.
async fn load(
    session: &Session,
    url: &str,
    selector: &str,
    count: usize,
    name: &str,
) -> Result<f64, String> {
    // Let the new browser finish starting up, so that its own work is not timed.
    settle().await;
    watch_ready(session, selector, count).await;
    session.goto(url).await;
    wait_time(
        session,
        "window.__benchReady",
        &format!("{name} page ready"),
    )
    .await
}

async fn round_trips(session: &Session, gallery: &str, trips: usize) -> Result<Vec<f64>, String> {
    watch_ready(session, "#sign-out", 1).await;
    let mut times = Vec::with_capacity(trips);
    for _ in 0..trips {
        session.goto(gallery).await;
        wait(
            session,
            "!!document.querySelector('#hero-sign-in:enabled')",
            "signed-out gallery",
        )
        .await?;
        let clicked = session
            .exec(
                "const at = performance.timeOrigin + performance.now();
                 document.querySelector('#hero-sign-in').click();
                 return at;",
                json!([]),
            )
            .await
            .as_f64()
            .ok_or("the click's time is not a number")?;
        let shown = wait_time(
            session,
            "location.search === '' && window.__benchReadyAt",
            "Sign out after the round trip",
        )
        .await?;
        times.push(shown - clicked);
        session
            .exec("localStorage.clear(); sessionStorage.clear()", json!([]))
            .await;
    }
    Ok(times)
}
