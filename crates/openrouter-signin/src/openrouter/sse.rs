//! An incremental Server-Sent Events parser (the WHATWG event-stream format), fed whatever
//! byte chunks the network delivers: an event, a line, even a UTF-8 character may be split
//! anywhere between two chunks.
//!
//! OpenRouter's streams use `data:` lines, `: OPENROUTER PROCESSING` comments to keep the
//! connection open, and a final `data: [DONE]`.

/// The longest line kept while waiting for its end; a longer one is dropped, so that a broken
/// or hostile stream cannot grow memory without bound.
pub const MAX_LINE: usize = 1024 * 1024;

/// What the stream said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseEvent {
    /// An event's data: its `data:` lines joined with `\n`.
    Data(String),
    /// A comment line (after the `:`), e.g. ` OPENROUTER PROCESSING`.
    Comment(String),
    /// `data: [DONE]`: the stream is complete.
    Done,
    /// A line longer than [`MAX_LINE`] was dropped.
    Overlong,
}

/// Turns chunks of bytes into [`SseEvent`]s.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    data: Option<String>,
    /// The last chunk ended in `\r`: a `\n` at the start of the next belongs to it.
    after_cr: bool,
    /// The current line went over [`MAX_LINE`] and is being skipped to its end.
    skipping: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk; returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        let mut rest = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(tail) = rest.strip_prefix(b"\n") {
                rest = tail;
            }
        }
        while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.push(&rest[..end], &mut events);
            self.end_line(&mut events);
            let crlf = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if crlf {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        self.push(rest, &mut events);
        events
    }

    /// The stream ended: an unfinished event is dropped, as the format requires.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        *self = Self::default();
        Vec::new()
    }

    fn push(&mut self, bytes: &[u8], events: &mut Vec<SseEvent>) {
        if self.skipping {
            return;
        }
        if self.line.len() + bytes.len() > MAX_LINE {
            self.line.clear();
            self.skipping = true;
            events.push(SseEvent::Overlong);
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        if std::mem::take(&mut self.skipping) {
            return;
        }
        let raw = std::mem::take(&mut self.line);
        // Invalid UTF-8 becomes U+FFFD, as the format says; what it meant is for the JSON to judge.
        let line = String::from_utf8_lossy(&raw);
        if line.is_empty() {
            if let Some(data) = self.data.take() {
                events.push(if data == "[DONE]" {
                    SseEvent::Done
                } else {
                    SseEvent::Data(data)
                });
            }
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            events.push(SseEvent::Comment(comment.to_owned()));
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        // `event`, `id` and `retry` carry nothing OpenRouter uses.
        if field == "data" {
            match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = ": OPENROUTER PROCESSING\r\n\r\ndata: {\"a\":\"héllo ✓ 🎉\"}\r\n\r\nevent: x\nid: 7\ndata: line one\ndata:line two\n\ndata: [DONE]\n\n";

    fn expected() -> Vec<SseEvent> {
        vec![
            SseEvent::Comment(" OPENROUTER PROCESSING".into()),
            SseEvent::Data("{\"a\":\"héllo ✓ 🎉\"}".into()),
            SseEvent::Data("line one\nline two".into()),
            SseEvent::Done,
        ]
    }

    #[test]
    fn whole_stream_in_one_chunk() {
        assert_eq!(SseParser::new().feed(STREAM.as_bytes()), expected());
    }

    #[test]
    fn split_at_every_byte_in_two_chunks() {
        let bytes = STREAM.as_bytes();
        for at in 0..=bytes.len() {
            let mut parser = SseParser::new();
            let mut events = parser.feed(&bytes[..at]);
            events.extend(parser.feed(&bytes[at..]));
            assert_eq!(events, expected(), "split at byte {at}");
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let mut parser = SseParser::new();
        let events: Vec<SseEvent> = STREAM
            .as_bytes()
            .iter()
            .flat_map(|b| parser.feed(&[*b]))
            .collect();
        assert_eq!(events, expected());
    }

    #[test]
    fn every_line_ending_is_understood() {
        for ending in ["\n", "\r\n", "\r"] {
            let text = format!("data: a{ending}{ending}data: b{ending}{ending}");
            let mut parser = SseParser::new();
            let events: Vec<SseEvent> = text
                .as_bytes()
                .iter()
                .flat_map(|b| parser.feed(&[*b]))
                .collect();
            assert_eq!(
                events,
                [SseEvent::Data("a".into()), SseEvent::Data("b".into())],
                "{ending:?}"
            );
        }
    }

    #[test]
    fn garbage_never_panics_and_invalid_utf8_is_replaced() {
        let mut parser = SseParser::new();
        let events = parser.feed(b"data: \xff\xfe ok\n\n\x00\x01garbage without colon\n\n:\n");
        assert_eq!(events[0], SseEvent::Data("\u{fffd}\u{fffd} ok".into()));
        let mut noise = SseParser::new();
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let len = (seed % 9) as usize;
            let chunk: Vec<u8> = (0..len)
                .map(|i| (seed.rotate_left(i as u32 * 3) & 0xff) as u8)
                .collect();
            let _ = noise.feed(&chunk);
        }
    }

    #[test]
    fn an_unfinished_event_is_dropped_and_an_overlong_line_is_skipped() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"data: half").is_empty());
        assert!(parser.finish().is_empty());
        let mut parser = SseParser::new();
        let long = vec![b'a'; MAX_LINE + 10];
        let mut events = parser.feed(b"data: ");
        events.extend(parser.feed(&long));
        events.extend(parser.feed(b"\n\ndata: next\n\n"));
        assert_eq!(events, [SseEvent::Overlong, SseEvent::Data("next".into())]);
    }
}
