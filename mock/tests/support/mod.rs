//! Shared by the integration tests: a tiny raw HTTP/1.1 client (so no HTTP client
//! crate is needed) and helpers that walk the mock's OAuth flow.

// Each test crate uses its own subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use openrouter_mock::{s256_challenge, ConsentMode, MockServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const OTHER_VERIFIER: &str = "another-verifier-that-is-long-enough-0123456789";
pub const CALLBACK: &str = "http://localhost:3000/callback";

// ---------------------------------------------------------------- raw client

/// A parsed response. `complete` is false when the body was cut short.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub complete: bool,
    /// The data of each chunk, in order, when the body was chunked.
    pub chunks: Vec<Vec<u8>>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts OpenRouter's error shape with `status`.
    pub fn assert_error(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(self
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"));
        let body = self.json();
        assert_eq!(body["error"]["code"], status);
        assert!(body["error"]["message"].is_string());
    }

    /// The decoded query parameters of the `Location` header.
    pub fn location_params(&self) -> HashMap<String, String> {
        let location = self.header("location").expect("a Location header");
        let without_fragment = location.split('#').next().unwrap_or_default();
        let query = without_fragment
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default();
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect()
    }
}

pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(body).await.expect("write body");
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        // A cut connection may end with a reset instead of EOF; keep what arrived.
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            raw.extend_from_slice(&buf[..n]);
        }
        parse_reply(&raw)
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the mock answered in time")
}

pub fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
        complete: true,
        chunks: Vec::new(),
    };
    if reply
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        (reply.chunks, reply.complete) = dechunk(rest);
        reply.body = reply.chunks.concat();
    } else {
        reply.body = rest.to_vec();
        let expected = reply
            .header("content-length")
            .and_then(|len| len.parse::<usize>().ok());
        reply.complete = expected.is_none_or(|len| len == rest.len());
    }
    reply
}

/// Decodes a chunked body into its chunks; the flag says whether the final zero chunk arrived.
pub fn dechunk(mut rest: &[u8]) -> (Vec<Vec<u8>>, bool) {
    let mut chunks = Vec::new();
    loop {
        let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (chunks, false);
        };
        let size_text = String::from_utf8_lossy(&rest[..line_end]).into_owned();
        let Ok(size) = usize::from_str_radix(size_text.trim(), 16) else {
            return (chunks, false);
        };
        rest = &rest[line_end + 2..];
        if size == 0 {
            return (chunks, true);
        }
        if rest.len() < size + 2 {
            chunks.push(rest[..rest.len().min(size)].to_vec());
            return (chunks, false);
        }
        chunks.push(rest[..size].to_vec());
        rest = &rest[size + 2..];
    }
}

pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
                out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

pub fn query(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

// ---------------------------------------------------------------- flow helpers

pub async fn get(server: &MockServer, path: &str) -> Reply {
    send(server.addr(), "GET", path, &[], b"").await
}

pub async fn post_json(server: &MockServer, path: &str, body: &Value) -> Reply {
    let body = body.to_string();
    send(
        server.addr(),
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await
}

pub async fn post_form(server: &MockServer, path: &str, fields: &[(&str, &str)]) -> Reply {
    let body = query(fields);
    let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
    send(server.addr(), "POST", path, &content_type, body.as_bytes()).await
}

/// `/auth?callback_url=..&code_challenge=S256(verifier)&code_challenge_method=S256&state=..`.
pub fn auth_path(callback: &str, verifier: &str, state: Option<&str>) -> String {
    let challenge = s256_challenge(verifier);
    let mut params = vec![
        ("callback_url", callback),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    format!("/auth?{}", query(&params))
}

/// Runs an auto-approved authorization for `verifier` and returns the code.
pub async fn obtain_code(server: &MockServer, verifier: &str) -> String {
    server.set_consent(ConsentMode::AutoApprove);
    let reply = get(server, &auth_path(CALLBACK, verifier, Some("s"))).await;
    assert_eq!(reply.status, 302, "{}", reply.text());
    reply.location_params().remove("code").expect("a code")
}

pub async fn exchange(server: &MockServer, code: &str, verifier: &str) -> Reply {
    let body = json!({ "code": code, "code_verifier": verifier, "code_challenge_method": "S256" });
    post_json(server, "/api/v1/auth/keys", &body).await
}

pub async fn key_info(server: &MockServer, key: &str) -> Reply {
    let auth = format!("Bearer {key}");
    send(
        server.addr(),
        "GET",
        "/api/v1/key",
        &[("Authorization", &auth)],
        b"",
    )
    .await
}

/// The text between `start` and the next `end` in `page`.
pub fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {page}"))
        + start.len();
    let len = page[from..].find(end).expect("end marker");
    &page[from..from + len]
}

pub fn request_id(page: &str) -> String {
    between(page, "name=\"request_id\" value=\"", "\"").to_owned()
}

pub fn assert_key_shape(key: &str) {
    let hex = key.strip_prefix("sk-or-v1-").expect("sk-or-v1- prefix");
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
}
