//! The JSON the client needs and no more: a strict reader into a small tree, and a string
//! writer. It replaces serde_json, which with serde's derives was about a sixth of the web
//! page's wasm. Checked against serde_json by property tests below.

use std::fmt;

/// A parsed JSON value. Objects keep their members in order; [`Json::get`] takes the last of
/// duplicates, as serde_json does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    what: &'static str,
    offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

/// Deeper nesting is refused rather than risking the stack (serde_json's limit too).
const MAX_DEPTH: usize = 128;

impl Json {
    /// Parses a whole document: one value, with only whitespace around it.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
        if let Err(e) = std::str::from_utf8(bytes) {
            return Err(JsonError {
                what: "not UTF-8",
                offset: e.valid_up_to(),
            });
        }
        let mut parser = Parser { bytes, pos: 0 };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.pos != bytes.len() {
            return Err(parser.error("trailing characters"));
        }
        Ok(value)
    }

    /// The member `key` of an object; `None` for anything else.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of an array; nothing for anything else.
    pub(crate) fn items(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => &[],
        }
    }
}

/// Appends `text` to `out` as a JSON string literal (quotes included), escaping what JSON
/// requires and nothing else, as serde_json does.
pub(crate) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &'static str) -> JsonError {
        JsonError {
            what,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.array(depth + 1),
            Some(b'{') => self.object(depth + 1),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            Err(self.error("nested too deeply"))
        } else {
            Ok(())
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                None => return Err(self.error("unexpected end")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                None => return Err(self.error("unexpected end")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        // The grammar above admits only ASCII, so this slice is text.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("");
        match parse_number(text) {
            Some(n) if n.is_finite() => Ok(Json::Number(n)),
            _ => Err(JsonError {
                what: "number out of range",
                offset: start,
            }),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("expected four hex digits")),
            };
            value = value * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(value)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(escape) = self.peek() else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    let mut buffer = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                0..=0x1f => {
                    self.pos -= 1;
                    return Err(self.error("control character in a string"));
                }
                _ => out.push(byte),
            }
        }
        // The whole input was checked to be UTF-8 and escapes add only whole characters.
        String::from_utf8(out).map_err(|_| self.error("not UTF-8"))
    }

    /// After `\u`: one character, from a pair of escapes when it lies beyond the BMP.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone leading surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("invalid trailing surrogate"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }
}

/// A number that matched JSON's grammar, correctly rounded. In the page, the browser's own
/// `parseFloat` does it: core's parser brings about 14 KB of tables and code into the wasm.
#[cfg(not(target_arch = "wasm32"))]
fn parse_number(text: &str) -> Option<f64> {
    text.parse().ok()
}

