//! Token counts as the Messages API reports them (and Bedrock's invocation metrics beside them).

use serde::Deserialize;

use crate::events::Usage;

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)]
pub(super) struct UsageWire {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) output_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_read_input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_creation_input_tokens: Option<u64>,
}

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)]
pub(crate) struct MetricsWire {
    #[serde(rename = "inputTokenCount")]
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) input_token_count: Option<u64>,
    #[serde(rename = "outputTokenCount")]
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) output_token_count: Option<u64>,
    #[serde(rename = "cacheReadInputTokenCount")]
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_read_input_token_count: Option<u64>,
    #[serde(rename = "cacheWriteInputTokenCount")]
    #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")]
    pub(super) cache_write_input_token_count: Option<u64>,
}

/// Token counts as last reported, field by field (Bedrock's Converse and Invoke vendors count the
/// same way: input without the cache, which `usage` adds).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    cache_write: Option<u64>,
}

impl Counts {
    pub(crate) fn usage(self) -> Usage {
        let cache_read = self.cache_read.unwrap_or(0);
        let cache_write = self.cache_write.unwrap_or(0);
        let input = self
            .input
            .unwrap_or(0)
            .saturating_add(cache_read)
            .saturating_add(cache_write);
        let output = self.output.unwrap_or(0);
        Usage {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input.saturating_add(output),
            cache_read_tokens: cache_read,
            cache_write_tokens: cache_write,
            ..Usage::default()
        }
    }

    /// A `usage` object: each field it reports replaces the last one reported.
    pub(super) fn update(&mut self, wire: &UsageWire) {
        self.report([
            wire.input_tokens,
            wire.output_tokens,
            wire.cache_read_input_tokens,
            wire.cache_creation_input_tokens,
        ]);
    }

    /// Input, output, cache read, cache write as one report: each one sent replaces the last.
    pub(crate) fn report(&mut self, [input, output, cache_read, cache_write]: [Option<u64>; 4]) {
        self.input = input.or(self.input);
        self.output = output.or(self.output);
        self.cache_read = cache_read.or(self.cache_read);
        self.cache_write = cache_write.or(self.cache_write);
    }

    /// Bedrock's invocation metrics: AWS's count of the same call. Anthropic's own `usage` wins
    /// field by field (it splits cache reads and writes the same way on every route); the metrics
    /// fill only what the stream never reported.
    pub(crate) fn fill_from(&mut self, wire: &MetricsWire) {
        self.input = self.input.or(wire.input_token_count);
        self.output = self.output.or(wire.output_token_count);
        self.cache_read = self.cache_read.or(wire.cache_read_input_token_count);
        self.cache_write = self.cache_write.or(wire.cache_write_input_token_count);
    }
}
