//! What an app needs after sign-in besides chat: which models a key may use, and what an answer
//! cost. Read leniently: OpenRouter's model list is long and grows fields over time, so a field
//! that is absent, null or of an unexpected type reads as absent instead of failing the whole
//! list; only an answer without its `data` is an error.

use super::json::Json;
use super::ClientError;

/// How much OpenRouter's model lists may weigh: the public list, with every model's
/// description, is larger than the other answers' limit.
pub(crate) const MAX_MODEL_LIST_BYTES: usize = 16 * 1024 * 1024;

/// The most models read from one list; more than OpenRouter lists, far fewer than a hostile
/// answer of 16 MiB could hold.
pub const MAX_MODELS: usize = 10_000;

/// One model of OpenRouter's lists (`GET /api/v1/models`, `GET /api/v1/models/user`). Only `id`
/// is always there; everything else is `None` (or empty) when the answer leaves it out.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Model {
    /// The id to send as a chat's `model`, e.g. `openai/gpt-4o-mini`.
    pub id: String,
    /// The name to show, e.g. `OpenAI: GPT-4o-mini`.
    pub name: Option<String>,
    /// How many tokens of context it takes.
    pub context_length: Option<u64>,
    /// What it costs.
    pub pricing: ModelPricing,
    /// The request parameters it accepts (`temperature`, `max_tokens`, ...).
    pub supported_parameters: Vec<String>,
}

/// A model's prices in US dollars, as the decimal strings OpenRouter sends (`"0.00000015"`), so
/// that nothing is lost to floating point; [`ModelPricing::per_million`] turns one into a number
/// to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ModelPricing {
    /// Per prompt token.
    pub prompt: Option<String>,
    /// Per completion token.
    pub completion: Option<String>,
    /// Per request.
    pub request: Option<String>,
    /// Per image in the prompt.
    pub image: Option<String>,
}

impl ModelPricing {
    /// A per-token price (`self.prompt`, say) as dollars per million tokens, the unit people
    /// compare; `None` when absent or not a number.
    pub fn per_million(price: Option<&str>) -> Option<f64> {
        let price: f64 = price?.trim().parse().ok()?;
        (price.is_finite() && price >= 0.0).then_some(price * 1_000_000.0)
    }

    /// Whether every price it states is zero (a `:free` model).
    pub fn is_free(&self) -> bool {
        let prices = [&self.prompt, &self.completion, &self.request, &self.image];
        prices.iter().any(|p| p.is_some())
            && prices
                .iter()
                .filter_map(|p| p.as_deref())
                .all(|p| p.trim().parse::<f64>() == Ok(0.0))
    }
}

impl Model {
    /// Reads `{"data":[…]}`: the models in the order given, those without a text `id` left out,
    /// at most [`MAX_MODELS`].
    pub(crate) fn list_from_json(answer: &Json) -> Result<Vec<Model>, ClientError> {
        let Some(Json::Array(items)) = answer.get("data") else {
            return Err(ClientError::InvalidResponse(
                "the answer has no `data` list".into(),
            ));
        };
        Ok(items
            .iter()
            .filter_map(Model::from_json)
            .take(MAX_MODELS)
            .collect())
    }

    fn from_json(item: &Json) -> Option<Model> {
        let id = text(item, "id").filter(|id| !id.trim().is_empty())?;
        let pricing = item.get("pricing");
        let price = |name| pricing.and_then(|p| price(p, name));
        Some(Model {
            id,
            name: text(item, "name"),
            context_length: count(item, "context_length"),
            pricing: ModelPricing {
                prompt: price("prompt"),
                completion: price("completion"),
                request: price("request"),
                image: price("image"),
            },
            supported_parameters: item
                .get("supported_parameters")
                .map(Json::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect(),
        })
    }

    /// The name to show: the model's name, else its id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// What one answer cost and used, from `GET /api/v1/generation?id=…` (the id comes with the
/// chat's answer). Amounts in US dollars.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Generation {
    /// The generation's id (`gen-…`).
    pub id: String,
    /// The model that answered.
    pub model: Option<String>,
    /// What the answer cost.
    pub total_cost: Option<f64>,
    /// Prompt tokens, as OpenRouter counts them.
    pub tokens_prompt: Option<u64>,
    /// Completion tokens, as OpenRouter counts them.
    pub tokens_completion: Option<u64>,
    /// Prompt tokens, as the model's own tokenizer counts them (what is billed).
    pub native_tokens_prompt: Option<u64>,
    /// Completion tokens, as the model's own tokenizer counts them (what is billed).
    pub native_tokens_completion: Option<u64>,
    /// Who served it.
    pub provider_name: Option<String>,
    /// When it was made, as OpenRouter wrote it (ISO 8601).
    pub created_at: Option<String>,
}

impl Generation {
    /// Reads `{"data":{…}}`.
    pub(crate) fn from_json(answer: &Json) -> Result<Generation, ClientError> {
        let data = match answer.get("data") {
            Some(data @ Json::Object(_)) => data,
            _ => {
                return Err(ClientError::InvalidResponse(
                    "the answer has no `data` object".into(),
                ))
            }
        };
        Ok(Generation {
            id: text(data, "id").unwrap_or_default(),
            model: text(data, "model"),
            total_cost: number(data, "total_cost"),
            tokens_prompt: count(data, "tokens_prompt"),
            tokens_completion: count(data, "tokens_completion"),
            native_tokens_prompt: count(data, "native_tokens_prompt"),
            native_tokens_completion: count(data, "native_tokens_completion"),
            provider_name: text(data, "provider_name"),
            created_at: text(data, "created_at"),
        })
    }
}

/// `value` as a query string value: unreserved characters as they are, every other byte as
/// `%XX`.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn text(object: &Json, name: &str) -> Option<String> {
    object.get(name)?.as_str().map(str::to_owned)
}

