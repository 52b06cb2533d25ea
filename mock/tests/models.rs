//! End-to-end tests of what an app uses after sign-in: the model lists, the generations its
//! chats leave, and the credit limit asked for at sign-in, over real HTTP with the raw client
//! in `support`.

mod support;

use std::time::{Duration, Instant};

use openrouter_mock::{
    generation_cost, s256_challenge, ConsentMode, MockServer, PUBLIC_MODEL_IDS, USER_MODEL_IDS,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use support::*;

const CHAT: &str = "/api/v1/chat/completions";
const MODEL: &str = "openai/gpt-4o-mini";
const NOT_FOUND: &str = r#"{"error":{"code":404,"message":"Generation not found"}}"#;

// ---------------------------------------------------------------- helpers

/// Signs in through `/auth` with `extra` parameters (such as a `limit`), auto-approved, and
/// returns the key.
async fn sign_in(server: &MockServer, extra: &[(&str, &str)]) -> String {
    server.set_consent(ConsentMode::AutoApprove);
    let reply = get(server, &auth_with(extra)).await;
    assert_eq!(reply.status, 302, "{}", reply.text());
    let code = reply.location_params().remove("code").expect("a code");
    let reply = exchange(server, &code, VERIFIER).await;
    let key = reply.json()["key"].as_str().map(str::to_owned);
    key.unwrap_or_else(|| panic!("a key: {}", reply.text()))
}

/// The path of an authorization request to [`CALLBACK`] for [`VERIFIER`], plus `extra`.
fn auth_with(extra: &[(&str, &str)]) -> String {
    let challenge = s256_challenge(VERIFIER);
    let mut params = vec![
        ("callback_url", CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    format!("/auth?{}", query(&params))
}

/// A started server with a fast stream and one key without a limit.
async fn server_with_key() -> (MockServer, String) {
    let server = MockServer::start().await.expect("start");
    server.set_chat_delay(Duration::from_millis(1));
    let key = sign_in(&server, &[]).await;
    (server, key)
}

/// `GET path` with `Authorization: Bearer <key>` when a key is given.
async fn get_as(server: &MockServer, key: Option<&str>, path: &str) -> Reply {
    let auth = key.map(|key| format!("Bearer {key}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|auth| ("Authorization", auth))
        .into_iter()
        .collect();
    send(server.addr(), "GET", path, &headers, b"").await
}

async fn generation(server: &MockServer, key: &str, id: &str) -> Reply {
    get_as(
        server,
        Some(key),
        &format!("/api/v1/generation?id={}", encode(id)),
    )
    .await
}

fn chat_body(model: &str, prompt: &str, stream: bool) -> Value {
    json!({
        "model": model,
        "messages": [
            { "role": "system", "content": "Be brief." },
            { "role": "user", "content": prompt },
        ],
        "stream": stream,
    })
}

async fn chat(server: &MockServer, key: &str, body: &Value) -> Reply {
    let auth = format!("Bearer {key}");
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
        ("HTTP-Referer", "https://app.example"),
    ];
    let reply = send(
        server.addr(),
        "POST",
        CHAT,
        &headers,
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply
}

/// The completion id and the streamed text of an event-stream reply.
fn streamed(reply: &Reply) -> (String, String) {
    let mut id = None;
    let mut text = String::new();
    for event in reply.text().split("\n\n") {
        let Some(json) = event.strip_prefix("data: ") else {
            continue;
        };
        if json == "[DONE]" {
            break;
        }
        let json: Value = serde_json::from_str(json).expect("a JSON event");
        id = json["id"].as_str().map(str::to_owned).or(id);
        if let Some(piece) = json["choices"][0]["delta"]["content"].as_str() {
            text.push_str(piece);
        }
    }
    (id.expect("an id"), text)
}

/// The mock's token estimate: one per started group of four characters.
fn tokens(text: &str) -> u64 {
    text.chars().count().div_ceil(4) as u64
}

fn assert_close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {actual}"));
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .map(|entry| entry["id"].as_str().expect("an id"))
        .collect()
}

fn is_decimal(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    [whole, fraction]
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------- model lists

#[tokio::test]
async fn public_models_need_no_key_and_carry_every_field() {
    let server = MockServer::start().await.expect("start");
    let reply = get(&server, "/api/v1/models").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let list = reply.json();
    assert_eq!(ids(&list), PUBLIC_MODEL_IDS);
    assert!(PUBLIC_MODEL_IDS.len() >= 8);

    let entries = list["data"].as_array().expect("data");
    let mut full = 0;
    for entry in entries {
        let id = entry["id"].as_str().expect("id");
        for field in ["canonical_slug", "name"] {
            assert!(entry[field].is_string(), "{id}: {field}");
        }
        assert!(entry["created"].is_u64(), "{id}: created");
        let context = entry.get("context_length").expect("context_length");
        assert!(
            context.is_u64() || context.is_null(),
            "{id}: context_length"
        );
        let architecture = &entry["architecture"];
        assert!(architecture["modality"]
            .as_str()
            .is_some_and(|modality| modality.contains("->")));
        for field in ["input_modalities", "output_modalities"] {
            let modalities = architecture[field].as_array().expect(field);
            assert!(modalities.iter().any(|m| m == "text"), "{id}: {field}");
        }
        assert!(architecture["tokenizer"].is_string(), "{id}: tokenizer");
        let instruct = architecture.get("instruct_type").expect("instruct_type");
        assert!(instruct.is_string() || instruct.is_null(), "{id}");
        for price in [
            "prompt",
            "completion",
            "request",
            "image",
            "web_search",
            "internal_reasoning",
        ] {
            let text = entry["pricing"][price].as_str();
            assert!(text.is_some_and(is_decimal), "{id}: pricing.{price}");
        }
        let top = &entry["top_provider"];
        assert_eq!(&top["context_length"], context, "{id}");
        let max = top.get("max_completion_tokens").expect("max");
        assert!(max.is_u64() || max.is_null(), "{id}");
        assert!(top["is_moderated"].is_boolean(), "{id}");
        assert_eq!(entry.get("per_request_limits"), Some(&Value::Null), "{id}");
        if let Some(parameters) = entry.get("supported_parameters") {
            let parameters = parameters.as_array().expect("an array");
            assert!(parameters.iter().all(Value::is_string), "{id}");
        }
        let complete = entry.get("description").is_some_and(Value::is_string)
            && context.is_u64()
            && entry.get("supported_parameters").is_some();
        full += usize::from(complete);
    }
    assert!(full >= entries.len() - 2, "most entries are full");

    let by_id = |id: &str| {
        entries
            .iter()
            .find(|entry| entry["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    let mini = by_id(MODEL);
    assert_eq!(mini["name"], "OpenAI: GPT-4o-mini");
    assert_eq!(mini["pricing"]["prompt"], "0.00000015");
    assert_eq!(mini["pricing"]["completion"], "0.0000006");
    for parameter in ["temperature", "max_tokens", "top_p", "stop"] {
        assert!(mini["supported_parameters"]
            .as_array()
            .is_some_and(|list| list.iter().any(|p| p == parameter)));
    }
    // The variety apps must cope with.
    let free = entries
        .iter()
        .find(|entry| entry["id"].as_str().is_some_and(|id| id.ends_with(":free")))
        .expect("a free model");
    let prices = free["pricing"].as_object().expect("pricing");
    assert!(prices.values().all(|price| price == "0"), "{free}");
    assert!(entries
        .iter()
        .any(|entry| entry["context_length"].is_null() && entry.get("description").is_none()));
    assert!(entries
        .iter()
        .any(|entry| entry.get("supported_parameters").is_none()));
    assert!(entries
        .iter()
        .any(|entry| entry["name"].as_str().is_some_and(|name| !name.is_ascii())));

    // A key changes nothing.
    let key = sign_in(&server, &[]).await;
    assert_eq!(
        get_as(&server, Some(&key), "/api/v1/models").await.json(),
        list
    );
}

#[tokio::test]
async fn user_models_need_a_key_and_are_a_strict_subset() {
    let (server, key) = server_with_key().await;
    get(&server, "/api/v1/models/user").await.assert_error(401);
    let unknown = format!("sk-or-v1-{}", "0".repeat(64));
    get_as(&server, Some(&unknown), "/api/v1/models/user")
        .await
        .assert_error(401);
    send(
        server.addr(),
        "GET",
        "/api/v1/models/user",
        &[("Authorization", "Basic abc")],
        b"",
    )
    .await
    .assert_error(401);

    let reply = get_as(&server, Some(&key), "/api/v1/models/user").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let user = reply.json();
    assert_eq!(ids(&user), USER_MODEL_IDS);
    assert_eq!(USER_MODEL_IDS.len(), 3);
    assert!(USER_MODEL_IDS.contains(&MODEL));

    let public = get(&server, "/api/v1/models").await.json();
    assert_ne!(public, user);
    let public_entries = public["data"].as_array().expect("data");
    for entry in user["data"].as_array().expect("data") {
        assert!(
            public_entries.contains(entry),
            "the same object as the public list's: {entry}"
        );
    }
    let public_only: Vec<&&str> = PUBLIC_MODEL_IDS
        .iter()
        .filter(|id| !USER_MODEL_IDS.contains(id))
        .collect();
    assert_eq!(
        public_only.len(),
        PUBLIC_MODEL_IDS.len() - USER_MODEL_IDS.len()
    );
    assert!(!public_only.is_empty());
}

// ---------------------------------------------------------------- generations

#[tokio::test]
async fn a_non_streamed_chat_leaves_its_generation() {
    let (server, key) = server_with_key().await;
    assert_eq!(server.generations(), 0);
    let reply = chat(&server, &key, &chat_body(MODEL, "héllo wörld", false)).await;
    let answer = reply.json();
    let id = answer["id"].as_str().expect("id").to_owned();
    assert_eq!(id, "gen-mock-1");
    assert_eq!(server.generations(), 1);
    assert_eq!(server.generation_ids(), vec![id.clone()]);

    let reply = generation(&server, &key, &id).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let data = &reply.json()["data"];
    let prompt = answer["usage"]["prompt_tokens"].as_u64().expect("prompt");
    let completion = answer["usage"]["completion_tokens"]
        .as_u64()
        .expect("completion");
    assert_eq!(
        (prompt, completion),
        (3 + 3, tokens(&format!("Echo from {MODEL}: héllo wörld")))
    );
    assert_eq!(data["id"], id);
    assert_eq!(data["model"], MODEL);
    assert_eq!(data["tokens_prompt"], prompt);
    assert_eq!(data["tokens_completion"], completion);
    assert_eq!(data["native_tokens_prompt"], prompt);
    assert_eq!(data["native_tokens_completion"], completion);
    let cost = prompt as f64 * 0.000_000_15 + completion as f64 * 0.000_000_6;
    assert!(cost > 0.0);
    assert_close(&data["total_cost"], cost, "total_cost");
    assert_close(
        &data["total_cost"],
        generation_cost(MODEL, prompt as usize, completion as usize),
        "generation_cost",
    );
    assert_eq!(data["usage"], data["total_cost"]);
    assert_eq!(data["streamed"], false);
    assert_eq!(data["cancelled"], false);
    assert_eq!(data["provider_name"], "Mock");
    assert_eq!(data["finish_reason"], "stop");
    assert_eq!(data["origin"], "https://app.example");
    for field in ["latency", "generation_time"] {
        assert!(data[field].is_u64(), "{field}: {data}");
    }
    let created = data["created_at"].as_str().expect("created_at");
    let shape: String = created
        .chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect();
    assert_eq!(shape, "0000-00-00T00:00:00.000Z", "{created}");
    assert!(created.starts_with("20"), "{created}");
}

#[tokio::test]
async fn a_streamed_chat_leaves_its_generation() {
    let (server, key) = server_with_key().await;
    let prompt = "a streamed question ✓";
    let reply = chat(&server, &key, &chat_body(MODEL, prompt, true)).await;
    let (id, text) = streamed(&reply);
    assert_eq!(text, format!("Echo from {MODEL}: {prompt}"));
    let reply = generation(&server, &key, &id).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let data = &reply.json()["data"];
    let prompt_tokens = tokens("Be brief.") + tokens(prompt);
    assert_eq!(data["model"], MODEL);
    assert_eq!(data["tokens_prompt"], prompt_tokens);
    assert_eq!(data["tokens_completion"], tokens(&text));
    assert_close(
        &data["total_cost"],
        prompt_tokens as f64 * 0.000_000_15 + tokens(&text) as f64 * 0.000_000_6,
        "total_cost",
    );
    assert_eq!(data["streamed"], true);
    assert_eq!(data["cancelled"], false);

    // A model the list does not know, and the free one, cost nothing.
    for model in ["m/unknown", "meta-llama/llama-3.3-70b-instruct:free"] {
        let (id, _) = streamed(&chat(&server, &key, &chat_body(model, "hi", true)).await);
        let data = generation(&server, &key, &id).await.json();
        assert_eq!(data["data"]["model"], model);
        assert_eq!(data["data"]["total_cost"], 0.0, "{model}");
    }
    assert_eq!(server.generations(), 3);
    assert_eq!(get(&server, "/__mock/stats").await.json()["generations"], 3);
}

#[tokio::test]
async fn long_answers_count_their_full_tokens() {
    let (server, key) = server_with_key().await;
    server.set_chat_size(Some(100_000));
    for stream in [false, true] {
        let reply = chat(&server, &key, &chat_body(MODEL, "hi", stream)).await;
        let id = if stream {
            streamed(&reply).0
        } else {
            reply.json()["id"].as_str().expect("id").to_owned()
        };
        let data = generation(&server, &key, &id).await.json();
        // The repeated echo is ASCII: a token per four bytes.
        assert_eq!(data["data"]["tokens_completion"], 25_000, "stream {stream}");
        assert_close(
            &data["data"]["total_cost"],
            (3 + 1) as f64 * 0.000_000_15 + 25_000.0 * 0.000_000_6,
            "total_cost",
        );
    }
}

#[tokio::test]
async fn a_stream_left_early_is_cancelled() {
    let (server, key) = server_with_key().await;
    server.set_chat_delay(Duration::from_millis(200));
    let body = chat_body(MODEL, "a question long enough for several events", true).to_string();
    let addr = server.addr();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {CHAT} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(1..))), "the stream started");
    drop(stream);

    let deadline = Instant::now() + Duration::from_secs(10);
    while server.chats_closed_early() == 0 {
        assert!(
            Instant::now() < deadline,
            "the mock noticed the client left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let data = generation(&server, &key, "gen-mock-1").await.json();
    assert_eq!(data["data"]["streamed"], true);
    assert_eq!(data["data"]["cancelled"], true);
    // The whole answer is counted, as the provider produced it.
    let text = format!("Echo from {MODEL}: a question long enough for several events");
    assert_eq!(data["data"]["tokens_completion"], tokens(&text));
}

#[tokio::test]
async fn generation_lookups_are_the_asking_keys_only() {
    let (server, key) = server_with_key().await;
    let other = sign_in(&server, &[]).await;
    let id = chat(&server, &key, &chat_body(MODEL, "mine", false))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let path = format!("/api/v1/generation?id={id}");
    get(&server, &path).await.assert_error(401);
    let unknown = format!("sk-or-v1-{}", "0".repeat(64));
    get_as(&server, Some(&unknown), &path)
        .await
        .assert_error(401);
    for bad in [
        "/api/v1/generation",
        "/api/v1/generation?id=",
        "/api/v1/generation?other=1",
        "/api/v1/generation?id=gen-mock-1&id=gen-mock-1",
    ] {
        get_as(&server, Some(&key), bad).await.assert_error(400);
    }

    for (asker, id) in [
        (&other, id.as_str()),
        (&key, "gen-mock-2"),
        (&key, "gen-mock-01"),
        (&key, "nonsense"),
    ] {
        let reply = generation(&server, asker, id).await;
        reply.assert_error(404);
        assert_eq!(reply.text(), NOT_FOUND, "{id}");
    }
    // The other key's attempts took nothing from the owner.
    assert_eq!(generation(&server, &key, &id).await.status, 200);
    let theirs = chat(&server, &other, &chat_body(MODEL, "theirs", true)).await;
    let (their_id, _) = streamed(&theirs);
    assert_eq!(their_id, "gen-mock-2");
    assert_eq!(generation(&server, &other, &their_id).await.status, 200);
    generation(&server, &key, &their_id).await.assert_error(404);
}

#[tokio::test]
async fn the_lag_answers_404_exactly_n_times() {
    let (server, key) = server_with_key().await;
    let other = sign_in(&server, &[]).await;
    let lag = send(
        server.addr(),
        "POST",
        "/__mock/generation-lag?times=2",
        &[],
        b"",
    )
    .await;
    assert_eq!(lag.status, 200, "{}", lag.text());
    assert_eq!(lag.json(), json!({ "generation_lag": 2 }));
    for bad in ["", "times=", "times=-1", "times=x", "times=1&times=2"] {
        send(
            server.addr(),
            "POST",
            &format!("/__mock/generation-lag?{bad}"),
            &[],
            b"",
        )
        .await
        .assert_error(400);
    }

    let first = chat(&server, &key, &chat_body(MODEL, "one", false))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Another key's lookups do not count.
    generation(&server, &other, &first).await.assert_error(404);
    for _ in 0..2 {
        let reply = generation(&server, &key, &first).await;
        assert_eq!(reply.text(), NOT_FOUND);
    }
    for _ in 0..2 {
        assert_eq!(generation(&server, &key, &first).await.status, 200);
    }

    // Each generation lags on its own; the setting applies to lookups from now on.
    server.set_generation_lag(1);
    let (second, _) = streamed(&chat(&server, &key, &chat_body(MODEL, "two", true)).await);
    generation(&server, &key, &second).await.assert_error(404);
    assert_eq!(generation(&server, &key, &second).await.status, 200);
    assert_eq!(generation(&server, &key, &first).await.status, 200);

    server.set_generation_lag(0);
    let third = chat(&server, &key, &chat_body(MODEL, "three", false))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(generation(&server, &key, &third).await.status, 200);
}

// ---------------------------------------------------------------- credit limit

#[tokio::test]
async fn the_credit_limit_reaches_the_key_and_shrinks_with_use() {
    let server = MockServer::start().await.expect("start");
    // Asked: the consent page shows the limit.
    let page = get(&server, &auth_with(&[("limit", "5"), ("state", "s")])).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.text();
    assert!(page.contains("Credit limit: $5.00"), "{page}");
    let approved = post_form(
        &server,
        "/auth/decision",
        &[("request_id", &request_id(&page)), ("decision", "approve")],
    )
    .await;
    let code = approved.location_params().remove("code").expect("a code");
    let key = exchange(&server, &code, VERIFIER).await.json()["key"]
        .as_str()
        .expect("key")
        .to_owned();

    let data = key_info(&server, &key).await.json()["data"].clone();
    assert_eq!(data["limit"], 5.0);
    assert_eq!(data["limit_remaining"], 5.0);
    assert_eq!(data["usage"], 0.0);

    let answer = chat(&server, &key, &chat_body(MODEL, "spend a little", false))
        .await
        .json();
    let cost = generation(&server, &key, answer["id"].as_str().expect("id"))
        .await
        .json()["data"]["total_cost"]
        .as_f64()
        .expect("a cost");
    assert!(cost > 0.0);
    let data = key_info(&server, &key).await.json()["data"].clone();
    assert_eq!(data["limit"], 5.0);
    for usage in ["usage", "usage_daily", "usage_weekly", "usage_monthly"] {
        assert_close(&data[usage], cost, usage);
    }
    assert_close(&data["limit_remaining"], 5.0 - cost, "limit_remaining");
    assert!(data["limit_remaining"]
        .as_f64()
        .is_some_and(|left| left < 5.0));

    // A second, streamed chat costs as much again.
    chat(&server, &key, &chat_body(MODEL, "spend a little", true)).await;
    let data = key_info(&server, &key).await.json()["data"].clone();
    assert_close(&data["limit_remaining"], 5.0 - 2.0 * cost, "after two");

    // Auto-approved and headless flows carry it too; without one, both stay null.
    let cents = sign_in(&server, &[("limit", "2.50")]).await;
    assert_eq!(key_info(&server, &cents).await.json()["data"]["limit"], 2.5);
    server.set_consent(ConsentMode::Ask);
    let challenge = s256_challenge(VERIFIER);
    let headless = format!(
        "/auth?{}",
        query(&[
            ("key_label", "cli"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("limit", "0.75"),
        ])
    );
    let page = get(&server, &headless).await.text();
    assert!(page.contains("Credit limit: $0.75"), "{page}");
    let unlimited = sign_in(&server, &[]).await;
    chat(
        &server,
        &unlimited,
        &chat_body(MODEL, "free of limits", false),
    )
    .await;
    let data = key_info(&server, &unlimited).await.json()["data"].clone();
    assert_eq!(data["limit"], Value::Null);
    assert_eq!(data["limit_remaining"], Value::Null);
    assert!(data["usage"].as_f64().is_some_and(|usage| usage > 0.0));
    server.set_consent(ConsentMode::Ask);
    let page = get(&server, &auth_with(&[])).await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("Credit limit"));
}

#[tokio::test]
async fn bad_limits_are_refused() {
    let server = MockServer::start().await.expect("start");
    let cases = [
        "", "0", "0.00", "-5", "+5", "abc", "5.", ".5", "1e3", "inf", "NaN", "5,00", "$5", "5 USD",
    ];
    for limit in cases {
        let reply = get(&server, &auth_with(&[("limit", limit)])).await;
        assert_eq!(reply.status, 400, "{limit:?}: {}", reply.text());
        let page = reply.text();
        assert!(page.contains("Authorization failed"), "{limit:?}");
        assert!(
            page.contains("limit must be a positive amount"),
            "{limit:?}: {page}"
        );
    }
    let twice = get(&server, &auth_with(&[("limit", "5"), ("limit", "6")])).await;
    assert_eq!(twice.status, 400);
    assert!(twice.text().contains("limit must not be repeated"));
    assert!(server.issued_keys().is_empty());
}
