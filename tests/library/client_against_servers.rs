//! The OpenRouter client against answers the flow tests do not produce: redirects, oversize and
//! cut-off bodies, error bodies that are not OpenRouter's, and key info.

use std::time::Duration;

use crate::common::visit;
use openrouter_mock::{ConsentMode, Failure, MockServer};
use openrouter_signin::auth::storage::MemoryStore;
use openrouter_signin::auth::{begin_sign_in, finish_sign_in, FlowError, Return};
use openrouter_signin::auth::{AuthCode, Verifier};
use openrouter_signin::openrouter::KeyInfo;
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
        None,
        now_ms(),
    )
    .await
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
    let mut expected = KeyInfo::default();
    expected.label = "mine".into();
    assert_eq!(info, expected);

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

/// `GET /api/v1/key` as OpenRouter documents it today, every field set.
const FULL_KEY_INFO: &str = r#"{"data":{"label":"sk-or-v1-au7...890","usage":25.5,"limit":100,
"limit_remaining":74.5,"is_free_tier":false,"expires_at":"2027-12-31T23:59:59Z",
"limit_reset":"monthly","usage_daily":1.25,"usage_weekly":5.5,"usage_monthly":25.5,
"is_management_key":false,"is_provisioning_key":false,"include_byok_in_limit":true,
"byok_usage":17.38,"byok_usage_daily":0.5,"byok_usage_weekly":2.75,"byok_usage_monthly":17.38,
"creator_user_id":"user_2dHFtVWx2n56w6HkM0000000000",
"rate_limit":{"requests":1000,"interval":"1h","note":"deprecated"}}}"#;

#[tokio::test]
async fn key_info_reads_every_documented_field() {
    let key = openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    let base = canned_server(canned_json(FULL_KEY_INFO)).await;
    let info = client(&base).key_info(&key).await.unwrap();
    assert_eq!(info.label, "sk-or-v1-au7...890");
    assert_eq!(info.usage, 25.5);
    assert_eq!(info.limit, Some(100.0));
    assert_eq!(info.limit_remaining, Some(74.5));
    assert!(!info.is_free_tier);
    assert_eq!(info.expires_at.as_deref(), Some("2027-12-31T23:59:59Z"));
    assert_eq!(info.limit_reset.as_deref(), Some("monthly"));
    assert_eq!(info.usage_daily, Some(1.25));
    assert_eq!(info.usage_weekly, Some(5.5));
    assert_eq!(info.usage_monthly, Some(25.5));
    assert_eq!(info.is_management_key, Some(false));
    assert_eq!(info.include_byok_in_limit, Some(true));
    assert_eq!(info.byok_usage, Some(17.38));
    assert_eq!(info.byok_usage_daily, Some(0.5));
    assert_eq!(info.byok_usage_weekly, Some(2.75));
    assert_eq!(info.byok_usage_monthly, Some(17.38));
}

/// The optional fields of `GET /api/v1/key`, with a value of the wrong type for each.
const OPTIONAL_FIELDS: [(&str, &str, &str); 11] = [
    ("expires_at", "1", "text"),
    ("limit_reset", "true", "text"),
    ("usage_daily", "\"1\"", "a number"),
    ("usage_weekly", "[]", "a number"),
    ("usage_monthly", "{}", "a number"),
    ("is_management_key", "\"no\"", "true or false"),
    ("include_byok_in_limit", "0", "true or false"),
    ("byok_usage", "false", "a number"),
    ("byok_usage_daily", "\"0\"", "a number"),
    ("byok_usage_weekly", "\"1\"", "a number"),
    ("byok_usage_monthly", "\"x\"", "a number"),
];

#[tokio::test]
async fn key_info_tolerates_each_new_field_null_or_absent_and_names_a_wrong_one() {
    let key = openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    let nulls: Vec<String> = OPTIONAL_FIELDS
        .iter()
        .map(|(name, _, _)| format!(r#""{name}":null"#))
        .collect();
    let body = format!(r#"{{"data":{{"usage":2,{}}}}}"#, nulls.join(","));
    let base = canned_server(canned_json(&body)).await;
    let with_nulls = client(&base).key_info(&key).await.unwrap();
    let base = canned_server(canned_json(r#"{"data":{"usage":2}}"#)).await;
    let without = client(&base).key_info(&key).await.unwrap();
    let mut expected = KeyInfo::default();
    expected.usage = 2.0;
    assert_eq!(with_nulls, expected);
    assert_eq!(without, expected);

    for (name, wrong, kind) in OPTIONAL_FIELDS {
        let body = format!(r#"{{"data":{{"{name}":{wrong}}}}}"#);
        let base = canned_server(canned_json(&body)).await;
        assert_eq!(
            client(&base).key_info(&key).await.unwrap_err(),
            ClientError::InvalidResponse(format!("`{name}` is not {kind}")),
            "{name}"
        );
    }
}

/// Exchanges a made-up code against a server that answers `response`.
async fn exchange_against(
    response: &'static str,
) -> Result<openrouter_signin::openrouter::ExchangedKey, ClientError> {
    let base = canned_server(response).await;
    let code = AuthCode::new("a-code").unwrap();
    let verifier = Verifier::generate().unwrap();
    client(&base).exchange_code(&code, &verifier).await
}

#[tokio::test]
async fn the_exchange_keeps_user_id_and_tolerates_it_null_absent_or_odd() {
    let key = format!("sk-or-v1-{}", "a".repeat(64));
    let answer = |user_id: &str| {
        let body = format!(r#"{{"key":"{key}"{user_id}}}"#);
        canned_json(&body)
    };
    let exchanged = exchange_against(answer(r#","user_id":"user_2dHFtVWx2n56w6HkM0000000000""#))
        .await
        .unwrap();
    assert_eq!(exchanged.key.expose_secret(), key);
    assert_eq!(
        exchanged.user_id.as_deref(),
        Some("user_2dHFtVWx2n56w6HkM0000000000")
    );
    for user_id in ["", r#","user_id":null"#, r#","user_id":42"#] {
        let exchanged = exchange_against(answer(user_id)).await.unwrap();
        assert_eq!(exchanged.key.expose_secret(), key, "{user_id}");
        assert_eq!(exchanged.user_id, None, "{user_id}");
    }
    let debug = format!("{:?}", exchange_against(answer("")).await.unwrap());
    assert!(!debug.contains(&key), "{debug}");
}

fn canned_status(status: &str, body: &str) -> &'static str {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(response.into_boxed_str())
}

#[tokio::test]
async fn an_expired_code_has_its_own_error_and_other_403s_keep_theirs() {
    let expired = canned_status(
        "403 Forbidden",
        r#"{"error":{"code":403,"message":"Authorization code expired"}}"#,
    );
    let error = exchange_against(expired).await.unwrap_err();
    assert_eq!(error, ClientError::CodeExpired);
    assert_eq!(error.status(), Some(403));
    let text = error.to_string();
    assert!(text.contains("older than 10 minutes"), "{text}");

    let invalid = canned_status(
        "403 Forbidden",
        r#"{"error":{"code":403,"message":"Invalid code or code_verifier"}}"#,
    );
    assert_eq!(
        exchange_against(invalid).await.unwrap_err(),
        ClientError::Api {
            status: 403,
            message: "Invalid code or code_verifier".into()
        }
    );
}
