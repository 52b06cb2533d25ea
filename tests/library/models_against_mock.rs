//! What an app does next with a key, against the mock over HTTP: the models the key may use
//! against the public list, and what an answer cost.

use std::time::{Duration, Instant};

use crate::chat_against_mock::{hello, signed_in, signed_in_with};
use openrouter_mock::{generation_cost, PUBLIC_MODEL_IDS, USER_MODEL_IDS};
use openrouter_signin::ClientError;

#[tokio::test]
async fn the_key_gets_its_own_models_and_the_public_list_is_larger() {
    let (_mock, client, key) = signed_in().await;
    let mine = client.user_models(&key).await.unwrap();
    let ids: Vec<&str> = mine.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, USER_MODEL_IDS);
    let public = client.models().await.unwrap();
    let ids: Vec<&str> = public.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, PUBLIC_MODEL_IDS);
    assert!(public.len() > mine.len());

    let mini = mine.iter().find(|m| m.id == "openai/gpt-4o-mini").unwrap();
    assert!(mini.name.is_some() && mini.context_length.is_some());
    assert!(mini.pricing.prompt.is_some() && !mini.pricing.is_free());
    assert!(mini.supported_parameters.iter().any(|p| p == "temperature"));
    let free = mine.iter().find(|m| m.id.ends_with(":free")).unwrap();
    assert!(free.pricing.is_free());
    // The mock leaves fields out of some public models: they read as absent.
    assert!(public.iter().any(|m| m.context_length.is_none()));
    assert!(public.iter().any(|m| m.supported_parameters.is_empty()));
}

#[tokio::test]
async fn the_users_models_need_the_key() {
    let (_mock, client, _key) = signed_in().await;
    let stranger =
        openrouter_signin::ApiKey::parse(format!("sk-or-v1-{}", "0".repeat(64))).unwrap();
    let refused = client.user_models(&stranger).await.unwrap_err();
    assert_eq!(refused.status(), Some(401), "{refused}");
}

#[tokio::test]
async fn an_answer_s_cost_is_read_once_openrouter_has_it() {
    let (mock, client, key) = signed_in().await;
    let answer = client
        .chat(&key, &hello("what does this cost"))
        .await
        .unwrap();
    let id = mock
        .generation_ids()
        .pop()
        .expect("the mock recorded the answer");
    // OpenRouter knows an answer only a moment after it ends: two 404s first.
    mock.set_generation_lag(2);
    let started = Instant::now();
    let generation = client.generation(&key, &id).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "asked again after a pause"
    );
    assert_eq!(generation.id, id);
    assert_eq!(generation.model.as_deref(), Some("openai/gpt-4o-mini"));
    let (prompt, completion) = (
        generation.tokens_prompt.unwrap(),
        generation.tokens_completion.unwrap(),
    );
    assert_eq!(completion, answer.chars().count().div_ceil(4) as u64);
    let expected = generation_cost("openai/gpt-4o-mini", prompt as usize, completion as usize);
    let cost = generation.total_cost.unwrap();
    assert!(
        cost > 0.0 && (cost - expected).abs() < 1e-12,
        "{cost} {expected}"
    );
}

#[tokio::test]
async fn an_unknown_generation_is_a_404_after_the_retries() {
    let (_mock, client, key) = signed_in().await;
    let started = Instant::now();
    let missing = client.generation(&key, "gen-nope&x=1").await.unwrap_err();
    assert!(
        matches!(missing, ClientError::Api { status: 404, .. }),
        "{missing}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(2400),
        "{:?}",
        started.elapsed()
    );
}

/// A credit limit the app asks for at sign-in reaches OpenRouter's `/auth`, and the key's status
/// then reports it and what remains of it.
#[tokio::test]
async fn a_credit_limit_asked_for_at_sign_in_is_the_keys_limit() {
    use openrouter_signin::auth::CreditLimit;

    // The authorize URL carries `&limit=5.00` (checked by the helper).
    let (_mock, client, key) = signed_in_with(Some(CreditLimit::dollars(5.0).unwrap())).await;
    let info = client.key_info(&key).await.unwrap();
    assert_eq!((info.limit, info.limit_remaining), (Some(5.0), Some(5.0)));
    client.chat(&key, &hello("spend a little")).await.unwrap();
    let info = client.key_info(&key).await.unwrap();
    let remaining = info.limit_remaining.unwrap();
    assert!(remaining < 5.0 && remaining > 4.0, "{remaining}");
    assert!(info.usage > 0.0);
}

/// The chat's options reach OpenRouter, and a streamed answer names its generation, whose cost
/// can then be read.
#[tokio::test]
async fn a_streamed_answer_names_its_generation_and_options_reach_openrouter() {
    use openrouter_signin::openrouter::{ChatMessage, ChatRequest};
    let (mock, client, key) = signed_in().await;
    let request = ChatRequest::new("openai/gpt-4o-mini", vec![ChatMessage::user("options")])
        .temperature(0.7)
        .top_p(0.9)
        .max_tokens(3);
    let mut text = String::new();
    let streamed = client
        .chat_stream(&key, &request, |piece| text.push_str(piece))
        .await
        .unwrap();
    // Three tokens of four characters: the mock stops where max_tokens says.
    assert_eq!(text, "Echo from op");
    let id = streamed.generation_id.expect("the events carry the id");
    assert_eq!(Some(&id), mock.generation_ids().last());
    let generation = client.generation(&key, &id).await.unwrap();
    assert_eq!(generation.tokens_completion, Some(3));
    // An option out of OpenRouter's range is refused there, and said so.
    let refused = client
        .chat_stream(&key, &request.clone().temperature(3.5), |_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
}
