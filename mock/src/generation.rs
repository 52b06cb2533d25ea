//! Generations, the record of each answered chat completion, and `GET /api/v1/generation`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::crypto;
use crate::error::json_error;
use crate::params::{bearer, single};
use crate::records::{id, Generation, ID_PREFIX};
use crate::state::{Lookup, Shared};

/// The number of a `gen-mock-<number>` id, exactly as [`id`] writes it.
fn parse_id(text: &str) -> Option<usize> {
    let number = text.strip_prefix(ID_PREFIX)?.parse().ok()?;
    (id(number) == text).then_some(number)
}

/// `GET /api/v1/generation?id=<id>`: a generation of the bearer key.
pub(crate) async fn lookup(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let Some(key) = bearer(&headers).filter(|key| shared.is_issued_key(key)) else {
        return json_error(StatusCode::UNAUTHORIZED, "Missing or invalid API key.");
    };
    let Ok(Query(pairs)) = query else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "The query string could not be decoded.",
        );
    };
    let id = match single(&pairs, "id") {
        Ok(Some(id)) if !id.is_empty() => id,
        Ok(_) => return json_error(StatusCode::BAD_REQUEST, "id is required."),
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    let found = match parse_id(id) {
        Some(number) => shared.lookup_generation(number, &crypto::sha256_hex(key)),
        None => Lookup::NotFound,
    };
    match found {
        Lookup::Found(generation) => Json(json!({ "data": describe(&generation) })).into_response(),
        Lookup::NotFound => json_error(StatusCode::NOT_FOUND, "Generation not found"),
    }
}

/// The generation in OpenRouter's shape.
fn describe(generation: &Generation) -> serde_json::Value {
    json!({
        "id": id(generation.number),
        "upstream_id": null,
        "total_cost": generation.total_cost,
        "cache_discount": null,
        "upstream_inference_cost": null,
        "created_at": iso8601(generation.created),
        "model": generation.model,
        "app_id": null,
        "streamed": generation.streamed,
        "cancelled": generation.cancelled,
        "provider_name": "Mock",
        "latency": millis(generation.latency),
        "moderation_latency": null,
        "generation_time": millis(generation.generation_time),
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "tokens_prompt": generation.tokens_prompt,
        "tokens_completion": generation.tokens_completion,
        "native_tokens_prompt": generation.tokens_prompt,
        "native_tokens_completion": generation.tokens_completion,
        "native_tokens_reasoning": 0,
        "num_media_prompt": null,
        "num_media_completion": null,
        "num_search_results": null,
        "origin": generation.origin,
        "usage": generation.total_cost,
        "is_byok": false,
    })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_exactly() {
        assert_eq!(id(7), "gen-mock-7");
        assert_eq!(parse_id("gen-mock-7"), Some(7));
        for other in [
            "gen-mock-07",
            "gen-mock-+7",
            "gen-mock-",
            "gen-mock--1",
            "gen-7",
            "",
        ] {
            assert_eq!(parse_id(other), None, "{other}");
        }
    }

    #[test]
    fn formats_utc_times() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap_day = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(iso8601(leap_day), "2024-02-29T12:34:56.789Z");
        let new_year = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(iso8601(new_year), "2026-12-31T23:59:59.000Z");
    }
}
