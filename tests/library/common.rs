//! Shared by the integration tests that sign in against the mock over HTTP.

/// Plays the browser: opens the authorize URL and returns where the mock sends it back.
pub async fn visit(url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url).send().await.unwrap();
    assert!(
        response.status().is_redirection(),
        "the mock answered {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}
