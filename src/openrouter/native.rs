//! The native transport: reqwest on a shared connection pool, rustls, no redirects.

use super::client::{HttpRequest, HttpResponse, MAX_RESPONSE_BYTES};
use super::ClientError;

pub(super) struct Transport {
    http: reqwest::Client,
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

    pub(super) async fn send(&self, request: HttpRequest<'_>) -> Result<HttpResponse, ClientError> {
        let HttpRequest {
            post_json,
            url,
            bearer,
            timeout,
        } = request;
        let mut builder = match post_json {
            Some(json) => self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(json),
            None => self.http.get(&url),
        };
        if let Some(key) = bearer {
            builder = builder.bearer_auth(key);
        }
        let fail = |e: reqwest::Error| {
            if e.is_timeout() {
                ClientError::Timeout(timeout)
            } else {
                ClientError::Network {
                    url: url.clone(),
                    reason: describe(&e),
                }
            }
        };
        // The timeout covers the body as well as the headers.
        let mut response = builder.timeout(timeout).send().await.map_err(fail)?;
        let status = response.status().as_u16();
        if response
            .content_length()
            .is_some_and(|len| len > MAX_RESPONSE_BYTES as u64)
        {
            return Err(ClientError::TooLarge {
                limit: MAX_RESPONSE_BYTES,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(ClientError::TooLarge {
                    limit: MAX_RESPONSE_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { status, body })
    }
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
