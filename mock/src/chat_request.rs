//! The body of `POST /api/v1/chat/completions` and the mock's deterministic answer to it.

use serde_json::{Map, Value};

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub role: String,
    pub content: String,
}

/// A validated chat request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub stream: bool,
    /// The answer is cut to this many tokens (four characters each), as a model stops there.
    pub max_tokens: Option<u64>,
}

/// Parses and validates `body`; the error is a message naming the offending field.
pub(crate) fn parse(body: &[u8]) -> Result<ChatRequest, String> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err("The request body must be a JSON object.".to_owned());
    };
    let model = match fields.get("model") {
        Some(Value::String(model)) if !model.trim().is_empty() => model.clone(),
        _ => return Err("model is required and must be a non-empty string.".to_owned()),
    };
    let messages = match fields.get("messages") {
        Some(Value::Array(messages)) if !messages.is_empty() => messages
            .iter()
            .enumerate()
            .map(|(index, message)| parse_message(index, message))
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err("messages is required and must be a non-empty array.".to_owned()),
    };
    let stream = match fields.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(stream)) => *stream,
        Some(_) => return Err("stream must be a boolean.".to_owned()),
    };
    let max_tokens = match fields.get("max_tokens") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_u64() {
            Some(n) if n >= 1 => Some(n),
            _ => return Err("max_tokens must be a positive integer.".to_owned()),
        },
    };
    for (name, range) in [("temperature", 0.0..=2.0), ("top_p", 0.0..=1.0)] {
        match fields.get(name) {
            None | Some(Value::Null) => {}
            Some(value) if value.as_f64().is_some_and(|v| range.contains(&v)) => {}
            Some(_) => {
                return Err(format!(
                    "{name} must be a number from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }
        }
    }
    Ok(ChatRequest {
        model,
        messages,
        stream,
        max_tokens,
    })
}

fn parse_message(index: usize, message: &Value) -> Result<Message, String> {
    let Value::Object(fields) = message else {
        return Err(format!("messages[{index}] must be an object."));
    };
    let role = string_field(fields, index, "role")?;
    let content = string_field(fields, index, "content")?;
    Ok(Message { role, content })
}

fn string_field(fields: &Map<String, Value>, index: usize, name: &str) -> Result<String, String> {
    match fields.get(name) {
        Some(Value::String(value)) => Ok(value.clone()),
        _ => Err(format!("messages[{index}].{name} must be a string.")),
    }
}

/// `Echo from <model>: <last user message>`, or `(nothing)` without a user message.
pub(crate) fn answer(request: &ChatRequest) -> String {
    let last_user = request
        .messages
        .iter()
        .rev()
        .find(|message| message.role == "user")
        .map_or("(nothing)", |message| message.content.as_str());
    let answer = format!("Echo from {}: {last_user}", request.model);
    match request.max_tokens {
        Some(tokens) => answer
            .chars()
            .take(usize::try_from(tokens.saturating_mul(4)).unwrap_or(usize::MAX))
            .collect(),
        None => answer,
    }
}

/// A deterministic token estimate: one token per started group of four characters.
pub(crate) fn tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// Prompt tokens: the sum over every message's content.
pub(crate) fn prompt_tokens(request: &ChatRequest) -> usize {
    request
        .messages
        .iter()
        .map(|message| tokens(&message.content))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str) -> Result<ChatRequest, String> {
        parse(body.as_bytes())
    }

    #[test]
    fn answers_the_last_user_message() {
        let parsed = request(
            r#"{"model":"m/x","messages":[
                {"role":"user","content":"first"},
                {"role":"assistant","content":"reply"},
                {"role":"user","content":"second"},
                {"role":"assistant","content":"again"}],"stream":true}"#,
        );
        let Ok(parsed) = parsed else {
            panic!("valid request refused: {parsed:?}");
        };
        assert!(parsed.stream);
        assert_eq!(answer(&parsed), "Echo from m/x: second");
        assert_eq!(prompt_tokens(&parsed), 2 + 2 + 2 + 2);

        let system_only = request(r#"{"model":"m","messages":[{"role":"system","content":"s"}]}"#);
        assert_eq!(
            system_only.as_ref().map(answer),
            Ok("Echo from m: (nothing)".to_owned())
        );
        assert_eq!(system_only.map(|parsed| parsed.stream), Ok(false));
    }

    #[test]
    fn names_the_bad_field() {
        for (body, field) in [
            ("not json", "body"),
            ("[]", "body"),
            (r#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
            (
                r#"{"model":"","messages":[{"role":"user","content":"x"}]}"#,
                "model",
            ),
            (
                r#"{"model":7,"messages":[{"role":"user","content":"x"}]}"#,
                "model",
            ),
            (r#"{"model":"m"}"#, "messages"),
            (r#"{"model":"m","messages":[]}"#, "messages"),
            (r#"{"model":"m","messages":{}}"#, "messages"),
            (r#"{"model":"m","messages":["x"]}"#, "messages[0]"),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":[1]}]}"#,
                "messages[1].content",
            ),
            (
                r#"{"model":"m","messages":[{"content":"a"}]}"#,
                "messages[0].role",
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"a"}],"stream":"yes"}"#,
                "stream",
            ),
        ] {
            let error = request(body).expect_err(body);
            assert!(error.contains(field), "{body}: {error}");
        }
    }

    #[test]
    fn counts_tokens_by_characters() {
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("abcd"), 1);
        assert_eq!(tokens("abcde"), 2);
        assert_eq!(tokens("🎉🎉🎉🎉🎉"), 2);
    }
}
