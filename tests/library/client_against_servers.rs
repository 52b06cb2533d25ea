//! The OpenRouter client against answers the flow tests do not produce: redirects, oversize and
//! cut-off bodies, error bodies that are not OpenRouter's, and key info.

use std::time::Duration;

use crate::common::visit;
use openrouter_mock::{ConsentMode, Failure, MockServer};
use openrouter_signin::auth::storage::MemoryStore;
use openrouter_signin::auth::{begin_sign_in, finish_sign_in, FlowError, Return};
use openrouter_signin::openrouter::MAX_RESPONSE_BYTES;
use openrouter_signin::{now_ms, BaseUrl, ClientError, OpenRouterClient};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// A server on 127.0.0.1 that answers every request with `response`, verbatim.
async fn canned_server(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    format!("http://{addr}")
}

fn client(base: &str) -> OpenRouterClient {
    OpenRouterClient::new(BaseUrl::parse(base).unwrap())
        .unwrap()
        .with_timeout(Duration::from_secs(5))
}

/// Signs in against the mock with `failure` injected into the exchange; returns the client error.
async fn exchange_with(failure: Failure) -> ClientError {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let store = MemoryStore::new();
    let url = begin_sign_in(
        &store,
        &BaseUrl::parse(&mock.base_url()).unwrap(),
        "http://127.0.0.1:1/cb",
        now_ms(),
    )
    .unwrap();
    let back = visit(&url).await;
    mock.inject_exchange_failure(failure);
    match finish_sign_in(&store, &client(&mock.base_url()), &back, now_ms()).await {
        Err(FlowError::Exchange(e)) => e,
        Ok(Return::SignedIn(_)) => panic!("signed in despite the failure"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let base = canned_server("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
    let error = client(&base)
        .key_info(
            &openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap(),
        )
        .await;
    assert_eq!(error.unwrap_err(), ClientError::Redirect { status: 302 });
}

#[tokio::test]
async fn an_error_page_that_is_not_openrouters_keeps_its_status() {
    let base = canned_server("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 19\r\nConnection: close\r\n\r\n<h1>bad gateway</h1").await;
    let key = openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    let error = client(&base).key_info(&key).await.unwrap_err();
    assert_eq!(error, ClientError::Status { status: 502 });
    assert_eq!(error.status(), Some(502));
    assert!(error.to_string().contains("502"), "{error}");
}

#[tokio::test]
async fn an_oversize_answer_is_refused() {
    let error = exchange_with(Failure::HugeBody(MAX_RESPONSE_BYTES * 3)).await;
    assert_eq!(
        error,
        ClientError::TooLarge {
            limit: MAX_RESPONSE_BYTES
        }
    );
}

#[tokio::test]
async fn a_connection_cut_mid_answer_is_a_network_error() {
    let error = exchange_with(Failure::DropConnection).await;
    assert!(matches!(error, ClientError::Network { .. }), "{error:?}");
}

#[tokio::test]
async fn secrets_stay_out_of_errors_and_debug_output() {
    let error = exchange_with(Failure::Status(403)).await;
    let client = client("http://127.0.0.1:9");
    let text = format!("{error} {error:?} {client:?}");
    assert!(!text.contains("sk-or-v1-"), "{text}");
    assert!(!text.contains("code_verifier"), "{text}");
}

#[test]
fn base_urls_are_checked() {
    assert_eq!(
        BaseUrl::parse("https://openrouter.ai/").unwrap().as_str(),
        "https://openrouter.ai"
    );
    assert_eq!(
        BaseUrl::parse("http://127.0.0.1:8787")
            .unwrap()
            .join("/api/v1/key"),
        "http://127.0.0.1:8787/api/v1/key"
    );
    for bad in [
        "",
        "openrouter.ai",
        "ftp://x",
        "https://",
        "https://a b",
        "https://x/?q=1",
        "https://u@x",
        "https:///p",
    ] {
        let error = BaseUrl::parse(bad).unwrap_err();
        assert!(error.to_string().contains("OPENROUTER_BASE_URL"), "{error}");
    }
}

fn canned_json(body: &str) -> &'static str {
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(response.into_boxed_str())
}

#[tokio::test]
async fn key_info_takes_defaults_for_absent_fields_and_names_a_wrong_one() {
    let key = openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    let base = canned_server(canned_json(r#"{"data":{"label":"mine","limit":null}}"#)).await;
    let info = client(&base).key_info(&key).await.unwrap();
    assert_eq!(info.label, "mine");
    assert_eq!(info.usage, 0.0);
    assert_eq!(info.limit, None);
    assert!(!info.is_free_tier);

    let base = canned_server(canned_json(r#"{"data":{"usage":"lots"}}"#)).await;
    let error = client(&base).key_info(&key).await.unwrap_err();
    assert_eq!(
        error,
        ClientError::InvalidResponse("`usage` is not a number".into())
    );

    let base = canned_server(canned_json(r#"{"label":"no envelope"}"#)).await;
    let error = client(&base).key_info(&key).await.unwrap_err();
    assert!(error.to_string().contains("`data`"), "{error}");

    let base = canned_server(canned_json(r#"{"data":{"usage":1.5} trailing"#)).await;
    let error = client(&base).key_info(&key).await.unwrap_err();
    assert!(error.to_string().contains("not JSON"), "{error}");
}
