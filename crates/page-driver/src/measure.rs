//! What the benchmarks share: waiting until a new browser is idle, timing a page in its own
//! clock, and printing figures.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::webdriver::{Session, SessionOptions};

/// How long a benchmark waits for any one thing.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a wait asks the page; the figures come from the page's clock, not from this.
pub const POLL: Duration = Duration::from_millis(20);

/// The gallery's hero sign-in button is in the page and enabled (a JS expression).
pub const HERO_READY: &str =
    "(() => { const b = document.querySelector('#hero-sign-in'); return !!b && !b.disabled; })()";

/// A sign-in button of the static gallery's hero takes a click: the live one, or index.html's
/// copy of it shown before the wasm has run, whose click the wasm acts on (a JS expression).
pub const HERO_USABLE: &str = "(() => { const b = document.querySelector('#hero-sign-in') \
    || document.querySelector('#prerendered-sign-in'); \
    return !!b && !b.disabled && b.getClientRects().length > 0; })()";

/// The options every benchmark browser starts with: the same for every load.
pub fn browser() -> SessionOptions {
    SessionOptions {
        extra_args: vec!["--disable-extensions".into(), "--hide-scrollbars".into()],
        console: false,
        ..SessionOptions::default()
    }
}

/// Clicks the first element matching `selector` and returns when, in the page's clock (ms since
/// the epoch, comparable with the `…At` times of [`watch_script`]).
pub async fn click_timed(session: &Session, selector: &str) -> Result<f64, String> {
    session
        .exec(
            "const at = performance.timeOrigin + performance.now();
             document.querySelector(arguments[0]).click();
             return at;",
            json!([selector]),
        )
        .await
        .as_f64()
        .ok_or_else(|| "the click's time is not a number".to_owned())
}

/// A script to install before the page's own code: sets `window[name]` (the page's clock, ms
/// from navigation start) and `window[name + "At"]` (ms since the epoch) at the first moment the
/// expression `ready` is true, watched with a MutationObserver so the time is not rounded to a
/// polling interval.
pub fn watch_script(name: &str, ready: &str) -> String {
    let name = Value::from(name);
    format!(
        "(() => {{
  const ready = () => {{ try {{ return ({ready}); }} catch (e) {{ return false; }} }};
  const check = () => {{
    if (window[{name}] === undefined && ready()) {{
      window[{name}] = performance.now();
      window[{name} + 'At'] = performance.timeOrigin + performance.now();
      // What the user sees: the frame after the one that drew it has begun, so it was painted.
      requestAnimationFrame(() => requestAnimationFrame(() => {{
        window[{name} + 'Painted'] = performance.now();
      }}));
    }}
  }};
  new MutationObserver(check).observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});
}})();"
    )
}

/// Installs [`watch_script`] in every document the session opens from now on.
pub async fn watch(session: &Session, name: &str, ready: &str) {
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": watch_script(name, ready) }),
        )
        .await;
}

/// Waits for the expression `condition` to be truthy, and returns its value.
pub async fn wait(session: &Session, condition: &str, what: &str) -> Result<Value, String> {
    session
        .try_wait_for(condition, WAIT, POLL)
        .await
        .ok_or_else(|| format!("no {what} within {} s", WAIT.as_secs()))
}

/// Waits for the expression `condition` to be a time (a number of ms), and returns it.
pub async fn wait_time(session: &Session, condition: &str, what: &str) -> Result<f64, String> {
    let value = wait(session, condition, what).await?;
    value
        .as_f64()
        .ok_or_else(|| format!("{what}: {value} is not a time"))
}

/// CPU time (clock ticks) used so far by every Chromium process on the machine.
fn browser_cpu_ticks() -> i64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // The process may have ended since the directory was listed.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let command = &stat[open + 1..close];
        if !command.starts_with("chrom") || command == "chromedriver" {
            continue;
        }
        // After the command: state, then 10 more fields, then utime and stime.
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |at: usize| fields.get(at).and_then(|f| f.parse::<i64>().ok());
        if let (Some(user), Some(system)) = (ticks(11), ticks(12)) {
            total += user + system;
        }
    }
    total
}

/// Waits until the browsers have used at most one clock tick in each of 3 intervals of 100 ms in
/// a row (after 0.5 s, before 5 s): a new browser's own start-up is not the page's time.
pub async fn settle() {
    const QUIET_SAMPLES: u32 = 3;
    const INTERVAL: Duration = Duration::from_millis(100);
    const AT_LEAST: Duration = Duration::from_millis(500);
    const AT_MOST: Duration = Duration::from_secs(5);
    let start = Instant::now();
    tokio::time::sleep(AT_LEAST).await;
    let (mut quiet, mut last) = (0, browser_cpu_ticks());
    while quiet < QUIET_SAMPLES && start.elapsed() < AT_MOST {
        tokio::time::sleep(INTERVAL).await;
        let now = browser_cpu_ticks();
        quiet = if now - last <= 1 { quiet + 1 } else { 0 };
        last = now;
    }
}

/// Prints the median, min and max of `values`; returns the median.
pub fn figures(name: &str, values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = median(&sorted);
    println!(
        "{name:40} median {median:7.1} ms   min {:7.1}   max {:7.1}   (n={})",
        sorted[0],
        sorted[sorted.len() - 1],
        values.len()
    );
    median
}

