//! The models and the cost of an answer through the server, which holds the key: the same
//! answers the library's client reads from OpenRouter itself.

use crate::{mock, secret, serve, SECRET_A};
use openrouter_mock::USER_MODEL_IDS;
use page_driver::cookie_browser::Browser;

#[tokio::test]
async fn the_page_gets_the_keys_models_and_an_answers_cost_through_the_server() {
    let mock = mock().await;
    let origin = serve(&mock, secret(&SECRET_A), None).await;
    let api = format!("{origin}/api/openrouter-signin/api/v1");
    let mut browser = Browser::new();
    let signed_out = browser.get(&format!("{api}/models/user")).await;
    assert_eq!(signed_out.status, 401);
    browser.sign_in(&origin, "/").await;

    let models = browser.get(&format!("{api}/models/user")).await;
    assert_eq!(models.status, 200, "{}", models.body);
    let models: serde_json::Value = serde_json::from_str(&models.body).unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, USER_MODEL_IDS);
    assert!(models["data"][0]["pricing"]["prompt"].is_string());

    let own = [("origin", origin.as_str()), ("x-openrouter-signin", "1")];
    let body = r#"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"cost?"}],
        "temperature":0.5,"top_p":1,"max_tokens":4,"tools":[{"type":"function"}]}"#;
    let answer = browser
        .post(&format!("{api}/chat/completions"), &own, body)
        .await;
    assert_eq!(answer.status, 200);
    let id = mock.generation_ids().pop().unwrap();
    // The options passed (max_tokens cut the answer), and the last event names the generation.
    assert!(
        answer.body.contains(r#"{"content":"Echo fro"#),
        "{}",
        answer.body
    );
    assert!(
        answer.body.ends_with(&format!(
            "data: {{\"id\":\"{id}\",\"choices\":[]}}\n\ndata: [DONE]\n\n"
        )),
        "{}",
        answer.body
    );
    for bad in [
        r#""temperature":2.5"#,
        r#""temperature":"hot""#,
        r#""top_p":-0.1"#,
        r#""max_tokens":0"#,
        r#""max_tokens":1.5"#,
    ] {
        let body = format!(r#"{{"model":"m","messages":[{{"role":"user","content":"x"}}],{bad}}}"#);
        let refused = browser
            .post(&format!("{api}/chat/completions"), &own, &body)
            .await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
    let generation = browser.get(&format!("{api}/generation?id={id}")).await;
    assert_eq!(generation.status, 200, "{}", generation.body);
    let generation: serde_json::Value = serde_json::from_str(&generation.body).unwrap();
    assert_eq!(generation["data"]["id"], id.as_str());
    assert_eq!(generation["data"]["model"], "openai/gpt-4o-mini");
    assert!(generation["data"]["total_cost"].as_f64().unwrap() > 0.0);

    for bad in ["", "?id=", "?id=a&id=b"] {
        let refused = browser.get(&format!("{api}/generation{bad}")).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_apps_credit_limit_reaches_the_key_through_the_server() {
    use openrouter_signin::auth::CreditLimit;
    use openrouter_signin::server::SignInServer;
    use openrouter_signin::{BaseUrl, OpenRouterConfig};
    let mock = mock().await;
    let config = OpenRouterConfig::new("server-tests")
        .base_url(BaseUrl::parse(&mock.base_url()).unwrap())
        .credit_limit(CreditLimit::dollars(2.5).unwrap());
    let server = SignInServer::new(&config, secret(&SECRET_A)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server.router::<()>()).await });
    let mut browser = Browser::new();
    let to_openrouter = browser.start(&origin, "/").await;
    assert!(to_openrouter.ends_with("&limit=2.50"), "{to_openrouter}");
    let back = browser.follow_at_openrouter(&to_openrouter).await;
    assert_eq!(browser.get(&back).await.location(), "/?signed_in=1");
    let status = browser
        .get(&format!("{origin}/api/openrouter-signin/api/v1/key"))
        .await;
    let status: serde_json::Value = serde_json::from_str(&status.body).unwrap();
    assert_eq!(status["data"]["limit"], 2.5);
    assert_eq!(status["data"]["limit_remaining"], 2.5);
}
