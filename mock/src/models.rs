//! `GET /api/v1/models` (the public model list) and `GET /api/v1/models/user` (the models a key
//! may use), with the prices that make a generation's cost.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::error::json_error;
use crate::params::bearer;
use crate::state::Shared;

/// The ids of every model of `GET /api/v1/models`, in the order the list gives them.
///
/// The list is varied on purpose: `meta-llama/llama-3.3-70b-instruct:free` costs nothing,
/// `mistralai/mistral-nemo` has a null `context_length` and no `description`,
/// `deepseek/deepseek-chat-v3-0324` has no `supported_parameters`, and the name of
/// `z-ai/glm-4-32b` is not ASCII.
pub const PUBLIC_MODEL_IDS: &[&str] = &[
    "openai/gpt-4o-mini",
    "anthropic/claude-3.5-haiku",
    "meta-llama/llama-3.3-70b-instruct:free",
    "google/gemini-2.0-flash-001",
    "mistralai/mistral-nemo",
    "deepseek/deepseek-chat-v3-0324",
    "z-ai/glm-4-32b",
    "x-ai/grok-3-mini",
];

/// The ids of the models of `GET /api/v1/models/user`: the ones every issued key may use, a
/// strict subset of [`PUBLIC_MODEL_IDS`] in the same order. A user interface that offers the
/// user's models lists exactly these, and none of the others of [`PUBLIC_MODEL_IDS`].
pub const USER_MODEL_IDS: &[&str] = &[
    "openai/gpt-4o-mini",
    "meta-llama/llama-3.3-70b-instruct:free",
    "z-ai/glm-4-32b",
];

/// Prices in US dollars per token (per request, image or search for the three of those), as
/// the decimal strings OpenRouter sends.
struct Pricing {
    prompt: &'static str,
    completion: &'static str,
    request: &'static str,
    image: &'static str,
    web_search: &'static str,
    internal_reasoning: &'static str,
}

/// Prices of a model that costs nothing.
const FREE: Pricing = Pricing {
    prompt: "0",
    completion: "0",
    request: "0",
    image: "0",
    web_search: "0",
    internal_reasoning: "0",
};

/// One entry of the list.
struct Model {
    id: &'static str,
    canonical_slug: &'static str,
    name: &'static str,
    /// Unix seconds.
    created: u64,
    description: Option<&'static str>,
    context_length: Option<u64>,
    input_modalities: &'static [&'static str],
    output_modalities: &'static [&'static str],
    tokenizer: &'static str,
    instruct_type: Option<&'static str>,
    pricing: Pricing,
    max_completion_tokens: Option<u64>,
    is_moderated: bool,
    supported_parameters: Option<&'static [&'static str]>,
}

const COMMON_PARAMETERS: &[&str] = &["temperature", "max_tokens", "top_p", "stop"];

const TOOL_PARAMETERS: &[&str] = &[
    "temperature",
    "max_tokens",
    "top_p",
    "stop",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
    "structured_outputs",
];

const REASONING_PARAMETERS: &[&str] = &[
    "temperature",
    "max_tokens",
    "top_p",
    "stop",
    "reasoning",
    "include_reasoning",
];

const TEXT: &[&str] = &["text"];
const TEXT_IMAGE: &[&str] = &["text", "image"];
const TEXT_IMAGE_FILE: &[&str] = &["text", "image", "file"];

