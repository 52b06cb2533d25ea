//! Reading what OpenRouter sent back: `?code=..&state=..`, or `?error=..&error_description=..`.
//!
//! Tolerant of what does not concern us (other parameters, a fragment, `+` for space),
//! strict about what does: a repeated or oversize parameter of ours is an error, never a guess.

pub use crate::secret::AuthCode;

use crate::messages::{fill, Messages};

/// Longest code, state or error value we accept (OpenRouter's codes are far shorter).
pub const MAX_PARAM_LEN: usize = 2048;
/// Longest query we look at, so that a hostile URL costs nothing to reject.
pub(crate) const MAX_QUERY_LEN: usize = 256 * 1024;

impl AuthCode {
    /// Takes a code as the user or the callback gave it; `None` when empty, too long,
    /// or holding white space or control characters.
    pub fn new(code: impl Into<String>) -> Option<Self> {
        let code = code.into();
        let ok = !code.is_empty()
            && code.len() <= MAX_PARAM_LEN
            && !code.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then_some(AuthCode(code))
    }
}

/// What a URL says about a sign-in return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackParams {
    /// None of `code`, `state`, `error` is there: this URL is not a return from OpenRouter.
    Absent,
    /// The user approved.
    Code {
        /// The authorization code, for the exchange.
        code: AuthCode,
        /// The `state` parameter, when there was one.
        state: Option<String>,
    },
    /// The user denied, or OpenRouter refused (`error=access_denied` and friends).
    Error {
        /// The OAuth `error` code.
        error: String,
        /// The `error_description`, when there was one.
        description: Option<String>,
        /// The `state` parameter, when there was one.
        state: Option<String>,
    },
}

