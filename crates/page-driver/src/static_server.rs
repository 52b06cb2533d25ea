//! Serves a directory on 127.0.0.1, enough for the wasm app that dx builds: GET only, the right
//! content types (wasm must be `application/wasm` to compile while it streams), `index.html` for
//! any path without an extension, connections kept alive as a real server keeps them.
//!
//! [`serve_gzip`] answers as the benchmark needs a page served: every file compressed with
//! gzip -9 in advance, so that no load waits for the compressor and the bytes on the wire are the
//! ones `scripts/bench.sh` counts; and the hashed files under `assets/` kept by the browser, as
//! any host of a dx or vite build has them kept (a fresh browser still loads everything).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The longest request head taken; browsers send a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;

/// Where the answers come from.
enum Files {
    /// Read from the directory at each request, so a rebuild shows at the next load.
    Disk(PathBuf),
    /// Every file of the directory, read once: relative path -> (plain, gzip -9).
    Packed(HashMap<PathBuf, (Vec<u8>, Vec<u8>)>),
}

/// Starts serving `root` on an ephemeral port; returns the origin (`http://127.0.0.1:PORT`).
pub async fn serve(root: PathBuf) -> String {
    start(Files::Disk(root), None).await
}

/// Holds back the answers of a [`serve_holding`] server until [`Gate::open`]: a page whose wasm
/// is late, as on a slow network, for as long as a test needs.
pub struct Gate(tokio::sync::watch::Sender<bool>);

impl Gate {
    /// Lets the held answers (and every later one) go.
    pub fn open(&self) {
        self.0.send_replace(true);
    }
}

/// Like [`serve`], with every file whose path ends with `suffix` (`.wasm`, or one file's name)
/// held back until the gate is opened.
pub async fn serve_holding(root: PathBuf, suffix: &str) -> (String, Gate) {
    let (gate, held) = tokio::sync::watch::channel(false);
    let held = Held {
        suffix: suffix.to_owned(),
        open: held,
    };
    (start(Files::Disk(root), Some(held)).await, Gate(gate))
}

/// What a [`serve_holding`] server holds back, and whether it still does.
#[derive(Clone)]
struct Held {
    suffix: String,
    open: tokio::sync::watch::Receiver<bool>,
}

/// Like [`serve`], but every file under `root` is read and compressed with gzip -9 before this
/// returns, and a client that accepts gzip gets the compressed bytes (`Content-Encoding: gzip`).
pub async fn serve_gzip(root: PathBuf) -> String {
    let packed = tokio::task::spawn_blocking(move || {
        let mut files = HashMap::new();
        pack(&root, &root, &mut files).unwrap_or_else(|e| panic!("read {}: {e}", root.display()));
        Files::Packed(files)
    })
    .await
    .expect("compress the served files");
    start(packed, None).await
}

fn pack(
    root: &Path,
    dir: &Path,
    files: &mut HashMap<PathBuf, (Vec<u8>, Vec<u8>)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            pack(root, &path, files)?;
        } else {
            let plain = std::fs::read(&path)?;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(&plain)?;
            let packed = encoder.finish()?;
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            files.insert(relative, (plain, packed));
        }
    }
    Ok(())
}

async fn start(files: Files, held: Option<Held>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the static server");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let files = Arc::new(files);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let files = files.clone();
            let held = held.clone();
            tokio::spawn(async move {
                // A browser that closes early is nothing to report.
                let _ = connection(stream, &files, held).await;
            });
        }
    });
    origin
}

/// Answers the requests of one connection, in order, until the client closes it.
async fn connection(
    mut stream: TcpStream,
    files: &Files,
    mut held: Option<Held>,
) -> std::io::Result<()> {
    // As real servers do: without it, Nagle's algorithm holds the end of an answer until the
    // browser's delayed acknowledgement, up to 40 ms on Linux loopback for every file after the
    // first few of a connection.
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(8192);
    loop {
        let end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if buf.len() > MAX_HEAD {
                return Ok(());
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end);
        let request = Request::parse(&head);
        if let Some(held) = held
            .as_mut()
            .filter(|held| request.path.ends_with(&held.suffix))
        {
            // A gate dropped unopened holds forever, as a server that never answers.
            if held.open.wait_for(|open| *open).await.is_err() {
                return Ok(());
            }
        }
        let (status, body, kind, gzip) = answer(files, &request.path, request.gzip).await;
        // Served as a real host serves a build: the files under assets/ have a hash of their
        // contents in their names (dx and vite both do this), so a browser keeps them; the page
        // itself is asked for again each time. Read from disk, everything is asked for again
        // (`no-cache`, with no validator to revalidate), as a rebuild must show at the next
        // load; not `no-store`, which would keep pages out of the back-forward cache, where a
        // user's host lets them go.
        let cache = match files {
            Files::Packed(_) if request.path.contains("/assets/") => {
                "public, max-age=31536000, immutable"
            }
            _ => "no-cache",
        };
        let encoding = if gzip {
            "Content-Encoding: gzip\r\n"
        } else {
            ""
        };
        let connection = if request.keep_alive {
            "keep-alive"
        } else {
            "close"
        };
        let header = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{encoding}Cache-Control: {cache}\r\nConnection: {connection}\r\n\r\n",
            body.len()
        );
        // One write for the head and the body, so that they leave in as few packets as they fit.
        let mut answer = Vec::with_capacity(header.len() + body.len());
        answer.extend_from_slice(header.as_bytes());
        answer.extend_from_slice(&body);
        stream.write_all(&answer).await?;
        if !request.keep_alive {
            return stream.shutdown().await;
        }
    }
}

/// What is read from a request head.
struct Request {
    path: String,
    gzip: bool,
    keep_alive: bool,
}

impl Request {
    fn parse(head: &str) -> Request {
        let mut lines = head.split("\r\n");
        let first = lines.next().unwrap_or_default();
        let mut words = first.split_whitespace();
        let path = words.nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/").to_owned();
        let mut keep_alive = words.next() == Some("HTTP/1.1");
        let mut gzip = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim().to_ascii_lowercase();
            if name.eq_ignore_ascii_case("accept-encoding") {
                gzip = value.contains("gzip");
            } else if name.eq_ignore_ascii_case("connection") {
                if value.contains("close") {
                    keep_alive = false;
                } else if value.contains("keep-alive") {
                    keep_alive = true;
                }
            }
        }
        Request {
            path,
            gzip,
            keep_alive,
        }
    }
}

/// Status, body, content type, and whether the body is gzip.
async fn answer<'a>(
    files: &'a Files,
    path: &str,
    takes_gzip: bool,
) -> (&'static str, Cow<'a, [u8]>, &'static str, bool) {
    let relative = path.trim_start_matches('/');
    // The single page answers every route; `..` never leaves the directory.
    let relative = if relative.is_empty() || !relative.contains('.') || relative.contains("..") {
        "index.html"
    } else {
        relative
    };
    let kind = content_type(Path::new(relative));
    let not_found = (
        "404 Not Found",
        Cow::Borrowed(&b"not found"[..]),
        "text/plain",
        false,
    );
    match files {
        Files::Disk(root) => match tokio::fs::read(root.join(relative)).await {
            Ok(body) => ("200 OK", Cow::Owned(body), kind, false),
            Err(_) => not_found,
        },
        Files::Packed(packed) => match packed.get(Path::new(relative)) {
            Some((_, zipped)) if takes_gzip => ("200 OK", Cow::Borrowed(&zipped[..]), kind, true),
            Some((plain, _)) => ("200 OK", Cow::Borrowed(&plain[..]), kind, false),
            None => not_found,
        },
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}
