//! A browser for the tests of the fullstack servers over plain HTTP: follows nothing by itself,
//! keeps cookies by name and path (Max-Age=0 removes), sends them back by path, and records every
//! answer it received. It panics on what a test should not meet (a request that fails to send,
//! a malformed `Set-Cookie`), which fails the test that met it.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// A cookie as the browser keeps it.
#[derive(Debug, Clone)]
pub struct Cookie {
    /// Its name.
    pub name: String,
    /// Its value, as the server set it.
    pub value: String,
    /// The path it is sent to (and below).
    pub path: String,
    /// Set with `HttpOnly`.
    pub http_only: bool,
    /// Set with `SameSite=Lax`.
    pub same_site_lax: bool,
}

/// One answer as the browser received it.
pub struct Sent {
    /// The status code.
    pub status: u16,
    /// Every header, lower-case name first.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Sent {
    /// The `Location` header, or empty.
    pub fn location(&self) -> String {
        self.headers
            .iter()
            .find(|(name, _)| name == LOCATION.as_str())
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }
}

/// The browser: its cookies and every answer it received.
pub struct Browser {
    http: reqwest::Client,
    cookies: Vec<Cookie>,
    /// Every answer, in order.
    pub history: Vec<Sent>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with no cookies.
    pub fn new() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
            history: Vec::new(),
        }
    }

    /// The cookie `name`, if the browser has it.
    pub fn cookie(&self, name: &str) -> Option<Cookie> {
        self.cookies.iter().find(|c| c.name == name).cloned()
    }

    /// Sets a cookie as another page of the site could (a sibling subdomain's `Domain=` cookie,
    /// say): the browser sends it along with its own.
    pub fn plant(&mut self, name: &str, value: &str, path: &str) {
        self.cookies.push(Cookie {
            name: name.into(),
            value: value.into(),
            path: path.into(),
            http_only: false,
            same_site_lax: false,
        });
    }

    /// Flips one character in the middle of a cookie's value.
    pub fn alter_cookie(&mut self, name: &str) {
        let cookie = self.cookies.iter_mut().find(|c| c.name == name).unwrap();
        let middle = cookie.value.len() / 2;
        let flipped = if &cookie.value[middle..=middle] == "A" {
            "B"
        } else {
            "A"
        };
        cookie.value.replace_range(middle..=middle, flipped);
    }

    fn cookie_header(&self, url: &str) -> String {
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        self.cookies
            .iter()
            .filter(|c| path.starts_with(&c.path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for line in response.headers().get_all(SET_COOKIE) {
            let line = line.to_str().unwrap();
            let mut parts = line.split(';').map(str::trim);
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            let mut cookie = Cookie {
                name: name.into(),
                value: value.into(),
                path: "/".into(),
                http_only: false,
                same_site_lax: false,
            };
            let mut removed = false;
            for attribute in parts {
                match attribute.split_once('=') {
                    Some(("Path", path)) => cookie.path = path.into(),
                    Some(("Max-Age", "0")) => removed = true,
                    Some(("SameSite", "Lax")) => cookie.same_site_lax = true,
                    None if attribute == "HttpOnly" => cookie.http_only = true,
                    _ => {}
                }
            }
            self.cookies
                .retain(|c| !(c.name == cookie.name && c.path == cookie.path));
            if !removed {
                self.cookies.push(cookie);
            }
        }
    }

    async fn record(&mut self, response: reqwest::Response) -> &Sent {
        self.keep(&response);
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.text().await.unwrap();
        self.history.push(Sent {
            status,
            headers,
            body,
        });
        self.history.last().unwrap()
    }

    /// A GET with the browser's cookies.
    pub async fn get(&mut self, url: &str) -> Sent {
        let response = self
            .http
            .get(url)
            .header(COOKIE, self.cookie_header(url))
            .send()
            .await
            .unwrap();
        let sent = self.record(response).await;
        Sent {
            status: sent.status,
            headers: sent.headers.clone(),
            body: sent.body.clone(),
        }
    }

    fn post_request(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(url)
            .header(COOKIE, self.cookie_header(url))
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
    }

    /// A POST of `body` with `headers` and the browser's cookies.
    pub async fn post(&mut self, url: &str, headers: &[(&str, &str)], body: &str) -> Sent {
        let response = self.post_request(url, headers, body).send().await.unwrap();
        let sent = self.record(response).await;
        Sent {
            status: sent.status,
            headers: sent.headers.clone(),
            body: sent.body.clone(),
        }
    }

    /// A POST whose answer is read piece by piece by the caller.
    pub async fn post_streaming(
        &mut self,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> reqwest::Response {
        let response = self.post_request(url, headers, body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response
    }

    /// `GET /auth/start`; returns where the server sends the browser (OpenRouter).
    pub async fn start(&mut self, origin: &str, return_to: &str) -> String {
        let to =
            percent_encoding::utf8_percent_encode(return_to, percent_encoding::NON_ALPHANUMERIC);
        let answer = self
            .get(&format!("{origin}/auth/start?return_to={to}"))
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        answer.location()
    }

    /// At OpenRouter (the mock, approving or denying by itself): returns the way back.
    pub async fn follow_at_openrouter(&mut self, url: &str) -> String {
        let answer = self.get(url).await;
        assert!(
            (300..400).contains(&answer.status),
            "the mock answered {}",
            answer.status
        );
        answer.location()
    }

    /// A whole sign-in; returns where the browser lands.
    pub async fn sign_in(&mut self, origin: &str, return_to: &str) -> String {
        let to_openrouter = self.start(origin, return_to).await;
        let back = self.follow_at_openrouter(&to_openrouter).await;
        assert!(
            back.starts_with(&format!("{origin}/auth/callback?")),
            "{back}"
        );
        let landed = self.get(&back).await;
        assert_eq!(landed.status, 303);
        landed.location()
    }
}