/// Installed before the page's own code: notes, in the page's clock, when the page first asks
/// for its WebAssembly to be compiled and when that first resolves (compiled and instantiated),
/// in `window.__timeline`.
const WASM_WATCH: &str = "(() => {
  const mark = (name) => {
    window.__timeline = window.__timeline || {};
    if (window.__timeline[name] === undefined) window.__timeline[name] = performance.now();
  };
  for (const name of ['instantiateStreaming', 'instantiate', 'compileStreaming', 'compile']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      mark('wasm asked for');
      return original.apply(this, args).then((result) => { mark('wasm instantiated'); return result; });
    };
  }
})();";

/// Reads where a page's time went, in its own clock (ms from navigation start): the HTML, the
/// first stylesheet, script and wasm asked for and the last of each received, the wasm asked for and instantiated (when
/// [`watch_timeline`] was installed), and the first contentful paint. Each a `[name, ms]` pair.
const TIMELINE: &str = "
  const phases = [];
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) phases.push(['html received', nav.responseEnd]);
  const first = {}, last = {};
  for (const r of performance.getEntriesByType('resource')) {
    const kind = (r.name.split('?')[0].match(/\\.(css|js|wasm)$/) || [])[1];
    if (!kind) continue;
    first[kind] = Math.min(first[kind] ?? Infinity, r.startTime);
    last[kind] = Math.max(last[kind] ?? 0, r.responseEnd);
  }
  for (const kind of ['css', 'js', 'wasm']) {
    if (last[kind] === undefined) continue;
    phases.push([kind + ' requested', first[kind]]);
    phases.push([kind + ' received', last[kind]]);
  }
  for (const [name, at] of Object.entries(window.__timeline || {})) phases.push([name, at]);
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  if (paint) phases.push(['first contentful paint', paint.startTime]);
  return phases;";

/// Installs the wasm watch of [`timeline`] in every document the session opens from now on.
pub async fn watch_timeline(session: &Session) {
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": WASM_WATCH }),
        )
        .await;
}

/// Where the current page's time went so far, in its own clock (see [`watch_timeline`]).
pub async fn timeline(session: &Session) -> Vec<(String, f64)> {
    let phases = session.exec(TIMELINE, json!([])).await;
    pairs(&phases)
}

/// Collects phases of many loads of one page and prints each phase's median, in the order of
/// those medians: where the time of a load goes.
#[derive(Default)]
pub struct Phases {
    seen: Vec<(String, Vec<f64>)>,
}

impl Phases {
    /// Adds one load's phases (and any more of the caller's, such as "ready").
    pub fn add(&mut self, phases: impl IntoIterator<Item = (String, f64)>) {
        for (name, at) in phases {
            match self.seen.iter_mut().find(|(seen, _)| *seen == name) {
                Some((_, times)) => times.push(at),
                None => self.seen.push((name, vec![at])),
            }
        }
    }

    /// Prints `title` and one line per phase: its median over the loads that had it.
    pub fn print(&self, title: &str) {
        let mut medians: Vec<(f64, &str, usize)> = self
            .seen
            .iter()
            .map(|(name, times)| (median(times), name.as_str(), times.len()))
            .collect();
        medians.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!("where the time goes, {title} (medians, ms in the page's clock):");
        for (at, name, n) in medians {
            println!("  {at:7.1}  {name} (n={n})");
        }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}

/// Where the time of a sign-in round trip went, on the page the browser came back to: each
/// phase in ms after the click at `clicked` (ms since the epoch, from [`click_timed`]): the
/// navigation's start (the way to OpenRouter and back), the HTML, scripts and wasm received,
/// the wasm instantiated (with [`watch_timeline`]), and each `fetch` the page made, sent and
/// answered.
pub async fn return_timeline(session: &Session, clicked: f64) -> Vec<(String, f64)> {
    let phases = session
        .exec(
            "const since = (t) => performance.timeOrigin + t - arguments[0];
             const phases = [['navigation started', since(0)]];
             const nav = performance.getEntriesByType('navigation')[0];
             if (nav) phases.push(['html received', since(nav.responseEnd)]);
             for (const r of performance.getEntriesByType('resource')) {
               const path = new URL(r.name).pathname;
               const kind = (path.match(/\\.(js|wasm)$/) || [])[1];
               if (kind) phases.push([kind + ' received', since(r.responseEnd)]);
               if (r.initiatorType === 'fetch' && !kind) {
                 phases.push(['fetch ' + path + ' sent', since(r.startTime)]);
                 phases.push(['fetch ' + path + ' answered', since(r.responseEnd)]);
               }
             }
             for (const [name, at] of Object.entries(window.__timeline || {})) phases.push([name, since(at)]);
             return phases;",
            json!([clicked]),
        )
        .await;
    pairs(&phases)
}

/// `[[name, ms], ...]` as pairs; anything else is left out.
fn pairs(phases: &Value) -> Vec<(String, f64)> {
    phases
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Prints a goal set as a ratio (`what`: ours / the reference) and whether `ratio` is within it:
/// `goal: what: 0.91x (at most 0.80x): missed`.
pub fn goal(what: &str, ratio: f64, goal: f64) {
    let verdict = if ratio <= goal { "met" } else { "missed" };
    println!("goal: {what}: {ratio:.2}x (at most {goal:.2}x): {verdict}");
}
