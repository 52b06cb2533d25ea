//! A whole sign-in, key check and streamed chat with every log at TRACE level captured (tracing,
//! and the `log` records of reqwest and friends): the key, the verifier and the code never appear.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::visit;
use openrouter_mock::{ConsentMode, MockServer};
use openrouter_signin::auth::storage::{AuthStore, MemoryStore};
use openrouter_signin::auth::{
    begin_sign_in, finish_sign_in, parse_callback, CallbackParams, Return,
};
use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
use openrouter_signin::{now_ms, BaseUrl, OpenRouterClient};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let base = BaseUrl::parse(&mock.base_url()).unwrap();
    let store = MemoryStore::new();
    let url = begin_sign_in(&store, &base, "http://127.0.0.1:1/cb", None, now_ms())
        .await
        .unwrap();
    // Peek at the verifier so the logs can be searched for it, then put it back.
    let pending = store.take_pending().unwrap().unwrap();
    let verifier = pending.verifier.expose_secret().to_owned();
    store.save_pending(&pending).unwrap();
    let back = visit(&url).await;
    let Ok(CallbackParams::Code { code, .. }) = parse_callback(&back) else {
        panic!("no code in {back}");
    };
    let code = code.expose_secret().to_owned();
    let client = OpenRouterClient::new(base).unwrap();
    tracing::debug!(?client, "client ready");
    let Ok(Return::SignedIn(signed_in)) = finish_sign_in(&store, &client, &back, now_ms()).await
    else {
        panic!("sign-in failed")
    };
    let key = signed_in.key.clone();
    tracing::info!(?signed_in, %key, "signed in");
    client.key_info(&key).await.unwrap();
    let request = ChatRequest::new("m/x", vec![ChatMessage::user("hi")]);
    client.chat_stream(&key, &request, |_| {}).await.unwrap();

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("signed in") && logs.contains("[redacted]"),
        "logging was captured: {logs:.400}"
    );
    assert!(
        logs.lines().count() > 5,
        "the HTTP stack logged too: {logs:.400}"
    );
    for (what, secret) in [
        ("key", key.expose_secret()),
        ("verifier", &verifier),
        ("code", &code),
    ] {
        assert!(!logs.contains(secret), "the {what} appears in the logs");
    }
}
