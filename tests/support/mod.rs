//! Shared pieces of the browser end-to-end tests: a small WebDriver client for chromedriver, and
//! a static file server for the app that dx built.

pub mod static_server;
pub mod webdriver;
