//! The authorize URL builder and the callback parser, on good and hostile input.

use openrouter_signin::auth::{
    authorize_url, headless_authorize_url, parse_callback, AuthorizeError, CallbackError,
    CallbackParams, CallbackUrl, State, Verifier, MAX_PARAM_LEN,
};
use openrouter_signin::testing::strip_callback_params;
use openrouter_signin::BaseUrl;

fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .unwrap()
                .into_owned();
            (k.to_owned(), decoded)
        })
        .collect()
}

#[tokio::test]
async fn authorize_url_carries_every_parameter_encoded() {
    let base = BaseUrl::parse("https://openrouter.ai/").unwrap();
    let callback = CallbackUrl::parse("http://localhost:8080/app?tab=a b&x=1").unwrap_err();
    assert_eq!(callback, AuthorizeError::ControlCharacters);
    let callback = CallbackUrl::parse("http://localhost:8080/app?tab=1&x=é").unwrap();
    let verifier = Verifier::generate().unwrap();
    let challenge = verifier.challenge().await.unwrap();
    let state = State::generate().unwrap();
    let url = authorize_url(&base, &callback, None, &challenge, &state).unwrap();
    assert!(url.starts_with("https://openrouter.ai/auth?"), "{url}");
    let pairs = query_pairs(&url);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "callback_url",
            "code_challenge",
            "code_challenge_method",
            "state"
        ]
    );
    assert_eq!(pairs[0].1, "http://localhost:8080/app?tab=1&x=é");
    assert_eq!(pairs[1].1, challenge.as_str());
    assert_eq!(pairs[2].1, "S256");
    assert_eq!(pairs[3].1, state.expose_secret());
    // The callback's own `&` and `?` must not leak into the outer query.
    assert_eq!(url.matches('&').count(), 3);
    assert!(!url.contains(verifier.expose_secret()));
}

