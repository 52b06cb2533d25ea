//! Callback URL policy and redirect construction.
//!
//! Hand-written rather than pulled from the `url` crate: the policy is tiny, and
//! being strict (ASCII only, no userinfo, no backslashes) sidesteps the parser
//! differentials that make open-redirect checks leak.

/// Longest callback URL accepted; real ones are short and the value ends up in a header.
const MAX_CALLBACK_LEN: usize = 2048;

/// A callback URL that passed the policy.
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    /// The URL exactly as the client sent it.
    pub url: String,
    /// `host[:port]`, shown on the consent page.
    pub host: String,
}

/// Checks `raw` against OpenRouter's policy: https anywhere, http only on
/// `localhost` / `127.0.0.1`, never credentials in the authority.
pub(crate) fn parse_callback(raw: &str) -> Result<Callback, &'static str> {
    if raw.is_empty() || raw.len() > MAX_CALLBACK_LEN {
        return Err("callback_url is empty or too long.");
    }
    // Browsers treat `\` like `/` in http(s) URLs, so `https://a\@b` would be read
    // differently by them and by this check; refuse it outright.
    if !raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
        return Err("callback_url contains characters that are not allowed.");
    }
    let (secure, rest) = split_scheme(raw)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err("callback_url must not contain user information.");
    }
    let host = parse_authority(authority)?;
    if !secure && !is_loopback_name(host) {
        return Err("callback_url must use https, or http on localhost or 127.0.0.1.");
    }
    Ok(Callback {
        url: raw.to_owned(),
        host: authority.to_owned(),
    })
}

/// Splits off the scheme; returns whether it is https and the text after `://`.
fn split_scheme(raw: &str) -> Result<(bool, &str), &'static str> {
    for (scheme, secure) in [("https://", true), ("http://", false)] {
        let matches = raw
            .get(..scheme.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme));
        if matches {
            return Ok((secure, &raw[scheme.len()..]));
        }
    }
    Err("callback_url must use https, or http on localhost or 127.0.0.1.")
}

/// Validates `host[:port]` and returns the host part.
fn parse_authority(authority: &str) -> Result<&str, &'static str> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or("callback_url has a malformed host.")?;
        let after = &authority[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err("callback_url has a malformed host."),
        };
        (&authority[..=close], port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !is_valid_host(host) {
        return Err("callback_url has a malformed host.");
    }
    if let Some(port) = port {
        let digits_ok =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || port.parse::<u16>().is_err() {
            return Err("callback_url has a malformed port.");
        }
    }
    Ok(host)
}

fn is_valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && !host.starts_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1"
}

/// Appends form-encoded `params` to the query of `url`, keeping any `#fragment` last.
pub(crate) fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value)))
        .collect();
    let mut out = format!("{base}{separator}{}", query.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
pub(crate) fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_policy_urls() {
        for url in [
            "https://example.com/cb",
            "https://example.com:8443",
            "HTTPS://Example.COM/cb?x=1#f",
            "http://localhost:3000/callback",
            "http://127.0.0.1:49152/",
            "http://LOCALHOST",
            "https://[2001:db8::1]:443/cb",
        ] {
            assert!(parse_callback(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for url in [
            "",
            "http://evil.com/cb",
            "http://localhost@evil.com/",
            "https://user:pass@example.com/",
            "http://localhost.evil.com/",
            "http://127.0.0.1.evil.com/",
            "http://[::1]/",
            "http://localhost:99999/",
            "http://localhost:/",
            "http://localhost:80x/",
            "ftp://localhost/",
            "javascript:alert(1)",
            "//example.com/cb",
            "https:///path",
            "https://exa mple.com/",
            "https://example.com\\@evil.com/",
            "https://ex\u{e4}mple.com/",
            "http://localhost\t/",
        ] {
            assert!(parse_callback(url).is_err(), "{url:?}");
        }
    }

    #[test]
    fn host_is_authority() {
        let callback = parse_callback("http://localhost:3000/cb?x=1").expect("valid");
        assert_eq!(callback.host, "localhost:3000");
    }

    #[test]
    fn query_goes_before_fragment() {
        let params = [("code", "a b"), ("state", "x&y=z")];
        assert_eq!(
            with_query("https://e.com/cb", &params),
            "https://e.com/cb?code=a+b&state=x%26y%3Dz"
        );
        assert_eq!(
            with_query("https://e.com/cb?x=1#frag", &params),
            "https://e.com/cb?x=1&code=a+b&state=x%26y%3Dz#frag"
        );
        assert_eq!(
            with_query("https://e.com/cb?", &params[..1]),
            "https://e.com/cb?code=a+b"
        );
        assert_eq!(
            with_query("https://e.com/#", &params[..1]),
            "https://e.com/?code=a+b#"
        );
    }
}
