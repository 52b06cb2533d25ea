//! The native transport: reqwest on a shared connection pool, rustls, no redirects.

use std::time::Duration;

use super::http::{HttpRequest, HttpResponse};
use super::ClientError;

pub(super) struct Transport {
    http: reqwest::Client,
}

/// Maps reqwest's errors for one request.
fn failure(url: &str, timeout: Duration) -> impl Fn(reqwest::Error) -> ClientError + '_ {
    move |e| {
        if e.is_timeout() {
            ClientError::Timeout(timeout)
        } else {
            ClientError::Network {
                url: url.to_owned(),
                reason: describe(&e),
            }
        }
    }
}

impl Transport {
    pub(super) fn new() -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("openrouter-signin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network {
                url: String::new(),
                reason: format!("no HTTP client: {e}"),
            })?;
        Ok(Transport { http })
    }

    fn build(&self, request: &HttpRequest<'_>) -> reqwest::RequestBuilder {
        let mut builder = match &request.post_json {
            Some(json) => self
                .http
                .post(&request.url)
                .header("content-type", "application/json")
                .body(wiped_on_drop(&[json.as_bytes()])),
            None => self.http.get(&request.url),
        };
        if let Some(key) = request.bearer {
            let value = wiped_on_drop(&[b"Bearer ", key.as_bytes()]);
            if let Ok(mut value) = reqwest::header::HeaderValue::from_maybe_shared(value) {
                value.set_sensitive(true);
                builder = builder.header(reqwest::header::AUTHORIZATION, value);
            }
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        builder
    }

    /// Sends `request` and reads the whole answer; the timeout covers the body too.
    pub(super) async fn send(&self, request: HttpRequest<'_>) -> Result<HttpResponse, ClientError> {
        let fail = failure(&request.url, request.timeout);
        let response = self
            .build(&request)
            .timeout(request.timeout)
            .send()
            .await
            .map_err(&fail)?;
        read_whole(response, request.max_bytes, &fail).await
    }

    /// Sends `request` and hands each chunk of a successful answer to `on_chunk` as it arrives,
    /// until the answer ends or `on_chunk` returns false. An error status comes back whole, as
    /// `Some`. The timeout applies to the headers and to each wait between chunks, not to the
    /// whole stream, which may rightly take minutes.
    pub(super) async fn stream(
        &self,
        request: HttpRequest<'_>,
        // Generic rather than `dyn`, so that the future is `Send` whenever the callback is (a
        // server streams on a multi-threaded runtime).
        on_chunk: &mut impl FnMut(&[u8]) -> bool,
    ) -> Result<Option<HttpResponse>, ClientError> {
        let timeout = request.timeout;
        let fail = failure(&request.url, timeout);
        let sent = tokio::time::timeout(timeout, self.build(&request).send()).await;
        let mut response = sent
            .map_err(|_| ClientError::Timeout(timeout))?
            .map_err(&fail)?;
        if !response.status().is_success() {
            return read_whole(response, request.max_bytes, &fail)
                .await
                .map(Some);
        }
        loop {
            let chunk = tokio::time::timeout(timeout, response.chunk()).await;
            match chunk
                .map_err(|_| ClientError::Timeout(timeout))?
                .map_err(&fail)?
            {
                Some(bytes) if on_chunk(&bytes) => {}
                _ => return Ok(None),
            }
        }
    }
}

/// `parts` joined into bytes that are wiped when the last reference to them is dropped: the
/// bearer header and the exchange's body (code and verifier) are not left in freed memory by
/// reqwest's copies of them. (What the HTTP stack copies into its own write buffer is beyond
/// reach.)
fn wiped_on_drop(parts: &[&[u8]]) -> bytes::Bytes {
    let mut joined = zeroize::Zeroizing::new(Vec::with_capacity(
        parts.iter().map(|part| part.len()).sum(),
    ));
    for part in parts {
        joined.extend_from_slice(part);
    }
    bytes::Bytes::from_owner(joined)
}

/// The status, the `Retry-After` header and at most `limit` bytes of body.
async fn read_whole(
    mut response: reqwest::Response,
    limit: usize,
    fail: &impl Fn(reqwest::Error) -> ClientError,
) -> Result<HttpResponse, ClientError> {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(ClientError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > limit {
            return Err(ClientError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        body,
        retry_after,
    })
}

/// reqwest's top-level message is often just "error sending request"; the cause says more.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
