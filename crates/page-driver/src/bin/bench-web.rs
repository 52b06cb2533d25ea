//! Web speed figures for `scripts/bench.sh`, in headless Chromium driven through chromedriver.
//!
//! usage: `bench-web GALLERY_DIR HELLO_DIR [LOADS] [ROUND_TRIPS] [REFERENCE_ROOT]`
//!
//! REFERENCE_ROOT, when given, holds OpenRouter's React reference demo built by hand (`npx vite
//! build --config vite.config.demo.ts`, its two OpenRouter URLs pointed at the mock) under
//! `sign-in-with-openrouter/`, its base path. It is timed the same way, interleaved with the
//! others, and the goals against it are printed with whether they are met.
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
//! - where the time goes: for each page, the medians of its phases in the page's clock (HTML,
//!   stylesheets, scripts and wasm received, the wasm asked for and instantiated, first
//!   contentful paint, ready); for each round trip, the same on the page the browser came back
//!   to, counted from the click, with every `fetch` it made (the exchange, the key's status).
//!
//! Prints one line per figure (median, min and max in ms) and the ratios the budgets are set in.

use std::path::PathBuf;
use std::process::ExitCode;

use page_driver::measure::{
    browser, click_timed, figures, goal, return_timeline, settle, timeline, wait, wait_time, watch,
    watch_timeline, Phases, HERO_READY, HERO_USABLE,
};
use page_driver::static_server::serve_gzip;
use page_driver::webdriver::{Driver, Session};
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
        eprintln!("usage: bench-web GALLERY_DIR HELLO_DIR [LOADS] [ROUND_TRIPS] [REFERENCE_ROOT]");
        return ExitCode::from(2);
    };
    if args.len() > 5 || loads == 0 {
        eprintln!(
            "usage: bench-web GALLERY_DIR HELLO_DIR [LOADS >= 1] [ROUND_TRIPS] [REFERENCE_ROOT]"
        );
        return ExitCode::from(2);
    }
    let gallery = format!("{}/", serve_gzip(PathBuf::from(gallery_dir)).await);
    let hello = format!("{}/", serve_gzip(PathBuf::from(hello_dir)).await);
    let reference = match args.get(4) {
        Some(root) => Some(format!(
            "{}/sign-in-with-openrouter/",
            serve_gzip(PathBuf::from(root)).await
        )),
        None => None,
    };
    let driver = Driver::start().await;
    match run(
        &driver,
        &gallery,
        &hello,
        reference.as_deref(),
        loads,
        trips,
    )
    .await
    {
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
    reference: Option<&str>,
    loads: usize,
    trips: usize,
) -> Result<(), String> {
    let mut pages = vec![
        (
            "gallery",
            gallery,
            ".openrouter-signin-button",
            GALLERY_BUTTONS,
            Some((HERO_USABLE, HERO_READY)),
        ),
        ("hello", hello, "h1", 1, None),
    ];
    if let Some(reference) = reference {
        pages.push(("reference", reference, ".hero-button button", 1, None));
    }
    let mut ready: Vec<Vec<f64>> = vec![Vec::new(); pages.len()];
    let mut phases: Vec<Phases> = pages.iter().map(|_| Phases::default()).collect();
    let mut hero: Vec<f64> = Vec::new();
    // Interleaved, so that whatever else the machine does weighs on all alike.
    for _ in 0..loads {
        for ((times, phases), (name, url, selector, count, first)) in
            ready.iter_mut().zip(phases.iter_mut()).zip(&pages)
        {
            let session = driver.session_with(&browser()).await;
            let result = load(&session, url, selector, *count, *first, name).await;
            session.close().await;
            let (all, first, seen) = result?;
            times.push(all);
            phases.add(seen);
            phases.add([("page ready (all buttons)".to_owned(), all)]);
            if let Some((usable, live)) = first {
                hero.push(usable);
                phases.add([
                    (
                        "hero's button usable (a click is acted on)".to_owned(),
                        usable,
                    ),
                    ("hero's button live (the wasm's)".to_owned(), live),
                ]);
            }
        }
    }
    for (phases, (name, ..)) in phases.iter().zip(&pages) {
        phases.print(&format!("a load of the {name} page"));
    }
    let hero_ready = figures(
        "page ready, gallery's hero button usable (index.html's copy: a click is kept for the wasm)",
        &hero,
    );
    let gallery_ready = figures("page ready, gallery (all buttons)", &ready[0]);
    let hello_ready = figures("page ready, hello-world", &ready[1]);
    println!(
        "page ready, gallery / hello-world: {:.2}x (budget 1.30x)",
        gallery_ready / hello_ready
    );
    let reference_ready = match ready.get(2) {
        Some(times) => {
            let reference_ready = figures("page ready, reference demo", times);
            goal(
                "hero's button ready, gallery / reference",
                hero_ready / reference_ready,
                0.8,
            );
            goal(
                "all buttons ready, gallery / reference",
                gallery_ready / reference_ready,
                1.0,
            );
            Some(reference_ready)
        }
        None => None,
    };

    if trips == 0 {
        return Ok(());
    }
    let session = driver.session_with(&browser()).await;
    let result = round_trips(&session, gallery, "#hero-sign-in", "#sign-out", trips).await;
    session.close().await;
    let (times, phases) = result?;
    phases.print("a sign-in round trip of the gallery, after the click");
    let trip = figures("sign-in round trip (mock)", &times);
    println!(
        "round trip / gallery page ready: {:.2} page loads (budget 3)",
        trip / gallery_ready
    );
    if let (Some(reference), Some(_)) = (reference, reference_ready) {
        let session = driver.session_with(&browser()).await;
        let result = round_trips(
            &session,
            reference,
            ".hero-button button",
            ".sign-out-btn",
            trips,
        )
        .await;
        session.close().await;
        let (times, phases) = result?;
        phases.print("a sign-in round trip of the reference demo, after the click");
        let reference_trip = figures("sign-in round trip, reference demo", &times);
        goal(
            "sign-in round trip, gallery / reference",
            trip / reference_trip,
            0.9,
        );
    }
    Ok(())
}

