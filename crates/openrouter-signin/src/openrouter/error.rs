use std::time::Duration;

use crate::messages::{fill, Messages};

/// What went wrong talking to OpenRouter. HTTP failures keep the status and, when OpenRouter
/// sent its `{"error":{"code","message"}}` body, its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// OpenRouter answered with an error status and its error body.
    #[error("OpenRouter refused the request ({status}): {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// OpenRouter's own message.
        message: String,
    },
    /// The code exchange was refused because the authorization code had expired (`403
    /// Authorization code expired`): OpenRouter's codes live 10 minutes after approval.
    #[error("the authorization code was older than 10 minutes and has expired")]
    CodeExpired,
    /// An error status without OpenRouter's error body (a proxy page, an empty body, ...).
    #[error("OpenRouter answered HTTP {status} without an error message")]
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// Too many requests (429). `retry_after` is OpenRouter's `Retry-After`, when it sent one.
    #[error("OpenRouter is rate limiting this key{}{}", .retry_after.map(|d| format!("; try again in {} s", d.as_secs())).unwrap_or_default(), if .message.is_empty() { String::new() } else { format!(" ({})", .message) })]
    RateLimited {
        /// How long OpenRouter asked to wait, when it said.
        retry_after: Option<Duration>,
        /// OpenRouter's own message; empty when it sent none.
        message: String,
    },
    /// A redirect, which is never followed: the exchange must reach OpenRouter itself.
    #[error("OpenRouter answered with a redirect (HTTP {status}), which is not followed")]
    Redirect {
        /// The redirect's HTTP status.
        status: u16,
    },
    /// A success status whose body is not what the endpoint documents.
    #[error("OpenRouter's answer was not understood: {0}")]
    InvalidResponse(String),
    /// The body was larger than the client reads.
    #[error("OpenRouter's answer is larger than {limit} bytes")]
    TooLarge {
        /// The most bytes the client reads of an answer.
        limit: usize,
    },
    /// No complete answer in time.
    #[error("OpenRouter did not answer within {}", seconds_or_millis(.0))]
    Timeout(Duration),
    /// The request never got an answer: refused, reset, DNS, TLS, CORS, offline.
    #[error("could not reach OpenRouter at {url}: {reason}")]
    Network {
        /// The address that could not be reached.
        url: String,
        /// What the transport reported.
        reason: String,
    },
}

impl ClientError {
    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::RateLimited { .. } => Some(429),
            ClientError::CodeExpired => Some(403),
            ClientError::Api { status, .. }
            | ClientError::Status { status }
            | ClientError::Redirect { status } => Some(*status),
            _ => None,
        }
    }
}

impl ClientError {
    /// What went wrong, in the words of `messages` (the [`Display`](std::fmt::Display) text is
    /// the English one, for logs). OpenRouter's own message is put in as it came.
    pub fn message(&self, messages: &Messages) -> String {
        let status = |status: &u16| status.to_string();
        match self {
            ClientError::Api {
                status: code,
                message,
            } => fill(
                &messages.api_refused,
                &[("status", &status(code)), ("message", message)],
            ),
            ClientError::CodeExpired => fill(&messages.code_too_old, &[("minutes", "10")]),
            ClientError::Status { status: code } => {
                fill(&messages.http_status, &[("status", &status(code))])
            }
            ClientError::RateLimited {
                retry_after,
                message,
            } => {
                let text = match retry_after {
                    Some(wait) => fill(
                        &messages.rate_limited_retry,
                        &[("seconds", &wait.as_secs().to_string())],
                    ),
                    None => messages.rate_limited.to_string(),
                };
                if message.is_empty() {
                    text
                } else {
                    fill(
                        &messages.with_openrouter_message,
                        &[("text", &text), ("message", message)],
                    )
                }
            }
            ClientError::Redirect { status: code } => {
                fill(&messages.redirected, &[("status", &status(code))])
            }
            ClientError::InvalidResponse(detail) => {
                fill(&messages.not_understood, &[("detail", detail)])
            }
            ClientError::TooLarge { limit } => {
                fill(&messages.too_large, &[("limit", &limit.to_string())])
            }
            ClientError::Timeout(wait) => {
                let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                if millis % 1000 == 0 {
                    fill(
                        &messages.timeout_seconds,
                        &[("seconds", &(millis / 1000).to_string())],
                    )
                } else {
                    fill(&messages.timeout_millis, &[("millis", &millis.to_string())])
                }
            }
            ClientError::Network { url, reason } => {
                fill(&messages.unreachable, &[("url", url), ("detail", reason)])
            }
        }
    }
}

/// `30 s` or `300 ms`: whole numbers, without the float formatting code in the page.
fn seconds_or_millis(duration: &Duration) -> String {
    let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if millis % 1000 == 0 {
        format!("{} s", millis / 1000)
    } else {
        format!("{millis} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_match_the_log_text_and_chinese_puts_the_values_in_its_own_order() {
        let (en, zh) = (Messages::english(), Messages::simplified_chinese());
        let cases = [
            ClientError::Api {
                status: 402,
                message: "Insufficient credits".into(),
            },
            ClientError::CodeExpired,
            ClientError::Status { status: 502 },
            ClientError::RateLimited {
                retry_after: Some(Duration::from_secs(2)),
                message: "slow down".into(),
            },
            ClientError::RateLimited {
                retry_after: None,
                message: String::new(),
            },
            ClientError::Redirect { status: 302 },
            ClientError::InvalidResponse("no key".into()),
            ClientError::TooLarge { limit: 1024 },
            ClientError::Timeout(Duration::from_secs(30)),
            ClientError::Timeout(Duration::from_millis(300)),
            ClientError::Network {
                url: "https://openrouter.ai".into(),
                reason: "refused".into(),
            },
        ];
        for error in &cases {
            assert_eq!(error.message(&en), error.to_string());
            assert!(!error.message(&zh).contains('{'), "{}", error.message(&zh));
        }
        assert_eq!(
            cases[3].message(&zh),
            "OpenRouter 正在限制此密钥的请求频率；请在 2 秒后重试（slow down）"
        );
        assert_eq!(cases[9].message(&zh), "OpenRouter 在 300 毫秒内没有回答");
    }
}