fn number(object: &Json, name: &str) -> Option<f64> {
    object.get(name)?.as_f64().filter(|n| n.is_finite())
}

/// A whole, non-negative number that fits (`context_length`, token counts).
fn count(object: &Json, name: &str) -> Option<u64> {
    let n = number(object, name)?;
    (n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0).then_some(n as u64)
}

/// A price: OpenRouter's decimal string, or a number some answers carry instead.
fn price(pricing: &Json, name: &str) -> Option<String> {
    match pricing.get(name)? {
        Json::String(text) => Some(text.clone()),
        Json::Number(n) if n.is_finite() => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        Json::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn reads_openrouter_model_entries_and_tolerates_gaps() {
        let list = parse(
            r#"{"data":[
              {"id":"openai/gpt-4o-mini","name":"OpenAI: GPT-4o-mini","context_length":128000,
               "pricing":{"prompt":"0.00000015","completion":"0.0000006","request":"0","image":"0.007225",
                          "web_search":"0","internal_reasoning":"0"},
               "supported_parameters":["temperature","max_tokens"],"architecture":{"modality":"text->text"},
               "future_field":{"deep":[1,2,3]}},
              {"id":"meta/free:free","name":null,"context_length":null,"pricing":{"prompt":"0","completion":"0"}},
              {"id":"odd/types","name":7,"context_length":"big","pricing":"none","supported_parameters":[1,"top_p",null]},
              {"name":"no id"},
              {"id":""},
              "not an object",
              {"id":"numbers/priced","pricing":{"prompt":0.000001}}
            ]}"#,
        );
        let models = Model::list_from_json(&list).unwrap();
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "openai/gpt-4o-mini",
                "meta/free:free",
                "odd/types",
                "numbers/priced"
            ]
        );
        let first = &models[0];
        assert_eq!(first.display_name(), "OpenAI: GPT-4o-mini");
        assert_eq!(first.context_length, Some(128_000));
        assert_eq!(first.pricing.prompt.as_deref(), Some("0.00000015"));
        assert_eq!(first.supported_parameters, ["temperature", "max_tokens"]);
        let per_million = ModelPricing::per_million(first.pricing.prompt.as_deref()).unwrap();
        assert!((per_million - 0.15).abs() < 1e-12, "{per_million}");
        assert!(!first.pricing.is_free());
        assert!(models[1].pricing.is_free());
        assert_eq!(models[1].display_name(), "meta/free:free");
        let odd = &models[2];
        assert_eq!((odd.name.clone(), odd.context_length), (None, None));
        assert_eq!(odd.pricing, ModelPricing::default());
        assert!(!odd.pricing.is_free(), "no price stated is not free");
        assert_eq!(odd.supported_parameters, ["top_p"]);
        assert_eq!(models[3].pricing.prompt.as_deref(), Some("0.000001"));
    }

    #[test]
    fn a_list_without_data_is_an_error_and_an_empty_one_is_not() {
        for bad in [r#"{}"#, r#"{"data":{}}"#, r#"{"data":null}"#, r#"[]"#] {
            assert!(Model::list_from_json(&parse(bad)).is_err(), "{bad}");
        }
        assert!(Model::list_from_json(&parse(r#"{"data":[]}"#))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn huge_lists_are_cut() {
        let mut text = String::from(r#"{"data":["#);
        for i in 0..MAX_MODELS + 5 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(r#"{{"id":"m/{i}"}}"#));
        }
        text.push_str("]}");
        let models = Model::list_from_json(&parse(&text)).unwrap();
        assert_eq!(models.len(), MAX_MODELS);
        assert_eq!(models[MAX_MODELS - 1].id, format!("m/{}", MAX_MODELS - 1));
    }

    #[test]
    fn reads_a_generation() {
        let answer = parse(
            r#"{"data":{"id":"gen-1","model":"openai/gpt-4o-mini","total_cost":0.0000123,
               "tokens_prompt":12,"tokens_completion":30,"native_tokens_prompt":11,
               "native_tokens_completion":null,"provider_name":"OpenAI",
               "created_at":"2026-12-04T10:00:00Z","latency":120,"unknown":[]}}"#,
        );
        let generation = Generation::from_json(&answer).unwrap();
        assert_eq!(generation.id, "gen-1");
        assert_eq!(generation.model.as_deref(), Some("openai/gpt-4o-mini"));
        assert_eq!(generation.total_cost, Some(0.0000123));
        assert_eq!(
            (generation.tokens_prompt, generation.tokens_completion),
            (Some(12), Some(30))
        );
        assert_eq!(generation.native_tokens_completion, None);
        let sparse = Generation::from_json(&parse(r#"{"data":{"tokens_prompt":-1}}"#)).unwrap();
        assert_eq!(sparse, Generation::default());
        assert!(Generation::from_json(&parse(r#"{"data":[]}"#)).is_err());
    }

    proptest::proptest! {
        /// Models written with any mix of present, null and absent fields read back as written.
        #[test]
        fn model_entries_read_back_whatever_is_left_out(
            entries in proptest::collection::vec(
                (
                    "[a-z]{1,8}/[a-z0-9.:-]{1,12}",
                    proptest::option::of(proptest::option::of(".{0,12}")),
                    proptest::option::of(proptest::option::of(0u64..2_000_000)),
                    proptest::option::of("[0-9]{1,2}\\.[0-9]{1,10}"),
                    proptest::option::of(proptest::collection::vec("[a-z_]{1,10}", 0..4)),
                ),
                0..20,
            )
        ) {
            let mut items = Vec::new();
            for (id, name, context, prompt, parameters) in &entries {
                let mut item = serde_json::json!({ "id": id, "unknown": { "x": [1, null] } });
                // Some(None) writes null, None leaves the field out.
                if let Some(name) = name {
                    item["name"] = serde_json::json!(name);
                }
                if let Some(context) = context {
                    item["context_length"] = serde_json::json!(context);
                }
                if let Some(prompt) = prompt {
                    item["pricing"] = serde_json::json!({ "prompt": prompt });
                }
                if let Some(parameters) = parameters {
                    item["supported_parameters"] = serde_json::json!(parameters);
                }
                items.push(item);
            }
            let text = serde_json::json!({ "data": items }).to_string();
            let models = Model::list_from_json(&parse(&text)).unwrap();
            proptest::prop_assert_eq!(models.len(), entries.len());
            for (model, (id, name, context, prompt, parameters)) in models.iter().zip(&entries) {
                proptest::prop_assert_eq!(&model.id, id);
                proptest::prop_assert_eq!(&model.name, &name.clone().flatten());
                proptest::prop_assert_eq!(model.context_length, context.flatten());
                proptest::prop_assert_eq!(&model.pricing.prompt, prompt);
                proptest::prop_assert_eq!(
                    &model.supported_parameters,
                    &parameters.clone().unwrap_or_default()
                );
            }
        }

        /// Whatever JSON comes, the readers answer without panicking.
        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            if let Ok(answer) = Json::parse(&bytes) {
                let _ = Model::list_from_json(&answer);
                let _ = Generation::from_json(&answer);
            }
        }
    }

    #[test]
    fn ids_are_encoded_for_the_query() {
        assert_eq!(encode("gen-1234_ab.c~"), "gen-1234_ab.c~");
        assert_eq!(encode("a&b=c d/é"), "a%26b%3Dc%20d%2F%C3%A9");
    }

    #[test]
    fn counts_are_whole_and_in_range() {
        let object = parse(r#"{"a":1.5,"b":-3,"c":1e300,"d":42,"e":"42"}"#);
        assert_eq!(
            ["a", "b", "c", "d", "e"].map(|n| count(&object, n)),
            [None, None, None, Some(42), None]
        );
    }
}
