//! Property tests over the parsers that read untrusted input: the callback parser and the SSE
//! parser never panic on anything, and read back exactly what a well-formed input carries. (The
//! loopback listener's request judge has its own in src/auth/loopback.rs.)

use openrouter_signin::auth::{parse_callback, CallbackParams};
use openrouter_signin::openrouter::{SseEvent, SseParser};
use openrouter_signin::testing::strip_callback_params;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// URL-ish text: mostly the characters a query is made of, so that the parser's paths are reached.
fn urlish() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r"(https?://[a-z.:0-9]{0,12}/)?\??([a-z_]{0,6}=?[A-Za-z0-9%+&#=._~-]{0,12}&?){0,8}",
    )
    .unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_callback_parser_never_panics(input in any::<String>(), urlish in urlish()) {
        let _ = parse_callback(&input);
        let _ = strip_callback_params(&input);
        let _ = parse_callback(&urlish);
        let cleaned = strip_callback_params(&urlish);
        // Cleaning leaves nothing of ours behind.
        prop_assert_eq!(parse_callback(&cleaned), Ok(CallbackParams::Absent), "{} -> {}", urlish, cleaned);
    }

    #[test]
    fn a_well_formed_return_reads_back_exactly(
        code in "[A-Za-z0-9_-]{1,64}",
        state in "[A-Za-z0-9_-]{1,64}",
        others in proptest::collection::vec(("[a-z]{1,5}", "[A-Za-z0-9]{0,8}"), 0..5),
        fragment in proptest::option::of("[a-z0-9=&?]{0,10}"),
    ) {
        let mut pairs: Vec<String> = others
            .iter()
            .filter(|(k, _)| !["code", "state", "error", "error_description"].contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.insert(pairs.len() / 2, format!("code={code}"));
        pairs.push(format!("state={state}"));
        let mut url = format!("https://app.example/cb?{}", pairs.join("&"));
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(&fragment);
        }
        match parse_callback(&url) {
            Ok(CallbackParams::Code { code: got, state: got_state }) => {
                prop_assert_eq!(got.expose_secret(), code.as_str());
                prop_assert_eq!(got_state.as_deref(), Some(state.as_str()));
            }
            other => prop_assert!(false, "{url} gave {other:?}"),
        }
    }

    #[test]
    fn the_sse_parser_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..32)) {
        let mut parser = SseParser::new();
        for chunk in &chunks {
            let _ = parser.feed(chunk);
        }
        let _ = parser.finish();
    }

    #[test]
    fn events_split_anywhere_read_back_the_same(
        datas in proptest::collection::vec("[^\r\n]{0,40}", 1..8),
        ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut stream = format!(": OPENROUTER PROCESSING{ending}{ending}");
        for data in &datas {
            stream.push_str(&format!("data: {data}{ending}{ending}"));
        }
        stream.push_str(&format!("data: [DONE]{ending}{ending}"));
        let bytes = stream.as_bytes();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        let mut from = 0;
        for at in points.into_iter().chain([bytes.len()]) {
            events.extend(parser.feed(&bytes[from..at]));
            from = at;
        }
        let mut expected = vec![SseEvent::Comment(" OPENROUTER PROCESSING".into())];
        // "data: " loses exactly the one space after the colon, so each data reads back whole.
        expected.extend(datas.iter().map(|d| if d == "[DONE]" { SseEvent::Done } else { SseEvent::Data(d.clone()) }));
        expected.push(SseEvent::Done);
        prop_assert_eq!(events, expected);
    }
}
