//! End-to-end tests of `POST /api/v1/chat/completions`, its injected failures and
//! its control endpoints, over real HTTP with the raw client in `support`.

mod support;

use std::time::{Duration, Instant};

use openrouter_mock::{ChatFailure, Failure, MockServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use support::*;

const CHAT: &str = "/api/v1/chat/completions";
const MODEL: &str = "openai/gpt-4o-mini";
const PROCESSING: &str = ": OPENROUTER PROCESSING";
const UPSTREAM_ERROR: &str = r#"data: {"error":{"code":502,"message":"Upstream provider failed"}}"#;

// ---------------------------------------------------------------- helpers

/// A server with a fast stream delay and one issued key.
async fn server_with_key() -> (MockServer, String) {
    let server = MockServer::start().await.expect("start");
    server.set_chat_delay(Duration::from_millis(1));
    let code = obtain_code(&server, VERIFIER).await;
    let reply = exchange(&server, &code, VERIFIER).await;
    let key = reply.json()["key"].as_str().map(str::to_owned);
    (server, key.expect("an issued key"))
}

/// `POST /api/v1/chat/completions` with `body`, as `key` when given, plus `extra` headers.
async fn chat_raw(
    server: &MockServer,
    key: Option<&str>,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let auth = key.map(|key| format!("Bearer {key}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    headers.extend_from_slice(extra);
    send(server.addr(), "POST", CHAT, &headers, body).await
}

async fn chat(server: &MockServer, key: &str, body: &Value) -> Reply {
    chat_raw(server, Some(key), &[], body.to_string().as_bytes()).await
}

fn request(prompt: &str, stream: bool) -> Value {
    json!({
        "model": MODEL,
        "messages": [
            { "role": "system", "content": "Be brief." },
            { "role": "user", "content": prompt },
        ],
        "stream": stream,
    })
}

/// The events of an SSE body (without their blank-line terminators); asserts every
/// event is terminated.
fn sse_events(reply: &Reply) -> Vec<String> {
    let text = String::from_utf8(reply.body.clone()).expect("a UTF-8 event stream");
    let mut events: Vec<String> = text.split("\n\n").map(str::to_owned).collect();
    assert_eq!(events.pop().as_deref(), Some(""), "unterminated: {text:?}");
    events
}

/// The JSON of a `data: {...}` event.
fn data(event: &str) -> Value {
    let json = event
        .strip_prefix("data: ")
        .unwrap_or_else(|| panic!("not a data event: {event:?}"));
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {event:?}"))
}

/// The content pieces of the events after the leading comment, up to the first
/// event that is not a content delta.
fn pieces(events: &[String]) -> Vec<String> {
    events
        .iter()
        .skip(1)
        .map(|event| data(event))
        .map_while(|json| {
            json["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn assert_stream_head(reply: &Reply) {
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("cache-control"), Some("no-cache"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn chat_needs_an_issued_key() {
    let (server, key) = server_with_key().await;
    let body = request("hi", false).to_string();
    chat_raw(&server, None, &[], body.as_bytes())
        .await
        .assert_error(401);
    let unknown = format!("sk-or-v1-{}", "0".repeat(64));
    chat_raw(&server, Some(&unknown), &[], body.as_bytes())
        .await
        .assert_error(401);
    chat_raw(
        &server,
        None,
        &[("Authorization", "Basic abc")],
        body.as_bytes(),
    )
    .await
    .assert_error(401);
    // The key is checked before the body.
    chat_raw(&server, None, &[], b"not json")
        .await
        .assert_error(401);
    let reply = chat(&server, &key, &request("hi", false)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(server.chat_requests(), 5);
}

#[tokio::test]
async fn malformed_chat_requests_are_bad_requests() {
    let (server, key) = server_with_key().await;
    let cases: [(&[u8], &str); 12] = [
        (b"not json", "JSON object"),
        (b"[1,2]", "JSON object"),
        (b"", "JSON object"),
        (br#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (
            br#"{"model":"","messages":[{"role":"user","content":"x"}]}"#,
            "model",
        ),
        (
            br#"{"model":7,"messages":[{"role":"user","content":"x"}]}"#,
            "model",
        ),
        (br#"{"model":"m"}"#, "messages"),
        (br#"{"model":"m","messages":[]}"#, "messages"),
        (br#"{"model":"m","messages":"hi"}"#, "messages"),
        (
            br#"{"model":"m","messages":[{"role":"user","content":["a"]}]}"#,
            "messages[0].content",
        ),
        (
            br#"{"model":"m","messages":[{"content":"a"}]}"#,
            "messages[0].role",
        ),
        (
            br#"{"model":"m","messages":[{"role":"user","content":"a"}],"stream":1}"#,
            "stream",
        ),
    ];
    for (body, field) in cases {
        let reply = chat_raw(&server, Some(&key), &[], body).await;
        reply.assert_error(400);
        let message = reply.json()["error"]["message"].as_str().map(str::to_owned);
        let message = message.expect("a message");
        assert!(
            message.contains(field),
            "{}: {message}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(server.chat_requests(), cases.len());
}

#[tokio::test]
async fn non_streaming_answer_echoes_the_last_user_message() {
    let (server, key) = server_with_key().await;
    let body = json!({
        "model": MODEL,
        "messages": [
            { "role": "user", "content": "first question" },
            { "role": "assistant", "content": "an answer" },
            { "role": "user", "content": "héllo wörld ✓ 🎉" },
        ],
    });
    let reply = chat(&server, &key, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let text = format!("Echo from {MODEL}: héllo wörld ✓ 🎉");
    // 14 + 9 + 15 characters in the prompt, 45 in the answer; a token per started four.
    assert_eq!(
        reply.json(),
        json!({
            "id": "gen-mock-1",
            "model": MODEL,
            "choices": [{
                "index": 0,
                "message": { "role": "assistant", "content": text },
                "finish_reason": "stop",
            }],
            "usage": { "prompt_tokens": 4 + 3 + 4, "completion_tokens": 12, "total_tokens": 23 },
        })
    );

    let no_user = json!({
        "model": "m",
        "messages": [{ "role": "system", "content": "s" }],
        "stream": false,
    });
    let reply = chat(&server, &key, &no_user).await.json();
    assert_eq!(reply["id"], "gen-mock-2");
    assert_eq!(
        reply["choices"][0]["message"]["content"],
        "Echo from m: (nothing)"
    );
    assert_eq!(server.chat_requests(), 2);
}

#[tokio::test]
async fn streaming_answer_arrives_in_small_utf8_pieces() {
    let (server, key) = server_with_key().await;
    let prompt = "héllo wörld ✓ 🎉";
    let reply = chat(&server, &key, &request(prompt, true)).await;
    assert_stream_head(&reply);
    assert!(reply.complete, "the stream ends cleanly");
    let events = sse_events(&reply);
    assert_eq!(events[0], PROCESSING);
    assert!(reply.text().starts_with(": OPENROUTER PROCESSING\n\n"));

    let text = format!("Echo from {MODEL}: {prompt}");
    let pieces = pieces(&events);
    assert_eq!(pieces.concat(), text);
    assert!(
        pieces.iter().all(|p| !p.is_empty() && p.len() <= 8),
        "{pieces:?}"
    );
    assert_eq!(pieces.len(), events.len() - 3);
    for event in &events[1..=pieces.len()] {
        assert_eq!(data(event)["id"], "gen-mock-1");
        assert_eq!(data(event)["choices"][0]["index"], 0);
    }
    // The content events are written byte for byte as OpenRouter shapes them.
    assert_eq!(
        events[1],
        r#"data: {"id":"gen-mock-1","choices":[{"index":0,"delta":{"content":"Echo fro"}}]}"#
    );
    let finish = &events[events.len() - 2];
    assert_eq!(
        finish,
        r#"data: {"id":"gen-mock-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
    );
    assert_eq!(events.last().map(String::as_str), Some("data: [DONE]"));

    // One event per chunk, each valid UTF-8 on its own: no character is split in transit.
    assert_eq!(reply.chunks.len(), events.len());
    for (chunk, event) in reply.chunks.iter().zip(&events) {
        let chunk = std::str::from_utf8(chunk).expect("a whole-character chunk");
        assert_eq!(chunk, format!("{event}\n\n"));
    }
    assert_eq!(server.chat_requests(), 1);
}

#[tokio::test]
async fn streaming_answer_is_delivered_incrementally() {
    let (server, key) = server_with_key().await;
    let delay = Duration::from_millis(60);
    server.set_chat_delay(delay);
    // "Echo from m: abc" is two pieces: comment, 2 content, finish, [DONE].
    let body =
        json!({ "model": "m", "messages": [{ "role": "user", "content": "abc" }], "stream": true });
    let body = body.to_string();
    let addr = server.addr();
    let arrivals = tokio::time::timeout(Duration::from_secs(10), async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "POST {CHAT} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let started = Instant::now();
        let mut raw = Vec::new();
        let mut arrivals = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            raw.extend_from_slice(&buf[..n]);
            arrivals.push((started.elapsed(), raw.len()));
        }
        (raw, arrivals)
    })
    .await
    .expect("the stream ended in time");
    let (raw, arrivals) = arrivals;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let comment_at = text.find(PROCESSING).expect("the comment");
    let done_at = text.find("data: [DONE]").expect("[DONE]");
    let when = |offset: usize| {
        arrivals
            .iter()
            .find(|(_, len)| *len > offset)
            .map(|(elapsed, _)| *elapsed)
            .expect("arrived")
    };
    // Four pauses separate the comment from [DONE].
    assert!(
        when(done_at) >= when(comment_at) + delay * 3,
        "{arrivals:?}"
    );
    assert!(
        arrivals.len() >= 4,
        "events came in separate reads: {arrivals:?}"
    );
}

#[tokio::test]
async fn injected_statuses_answer_with_the_error_shape() {
    let (server, key) = server_with_key().await;
    for status in [402, 500, 502, 503] {
        server.inject_chat_failure(ChatFailure::Status(status));
    }
    let mut seen = Vec::new();
    for (index, status) in [402u16, 500, 502, 503].into_iter().enumerate() {
        // Streaming or not, the status comes first.
        let reply = chat(&server, &key, &request("hi", index % 2 == 0)).await;
        reply.assert_error(status);
        seen.push(reply.json()["error"]["message"].clone());
    }
    assert_eq!(seen[0], "Insufficient credits");
    assert_eq!(seen[2], "Upstream provider failed");
    // The queue is empty again, and it never touched the exchange queue.
    assert_eq!(chat(&server, &key, &request("hi", false)).await.status, 200);
    assert_eq!(server.chat_requests(), 5);
    let code = obtain_code(&server, VERIFIER).await;
    assert_eq!(exchange(&server, &code, VERIFIER).await.status, 200);

    // Nor does the exchange queue reach chat requests.
    server.inject_exchange_failure(Failure::Status(500));
    assert_eq!(chat(&server, &key, &request("hi", false)).await.status, 200);
    server.clear_exchange_failures();

    // An injected status answers even without a key, like OpenRouter's edge would.
    server.inject_chat_failure(ChatFailure::Status(503));
    chat_raw(&server, None, &[], b"").await.assert_error(503);
}

#[tokio::test]
async fn rate_limit_sends_retry_after() {
    let (server, key) = server_with_key().await;
    server.inject_chat_failure(ChatFailure::RateLimited {
        retry_after_secs: 7,
    });
    let reply = chat(&server, &key, &request("hi", true)).await;
    reply.assert_error(429);
    assert_eq!(reply.header("retry-after"), Some("7"));
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("retry-after")
    );
    let next = chat(&server, &key, &request("hi", true)).await;
    assert_eq!(next.status, 200);
    assert!(next.header("retry-after").is_none());
}

#[tokio::test]
async fn error_mid_stream_ends_without_done() {
    let (server, key) = server_with_key().await;
    server.inject_chat_failure(ChatFailure::ErrorMidStream { after_events: 2 });
    let reply = chat(&server, &key, &request("a long enough prompt", true)).await;
    assert_stream_head(&reply);
    assert!(reply.complete, "the body itself ends cleanly");
    let events = sse_events(&reply);
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(events[0], PROCESSING);
    assert_eq!(
        pieces(&events).concat(),
        format!("Echo from {MODEL}: a")[..16]
    );
    assert_eq!(events[3], UPSTREAM_ERROR);
    assert!(!reply.text().contains("[DONE]"));

    // More events asked for than there are: all content, then the error.
    server.inject_chat_failure(ChatFailure::ErrorMidStream { after_events: 99 });
    let reply = chat(&server, &key, &request("hi", true)).await;
    let events = sse_events(&reply);
    assert_eq!(pieces(&events).concat(), format!("Echo from {MODEL}: hi"));
    assert_eq!(events.last().map(String::as_str), Some(UPSTREAM_ERROR));
}

#[tokio::test]
async fn drop_mid_stream_cuts_the_connection() {
    let (server, key) = server_with_key().await;
    server.inject_chat_failure(ChatFailure::DropMidStream { after_events: 1 });
    server.inject_chat_failure(ChatFailure::DropMidStream { after_events: 0 });
    let reply = chat(&server, &key, &request("hello there", true)).await;
    assert_stream_head(&reply);
    assert!(!reply.complete, "the stream must be cut short");
    let events = sse_events(&reply);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0], PROCESSING);
    assert_eq!(pieces(&events), vec!["Echo fro".to_owned()]);

    let reply = chat(&server, &key, &request("hello there", true)).await;
    assert!(!reply.complete);
    assert_eq!(sse_events(&reply), vec![PROCESSING.to_owned()]);
    assert_eq!(server.chat_requests(), 2);
}

#[tokio::test]
async fn slow_stretches_one_stream() {
    let (server, key) = server_with_key().await;
    let slow = Duration::from_millis(40);
    server.inject_chat_failure(ChatFailure::Slow(slow));
    // "Echo from m: hi" is two pieces: four pauses between five events.
    let body =
        json!({ "model": "m", "messages": [{ "role": "user", "content": "hi" }], "stream": true });
    let started = Instant::now();
    let reply = chat(&server, &key, &body).await;
    assert!(started.elapsed() >= slow * 4, "{:?}", started.elapsed());
    assert_eq!(
        pieces(&sse_events(&reply)).concat(),
        "Echo from m: hi".to_owned()
    );
    assert!(reply.text().ends_with("data: [DONE]\n\n"));

    // Non-streaming, it delays the whole answer once.
    server.inject_chat_failure(ChatFailure::Slow(Duration::from_millis(150)));
    let started = Instant::now();
    let reply = chat(&server, &key, &request("hi", false)).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(reply.status, 200);

    // The stream-only failures leave a non-streaming answer alone, and are used up.
    server.inject_chat_failure(ChatFailure::ErrorMidStream { after_events: 0 });
    server.inject_chat_failure(ChatFailure::DropMidStream { after_events: 0 });
    for _ in 0..2 {
        let reply = chat(&server, &key, &request("hi", false)).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(reply.complete);
    }
    let reply = chat(&server, &key, &request("hi", true)).await;
    assert!(reply.text().ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn clearing_forgets_queued_chat_failures() {
    let (server, key) = server_with_key().await;
    server.inject_chat_failure(ChatFailure::Status(500));
    server.inject_chat_failure(ChatFailure::RateLimited {
        retry_after_secs: 1,
    });
    server.clear_chat_failures();
    assert_eq!(chat(&server, &key, &request("hi", false)).await.status, 200);
}

#[tokio::test]
async fn records_the_last_request_headers_without_the_key() {
    let (server, key) = server_with_key().await;
    assert!(server.last_chat_headers().is_empty());
    let extra = [
        ("HTTP-Referer", "https://app.example"),
        ("X-OpenRouter-Title", "My App"),
        ("X-Title", "My App"),
    ];
    let body = request("hi", false).to_string();
    let reply = chat_raw(&server, Some(&key), &extra, body.as_bytes()).await;
    assert_eq!(reply.status, 200);
    let headers = server.last_chat_headers();
    let value = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(value("http-referer"), Some("https://app.example"));
    assert_eq!(value("x-openrouter-title"), Some("My App"));
    assert_eq!(value("x-title"), Some("My App"));
    assert_eq!(value("content-type"), Some("application/json"));
    assert_eq!(
        value("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(value("authorization"), None);
    assert!(headers
        .iter()
        .all(|(name, value)| *name == name.to_ascii_lowercase() && !value.contains(&key)));

    // Refused requests are recorded too, still without the key.
    let unknown = "Bearer sk-or-v1-unknown";
    chat_raw(
        &server,
        None,
        &[("Authorization", unknown), ("X-Title", "Other")],
        b"{}",
    )
    .await
    .assert_error(401);
    let headers = server.last_chat_headers();
    assert!(headers.contains(&("x-title".to_owned(), "Other".to_owned())));
    assert!(headers.iter().all(|(name, _)| name != "authorization"));
}

#[tokio::test]
async fn chat_preflight_is_allowed() {
    let server = MockServer::start().await.expect("start");
    let reply = send(
        server.addr(),
        "OPTIONS",
        CHAT,
        &[("Origin", "http://localhost:8080")],
        b"",
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    get(&server, CHAT).await.assert_error(405);
    assert_eq!(server.chat_requests(), 0);
}

#[tokio::test]
async fn control_endpoints_drive_chat() {
    let (server, key) = server_with_key().await;
    let addr = server.addr();
    let post = |path: String| async move { send(addr, "POST", &path, &[], b"").await };

    let delay = post("/__mock/chat-delay?ms=2".to_owned()).await;
    assert_eq!(delay.json(), json!({ "chat_delay_ms": 2 }));
    for (index, query) in [
        "kind=status&status=402",
        "kind=ratelimit&secs=3",
        "kind=errormid&after=1",
        "kind=dropmid&after=1",
        "kind=slow&ms=5",
    ]
    .into_iter()
    .enumerate()
    {
        let reply = post(format!("/__mock/chat-fail?{query}")).await;
        assert_eq!(reply.json(), json!({ "queued": index + 1 }), "{query}");
    }
    for bad in [
        "",
        "kind=nope",
        "kind=status",
        "kind=status&status=42",
        "kind=status&status=abc",
        "kind=ratelimit",
        "kind=ratelimit&secs=-1",
        "kind=errormid",
        "kind=dropmid&after=x",
        "kind=slow",
        "kind=slow&ms=1&ms=2",
        "kind=drop",
    ] {
        post(format!("/__mock/chat-fail?{bad}"))
            .await
            .assert_error(400);
    }
    for bad in ["", "ms=", "ms=-5"] {
        post(format!("/__mock/chat-delay?{bad}"))
            .await
            .assert_error(400);
    }

    chat(&server, &key, &request("hi", true))
        .await
        .assert_error(402);
    let limited = chat(&server, &key, &request("hi", true)).await;
    limited.assert_error(429);
    assert_eq!(limited.header("retry-after"), Some("3"));
    let errored = chat(&server, &key, &request("hi", true)).await;
    assert_eq!(
        sse_events(&errored).last().map(String::as_str),
        Some(UPSTREAM_ERROR)
    );
    assert!(!chat(&server, &key, &request("hi", true)).await.complete);
    let slow = chat(&server, &key, &request("hi", true)).await;
    assert!(slow.text().ends_with("data: [DONE]\n\n"));

    // The exchange queue is untouched by all of the above; the three streams that started
    // (errormid, dropmid, slow) were recorded as generations, the refused two were not.
    let stats = get(&server, "/__mock/stats").await;
    let mut counters = stats.json();
    let sent = counters
        .as_object_mut()
        .and_then(|o| o.remove("chat_bytes_sent"))
        .and_then(|sent| sent.as_u64());
    assert!(sent.is_some_and(|sent| sent > 0), "{sent:?}");
    assert_eq!(
        counters,
        json!({
            "exchange_requests": 1,
            "authorize_requests": 1,
            "issued_keys": 1,
            "chat_requests": 5,
            "chats_closed_early": 0,
            "generations": 3,
        })
    );
    assert!(!stats.text().contains(&key));

    // Long answers: the echo repeated to the size asked for, counted as it is sent.
    for bad in ["", "bytes=", "bytes=-1"] {
        post(format!("/__mock/chat-size?{bad}"))
            .await
            .assert_error(400);
    }
    assert_eq!(
        post("/__mock/chat-size?bytes=100000".to_owned())
            .await
            .json(),
        json!({ "chat_size": 100000 })
    );
    let before = server.chat_bytes_sent();
    let long = chat(&server, &key, &request("hi", true)).await;
    let text: String = pieces(&sse_events(&long)).concat();
    assert_eq!(text.len(), 100_000);
    assert!(
        text.starts_with("Echo from openai/gpt-4o-mini: hi Echo from"),
        "{:.60}",
        text
    );
    assert_eq!(server.chat_bytes_sent() - before, 100_000);
    post("/__mock/chat-size?bytes=0".to_owned()).await;
    let short = chat(&server, &key, &request("hi", true)).await;
    assert_eq!(
        pieces(&sse_events(&short)).concat(),
        "Echo from openai/gpt-4o-mini: hi"
    );
}
