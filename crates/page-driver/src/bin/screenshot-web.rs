//! Takes a screenshot of a page in headless Chromium once the page has rendered, its stylesheets
//! have applied and its transitions have finished (a plain `chromium --screenshot` fires before
//! the wasm app has run). `scripts/screenshots.sh` calls it.
//!
//! usage: `screenshot-web URL OUT.png [WIDTH HEIGHT]` (1200 x 2400 by default)

use std::process::ExitCode;
use std::time::Duration;

use page_driver::webdriver::{Driver, Session, SessionOptions};

/// The app has rendered the variant grid (it follows the hero a turn of the event loop later)
/// and the compiled CSS has reached its buttons.
const RENDERED: &str = "(() => {
  const button = document.querySelector('#variants [data-variant]');
  return !!button && getComputedStyle(button).cursor === 'pointer'
    && document.readyState === 'complete';
})()";

/// Nothing moves any more: no finite animation or transition is left to run (an endless one,
/// like the loading preview's spinner, never ends, so it is left out) and the fonts are in.
/// Reading computed styles above has already started every transition the styles set off.
const STILL: &str = "document.fonts.status === 'loaded' && document.getAnimations().every(a =>
  a.playState !== 'running' || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)";

const RENDER_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, out, width, height) = match args.as_slice() {
        [url, out] => (url, out, 1200, 2400),
        [url, out, width, height] => match (width.parse(), height.parse()) {
            (Ok(width), Ok(height)) => (url, out, width, height),
            _ => return usage(),
        },
        _ => return usage(),
    };
    let driver = Driver::start().await;
    let options = SessionOptions {
        width,
        height,
        extra_args: vec!["--disable-extensions".into(), "--hide-scrollbars".into()],
        console: false,
        ..SessionOptions::default()
    };
    let session = driver.session_with(&options).await;
    let result = shoot(&session, url).await;
    session.close().await;
    match result {
        Ok(png) => match std::fs::write(out, png) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("screenshot-web: {out}: {e}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("screenshot-web: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn shoot(session: &Session, url: &str) -> Result<Vec<u8>, String> {
    session.goto(url).await;
    session
        .try_wait_for(RENDERED, RENDER_TIMEOUT, POLL)
        .await
        .ok_or_else(|| format!("{url} did not render within {RENDER_TIMEOUT:?}"))?;
    session
        .try_wait_for(STILL, RENDER_TIMEOUT, POLL)
        .await
        .ok_or_else(|| format!("{url} kept moving for {RENDER_TIMEOUT:?}"))?;
    Ok(session.screenshot().await)
}

fn usage() -> ExitCode {
    eprintln!("usage: screenshot-web URL OUT.png [WIDTH HEIGHT]");
    ExitCode::from(2)
}
