//! The desktop's loopback listener against hostile and confused clients on 127.0.0.1: it answers
//! them with 400 or 404, keeps waiting, and still takes the real return.

use std::time::{Duration, Instant};

use openrouter_signin::auth::{LoopbackError, LoopbackListener, State};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Sends `request` raw and returns the status line and body (or "" if the server closed first).
async fn raw(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn status(answer: &str) -> &str {
    answer.split(' ').nth(1).unwrap_or("")
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes()
}

fn path_of(url: &str) -> String {
    let after_host = url.trim_start_matches("http://127.0.0.1:");
    after_host[after_host.find('/').unwrap()..].to_owned()
}

#[tokio::test]
async fn the_real_return_wins_through_hostile_traffic() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let path = path_of(&listener.callback_url());
    assert!(listener.callback_url().starts_with("http://127.0.0.1:"));
    assert_eq!(path.len(), "/openrouter-callback/".len() + 32);
    let state = State::generate().unwrap();
    let good = format!("{path}?code=the-code&state={}", state.expose_secret());
    let (_cancel_tx, cancel_rx) = mpsc::channel(1);
    let waiting = tokio::spawn({
        let state = state.clone();
        async move {
            listener
                .wait(&state, Duration::from_secs(30), cancel_rx)
                .await
        }
    });

    // Silent clients that connect and say nothing, and a long stream of junk, all at once.
    let mut silent = Vec::new();
    for _ in 0..10 {
        silent.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    let huge_line = format!(
        "GET {path}?code={} HTTP/1.1\r\n\r\n",
        "a".repeat(100 * 1024)
    )
    .into_bytes();
    let wrong_state = get(&format!("{path}?code=x&state=not-it"));
    let no_state = get(&format!("{path}?code=x"));
    let cases: Vec<(Vec<u8>, &[&str])> = vec![
        (get("/favicon.ico"), &["404"]),
        (get("/"), &["404"]),
        (get("/openrouter-callback/guess?code=x&state=y"), &["404"]),
        (
            format!("HEAD {path} HTTP/1.1\r\n\r\n").into_bytes(),
            &["400"],
        ),
        (
            format!("POST {path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n").into_bytes(),
            &["400"],
        ),
        (wrong_state, &["400"]),
        (no_state, &["400"]),
        (get(&path), &["400"]),
        (get(&format!("{path}?code=a&code=b&state=s")), &["400"]),
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n".to_vec(),
            &["400"],
        ),
        (b"GET\r\n\r\n".to_vec(), &["400"]),
        (format!("GET {path} SPDY/3\r\n\r\n").into_bytes(), &["400"]),
        (huge_line, &["431", "400", ""]),
        (b"GET / HTTP/1.1\r\n".to_vec(), &["400"]),
    ];
    let mut junk = Vec::new();
    for round in 0..4 {
        for (request, expected) in cases.clone() {
            junk.push(tokio::spawn(async move {
                let answer = raw(port, &request).await;
                assert!(
                    expected.contains(&status(&answer)),
                    "round {round}: {:?} -> {answer:.80}",
                    String::from_utf8_lossy(&request[..request.len().min(60)])
                );
                answer
            }));
        }
    }
    assert!(junk.len() >= 50);
    for task in junk {
        let answer = task.await.unwrap();
        assert!(
            !answer.contains("<script"),
            "nothing is reflected unescaped"
        );
    }
    assert!(!waiting.is_finished(), "junk must not end the wait");

    let started = Instant::now();
    let answer = raw(port, &get(&good)).await;
    assert_eq!(status(&answer), "200", "{answer}");
    assert!(answer.contains("Signed in"));
    let url = waiting.await.unwrap().unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{port}{good}"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the real return waited {:?}",
        started.elapsed()
    );
    drop(silent);
    // The port is free again.
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn a_denial_ends_the_wait_and_its_text_is_escaped() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let path = path_of(&listener.callback_url());
    let (_tx, rx) = mpsc::channel(1);
    let state = State::generate().unwrap();
    let waiting =
        tokio::spawn(async move { listener.wait(&state, Duration::from_secs(30), rx).await });
    let answer = raw(
        port,
        &get(&format!(
            "{path}?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        )),
    )
    .await;
    assert_eq!(status(&answer), "200");
    assert!(
        answer.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{answer}"
    );
    assert!(!answer.contains("<script>"), "{answer}");
    assert!(waiting
        .await
        .unwrap()
        .unwrap()
        .contains("error=access_denied"));
}

#[tokio::test]
async fn cancel_and_timeout_stop_the_wait_and_free_the_port() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let (tx, rx) = mpsc::channel(1);
    let state = State::generate().unwrap();
    let waiting =
        tokio::spawn(async move { listener.wait(&state, Duration::from_secs(30), rx).await });
    tx.send(()).await.unwrap();
    assert_eq!(waiting.await.unwrap(), Err(LoopbackError::Cancelled));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "the port is freed"
    );

    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let (_tx, rx) = mpsc::channel(1);
    let state = State::generate().unwrap();
    let error = listener
        .wait(&state, Duration::from_millis(200), rx)
        .await
        .unwrap_err();
    assert_eq!(error, LoopbackError::TimedOut(Duration::from_millis(200)));
    assert!(error.to_string().contains("did not come back"));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "the port is freed"
    );
}
