//! Entry points for the coverage-guided fuzz targets in `fuzz/`, compiled only under
//! `--cfg fuzzing` (which `cargo fuzz` sets). Each takes arbitrary bytes, must never panic, and
//! asserts what must hold for every input.

use crate::auth::callback::strip_callback_params;
use crate::auth::{parse_callback, CallbackParams};
use crate::openrouter::{SseEvent, SseParser};

/// The callback parser and the address-bar cleaner: no panic; what cleaning leaves never reads
/// as a return; and on a URL, a path or a `?query` (not on a bare query, whose text before a
/// later `?` turns from query into path) cleaning twice changes nothing more.
pub fn callback(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_callback(text);
    let cleaned = strip_callback_params(text);
    if text.contains("://") || text.starts_with(['/', '?']) {
        assert_eq!(strip_callback_params(&cleaned), cleaned, "{text:?}");
    }
    if parse_callback(text).is_ok() {
        assert_eq!(
            parse_callback(&cleaned),
            Ok(CallbackParams::Absent),
            "{text:?}"
        );
    }
}

/// The SSE parser: the first byte says where to split the rest; two chunks give the same events
/// as one.
pub fn sse(data: &[u8]) {
    let Some((&split, body)) = data.split_first() else {
        return;
    };
    let at = usize::from(split).min(body.len());
    let mut whole = SseParser::new();
    let expected: Vec<SseEvent> = whole.feed(body);
    let mut parts = SseParser::new();
    let mut got = parts.feed(&body[..at]);
    got.extend(parts.feed(&body[at..]));
    assert_eq!(got, expected, "split at {at}");
}

/// The JSON reader: no panic, and a string it reads writes back to the same value. The readers
/// of what OpenRouter answers (the model lists, a generation) never panic on what it reads, and a
/// model list holds at most `MAX_MODELS` models, each with an id.
pub fn json(data: &[u8]) {
    use crate::openrouter::json::{write_string, Json};
    use crate::openrouter::{Generation, Model, MAX_MODELS};
    let Ok(answer) = Json::parse(data) else {
        return;
    };
    if let Ok(models) = Model::list_from_json(&answer) {
        assert!(models.len() <= MAX_MODELS);
        assert!(models.iter().all(|model| !model.id.trim().is_empty()));
    }
    let _ = Generation::from_json(&answer);
    if let Json::String(text) = answer {
        let mut written = String::new();
        write_string(&mut written, &text);
        assert_eq!(Json::parse(written.as_bytes()), Ok(Json::String(text)));
    }
}

/// The loopback listener's judge of a request head, and the page it answers with.
pub fn loopback(data: &[u8]) {
    if let Ok(head) = std::str::from_utf8(data) {
        crate::auth::loopback::fuzz_request(head);
    }
}
