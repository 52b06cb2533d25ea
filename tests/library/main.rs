//! The library's integration tests that need no window, no browser and no process-wide
//! environment: one test binary, so that dioxus, reqwest, tokio and axum are linked once.

mod common;

mod authorize_and_callback;
mod chat_against_mock;
mod client_against_servers;
#[cfg(unix)]
mod file_storage;
mod flow_against_mock;
mod loopback;
mod models_against_mock;
mod no_secrets_in_logs;
mod parsers_fuzz;