/// The catalog, in the order of [`PUBLIC_MODEL_IDS`].
const MODELS: &[Model] = &[
    Model {
        id: "openai/gpt-4o-mini",
        canonical_slug: "openai/gpt-4o-mini-2024-07-18",
        name: "OpenAI: GPT-4o-mini",
        created: 1_721_260_800,
        description: Some(
            "GPT-4o mini is OpenAI's small, affordable model: it takes text and image inputs \
             and answers with text.",
        ),
        context_length: Some(128_000),
        input_modalities: TEXT_IMAGE_FILE,
        output_modalities: TEXT,
        tokenizer: "GPT",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.00000015",
            completion: "0.0000006",
            request: "0",
            image: "0.000217",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: Some(16_384),
        is_moderated: true,
        supported_parameters: Some(TOOL_PARAMETERS),
    },
    Model {
        id: "anthropic/claude-3.5-haiku",
        canonical_slug: "anthropic/claude-3-5-haiku",
        name: "Anthropic: Claude 3.5 Haiku",
        created: 1_730_678_400,
        description: Some("Claude 3.5 Haiku is Anthropic's fastest model of its generation."),
        context_length: Some(200_000),
        input_modalities: TEXT_IMAGE,
        output_modalities: TEXT,
        tokenizer: "Claude",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.0000008",
            completion: "0.000004",
            request: "0",
            image: "0",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: Some(8_192),
        is_moderated: true,
        supported_parameters: Some(TOOL_PARAMETERS),
    },
    Model {
        id: "meta-llama/llama-3.3-70b-instruct:free",
        canonical_slug: "meta-llama/llama-3.3-70b-instruct",
        name: "Meta: Llama 3.3 70B Instruct (free)",
        created: 1_733_443_200,
        description: Some(
            "Llama 3.3 70B Instruct, a multilingual model tuned for dialogue; this variant \
             costs nothing and is rate-limited.",
        ),
        context_length: Some(131_072),
        input_modalities: TEXT,
        output_modalities: TEXT,
        tokenizer: "Llama3",
        instruct_type: Some("llama3"),
        pricing: FREE,
        max_completion_tokens: None,
        is_moderated: false,
        supported_parameters: Some(COMMON_PARAMETERS),
    },
    Model {
        id: "google/gemini-2.0-flash-001",
        canonical_slug: "google/gemini-2.0-flash-001",
        name: "Google: Gemini 2.0 Flash",
        created: 1_738_769_413,
        description: Some("Gemini 2.0 Flash answers quickly across a very long context."),
        context_length: Some(1_048_576),
        input_modalities: TEXT_IMAGE_FILE,
        output_modalities: TEXT,
        tokenizer: "Gemini",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.0000001",
            completion: "0.0000004",
            request: "0",
            image: "0.0000258",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: Some(8_192),
        is_moderated: false,
        supported_parameters: Some(TOOL_PARAMETERS),
    },
    Model {
        id: "mistralai/mistral-nemo",
        canonical_slug: "mistralai/mistral-nemo",
        name: "Mistral: Mistral Nemo",
        created: 1_721_347_200,
        description: None,
        context_length: None,
        input_modalities: TEXT,
        output_modalities: TEXT,
        tokenizer: "Mistral",
        instruct_type: Some("mistral"),
        pricing: Pricing {
            prompt: "0.00000002",
            completion: "0.00000004",
            request: "0",
            image: "0",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: None,
        is_moderated: false,
        supported_parameters: Some(COMMON_PARAMETERS),
    },
    Model {
        id: "deepseek/deepseek-chat-v3-0324",
        canonical_slug: "deepseek/deepseek-chat-v3-0324",
        name: "DeepSeek: DeepSeek V3 0324",
        created: 1_742_824_755,
        description: Some("DeepSeek V3, a 685B-parameter mixture-of-experts model."),
        context_length: Some(163_840),
        input_modalities: TEXT,
        output_modalities: TEXT,
        tokenizer: "DeepSeek",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.00000027",
            completion: "0.0000011",
            request: "0",
            image: "0",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: Some(163_840),
        is_moderated: false,
        supported_parameters: None,
    },
    Model {
        id: "z-ai/glm-4-32b",
        canonical_slug: "z-ai/glm-4-32b-0414",
        name: "Z.ai: GLM 4 32B — 智谱",
        created: 1_753_376_617,
        description: Some("GLM 4 32B, a bilingual (Chinese and English) model from Zhipu AI."),
        context_length: Some(128_000),
        input_modalities: TEXT,
        output_modalities: TEXT,
        tokenizer: "Other",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.0000001",
            completion: "0.0000001",
            request: "0",
            image: "0",
            web_search: "0",
            internal_reasoning: "0",
        },
        max_completion_tokens: None,
        is_moderated: false,
        supported_parameters: Some(TOOL_PARAMETERS),
    },
    Model {
        id: "x-ai/grok-3-mini",
        canonical_slug: "x-ai/grok-3-mini",
        name: "xAI: Grok 3 Mini",
        created: 1_749_583_245,
        description: Some("A lightweight model that thinks before answering."),
        context_length: Some(131_072),
        input_modalities: TEXT,
        output_modalities: TEXT,
        tokenizer: "Grok",
        instruct_type: None,
        pricing: Pricing {
            prompt: "0.0000003",
            completion: "0.0000005",
            request: "0",
            image: "0",
            web_search: "0",
            internal_reasoning: "0.0000005",
        },
        max_completion_tokens: None,
        is_moderated: false,
        supported_parameters: Some(REASONING_PARAMETERS),
    },
];

