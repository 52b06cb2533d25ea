//! The whole sign-in against the local mock OpenRouter over real HTTP on 127.0.0.1:
//! start -> approve or deny on the mock -> return -> exchange -> stored key, and every failure.

use std::time::Duration;

use crate::common::visit;
use openrouter_mock::{ConsentMode, Failure, MockServer};
use openrouter_signin::auth::storage::{AuthStore, MemoryStore};
use openrouter_signin::auth::{
    authorize_url, begin_headless_sign_in, begin_sign_in, finish_sign_in, finish_with_code,
    parse_callback, CallbackParams, CallbackUrl, FlowError, Return, State, Verifier,
};
use openrouter_signin::{now_ms, ApiKey, BaseUrl, ClientError, OpenRouterClient};

const CALLBACK: &str = "http://localhost:8080/app?tab=2";
/// The label the app configured: OpenRouter names the key with it.
const KEY_LABEL: &str = "Flow test app";

fn client_for(mock: &MockServer) -> OpenRouterClient {
    OpenRouterClient::new(BaseUrl::parse(&mock.base_url()).unwrap()).unwrap()
}

/// A key made at run time, standing for one the user had before this sign-in.
fn earlier_key() -> ApiKey {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    ApiKey::parse(format!("sk-or-v1-{hex}")).unwrap()
}

/// Starts a sign-in with `store` and lets the mock answer it under `consent`.
async fn start_and_return(mock: &MockServer, store: &MemoryStore, consent: ConsentMode) -> String {
    mock.set_consent(consent);
    let url = begin_sign_in(
        store,
        &BaseUrl::parse(&mock.base_url()).unwrap(),
        CALLBACK,
        Some(KEY_LABEL),
        now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(store.has_pending(), Ok(true));
    visit(&url).await
}

fn store_with_earlier_key() -> (MemoryStore, ApiKey) {
    let store = MemoryStore::new();
    let key = earlier_key();
    store.save_key(&key).unwrap();
    (store, key)
}

/// After any failure: the earlier key is untouched and nothing is left pending.
fn assert_nothing_lost(store: &MemoryStore, earlier: &ApiKey) {
    assert_eq!(
        store.load_key().unwrap().as_ref(),
        Some(earlier),
        "the earlier key must stay"
    );
    assert_eq!(
        store.has_pending(),
        Ok(false),
        "the pending record must be gone"
    );
}

#[tokio::test]
async fn approval_yields_a_stored_key_that_works() {
    let mock = MockServer::start().await.unwrap();
    let store = MemoryStore::new();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    assert!(
        back.starts_with("http://localhost:8080/app?tab=2&code="),
        "{back}"
    );
    let client = client_for(&mock);
    let Return::SignedIn(signed_in) = finish_sign_in(&store, &client, &back, now_ms())
        .await
        .unwrap()
    else {
        panic!("not signed in")
    };
    assert!(signed_in.not_saved.is_none());
    assert_eq!(
        mock.issued_keys(),
        [signed_in.key.expose_secret().to_owned()]
    );
    assert_eq!(store.load_key().unwrap(), Some(signed_in.key.clone()));
    assert_eq!(store.has_pending(), Ok(false));
    let info = client.key_info(&signed_in.key).await.unwrap();
    assert!(info.is_free_tier);
    // The label the app sent with the callback flow names the key.
    assert_eq!(info.label, KEY_LABEL);
    assert_eq!(mock.exchange_requests(), 1);
    // The mock answers every field OpenRouter documents; a fresh key has no limit, no reset
    // and no expiry, which come as nulls.
    assert_eq!(
        (info.limit, info.limit_reset, info.expires_at),
        (None, None, None)
    );
    for used in [
        info.usage_daily,
        info.usage_weekly,
        info.usage_monthly,
        info.byok_usage,
        info.byok_usage_daily,
        info.byok_usage_weekly,
        info.byok_usage_monthly,
    ] {
        assert_eq!(used, Some(0.0));
    }
    assert_eq!(info.is_management_key, Some(false));
    assert_eq!(info.include_byok_in_limit, Some(false));
}

#[tokio::test]
async fn the_exchange_returns_the_user_id() {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let base = BaseUrl::parse(&mock.base_url()).unwrap();
    let verifier = Verifier::generate().unwrap();
    let state = State::generate().unwrap();
    let url = authorize_url(
        &base,
        &CallbackUrl::parse(CALLBACK).unwrap(),
        None,
        &verifier.challenge().await.unwrap(),
        &state,
    )
    .unwrap();
    let back = visit(&url).await;
    let CallbackParams::Code { code, .. } = parse_callback(&back).unwrap() else {
        panic!("no code in {back}")
    };
    let exchanged = client_for(&mock)
        .exchange_code(&code, &verifier)
        .await
        .unwrap();
    assert_eq!(
        mock.issued_keys(),
        [exchanged.key.expose_secret().to_owned()]
    );
    let user_id = exchanged.user_id.expect("the mock sends a user_id");
    assert!(user_id.starts_with("user_mock_"), "{user_id}");
}

#[tokio::test]
async fn a_code_older_than_ten_minutes_is_refused_with_its_own_message() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    // The user took 10 minutes between approving and the exchange; the sign-in itself
    // is young, so only OpenRouter can tell.
    mock.age_codes(Duration::from_secs(10 * 60));
    let error = finish_sign_in(&store, &client_for(&mock), &back, now_ms())
        .await
        .unwrap_err();
    assert_eq!(error, FlowError::Exchange(ClientError::CodeExpired));
    let text = error.to_string();
    assert!(text.contains("older than 10 minutes"), "{text}");
    // One instruction, not two.
    assert_eq!(text.matches("ign in").count(), 1, "{text}");
    assert!(text.to_lowercase().contains("sign in"), "{text}");
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 1);
    assert!(mock.issued_keys().is_empty());
}

