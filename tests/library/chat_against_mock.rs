//! The chat client against the mock over HTTP on 127.0.0.1: whole and streamed answers, every
//! failure the panel has to explain, app attribution, and stopping a stream by dropping it.

use std::time::{Duration, Instant};

use crate::common::visit;
use openrouter_mock::{ChatFailure, ConsentMode, MockServer};
use openrouter_signin::auth::storage::MemoryStore;
use openrouter_signin::auth::{
    begin_sign_in, finish_sign_in, with_credit_limit, CreditLimit, Return,
};
use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
use openrouter_signin::{now_ms, ApiKey, BaseUrl, ClientError, OpenRouterClient};

/// A mock with a key it issued through a real sign-in, and a client for it.
pub(crate) async fn signed_in() -> (MockServer, OpenRouterClient, ApiKey) {
    signed_in_with(None).await
}

/// The same, the sign-in asking for `limit` on the key (the authorize URL then carries it).
pub(crate) async fn signed_in_with(
    limit: Option<CreditLimit>,
) -> (MockServer, OpenRouterClient, ApiKey) {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    mock.set_chat_delay(Duration::from_millis(2));
    let base = BaseUrl::parse(&mock.base_url()).unwrap();
    let store = MemoryStore::new();
    let url = begin_sign_in(&store, &base, "http://127.0.0.1:1/cb", None, now_ms())
        .await
        .unwrap();
    let url = with_credit_limit(url, limit);
    if let Some(limit) = limit {
        assert!(
            url.ends_with(&format!("&limit={}", limit.as_query_value())),
            "{url}"
        );
    }
    let back = visit(&url).await;
    let client = OpenRouterClient::new(base)
        .unwrap()
        .with_timeout(Duration::from_secs(5))
        .with_attribution("https://example.app/", "Example App");
    let Ok(Return::SignedIn(signed_in)) = finish_sign_in(&store, &client, &back, now_ms()).await
    else {
        panic!("sign-in failed")
    };
    (mock, client, signed_in.key)
}

pub(crate) fn hello(text: &str) -> ChatRequest {
    ChatRequest::new("openai/gpt-4o-mini", vec![ChatMessage::user(text)])
}

#[tokio::test]
async fn a_whole_answer_and_a_streamed_one_say_the_same() {
    let (mock, client, key) = signed_in().await;
    let prompt = "héllo wörld ✓ 🎉 and a longer tail to split";
    let whole = client.chat(&key, &hello(prompt)).await.unwrap();
    assert_eq!(whole, format!("Echo from openai/gpt-4o-mini: {prompt}"));
    let mut pieces = Vec::new();
    client
        .chat_stream(&key, &hello(prompt), |piece| pieces.push(piece.to_owned()))
        .await
        .unwrap();
    assert!(pieces.len() > 3, "the answer arrived in pieces: {pieces:?}");
    assert_eq!(pieces.concat(), whole);
    let headers = mock.last_chat_headers();
    assert!(
        headers.contains(&("http-referer".into(), "https://example.app/".into())),
        "{headers:?}"
    );
    assert!(
        headers.contains(&("x-openrouter-title".into(), "Example App".into())),
        "{headers:?}"
    );
    assert!(
        headers.contains(&("x-title".into(), "Example App".into())),
        "{headers:?}"
    );
    assert!(headers.iter().all(|(name, _)| name != "authorization"));
}

#[tokio::test]
async fn out_of_credits_rate_limits_and_server_errors_are_typed() {
    let (mock, client, key) = signed_in().await;
    mock.inject_chat_failure(ChatFailure::Status(402));
    match client
        .chat_stream(&key, &hello("hi"), |_| {})
        .await
        .unwrap_err()
    {
        ClientError::Api {
            status: 402,
            message,
        } => assert!(!message.is_empty()),
        other => panic!("{other:?}"),
    }
    mock.inject_chat_failure(ChatFailure::RateLimited {
        retry_after_secs: 7,
    });
    let error = client
        .chat_stream(&key, &hello("hi"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(429));
    match &error {
        ClientError::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("7 s"), "{error}");
    for status in [500u16, 502, 503] {
        mock.inject_chat_failure(ChatFailure::Status(status));
        assert_eq!(
            client.chat(&key, &hello("hi")).await.unwrap_err().status(),
            Some(status)
        );
    }
    let unknown = ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    assert_eq!(
        client
            .chat_stream(&unknown, &hello("hi"), |_| {})
            .await
            .unwrap_err()
            .status(),
        Some(401)
    );
}

#[tokio::test]
async fn an_error_or_a_cut_in_the_middle_of_a_stream_is_an_error_after_the_text_so_far() {
    let (mock, client, key) = signed_in().await;
    mock.inject_chat_failure(ChatFailure::ErrorMidStream { after_events: 2 });
    let mut pieces = Vec::new();
    let error = client
        .chat_stream(&key, &hello("a long enough prompt to stream"), |p| {
            pieces.push(p.to_owned())
        })
        .await;
    assert_eq!(pieces.len(), 2);
    match error.unwrap_err() {
        ClientError::Api {
            status: 502,
            message,
        } => assert!(message.contains("Upstream"), "{message}"),
        other => panic!("{other:?}"),
    }
    mock.inject_chat_failure(ChatFailure::DropMidStream { after_events: 2 });
    let error = client
        .chat_stream(&key, &hello("a long enough prompt to stream"), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error:?}");
}

#[tokio::test]
async fn a_silent_stream_times_out_and_a_dropped_one_stops() {
    let (mock, client, key) = signed_in().await;
    let client = client.with_timeout(Duration::from_millis(300));
    mock.inject_chat_failure(ChatFailure::Slow(Duration::from_secs(3)));
    let started = Instant::now();
    let error = client
        .chat_stream(&key, &hello("hi there"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(error, ClientError::Timeout(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(2));

    // Stop: the caller drops the future after the first piece.
    mock.inject_chat_failure(ChatFailure::Slow(Duration::from_millis(200)));
    let mut pieces = 0;
    let _ = tokio::time::timeout(
        Duration::from_millis(500),
        client.with_timeout(Duration::from_secs(5)).chat_stream(
            &key,
            &hello("a long enough prompt to stream"),
            |_| pieces += 1,
        ),
    )
    .await;
    assert!((1..4).contains(&pieces), "{pieces}");
}
