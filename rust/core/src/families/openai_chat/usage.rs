//! Token counts and costs as `openai-chat` servers report them, and what they mean.

use serde::Deserialize;

use crate::events::Usage;
use crate::families::scan::is_json_number;
use crate::families::Obj;

/// The normalized usage of a native `usage` object.
pub(super) fn usage(wire: WireUsage) -> Usage {
    let prompt = wire.prompt_tokens.unwrap_or(0);
    let completion = wire.completion_tokens.unwrap_or(0);
    let reasoning = wire
        .completion_tokens_details
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0);
    let (cache_read, cache_write) = match wire.prompt_tokens_details {
        Some(d) => (d.cached_tokens.unwrap_or(0), d.cache_write_tokens),
        None => (0, None),
    };
    let cache_write = cache_write.or(wire.cache_creation_input_tokens).unwrap_or(0);
    // Some servers count reasoning outside `completion_tokens` (xAI: total = prompt + completion
    // + reasoning; Gemini via Vercel: reasoning > completion); output includes it either way.
    let reasoning_apart = reasoning > 0
        && (reasoning > completion
            || wire.total_tokens == Some(prompt.saturating_add(completion).saturating_add(reasoning)));
    let output = if reasoning_apart {
        completion.saturating_add(reasoning)
    } else {
        completion
    };
    // Likewise cached tokens counted outside `prompt_tokens` (Anthropic style).
    let cached = cache_read.saturating_add(cache_write);
    let input = if cached > prompt {
        prompt.saturating_add(cached)
    } else {
        prompt
    };
    Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input.saturating_add(output),
        reasoning_tokens: reasoning,
        cache_read_tokens: cache_read,
        cache_write_tokens: cache_write,
        cost: wire.cost.as_ref().and_then(Cost::value),
    }
}

#[derive(Deserialize)]
pub(super) struct WireUsage {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) prompt_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) completion_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) total_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_obj")]
    pub(super) prompt_tokens_details: Option<Obj<PromptDetails>>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_obj")]
    pub(super) completion_tokens_details: Option<Obj<CompletionDetails>>,
    /// Vercel's gateway reports Anthropic cache writes here.
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_creation_input_tokens: Option<u64>,
    pub(super) cost: Option<Cost>,
}

#[derive(Deserialize)]
pub(super) struct PromptDetails {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cached_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_write_tokens: Option<u64>,
}

#[derive(Deserialize)]
pub(super) struct CompletionDetails {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) reasoning_tokens: Option<u64>,
}

/// A cost is a number, or (Vercel's gateway) a decimal number in a string; a value of another JSON
/// type is passed over (tolerant reader).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Cost {
    Number(f64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

impl Cost {
    /// The value; a string that is not a plain decimal number gives none (a cost is an extra, not
    /// worth failing the stream for).
    /// A cost of zero is `0.0` whatever its sign: `serde_json` reads `-0` as `-0.0` and Python's
    /// `json` as the integer 0, so without this the backends' `repr` would differ.
    pub(super) fn value(&self) -> Option<f64> {
        let cost = match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) if is_json_number(s) => s.parse().ok(),
            Self::Text(_) | Self::Other(_) => None,
        };
        cost.map(|c| if c == 0.0 { 0.0 } else { c })
    }
}

#[derive(Deserialize)]
pub(super) struct ProviderMetadata {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_obj")]
    pub(super) gateway: Option<Obj<Gateway>>,
}

#[derive(Deserialize)]
pub(super) struct Gateway {
    pub(super) cost: Option<Cost>,
}
