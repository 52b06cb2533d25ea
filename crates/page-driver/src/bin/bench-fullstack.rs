//! Fullstack figures for `scripts/bench.sh`, in headless Chromium driven through chromedriver.
//!
//! usage: `bench-fullstack FULLSTACK_URL GALLERY_DIR [LOADS] [TRIPS] [REFERENCE_READY_MS]`
//!
//! REFERENCE_READY_MS, when given (bench-web's "page ready, reference demo" median of the same
//! run), prints the fullstack page-ready goal against it: the hero's sign-in usable at most 0.5x
//! the reference's.
//!
//! FULLSTACK_URL is a running fullstack gallery (release) and GALLERY_DIR the static web
//! gallery's release build; both call the same local mock OpenRouter, which approves at once.
//!
//! - page ready, fullstack: LOADS fresh loads (each in a new browser left to settle first, as in
//!   bench-web). Three moments in the page's clock: the hero's sign-in button in the document and
//!   enabled (it arrives in the server's HTML); the sign-in usable (the button submits its form
//!   to the server's start route, which needs no wasm, or the page is live); and the page live
//!   (hydrated: the library marks `<html data-openrouter-signin="ready">`); and, as bench-web
//!   prints them, the medians of where a load's time goes.
//! - sign-in round trip, fullstack: TRIPS sign-ins in one browser, from the click on the hero's
//!   button until the returned page shows Sign out; cookies cleared between trips.
//! - first streamed piece: TRIPS chats each way, from the click on Send until the answer's first
//!   text is on screen: through the fullstack server, and straight from the static page to the
//!   mock (both the same mock, the same delay).

use std::path::PathBuf;
use std::process::ExitCode;

use page_driver::measure::{
    browser, click_timed, figures, goal, settle, timeline, wait, wait_time, watch, watch_timeline,
    Phases, HERO_READY,
};
use page_driver::static_server::serve_gzip;
use page_driver::webdriver::{Driver, Session};
use serde_json::json;

const LIVE: &str = "document.documentElement.dataset.openrouterSignin === 'ready'";
/// The hero's button signs in when clicked: it submits a form to the start route (no wasm
/// needed), or the page is live.
const USABLE: &str = "(() => {
  const b = document.querySelector('#hero-sign-in');
  if (!b || b.disabled) return false;
  if (document.documentElement.dataset.openrouterSignin === 'ready') return true;
  return b.type === 'submit' && !!b.form && b.form.method === 'get'
    && new URL(b.form.action).pathname === '/auth/start';
})()";
const SIGNED_IN: &str = "!!document.querySelector('#sign-out')";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = |at: usize, default: usize| match args.get(at) {
        None => Some(default),
        Some(text) => text.parse().ok().filter(|n| *n > 0),
    };
    let reference_ready = match args.get(4).map(|text| text.parse::<f64>()) {
        None => Ok(None),
        Some(Ok(ms)) if ms > 0.0 => Ok(Some(ms)),
        Some(_) => Err(()),
    };
    let (Some(fullstack), Some(gallery_dir), Some(loads), Some(trips), Ok(reference_ready)) = (
        args.first(),
        args.get(1),
        count(2, 15),
        count(3, 10),
        reference_ready,
    ) else {
        eprintln!("usage: bench-fullstack FULLSTACK_URL GALLERY_DIR [LOADS >= 1] [TRIPS >= 1] [REFERENCE_READY_MS]");
        return ExitCode::from(2);
    };
    let fullstack = format!("{}/", fullstack.trim_end_matches('/'));
    let gallery = format!("{}/", serve_gzip(PathBuf::from(gallery_dir)).await);
    let driver = Driver::start().await;
    match run(&driver, &fullstack, &gallery, loads, trips, reference_ready).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-fullstack: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    driver: &Driver,
    fullstack: &str,
    gallery: &str,
    loads: usize,
    trips: usize,
    reference_ready: Option<f64>,
) -> Result<(), String> {
    let (mut painted, mut usable, mut live) = (Vec::new(), Vec::new(), Vec::new());
    let mut phases = Phases::default();
    for _ in 0..loads {
        let session = driver.session_with(&browser()).await;
        let result = load(&session, fullstack).await;
        session.close().await;
        let (button, works, hydrated, seen) = result?;
        painted.push(button);
        usable.push(works);
        live.push(hydrated);
        phases.add(seen);
        phases.add([
            ("sign-in button in the page".to_owned(), button),
            ("sign-in usable".to_owned(), works),
            ("page live (hydrated)".to_owned(), hydrated),
        ]);
    }
    phases.print("a load of the fullstack page");
    figures("fullstack: sign-in button in the page", &painted);
    let usable = figures("fullstack: sign-in usable", &usable);
    figures("fullstack: page live (hydrated)", &live);
    if let Some(reference) = reference_ready {
        let ratio = usable / reference;
        goal(
            "fullstack sign-in usable / reference page ready",
            ratio,
            0.5,
        );
    }

    let session = driver.session_with(&browser()).await;
    let result = round_trips(&session, fullstack, trips).await;
    let through_server = match result {
        Ok(times) => {
            figures("fullstack: sign-in round trip (mock)", &times);
            first_pieces(&session, fullstack, trips).await
        }
        Err(e) => Err(e),
    };
    session.close().await;
    let through_server = figures("first streamed piece, through the server", &through_server?);

    let session = driver.session_with(&browser()).await;
    let direct = async {
        session.goto(gallery).await;
        wait(
            &session,
            "!!document.querySelector('#hero-sign-in:enabled')",
            "the static gallery",
        )
        .await?;
        session.click("#hero-sign-in").await;
        wait(&session, SIGNED_IN, "the static gallery signed in").await?;
        first_pieces(&session, gallery, trips).await
    }
    .await;
    session.close().await;
    let direct = figures("first streamed piece, page to OpenRouter", &direct?);
    println!(
        "first streamed piece, through the server / direct: {:.2}x",
        through_server / direct
    );
    Ok(())
}