#[tokio::test]
async fn the_manage_link_is_the_keys_own_page() {
    let mock = MockServer::start().await.unwrap();
    let store = MemoryStore::new();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let Return::SignedIn(signed_in) = finish_sign_in(&store, &client_for(&mock), &back, now_ms())
        .await
        .unwrap()
    else {
        panic!("not signed in")
    };
    let base = BaseUrl::parse(&mock.base_url()).unwrap();
    let url = signed_in.key.manage_url(&base);
    let hash = signed_in.key.hash();
    assert_eq!(url, format!("{}/keys/{hash}", mock.base_url()));
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains(&hash), "{text}");
    assert!(!text.contains(signed_in.key.expose_secret()));
    // The real one, for the default base.
    assert_eq!(
        signed_in.key.manage_url(&BaseUrl::default()),
        format!("https://openrouter.ai/keys/{hash}")
    );
}

#[tokio::test]
async fn denial_is_reported_and_loses_nothing() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoDeny).await;
    let error = finish_sign_in(&store, &client_for(&mock), &back, now_ms())
        .await
        .unwrap_err();
    match &error {
        FlowError::Denied { error, description } => {
            assert_eq!(error, "access_denied");
            assert!(description.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("cancelled"), "{error}");
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 0);
}

/// Runs a sign-in whose exchange the mock fails with `failure`, and returns the error.
async fn failed_exchange(failure: Failure, client_timeout: Option<Duration>) -> ClientError {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    mock.inject_exchange_failure(failure);
    let mut client = client_for(&mock);
    if let Some(timeout) = client_timeout {
        client = client.with_timeout(timeout);
    }
    let error = finish_sign_in(&store, &client, &back, now_ms())
        .await
        .unwrap_err();
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 1);
    match error {
        FlowError::Exchange(e) => e,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn exchange_failures_keep_status_and_message() {
    for status in [400u16, 403, 500] {
        match failed_exchange(Failure::Status(status), None).await {
            ClientError::Api {
                status: got,
                message,
            } => {
                assert_eq!(got, status);
                assert!(!message.is_empty());
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_an_error() {
    let error = failed_exchange(Failure::NotJson, None).await;
    assert!(
        matches!(error, ClientError::InvalidResponse(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_success_without_a_plausible_key_is_an_error() {
    for failure in [Failure::EmptyKey, Failure::NotAKey] {
        let error = failed_exchange(failure, None).await;
        match &error {
            ClientError::InvalidResponse(text) => assert!(text.contains("key"), "{text}"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn oversize_endless_and_cut_answers_are_errors_and_memory_stays_bounded() {
    let started = std::time::Instant::now();
    let limit = openrouter_signin::openrouter::MAX_RESPONSE_BYTES;
    for failure in [Failure::HugeBody(limit * 3), Failure::EndlessBody] {
        let error = failed_exchange(failure.clone(), None).await;
        assert_eq!(error, ClientError::TooLarge { limit }, "{failure:?}");
    }
    let error = failed_exchange(Failure::DropConnection, None).await;
    assert!(matches!(error, ClientError::Network { .. }), "{error:?}");
    // An endless body is cut at the limit, not read until the timeout.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_slow_exchange_times_out() {
    let started = std::time::Instant::now();
    let error = failed_exchange(
        Failure::Delay(Duration::from_secs(5)),
        Some(Duration::from_millis(300)),
    )
    .await;
    assert_eq!(error, ClientError::Timeout(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let base = mock.base_url();
    mock.shutdown().await;
    let client = OpenRouterClient::new(BaseUrl::parse(&base).unwrap()).unwrap();
    match finish_sign_in(&store, &client, &back, now_ms())
        .await
        .unwrap_err()
    {
        FlowError::Exchange(ClientError::Network { url, reason }) => {
            assert!(url.ends_with("/api/v1/auth/keys"), "{url}");
            assert!(!reason.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_nothing_lost(&store, &earlier);
}

#[tokio::test]
async fn a_reused_code_is_refused_by_the_server() {
    let mock = MockServer::start().await.unwrap();
    let store = MemoryStore::new();
    let first = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let client = client_for(&mock);
    let Return::SignedIn(signed_in) = finish_sign_in(&store, &client, &first, now_ms())
        .await
        .unwrap()
    else {
        panic!()
    };
    // A second sign-in; its return is replaced by the first code with this sign-in's state,
    // as an attacker replaying a code would have to do. Only the server can catch this.
    let second = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let state = second
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let old_code = first
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replay = format!("{CALLBACK}&code={old_code}&state={state}");
    match finish_sign_in(&store, &client, &replay, now_ms())
        .await
        .unwrap_err()
    {
        FlowError::Exchange(ClientError::Api { status: 403, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_nothing_lost(&store, &signed_in.key);
    assert_eq!(mock.exchange_requests(), 2);
}

#[tokio::test]
async fn a_tampered_state_never_reaches_the_network() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let tampered = back.replace("state=", "state=x");
    let error = finish_sign_in(&store, &client_for(&mock), &tampered, now_ms())
        .await
        .unwrap_err();
    assert_eq!(error, FlowError::StateMismatch);
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 0);

    // A return with no state at all is refused the same way.
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let Ok(CallbackParams::Code { code, .. }) = parse_callback(&back) else {
        panic!("no code in {back}");
    };
    let without_state = format!("{CALLBACK}&code={}", code.expose_secret());
    let error = finish_sign_in(&store, &client_for(&mock), &without_state, now_ms())
        .await
        .unwrap_err();
    assert_eq!(error, FlowError::MissingState);
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 0);
}

#[tokio::test]
async fn a_foreign_code_with_nothing_pending_is_left_alone() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let client = client_for(&mock);
    for url in [
        "http://localhost:8080/?code=someone-elses",
        "http://localhost:8080/?code=a&code=b",
        "/?error=x",
    ] {
        assert!(
            matches!(
                finish_sign_in(&store, &client, url, now_ms()).await,
                Ok(Return::NotOurs)
            ),
            "{url}"
        );
    }
    assert!(matches!(
        finish_sign_in(&store, &client, "http://localhost:8080/?page=1", now_ms()).await,
        Ok(Return::NotACallback)
    ));
    assert_eq!(store.load_key().unwrap(), Some(earlier));
    assert_eq!(mock.exchange_requests(), 0);
}

#[tokio::test]
async fn a_return_handled_twice_is_exchanged_once() {
    let mock = MockServer::start().await.unwrap();
    let store = MemoryStore::new();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    mock.inject_exchange_failure(Failure::Delay(Duration::from_millis(200)));
    let client = client_for(&mock);
    // Two handlers race for the same return, as a double mount would make them.
    let (a, b) = tokio::join!(
        finish_sign_in(&store, &client, &back, now_ms()),
        finish_sign_in(&store, &client, &back, now_ms())
    );
    let signed_in = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Ok(Return::SignedIn(_))))
        .count();
    let not_ours = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Ok(Return::NotOurs)))
        .count();
    assert_eq!((signed_in, not_ours), (1, 1), "{a:?} {b:?}");
    // And once more, later, like a reload of the same URL.
    assert!(matches!(
        finish_sign_in(&store, &client, &back, now_ms()).await,
        Ok(Return::NotOurs)
    ));
    assert_eq!(mock.exchange_requests(), 1);
}

#[tokio::test]
async fn an_expired_sign_in_is_refused_before_the_network() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let eleven_minutes_later = now_ms() + 11 * 60 * 1000;
    let error = finish_sign_in(&store, &client_for(&mock), &back, eleven_minutes_later)
        .await
        .unwrap_err();
    assert_eq!(error, FlowError::Expired);
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 0);
}

#[tokio::test]
async fn an_unreadable_return_ends_the_sign_in_without_a_request() {
    let mock = MockServer::start().await.unwrap();
    let (store, earlier) = store_with_earlier_key();
    let back = start_and_return(&mock, &store, ConsentMode::AutoApprove).await;
    let doubled = format!("{back}&code=second");
    let error = finish_sign_in(&store, &client_for(&mock), &doubled, now_ms())
        .await
        .unwrap_err();
    assert!(matches!(error, FlowError::InvalidCallback(_)), "{error:?}");
    assert!(error.to_string().contains("`code`"), "{error}");
    assert_nothing_lost(&store, &earlier);
    assert_eq!(mock.exchange_requests(), 0);
}

#[tokio::test]
async fn a_refused_callback_url_stores_nothing() {
    let store = MemoryStore::new();
    let error = begin_sign_in(
        &store,
        &BaseUrl::default(),
        "http://evil.example/cb",
        None,
        now_ms(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, FlowError::Authorize(_)));
    assert_eq!(store.has_pending(), Ok(false));
}

#[tokio::test]
async fn the_headless_flow_takes_a_pasted_code_in_any_shape() {
    let mock = MockServer::start().await.unwrap();
    mock.set_consent(ConsentMode::AutoApprove);
    let base = BaseUrl::parse(&mock.base_url()).unwrap();
    let client = client_for(&mock);
    for shape in ["bare", "code=", "url"] {
        let store = MemoryStore::new();
        let url = begin_headless_sign_in(&store, &base, "Desktop test", now_ms())
            .await
            .unwrap();
        assert!(!url.contains("callback_url"));
        let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
        let code = openrouter_mock::code_shown_on(&page)
            .expect("the mock shows a code")
            .to_owned();
        let pasted = match shape {
            "bare" => format!("  {code}\n"),
            "code=" => format!("code={code}"),
            _ => format!("http://localhost/anything?code={code}"),
        };
        // A typo first: refused, and the sign-in stays pending for the corrected paste.
        assert!(finish_with_code(&store, &client, "not a code", now_ms())
            .await
            .is_err());
        let signed_in = finish_with_code(&store, &client, &pasted, now_ms())
            .await
            .unwrap();
        assert_eq!(store.load_key().unwrap(), Some(signed_in.key.clone()));
        assert_eq!(
            client.key_info(&signed_in.key).await.unwrap().label,
            "Desktop test"
        );
    }
    let store = MemoryStore::new();
    assert_eq!(
        finish_with_code(&store, &client, "abc", now_ms())
            .await
            .unwrap_err(),
        FlowError::NothingPending
    );
}

#[tokio::test]
async fn key_info_for_a_revoked_key_is_a_401() {
    let mock = MockServer::start().await.unwrap();
    match client_for(&mock)
        .key_info(&earlier_key())
        .await
        .unwrap_err()
    {
        ClientError::Api { status: 401, .. } => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn our_return_in_a_tab_without_the_sign_in_says_so_without_a_request() {
    let mock = MockServer::start().await.unwrap();
    // The sign-in is started with one store (one tab) and comes back to another.
    let started_here = MemoryStore::new();
    let back = start_and_return(&mock, &started_here, ConsentMode::AutoApprove).await;
    let (other_tab, earlier) = store_with_earlier_key();
    let error = finish_sign_in(&other_tab, &client_for(&mock), &back, now_ms())
        .await
        .unwrap_err();
    assert_eq!(error, FlowError::StartedElsewhere);
    assert!(error.to_string().contains("another tab"), "{error}");
    assert_nothing_lost(&other_tab, &earlier);
    // A state that is not ours is someone else's business.
    let foreign = format!("{CALLBACK}&code=abc&state=theirs");
    assert!(matches!(
        finish_sign_in(&other_tab, &client_for(&mock), &foreign, now_ms()).await,
        Ok(Return::NotOurs)
    ));
    assert_eq!(mock.exchange_requests(), 0);
}