impl Model {
    /// The entry as OpenRouter's list shows it.
    fn to_json(&self) -> Value {
        let input = self.input_modalities.join("+");
        let output = self.output_modalities.join("+");
        let mut entry = Map::new();
        entry.insert("id".into(), self.id.into());
        entry.insert("canonical_slug".into(), self.canonical_slug.into());
        entry.insert("name".into(), self.name.into());
        entry.insert("created".into(), self.created.into());
        if let Some(description) = self.description {
            entry.insert("description".into(), description.into());
        }
        entry.insert("context_length".into(), self.context_length.into());
        entry.insert(
            "architecture".into(),
            json!({
                "modality": format!("{input}->{output}"),
                "input_modalities": self.input_modalities,
                "output_modalities": self.output_modalities,
                "tokenizer": self.tokenizer,
                "instruct_type": self.instruct_type,
            }),
        );
        let price = &self.pricing;
        entry.insert(
            "pricing".into(),
            json!({
                "prompt": price.prompt,
                "completion": price.completion,
                "request": price.request,
                "image": price.image,
                "web_search": price.web_search,
                "internal_reasoning": price.internal_reasoning,
            }),
        );
        entry.insert(
            "top_provider".into(),
            json!({
                "context_length": self.context_length,
                "max_completion_tokens": self.max_completion_tokens,
                "is_moderated": self.is_moderated,
            }),
        );
        entry.insert("per_request_limits".into(), Value::Null);
        if let Some(parameters) = self.supported_parameters {
            entry.insert("supported_parameters".into(), parameters.into());
        }
        Value::Object(entry)
    }
}

/// A price string as a number; the catalog's strings are all valid, and an invalid one would
/// count as free rather than fail a chat.
fn price(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

/// What a chat with `model` of `prompt_tokens` in and `completion_tokens` out costs, in US
/// dollars, at the prices `GET /api/v1/models` lists for it (its `request` price included):
/// the `total_cost` of the generation the mock records for it. 0 for a model not in
/// [`PUBLIC_MODEL_IDS`].
pub fn generation_cost(model: &str, prompt_tokens: usize, completion_tokens: usize) -> f64 {
    let Some(entry) = MODELS.iter().find(|entry| entry.id == model) else {
        return 0.0;
    };
    let pricing = &entry.pricing;
    prompt_tokens as f64 * price(pricing.prompt)
        + completion_tokens as f64 * price(pricing.completion)
        + price(pricing.request)
}

fn list<'a>(entries: impl Iterator<Item = &'a Model>) -> Response {
    let data: Vec<Value> = entries.map(Model::to_json).collect();
    Json(json!({ "data": data })).into_response()
}

/// `GET /api/v1/models`: every model, no key needed.
pub(crate) async fn public() -> Response {
    list(MODELS.iter())
}

/// `GET /api/v1/models/user`: the models the bearer key may use, if the mock issued it.
pub(crate) async fn user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !bearer(&headers).is_some_and(|key| shared.is_issued_key(key)) {
        return json_error(StatusCode::UNAUTHORIZED, "Missing or invalid API key.");
    }
    list(
        MODELS
            .iter()
            .filter(|entry| USER_MODEL_IDS.contains(&entry.id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_match_the_catalog() {
        let ids: Vec<&str> = MODELS.iter().map(|entry| entry.id).collect();
        assert_eq!(ids, PUBLIC_MODEL_IDS);
        let user: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| USER_MODEL_IDS.contains(id))
            .collect();
        assert_eq!(user, USER_MODEL_IDS, "a subset, in the same order");
        assert!(USER_MODEL_IDS.len() < PUBLIC_MODEL_IDS.len());
        assert!(USER_MODEL_IDS.contains(&"openai/gpt-4o-mini"));
    }

    #[test]
    fn prices_are_decimal_numbers() {
        for entry in MODELS {
            let pricing = &entry.pricing;
            for text in [
                pricing.prompt,
                pricing.completion,
                pricing.request,
                pricing.image,
                pricing.web_search,
                pricing.internal_reasoning,
            ] {
                assert!(
                    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
                    "{}: {text}",
                    entry.id
                );
                assert!(text.parse::<f64>().is_ok(), "{}: {text}", entry.id);
            }
        }
    }

    #[test]
    fn costs_follow_the_prices() {
        let cost = generation_cost("openai/gpt-4o-mini", 1000, 2000);
        assert!((cost - (1000.0 * 0.000_000_15 + 2000.0 * 0.000_000_6)).abs() < 1e-12);
        assert_eq!(
            generation_cost("meta-llama/llama-3.3-70b-instruct:free", 10, 10),
            0.0
        );
        assert_eq!(generation_cost("m", 10, 10), 0.0);
    }

    #[test]
    fn entries_have_the_documented_shape() {
        let nemo = MODELS[4].to_json();
        assert_eq!(nemo["id"], "mistralai/mistral-nemo");
        assert!(nemo.get("description").is_none());
        assert_eq!(nemo["context_length"], Value::Null);
        let deepseek = MODELS[5].to_json();
        assert!(deepseek.get("supported_parameters").is_none());
        let mini = MODELS[0].to_json();
        assert_eq!(mini["architecture"]["modality"], "text+image+file->text");
        assert_eq!(mini["pricing"]["prompt"], "0.00000015");
        assert_eq!(mini["per_request_limits"], Value::Null);
    }
}
