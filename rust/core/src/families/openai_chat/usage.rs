//! Token counts and costs as `openai-chat` servers report them, and what they mean.

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::events::Usage;
use crate::families::scan::is_json_number;
use crate::families::schema::wire;
use crate::families::{parse_json, read_payload, Obj, Raw};

/// The normalized usage of a native `usage` object.
fn usage(wire: &WireUsage<'_>, cost: Option<f64>) -> Usage {
    let prompt = wire.prompt_tokens.unwrap_or(0);
    let completion = wire.completion_tokens.unwrap_or(0);
    let reasoning = wire
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0);
    let (cache_read, cache_write) = match &wire.prompt_tokens_details {
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
        cost,
    }
}

wire! {
    /// A `usage` object, read by the scan (serde alone took about 5,000 instructions for one of
    /// `OpenRouter`'s, with its details and costs).
    pub(super) struct WireUsage<'a> {
        prompt_tokens: u64,
        completion_tokens: u64,
        total_tokens: u64,
        prompt_tokens_details: obj(PromptDetails),
        completion_tokens_details: obj(CompletionDetails),
        /// Vercel's gateway reports Anthropic cache writes here.
        cache_creation_input_tokens: u64,
        /// Read as a [`Cost`] when sent.
        cost: raw,
    }
}

wire! {
    pub(super) struct PromptDetails {
        cached_tokens: u64,
        cache_write_tokens: u64,
    }
}

wire! {
    pub(super) struct CompletionDetails {
        reasoning_tokens: u64,
    }
}

/// The normalized usage of a native `usage` object (`raw`, validated JSON), read by the scan where
/// it can vouch for the values, else by serde. A cost serde cannot read as a number (`1e400`)
/// fails the payload, as it did when serde read the whole object.
pub(super) fn read(raw: Raw<'_>) -> Result<Usage, ErrorKind> {
    let mut wire = WireUsage::default();
    read_payload(raw.get(), &mut wire, WireUsage::scan)?;
    Ok(usage(&wire, cost_of(wire.cost)?))
}

/// A cost is a number, or (Vercel's gateway) a decimal number in a string; a value of another JSON
/// type is passed over (tolerant reader).
#[derive(Deserialize)]
#[serde(untagged)]
enum Cost {
    Number(f64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

impl Cost {
    /// The value; a string that is not a plain decimal number gives none (a cost is an extra, not
    /// worth failing the stream for).
    ///
    /// A cost of zero is `0.0` whatever its sign: `serde_json` reads `-0` as `-0.0` and Python's
    /// `json` as the integer 0, so without this the backends' `repr` would differ.
    fn value(&self) -> Option<f64> {
        let cost = match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) if is_json_number(s) => s.parse().ok(),
            Self::Text(_) | Self::Other(_) => None,
        };
        cost.map(|c| if c == 0.0 { 0.0 } else { c })
    }
}

wire! {
    /// A delta's `provider_metadata` (Vercel's gateway), of which only the gateway's cost is read:
    /// by the scan, as the usage (serde took about 19,000 instructions for one of the corpus's).
    pub(super) struct ProviderMetadata<'a> {
        gateway: obj(Gateway<'a>),
    }
}

wire! {
    pub(super) struct Gateway<'a> {
        /// Read as a [`Cost`] when sent.
        cost: raw,
    }
}

/// The gateway's cost in a delta's `provider_metadata` (`raw`, a validated JSON object); a cost
/// serde cannot read as a number fails the payload, as for the usage.
pub(super) fn gateway_cost(raw: Raw<'_>) -> Result<Option<f64>, ErrorKind> {
    let mut wire = ProviderMetadata::default();
    read_payload(raw.get(), &mut wire, ProviderMetadata::scan)?;
    cost_of(wire.gateway.and_then(|Obj(gateway)| gateway.cost))
}

/// The value of a `cost` member as sent (see [`Cost::value`]).
fn cost_of(raw: Option<Raw<'_>>) -> Result<Option<f64>, ErrorKind> {
    Ok(match raw {
        Some(raw) => parse_json::<Cost>(raw.get())?.value(),
        None => None,
    })
}