/// One timed load in a fresh browser: page ready (`count` elements match `selector`, the first
/// enabled), when each of `first`'s two expressions holds, in ms from navigation start, and
/// where the time went.
async fn load(
    session: &Session,
    url: &str,
    selector: &str,
    count: usize,
    first: Option<(&str, &str)>,
    name: &str,
) -> Result<(f64, Option<(f64, f64)>, Vec<(String, f64)>), String> {
    // Let the new browser finish starting up, so that its own work is not timed.
    settle().await;
    watch_timeline(session).await;
    watch_ready(session, selector, count).await;
    if let Some((first, second)) = first {
        watch(session, "__benchFirst", first).await;
        watch(session, "__benchSecond", second).await;
    }
    session.goto(url).await;
    let all = wait_time(
        session,
        "window.__benchReady",
        &format!("{name} page ready"),
    )
    .await?;
    let painted = wait_time(
        session,
        "window.__benchReadyPainted",
        &format!("{name} page painted"),
    )
    .await?;
    let first = match first {
        Some(_) => Some((
            wait_time(
                session,
                "window.__benchFirst",
                &format!("{name}'s first button"),
            )
            .await?,
            wait_time(
                session,
                "window.__benchSecond",
                &format!("{name}'s first button, live"),
            )
            .await?,
        )),
        None => None,
    };
    let mut seen = timeline(session).await;
    seen.push(("page ready, painted (a frame later)".to_owned(), painted));
    Ok((all, first, seen))
}

/// `trips` sign-ins in one browser: from the click on `sign_in` until `sign_out` is shown on the
/// page the browser comes back to, in the page's clock; and where that time went.
async fn round_trips(
    session: &Session,
    url: &str,
    sign_in: &str,
    sign_out: &str,
    trips: usize,
) -> Result<(Vec<f64>, Phases), String> {
    watch_timeline(session).await;
    watch_ready(session, sign_out, 1).await;
    let button = Value::from(sign_in);
    let mut times = Vec::with_capacity(trips);
    let mut phases = Phases::default();
    for _ in 0..trips {
        session.goto(url).await;
        wait(
            session,
            &format!("(() => {{ const b = document.querySelector({button}); return !!b && !b.disabled; }})()"),
            "the signed-out page",
        )
        .await?;
        let clicked = click_timed(session, sign_in).await?;
        let shown = wait_time(
            session,
            "window.__benchReadyAt",
            "Sign out after the round trip",
        )
        .await?;
        times.push(shown - clicked);
        phases.add(return_timeline(session, clicked).await);
        phases.add([("Sign out shown".to_owned(), shown - clicked)]);
        session
            .exec("localStorage.clear(); sessionStorage.clear()", json!([]))
            .await;
    }
    Ok((times, phases))
}
