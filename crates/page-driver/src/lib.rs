//! Drives the gallery's web pages in headless Chromium, for everything in the project that needs
//! a real browser: the browser end-to-end tests (`tests/web_e2e.rs`), the screenshots
//! (`screenshot-web`, called by `scripts/screenshots.sh`) and the web benchmark (`bench-web`,
//! called by `scripts/bench.sh`). One client, so that the three load a page the same way.
//!
//! - [`webdriver`]: a small W3C WebDriver client for chromedriver, over reqwest without TLS.
//!   (fantoccini's TLS features pull in OpenSSL or aws-lc; a loopback-only client needs neither.)
//! - [`static_server`]: serves what dx built on 127.0.0.1, as is or gzip -9.
//! - [`measure`]: what the benchmarks (`bench-web`, `bench-fullstack`) share.
//! - [`process`]: child processes (servers, nginx) that end with the test binary.

pub mod cookie_browser;
pub mod measure;
pub mod process;
pub mod static_server;
pub mod webdriver;