#[tokio::test]
async fn a_callback_url_carries_the_key_label_when_given_and_refuses_a_bad_one() {
    let base = BaseUrl::default();
    let callback = CallbackUrl::parse("https://app.example.com/cb").unwrap();
    let verifier = Verifier::generate().unwrap();
    let challenge = verifier.challenge().await.unwrap();
    let state = State::generate().unwrap();
    let url = authorize_url(&base, &callback, Some("Chat & co"), &challenge, &state).unwrap();
    let pairs = query_pairs(&url);
    assert!(pairs.contains(&("callback_url".into(), "https://app.example.com/cb".into())));
    assert!(pairs.contains(&("key_label".into(), "Chat & co".into())));
    for bad in ["", "two\nlines", &"x".repeat(101)] {
        assert_eq!(
            authorize_url(&base, &callback, Some(bad), &challenge, &state),
            Err(AuthorizeError::BadKeyLabel),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn headless_url_has_a_label_and_no_callback() {
    let base = BaseUrl::default();
    let verifier = Verifier::generate().unwrap();
    let challenge = verifier.challenge().await.unwrap();
    let state = State::generate().unwrap();
    let url = headless_authorize_url(&base, "My app & co", &challenge, &state).unwrap();
    let pairs = query_pairs(&url);
    assert!(pairs.iter().all(|(k, _)| k != "callback_url"));
    assert!(pairs.contains(&("key_label".into(), "My app & co".into())));
    assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
    for bad in ["", "   ", "tab\tlabel", &"x".repeat(101)] {
        assert_eq!(
            headless_authorize_url(&base, bad, &challenge, &state),
            Err(AuthorizeError::BadKeyLabel),
            "{bad:?}"
        );
    }
}

#[test]
fn callback_urls_follow_openrouters_rules() {
    for ok in [
        "https://example.com/",
        "https://example.com:8443/cb?x=1",
        "http://localhost/",
        "http://localhost:3000/callback",
        "http://LOCALHOST:3000",
        "http://127.0.0.1:54321/0a1b2c",
        "HTTPS://Example.com/",
    ] {
        assert!(CallbackUrl::parse(ok).is_ok(), "{ok} should be accepted");
    }
    let cases: [(&str, AuthorizeError); 12] = [
        ("", AuthorizeError::EmptyCallback),
        (
            "example.com/cb",
            AuthorizeError::NotAbsolute("example.com/cb".into()),
        ),
        (
            "http://example.com/",
            AuthorizeError::InsecureHost("example.com".into()),
        ),
        (
            "http://127.0.0.2:80/",
            AuthorizeError::InsecureHost("127.0.0.2".into()),
        ),
        (
            "http://localhost.evil.com/",
            AuthorizeError::InsecureHost("localhost.evil.com".into()),
        ),
        ("http://localhost@evil.com/", AuthorizeError::UserInfo),
        ("https://user:pw@example.com/", AuthorizeError::UserInfo),
        (
            "javascript://alert(1)",
            AuthorizeError::BadScheme("javascript".into()),
        ),
        (
            "ftp://example.com/",
            AuthorizeError::BadScheme("ftp".into()),
        ),
        ("https:///path", AuthorizeError::NoHost),
        ("https://example.com/#frag", AuthorizeError::Fragment),
        ("https://example.com/\n", AuthorizeError::ControlCharacters),
    ];
    for (input, expected) in cases {
        assert_eq!(CallbackUrl::parse(input), Err(expected), "{input:?}");
    }
    let long = format!("https://example.com/{}", "a".repeat(3000));
    assert!(matches!(
        CallbackUrl::parse(&long),
        Err(AuthorizeError::CallbackTooLong(_))
    ));
    // The message names what was wrong.
    let message = CallbackUrl::parse("http://example.com/")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("example.com") && message.contains("https"),
        "{message}"
    );
}

fn code_of(input: &str) -> (String, Option<String>) {
    match parse_callback(input) {
        Ok(CallbackParams::Code { code, state }) => (code.expose_secret().to_owned(), state),
        other => panic!("{input:?} gave {other:?}"),
    }
}

#[test]
fn good_returns_are_read_in_every_shape() {
    assert_eq!(
        code_of("https://app.example/cb?code=abc&state=xyz"),
        ("abc".into(), Some("xyz".into()))
    );
    assert_eq!(
        code_of("?state=xyz&code=abc"),
        ("abc".into(), Some("xyz".into()))
    );
    assert_eq!(code_of("code=abc"), ("abc".into(), None));
    // Other parameters, a fragment, percent-encoding and '+' are all tolerated.
    assert_eq!(
        code_of("http://localhost:8080/?utm=1&code=a%2Fb%3D&state=s%20t#/route?code=zzz"),
        ("a/b=".into(), Some("s t".into()))
    );
    assert_eq!(
        code_of("/cb?flag&code=abc&x=&state=%E2%9C%93"),
        ("abc".into(), Some("✓".into()))
    );
    assert_eq!(
        parse_callback("https://app.example/"),
        Ok(CallbackParams::Absent)
    );
    assert_eq!(
        parse_callback("https://app.example/?page=2#code=1"),
        Ok(CallbackParams::Absent)
    );
    assert_eq!(
        parse_callback("?error=access_denied&error_description=The+user+said+no"),
        Ok(CallbackParams::Error {
            error: "access_denied".into(),
            description: Some("The user said no".into()),
            state: None
        })
    );
}

#[test]
fn bad_returns_give_an_error_that_names_the_parameter() {
    let huge = "a".repeat(100 * 1024);
    let cases: Vec<(String, CallbackError)> = vec![
        ("?code=&state=s".into(), CallbackError::Empty("code")),
        (
            "?code=a&code=b&state=s".into(),
            CallbackError::Repeated("code"),
        ),
        (
            "?code=a&state=s&state=t".into(),
            CallbackError::Repeated("state"),
        ),
        ("?error=a&error=b".into(), CallbackError::Repeated("error")),
        (
            format!("?code={huge}&state=s"),
            CallbackError::TooLong {
                param: "code",
                len: huge.len(),
            },
        ),
        (
            format!(
                "?code=a&state={}{}",
                "%41".repeat(1000),
                "A".repeat(MAX_PARAM_LEN + 1 - 1000)
            ),
            CallbackError::TooLong {
                param: "state",
                len: MAX_PARAM_LEN + 1,
            },
        ),
        (
            "?code=a%zz&state=s".into(),
            CallbackError::BadEncoding("code"),
        ),
        (
            "?code=abc%4&state=s".into(),
            CallbackError::BadEncoding("code"),
        ),
        (
            "?code=abc%&state=s".into(),
            CallbackError::BadEncoding("code"),
        ),
        (
            "?code=a&state=%ff%fe".into(),
            CallbackError::NotUtf8("state"),
        ),
        (
            "?code=a%20b&state=s".into(),
            CallbackError::BadCharacters("code"),
        ),
        (
            "?code=a%0Ab&state=s".into(),
            CallbackError::BadCharacters("code"),
        ),
        (
            "?code=a&error=access_denied".into(),
            CallbackError::CodeAndError,
        ),
        ("?state=only".into(), CallbackError::StateOnly),
        ("?error=&state=s".into(), CallbackError::Empty("error")),
        (
            "?error_description=%GG&error=x".into(),
            CallbackError::BadEncoding("error_description"),
        ),
        (
            format!("?x={}", "a".repeat(300 * 1024)),
            CallbackError::QueryTooLong(300 * 1024 + 2),
        ),
    ];
    assert!(cases.len() >= 15);
    for (input, expected) in cases {
        let got = parse_callback(&input);
        assert_eq!(
            got,
            Err(expected.clone()),
            "input {:?}",
            &input[..input.len().min(60)]
        );
        let message = expected.to_string();
        let names_param = ["code", "state", "error", "bytes long", "both", "neither"]
            .iter()
            .any(|w| message.contains(w));
        assert!(names_param, "{message}");
    }
}

#[test]
fn hostile_input_never_panics() {
    let mut inputs: Vec<String> = vec![
        "".into(),
        "?".into(),
        "&&&".into(),
        "=".into(),
        "%".into(),
        "#?code=1".into(),
    ];
    for i in 0..=255u8 {
        inputs.push(format!("?code={}&state=%{:02x}", char::from(i), i));
        inputs.push(format!("?code=%{}", char::from(i)));
    }
    inputs.push("?code=\u{0}&state=\u{feff}".into());
    for input in inputs {
        let _ = parse_callback(&input);
        let _ = strip_callback_params(&input);
    }
}

#[test]
fn cleaning_removes_only_our_parameters() {
    assert_eq!(
        strip_callback_params("http://localhost:8080/app?tab=2&code=abc&state=s&x=1#section"),
        "http://localhost:8080/app?tab=2&x=1#section"
    );
    assert_eq!(
        strip_callback_params("http://h/p?code=a&state=b"),
        "http://h/p"
    );
    assert_eq!(
        strip_callback_params("http://h/p?error=access_denied&error_description=no&keep=1"),
        "http://h/p?keep=1"
    );
    assert_eq!(
        strip_callback_params("http://h/p?codes=1&mystate=2"),
        "http://h/p?codes=1&mystate=2"
    );
}

#[test]
fn cleaning_reads_a_bare_query_as_parsing_does() {
    // Found by the callback fuzz target: a bare query was taken for a path and kept whole.
    assert_eq!(strip_callback_params("a=1&error=x&b=2#f"), "a=1&b=2#f");
    assert_eq!(strip_callback_params("code=c&state=s"), "");
    assert_eq!(strip_callback_params("?code=c&keep"), "?keep");
    assert_eq!(strip_callback_params("/path"), "/path");
    // Text before a `?` stays a path: cleaning it again changes nothing.
    assert_eq!(strip_callback_params("a&?code=1#f"), "a&?#f");
    assert_eq!(strip_callback_params("a&?#f"), "a&?#f");
    assert_eq!(
        parse_callback(&strip_callback_params(
            "ht.1.:8[cess_dmn\u{18}ed&error=ors_x"
        )),
        Ok(CallbackParams::Absent)
    );
}
