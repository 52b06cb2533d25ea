//! End-to-end tests of the OAuth flow, the key API and the control endpoints over
//! real HTTP against an in-process [`MockServer`], using the raw client in `support`.

mod support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use openrouter_mock::{s256_challenge, ConsentMode, Failure, MockServer};
use serde_json::{json, Value};
use tokio::net::TcpStream;

use support::*;

#[test]
fn s256_matches_rfc7636_vector() {
    assert_eq!(
        s256_challenge(VERIFIER),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[tokio::test]
async fn consent_page_offers_approve_and_deny_and_escapes_input() {
    let server = MockServer::start().await.expect("start");
    let hostile_callback = "https://example.com/cb?q=<script>alert('x')</script>\"";
    let reply = get(
        &server,
        &auth_path(
            hostile_callback,
            VERIFIER,
            Some("<script>alert(1)</script>"),
        ),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let page = reply.text();
    assert!(page.contains("Authorize application"));
    assert!(page.contains("<form method=\"post\" action=\"/auth/decision\">"));
    assert!(page.contains("id=\"approve\" name=\"decision\" value=\"approve\""));
    assert!(page.contains("id=\"deny\" name=\"decision\" value=\"deny\""));
    assert!(page.contains(">example.com<"), "shows the callback host");
    assert!(!page.contains("<script>"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;"));
    assert_eq!(server.authorize_requests(), 1);
    assert!(server.issued_keys().is_empty());
}

#[tokio::test]
async fn refuses_bad_authorize_requests() {
    let server = MockServer::start().await.expect("start");
    let challenge = s256_challenge(VERIFIER);
    let good = |overrides: &[(&str, Option<&str>)]| {
        let mut params: Vec<(&str, &str)> = vec![
            ("callback_url", CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        for (name, value) in overrides {
            params.retain(|(key, _)| key != name);
            if let Some(value) = value {
                params.push((name, value));
            }
        }
        format!("/auth?{}", query(&params))
    };
    let cases = [
        good(&[("callback_url", Some("http://evil.com/cb"))]),
        good(&[("callback_url", Some("http://localhost@evil.com/cb"))]),
        good(&[("callback_url", Some("https://user@example.com/cb"))]),
        good(&[("callback_url", Some("javascript:alert(1)"))]),
        good(&[("callback_url", Some(""))]),
        good(&[("callback_url", None)]),
        good(&[("code_challenge", None)]),
        good(&[("code_challenge", Some("too-short"))]),
        good(&[("code_challenge", Some(&format!("{}+", &challenge[..42])))]),
        good(&[("code_challenge_method", None)]),
        good(&[("code_challenge_method", Some("plain"))]),
        good(&[("key_label", Some(""))]),
        format!("{}&state=a&state=b", good(&[])),
        "/auth".to_owned(),
        "/auth?callback_url=%ZZ&&==".to_owned(),
    ];
    for path in &cases {
        let reply = get(&server, path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert!(
            reply
                .header("content-type")
                .unwrap_or_default()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(reply.text().contains("Authorization failed"), "{path}");
    }
    assert_eq!(server.authorize_requests(), cases.len());
}

#[tokio::test]
async fn accepts_https_anywhere_and_http_on_loopback() {
    let server = MockServer::start().await.expect("start");
    for callback in [
        "https://app.example.org/cb",
        "http://localhost:8080/cb",
        "http://127.0.0.1:49152",
        "http://localhost",
    ] {
        let reply = get(&server, &auth_path(callback, VERIFIER, None)).await;
        assert_eq!(reply.status, 200, "{callback}: {}", reply.text());
    }
}

#[tokio::test]
async fn auto_approve_redirects_with_code_and_state() {
    let server = MockServer::start().await.expect("start");
    server.set_consent(ConsentMode::AutoApprove);
    let state = "a b&c=<d>";
    let reply = get(
        &server,
        &auth_path("http://localhost:3000/cb?x=1#frag", VERIFIER, Some(state)),
    )
    .await;
    assert_eq!(reply.status, 302);
    let location = reply.header("location").expect("location");
    assert!(
        location.starts_with("http://localhost:3000/cb?x=1&code="),
        "{location}"
    );
    assert!(location.ends_with("#frag"), "{location}");
    let params = reply.location_params();
    assert_eq!(params["state"], state);
    assert_eq!(params["x"], "1");
    assert!(params["code"].len() >= 32);

    let without_state = get(&server, &auth_path(CALLBACK, VERIFIER, None)).await;
    assert!(!without_state.location_params().contains_key("state"));
}

#[tokio::test]
async fn approving_the_consent_form_redirects_once() {
    let server = MockServer::start().await.expect("start");
    let page = get(&server, &auth_path(CALLBACK, VERIFIER, Some("xyz")))
        .await
        .text();
    let id = request_id(&page);
    let reply = post_form(
        &server,
        "/auth/decision",
        &[("request_id", &id), ("decision", "approve")],
    )
    .await;
    assert!(matches!(reply.status, 302 | 303), "{}", reply.status);
    assert!(reply
        .header("location")
        .unwrap_or_default()
        .starts_with(CALLBACK));
    let params = reply.location_params();
    assert_eq!(params["state"], "xyz");
    let key = exchange(&server, &params["code"], VERIFIER).await.json()["key"]
        .as_str()
        .map(str::to_owned);
    assert!(key.is_some());

    let again = post_form(
        &server,
        "/auth/decision",
        &[("request_id", &id), ("decision", "approve")],
    )
    .await;
    assert_eq!(again.status, 400, "a consent page is answerable once");
    let unknown = post_form(
        &server,
        "/auth/decision",
        &[("request_id", "nope"), ("decision", "approve")],
    )
    .await;
    assert_eq!(unknown.status, 400);
    let garbage = post_form(
        &server,
        "/auth/decision",
        &[("request_id", "nope"), ("decision", "maybe")],
    )
    .await;
    assert_eq!(garbage.status, 400);
}

#[tokio::test]
async fn denial_redirects_with_access_denied_and_no_state() {
    let server = MockServer::start().await.expect("start");
    let page = get(&server, &auth_path(CALLBACK, VERIFIER, Some("xyz")))
        .await
        .text();
    let reply = post_form(
        &server,
        "/auth/decision",
        &[("request_id", &request_id(&page)), ("decision", "deny")],
    )
    .await;
    assert!(matches!(reply.status, 302 | 303));
    let expected =
        format!("{CALLBACK}?error=access_denied&error_description=The+user+denied+access");
    assert_eq!(reply.header("location"), Some(expected.as_str()));

    server.set_consent(ConsentMode::AutoDeny);
    let auto = get(&server, &auth_path(CALLBACK, VERIFIER, Some("xyz"))).await;
    assert_eq!(auto.status, 302);
    let params = auto.location_params();
    assert_eq!(params["error"], "access_denied");
    assert!(!params.contains_key("state") && !params.contains_key("code"));
    assert!(server.issued_keys().is_empty());
}

#[tokio::test]
async fn exchange_with_the_right_verifier_issues_a_working_key() {
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;
    let reply = exchange(&server, &code, VERIFIER).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let body = reply.json();
    let key = body["key"].as_str().expect("key");
    assert_key_shape(key);
    assert!(body["user_id"]
        .as_str()
        .expect("user_id")
        .starts_with("user_mock_"));
    assert_eq!(server.issued_keys(), vec![key.to_owned()]);
    assert_eq!(server.exchange_requests(), 1);

    let info = key_info(&server, key).await;
    assert_eq!(info.status, 200);
    let data = &info.json()["data"];
    assert_eq!(
        data["label"],
        format!("{}...{}", &key[..12], &key[key.len() - 3..])
    );
    assert_eq!(data["usage"], 0.0);
    assert_eq!(data["limit"], Value::Null);
    assert_eq!(data["limit_remaining"], Value::Null);
    assert_eq!(data["is_free_tier"], true);
    assert_eq!(
        data["rate_limit"],
        json!({ "requests": 10, "interval": "10s" })
    );
    for zero in [
        "usage_daily",
        "usage_weekly",
        "usage_monthly",
        "byok_usage",
        "byok_usage_daily",
        "byok_usage_weekly",
        "byok_usage_monthly",
    ] {
        assert_eq!(data[zero], 0.0, "{zero}");
    }
    for null in ["expires_at", "limit_reset"] {
        assert_eq!(data[null], Value::Null, "{null}");
    }
    for no in [
        "is_management_key",
        "is_provisioning_key",
        "include_byok_in_limit",
    ] {
        assert_eq!(data[no], false, "{no}");
    }
    assert_eq!(data["creator_user_id"], body["user_id"]);
}

#[tokio::test]
async fn wrong_verifier_is_refused_and_burns_the_code() {
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;
    exchange(&server, &code, OTHER_VERIFIER)
        .await
        .assert_error(403);
    exchange(&server, &code, VERIFIER).await.assert_error(403);
    assert!(server.issued_keys().is_empty());
}

#[tokio::test]
async fn a_code_works_once() {
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;
    assert_eq!(exchange(&server, &code, VERIFIER).await.status, 200);
    exchange(&server, &code, VERIFIER).await.assert_error(403);
    exchange(&server, "never-issued", VERIFIER)
        .await
        .assert_error(403);
    assert_eq!(server.issued_keys().len(), 1);
}

/// Asserts OpenRouter's answer to an expired code, word for word.
fn assert_code_expired(reply: &Reply) {
    reply.assert_error(403);
    assert_eq!(
        reply.json(),
        json!({ "error": { "code": 403, "message": "Authorization code expired" } })
    );
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let server = MockServer::start().await.expect("start");
    server.set_code_ttl(Duration::ZERO);
    let code = obtain_code(&server, VERIFIER).await;
    assert_code_expired(&exchange(&server, &code, VERIFIER).await);
    // Spent like any other: a second try is an unknown code, not an expired one.
    let again = exchange(&server, &code, VERIFIER).await;
    again.assert_error(403);
    assert_ne!(
        again.json()["error"]["message"],
        "Authorization code expired"
    );
    assert!(server.issued_keys().is_empty());
}

#[tokio::test]
async fn codes_live_ten_minutes() {
    let server = MockServer::start().await.expect("start");
    let young = obtain_code(&server, VERIFIER).await;
    assert_eq!(server.age_codes(Duration::from_secs(599)), 1);
    assert_eq!(exchange(&server, &young, VERIFIER).await.status, 200);

    let old = obtain_code(&server, VERIFIER).await;
    server.age_codes(Duration::from_secs(600));
    // A code issued after the aging is young again.
    let fresh = obtain_code(&server, VERIFIER).await;
    assert_code_expired(&exchange(&server, &old, VERIFIER).await);
    assert_eq!(exchange(&server, &fresh, VERIFIER).await.status, 200);

    // The same from another process, through the control endpoint.
    let code = obtain_code(&server, VERIFIER).await;
    let aged = post_form(&server, "/__mock/age-codes?secs=600", &[]).await;
    assert_eq!(aged.status, 200, "{}", aged.text());
    assert_eq!(aged.json(), json!({ "aged_codes": 1, "secs": 600 }));
    assert_code_expired(&exchange(&server, &code, VERIFIER).await);
    for bad in ["", "secs=-1", "secs=ten", "secs=1&secs=2"] {
        post_form(&server, &format!("/__mock/age-codes?{bad}"), &[])
            .await
            .assert_error(400);
    }
    assert_eq!(server.issued_keys().len(), 2);
}

#[tokio::test]
async fn each_issued_key_has_a_page_named_by_its_hash() {
    use sha2::{Digest as _, Sha256};
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;
    let key = exchange(&server, &code, VERIFIER).await.json()["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let hash: String = Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let page = get(&server, &format!("/keys/{hash}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let text = page.text();
    assert!(
        text.contains(&format!("<code id=\"key-hash\">{hash}</code>")),
        "{text}"
    );
    assert!(text.contains(&key[..12]), "shows the label: {text}");
    assert!(!text.contains(&key), "never the key itself");

    let unknown = get(&server, &format!("/keys/{}", "0".repeat(64))).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("Key not found"));
    let hostile = get(&server, "/keys/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(hostile.status, 404);
    assert!(!hostile.text().contains("<script>"), "{}", hostile.text());
    assert!(
        hostile.text().contains("&lt;script&gt;"),
        "{}",
        hostile.text()
    );
}

#[tokio::test]
async fn malformed_exchanges_are_bad_requests() {
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;
    let plain =
        json!({ "code": code, "code_verifier": VERIFIER, "code_challenge_method": "plain" });
    post_json(&server, "/api/v1/auth/keys", &plain)
        .await
        .assert_error(400);
    // The failed attempt consumed the code.
    exchange(&server, &code, VERIFIER).await.assert_error(403);

    let json_ct = [("Content-Type", "application/json")];
    send(
        server.addr(),
        "POST",
        "/api/v1/auth/keys",
        &json_ct,
        b"code=abc",
    )
    .await
    .assert_error(400);
    send(
        server.addr(),
        "POST",
        "/api/v1/auth/keys",
        &json_ct,
        b"[1,2]",
    )
    .await
    .assert_error(400);
    send(server.addr(), "POST", "/api/v1/auth/keys", &[], b"")
        .await
        .assert_error(400);
    for body in [
        json!({ "code_verifier": VERIFIER, "code_challenge_method": "S256" }),
        json!({ "code": "x", "code_challenge_method": "S256" }),
        json!({ "code": "x", "code_verifier": VERIFIER }),
        json!({ "code": 7, "code_verifier": VERIFIER, "code_challenge_method": "S256" }),
    ] {
        post_json(&server, "/api/v1/auth/keys", &body)
            .await
            .assert_error(400);
    }
    assert_eq!(server.exchange_requests(), 9);
}

#[tokio::test]
async fn key_info_needs_an_issued_key() {
    let server = MockServer::start().await.expect("start");
    get(&server, "/api/v1/key").await.assert_error(401);
    key_info(&server, &format!("sk-or-v1-{}", "0".repeat(64)))
        .await
        .assert_error(401);
    let reply = send(
        server.addr(),
        "GET",
        "/api/v1/key",
        &[("Authorization", "Basic abc")],
        b"",
    )
    .await;
    reply.assert_error(401);
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let server = MockServer::start().await.expect("start");
    for path in ["/api/v1/auth/keys", "/api/v1/key", "/anything/at/all"] {
        let reply = send(
            server.addr(),
            "OPTIONS",
            path,
            &[("Origin", "http://localhost:8080")],
            b"",
        )
        .await;
        assert_eq!(reply.status, 204, "{path}");
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            reply.header("access-control-allow-methods"),
            Some("GET, POST, OPTIONS")
        );
        assert_eq!(
            reply.header("access-control-allow-headers"),
            Some("content-type, authorization, http-referer, x-openrouter-title, x-title")
        );
        assert_eq!(reply.header("access-control-max-age"), Some("600"));
    }
    let missing = get(&server, "/no/such/path").await;
    missing.assert_error(404);
    assert_eq!(missing.header("access-control-allow-origin"), Some("*"));
    let wrong_method = get(&server, "/api/v1/auth/keys").await;
    wrong_method.assert_error(405);
    assert_eq!(
        wrong_method.header("access-control-allow-origin"),
        Some("*")
    );
    let page = get(&server, "/auth").await;
    assert_eq!(page.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn injected_failures_hit_the_next_exchange_only() {
    let server = MockServer::start().await.expect("start");
    let code = obtain_code(&server, VERIFIER).await;

    server.inject_exchange_failure(Failure::Status(503));
    server.inject_exchange_failure(Failure::NotJson);
    server.inject_exchange_failure(Failure::EmptyKey);
    server.inject_exchange_failure(Failure::NotAKey);
    server.inject_exchange_failure(Failure::HugeBody(100_000));
    server.inject_exchange_failure(Failure::DropConnection);
    server.inject_exchange_failure(Failure::Delay(Duration::from_millis(300)));

    exchange(&server, &code, VERIFIER).await.assert_error(503);

    let not_json = exchange(&server, &code, VERIFIER).await;
    assert_eq!(
        (not_json.status, not_json.text().as_str()),
        (200, "<html>not json</html>")
    );
    assert!(not_json
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));

    assert_eq!(
        exchange(&server, &code, VERIFIER).await.json(),
        json!({ "key": "" })
    );
    assert_eq!(
        exchange(&server, &code, VERIFIER).await.json(),
        json!({ "key": "hello" })
    );

    let huge = exchange(&server, &code, VERIFIER).await;
    assert_eq!((huge.status, huge.body.len()), (200, 100_000));

    let dropped = exchange(&server, &code, VERIFIER).await;
    assert_eq!(dropped.status, 200);
    assert!(!dropped.complete, "the body must be cut short");
    assert!(dropped.text().starts_with("{\"key\":\"sk-or-v1-"));

    // Delay answers normally after sleeping; the code survived the failures above.
    let started = Instant::now();
    let delayed = exchange(&server, &code, VERIFIER).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(delayed.status, 200, "{}", delayed.text());
    assert_key_shape(delayed.json()["key"].as_str().expect("key"));

    exchange(&server, &code, VERIFIER).await.assert_error(403);
    assert_eq!(server.exchange_requests(), 8);
    assert_eq!(server.issued_keys().len(), 1);
}

#[tokio::test]
async fn headless_flow_shows_a_code_to_paste() {
    let server = MockServer::start().await.expect("start");
    let challenge = s256_challenge(VERIFIER);
    let path = format!(
        "/auth?{}",
        query(&[
            ("key_label", "my <cli>"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256")
        ])
    );
    let consent = get(&server, &path).await;
    assert_eq!(consent.status, 200);
    assert!(consent.text().contains("my &lt;cli&gt;"));
    let id = request_id(&consent.text());
    let shown = post_form(
        &server,
        "/auth/decision",
        &[("request_id", &id), ("decision", "approve")],
    )
    .await;
    assert_eq!(shown.status, 200);
    assert!(shown.header("location").is_none());
    let page = shown.text();
    assert!(!page.contains("<cli>"));
    let code = between(&page, "<code id=\"code\">", "</code>").to_owned();

    let reply = exchange(&server, &code, VERIFIER).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let key = reply.json()["key"].as_str().expect("key").to_owned();
    assert_eq!(
        key_info(&server, &key).await.json()["data"]["label"],
        "my <cli>"
    );
    exchange(&server, &code, VERIFIER).await.assert_error(403);

    server.set_consent(ConsentMode::AutoApprove);
    let auto = get(&server, &path).await;
    assert!(auto.text().contains("<code id=\"code\">"));
    server.set_consent(ConsentMode::AutoDeny);
    let denied = get(&server, &path).await;
    assert!(
        denied.text().contains("Access denied") && !denied.text().contains("<code id=\"code\">")
    );
}

#[tokio::test]
async fn control_endpoints_drive_the_mock() {
    let server = MockServer::start().await.expect("start");
    let addr = server.addr();
    let consent = send(addr, "POST", "/__mock/consent?mode=approve", &[], b"").await;
    assert_eq!(consent.json(), json!({ "consent": "approve" }));
    let code = get(&server, &auth_path(CALLBACK, VERIFIER, None))
        .await
        .location_params()
        .remove("code");
    let code = code.expect("auto-approved");

    send(
        addr,
        "POST",
        "/__mock/fail?kind=status&status=500",
        &[],
        b"",
    )
    .await;
    let queued = send(addr, "POST", "/__mock/fail?kind=delay&ms=10", &[], b"").await;
    assert_eq!(queued.json(), json!({ "queued": 2 }));
    exchange(&server, &code, VERIFIER).await.assert_error(500);
    let key = exchange(&server, &code, VERIFIER).await.json()["key"]
        .as_str()
        .map(str::to_owned);
    let key = key.expect("key after the delay");

    for kind in ["notjson", "emptykey", "notakey", "huge&bytes=10", "drop"] {
        let reply = send(addr, "POST", &format!("/__mock/fail?kind={kind}"), &[], b"").await;
        assert_eq!(reply.status, 200, "{kind}");
    }
    for bad in [
        "kind=nope",
        "kind=status",
        "kind=status&status=abc",
        "kind=delay",
        "",
        "kind=huge&bytes=-1",
    ] {
        send(addr, "POST", &format!("/__mock/fail?{bad}"), &[], b"")
            .await
            .assert_error(400);
    }
    send(addr, "POST", "/__mock/consent?mode=maybe", &[], b"")
        .await
        .assert_error(400);
    send(addr, "POST", "/__mock/consent", &[], b"")
        .await
        .assert_error(400);

    let stats = get(&server, "/__mock/stats").await;
    assert_eq!(
        stats.json(),
        json!({
            "exchange_requests": 2,
            "authorize_requests": 1,
            "issued_keys": 1,
            "chat_requests": 0,
            "chats_closed_early": 0,
            "chat_bytes_sent": 0,
            "generations": 0,
        })
    );
    assert!(!stats.text().contains(&key));

    send(addr, "POST", "/__mock/consent?mode=deny", &[], b"").await;
    let denied = get(&server, &auth_path(CALLBACK, VERIFIER, None)).await;
    assert_eq!(denied.location_params()["error"], "access_denied");
}

#[tokio::test]
async fn shutdown_frees_the_port() {
    let server = MockServer::start().await.expect("start");
    let addr = server.addr();
    assert_eq!(server.base_url(), format!("http://{addr}"));
    server.shutdown().await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens any more"
    );
    let again = MockServer::start_on(addr)
        .await
        .expect("the port is free again");
    again.shutdown().await;

    let refused = MockServer::start_on("0.0.0.0:0".parse().expect("addr")).await;
    assert_eq!(
        refused.expect_err("non-loopback").kind(),
        std::io::ErrorKind::InvalidInput
    );
}

#[test]
fn binary_rejects_bad_arguments() {
    let binary = env!("CARGO_BIN_EXE_openrouter-mock");
    for args in [
        &["--addr", "0.0.0.0:8787"][..],
        &["--consent", "maybe"],
        &["--bogus"],
    ] {
        let output = Command::new(binary)
            .args(args)
            .env_remove("MOCK_ADDR")
            .output()
            .expect("run the binary");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
        assert!(String::from_utf8_lossy(&output.stderr).contains("openrouter-mock:"));
    }
}

#[test]
fn binary_announces_its_address_and_serves() {
    let binary = env!("CARGO_BIN_EXE_openrouter-mock");
    let mut child = Command::new(binary)
        .args(["--addr", "127.0.0.1:0", "--consent", "approve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the binary");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(10));
    let outcome = line.map(|line| {
        let url = line
            .trim()
            .strip_prefix("openrouter-mock listening on http://")
            .map(str::to_owned);
        url.map(|authority| {
            let mut stream = std::net::TcpStream::connect(authority.as_str()).expect("connect");
            let request = format!(
                "GET /__mock/stats HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).expect("write");
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            response
        })
    });
    // Stop the child we started, whatever happened above.
    let _ = child.kill();
    let _ = child.wait();
    let response = outcome
        .expect("the listening line in time")
        .expect("the announced URL");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"issued_keys\":0"), "{response}");
}