#[cfg(target_arch = "wasm32")]
fn parse_number(text: &str) -> Option<f64> {
    Some(js_sys::parse_float(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How many representable doubles lie between `a` and `b` (of the same sign).
    fn units_apart(a: f64, b: f64) -> u64 {
        a.abs().to_bits().abs_diff(b.abs().to_bits())
    }

    #[test]
    fn subnormal_numbers_compare_by_units_in_the_last_place() {
        // A case proptest found: serde_json reads this one unit off the exact value.
        let text = r#"{" ":-1.72829820211115e-309}"#;
        let ours = Json::parse(text.as_bytes()).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(same(&ours, &theirs));
        assert_eq!(
            ours.get(" ").and_then(Json::as_f64),
            Some(-1.72829820211115e-309)
        );
        assert_eq!(units_apart(1.0, 1.0 + f64::EPSILON), 1);
        assert!(units_apart(1.0, 1.0 + 1e-12) > 4);
    }

    fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (ours, theirs) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            // serde_json's default float reading may be a unit or so in the last place off the
            // correctly rounded value that core's parser (ours) gives. Counted in units of the
            // last place rather than relatively: subnormal numbers (below 2.2e-308) carry fewer
            // digits, so one unit there is a large relative difference.
            (Json::Number(a), Value::Number(b)) => b.as_f64().is_some_and(|b| {
                *a == b || (a.is_sign_negative() == b.is_sign_negative() && units_apart(*a, b) <= 4)
            }),
            (Json::String(a), Value::String(b)) => a == b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            (Json::Object(_), Value::Object(b)) => {
                // serde_json keeps the last of duplicate names, as `get` does.
                let Json::Object(members) = ours else {
                    return false;
                };
                let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                names.len() == b.len()
                    && b.iter()
                        .all(|(k, v)| ours.get(k).is_some_and(|mine| same(mine, v)))
            }
            _ => false,
        }
    }

    fn value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Valid JSON with one small edit: where two parsers that differ will disagree.
    fn nearly_json() -> impl Strategy<Value = String> {
        let edit = prop_oneof![
            Just(""),
            Just("0"),
            Just("1"),
            Just("-"),
            Just("."),
            Just("e"),
            Just("+"),
            Just("\""),
            Just("\\"),
            Just("\\u"),
            Just("\\ud83d"),
            Just("\\udc00"),
            Just("\u{1}"),
            Just("\n"),
            Just(","),
            Just(":"),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just("n"),
            Just("1e400"),
            Just(" "),
        ];
        (value(), any::<prop::sample::Index>(), 0..3usize, edit).prop_map(
            |(v, at, remove, insert)| {
                let text = serde_json::to_string(&v).unwrap();
                let chars: Vec<char> = text.chars().collect();
                let at = at.index(chars.len() + 1);
                let end = (at + remove).min(chars.len());
                let mut out: String = chars[..at].iter().collect();
                out.push_str(insert);
                out.extend(&chars[end..]);
                out
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn reads_back_whatever_serde_json_writes(v in value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            let ours = Json::parse(text.as_bytes()).unwrap();
            prop_assert!(same(&ours, &v), "{text}");
        }

        #[test]
        fn accepts_and_refuses_what_serde_json_does(text in nearly_json()) {
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            let ours = Json::parse(text.as_bytes());
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => prop_assert!(same(a, b), "{text}"),
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "{text:?}: ours {ours:?}, serde_json {theirs:?}"),
            }
        }

        #[test]
        fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = Json::parse(&bytes);
        }

        #[test]
        fn writes_strings_exactly_as_serde_json(text in any::<String>()) {
            let mut ours = String::new();
            write_string(&mut ours, &text);
            prop_assert_eq!(&ours, &serde_json::to_string(&text).unwrap());
        }
    }

    #[test]
    fn errors_name_what_and_where() {
        let error = Json::parse(br#"{"key": tru}"#).unwrap_err();
        assert_eq!(error.to_string(), "expected a value at byte 8");
        let error = Json::parse(b"<html>not json</html>").unwrap_err();
        assert_eq!(error.to_string(), "expected a value at byte 0");
        let error = Json::parse(br#"{"a":1} x"#).unwrap_err();
        assert_eq!(error.to_string(), "trailing characters at byte 8");
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            Json::parse(deep.as_bytes()).unwrap_err().to_string(),
            format!("nested too deeply at byte {MAX_DEPTH}")
        );
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Json::parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn reads_what_openrouter_sends() {
        let answer = Json::parse(
            br#"{"data":{"label":"sk-or-v1-abc...","usage":0.5,"limit":null,"is_free_tier":true}}"#,
        )
        .unwrap();
        let data = answer.get("data").unwrap();
        assert_eq!(
            data.get("label").and_then(Json::as_str),
            Some("sk-or-v1-abc...")
        );
        assert_eq!(data.get("usage").and_then(Json::as_f64), Some(0.5));
        assert_eq!(data.get("limit"), Some(&Json::Null));
        assert_eq!(data.get("is_free_tier").and_then(Json::as_bool), Some(true));
        let emoji = Json::parse(br#""\ud83d\ude00 \u00e9""#).unwrap();
        assert_eq!(emoji.as_str(), Some("😀 é"));
    }
}