/// One fresh load: when the hero's button was in the page, when it would sign in, when the
/// page was live, and where the time went.
async fn load(session: &Session, url: &str) -> Result<(f64, f64, f64, Vec<(String, f64)>), String> {
    settle().await;
    watch_timeline(session).await;
    watch(session, "__benchButton", HERO_READY).await;
    watch(session, "__benchUsable", USABLE).await;
    watch(session, "__benchLive", LIVE).await;
    session.goto(url).await;
    let live = wait_time(session, "window.__benchLive", "the page live").await?;
    let usable = wait_time(session, "window.__benchUsable", "the sign-in usable").await?;
    let button = wait_time(session, "window.__benchButton", "the sign-in button").await?;
    Ok((button, usable, live, timeline(session).await))
}

async fn round_trips(session: &Session, url: &str, trips: usize) -> Result<Vec<f64>, String> {
    watch(session, "__benchSignedIn", SIGNED_IN).await;
    let mut times = Vec::with_capacity(trips);
    for _ in 0..trips {
        session.cdp("Network.clearBrowserCookies", json!({})).await;
        session.goto(url).await;
        wait(
            session,
            &format!("{LIVE} && {HERO_READY}"),
            "the signed-out page live",
        )
        .await?;
        let clicked = click_timed(session, "#hero-sign-in").await?;
        let shown = wait_time(
            session,
            "location.pathname === '/' && window.__benchSignedInAt",
            "Sign out after the round trip",
        )
        .await?;
        times.push(shown - clicked);
    }
    wait(session, LIVE, "the signed-in page live").await?;
    Ok(times)
}

/// Chats `trips` times on the signed-in page at `url`: from the click on Send to the answer's
/// first text, in the page's clock.
async fn first_pieces(session: &Session, url: &str, trips: usize) -> Result<Vec<f64>, String> {
    session.goto(url).await;
    wait(
        session,
        &format!("{SIGNED_IN} && !!document.querySelector('#prompt')"),
        "the chat",
    )
    .await?;
    // The static page has no readiness mark; its chat exists only once it runs.
    let _ = session
        .try_wait_for(
            LIVE,
            std::time::Duration::from_millis(500),
            page_driver::measure::POLL,
        )
        .await;
    let mut times = Vec::with_capacity(trips);
    for _ in 0..trips {
        wait(session, "!!document.querySelector('#send') && document.querySelector('#send').getAttribute('aria-disabled') === 'false'", "Send").await?;
        let clicked = session
            .exec(
                "const prompt = document.querySelector('#prompt');
                 prompt.value = 'How fast is the first piece?';
                 prompt.dispatchEvent(new Event('input', { bubbles: true }));
                 const answer = document.querySelector('#answer');
                 window.__firstPiece = undefined;
                 const seen = new MutationObserver(() => {
                   if (window.__firstPiece === undefined && answer.textContent.length > 0) {
                     window.__firstPiece = performance.timeOrigin + performance.now();
                     seen.disconnect();
                   }
                 });
                 return new Promise(resolve => setTimeout(() => {
                   answer.textContent.length; seen.observe(answer, { subtree: true, childList: true, characterData: true });
                   const at = performance.timeOrigin + performance.now();
                   document.querySelector('#send').click();
                   resolve(at);
                 }, 50));",
                json!([]),
            )
            .await
            .as_f64()
            .ok_or("the click's time is not a number")?;
        let first = wait_time(session, "window.__firstPiece", "the first piece").await?;
        times.push(first - clicked);
        wait(
            session,
            "document.querySelector('#answer').getAttribute('aria-busy') === 'false'",
            "the whole answer",
        )
        .await?;
    }
    Ok(times)
}