/// Why a return URL could not be read. Every variant names the parameter at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The query is longer than the parser reads (its length).
    #[error("the return URL is {0} bytes long; at most {MAX_QUERY_LEN} are read")]
    QueryTooLong(usize),
    /// A parameter of ours appears twice (its name).
    #[error("the `{0}` parameter appears more than once")]
    Repeated(&'static str),
    /// A parameter is longer than allowed.
    #[error("the `{param}` parameter is {len} bytes long; at most {MAX_PARAM_LEN} are accepted")]
    TooLong {
        /// The parameter's name.
        param: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A parameter's percent-encoding is broken (its name).
    #[error("the `{0}` parameter has invalid percent-encoding")]
    BadEncoding(&'static str),
    /// A parameter does not decode to UTF-8 (its name).
    #[error("the `{0}` parameter is not valid UTF-8")]
    NotUtf8(&'static str),
    /// A parameter is empty (its name).
    #[error("the `{0}` parameter is empty")]
    Empty(&'static str),
    /// A parameter holds white space or control characters (its name).
    #[error("the `{0}` parameter contains white space or control characters")]
    BadCharacters(&'static str),
    /// Both `code` and `error` are there.
    #[error("the return carries both a code and an error")]
    CodeAndError,
    /// A `state` came back with neither `code` nor `error`.
    #[error("the return carries a state but neither a code nor an error")]
    StateOnly,
}

impl CallbackError {
    /// What is wrong with the return, in the words of `messages` (`Display` is the English).
    pub fn message(&self, messages: &Messages) -> String {
        let limit = |n: usize| n.to_string();
        match self {
            Self::QueryTooLong(length) => fill(
                &messages.return_too_long,
                &[
                    ("length", &length.to_string()),
                    ("limit", &limit(MAX_QUERY_LEN)),
                ],
            ),
            Self::Repeated(param) => fill(&messages.param_repeated, &[("param", param)]),
            Self::TooLong { param, len } => fill(
                &messages.param_too_long,
                &[
                    ("param", param),
                    ("length", &len.to_string()),
                    ("limit", &limit(MAX_PARAM_LEN)),
                ],
            ),
            Self::BadEncoding(param) => fill(&messages.param_bad_encoding, &[("param", param)]),
            Self::NotUtf8(param) => fill(&messages.param_not_utf8, &[("param", param)]),
            Self::Empty(param) => fill(&messages.param_empty, &[("param", param)]),
            Self::BadCharacters(param) => fill(&messages.param_bad_characters, &[("param", param)]),
            Self::CodeAndError => messages.code_and_error.to_string(),
            Self::StateOnly => messages.state_only.to_string(),
        }
    }
}

const OURS: [&str; 4] = ["code", "state", "error", "error_description"];

/// The query part of `input`, which may be a whole URL, `?query`, or a bare `a=b&c=d` string.
/// The fragment is dropped.
pub(crate) fn query_of(input: &str) -> &str {
    let without_fragment = input.split('#').next().unwrap_or_default();
    match without_fragment.split_once('?') {
        Some((_, query)) => query,
        None if without_fragment.contains("://") || without_fragment.starts_with('/') => "",
        None => without_fragment,
    }
}

/// Whether `input` carries any of our parameters, without decoding anything. Cheap enough to run
/// on every page load.
pub(crate) fn mentions_callback(input: &str) -> bool {
    query_of(input)
        .split('&')
        .any(|pair| OURS.contains(&pair.split('=').next().unwrap_or_default()))
}

/// Parses the callback parameters out of `input` (a URL, `?query` or bare query).
pub fn parse_callback(input: &str) -> Result<CallbackParams, CallbackError> {
    let query = query_of(input);
    if query.len() > MAX_QUERY_LEN {
        return Err(CallbackError::QueryTooLong(query.len()));
    }
    let mut found: [Option<String>; 4] = Default::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(slot) = OURS.iter().position(|ours| *ours == name) else {
            continue;
        };
        let param = OURS[slot];
        if found[slot].is_some() {
            return Err(CallbackError::Repeated(param));
        }
        // The encoded form is never shorter than the decoded one, so this bounds the work.
        if raw.len() > MAX_PARAM_LEN * 3 {
            return Err(CallbackError::TooLong {
                param,
                len: raw.len(),
            });
        }
        let value = decode(param, raw)?;
        if value.len() > MAX_PARAM_LEN {
            return Err(CallbackError::TooLong {
                param,
                len: value.len(),
            });
        }
        found[slot] = Some(value);
    }
    let [code, state, error, description] = found;
    match (code, error) {
        (Some(_), Some(_)) => Err(CallbackError::CodeAndError),
        (Some(code), None) => {
            if code.is_empty() {
                return Err(CallbackError::Empty("code"));
            }
            let code = AuthCode::new(code).ok_or(CallbackError::BadCharacters("code"))?;
            Ok(CallbackParams::Code { code, state })
        }
        (None, Some(error)) if error.is_empty() => Err(CallbackError::Empty("error")),
        (None, Some(error)) => Ok(CallbackParams::Error {
            error,
            description,
            state,
        }),
        (None, None) if state.is_some() => Err(CallbackError::StateOnly),
        (None, None) => Ok(CallbackParams::Absent),
    }
}

/// Form-style decoding: `+` is a space, `%XX` a byte; anything else after `%` is an error.
fn decode(param: &'static str, raw: &str) -> Result<String, CallbackError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .ok_or(CallbackError::BadEncoding(param))?;
                let hi = hex_digit(hex[0]).ok_or(CallbackError::BadEncoding(param))?;
                let lo = hex_digit(hex[1]).ok_or(CallbackError::BadEncoding(param))?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| CallbackError::NotUtf8(param))
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `input` with our parameters removed from its query, everything else (path, other
/// parameters in their order, fragment) kept. Used to clean the address bar after a return.
/// `input` is read as [`parse_callback`] reads it (a URL, `?query` or bare query), so what it
/// returns never parses as a return.
pub fn strip_callback_params(input: &str) -> String {
    let (before_fragment, fragment) = match input.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (input, None),
    };
    let (path, query, mark) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, query, "?"),
        None if before_fragment.contains("://") || before_fragment.starts_with('/') => {
            (before_fragment, "", "")
        }
        None => ("", before_fragment, ""),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !OURS.contains(&p.split('=').next().unwrap_or_default()))
        .collect();
    let looks_like_path = |text: &str| text.contains("://") || text.starts_with('/');
    let mut out = path.to_owned();
    if !kept.is_empty() {
        out.push_str(mark);
        out.push_str(&kept.join("&"));
    } else if !mark.is_empty() && !path.is_empty() && !looks_like_path(path) {
        // Without its `?`, text like `a&b` would be read back as a bare query, not a path.
        out.push('?');
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn english_words_match_the_log_text_and_chinese_fills_every_place() {
        let (en, zh) = (Messages::english(), Messages::simplified_chinese());
        let all = [
            CallbackError::QueryTooLong(300_000),
            CallbackError::Repeated("state"),
            CallbackError::TooLong {
                param: "code",
                len: 4096,
            },
            CallbackError::BadEncoding("code"),
            CallbackError::NotUtf8("error"),
            CallbackError::Empty("state"),
            CallbackError::BadCharacters("code"),
            CallbackError::CodeAndError,
            CallbackError::StateOnly,
        ];
        for error in &all {
            assert_eq!(error.message(&en), error.to_string());
            let chinese = error.message(&zh);
            assert!(!chinese.contains('{'), "{chinese}");
        }
        assert_eq!(
            all[2].message(&zh),
            "参数 `code` 长 4096 字节，最多接受 2048 字节"
        );
    }
}
