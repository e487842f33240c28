//! Wire families: each maps one provider protocol's payloads onto the normalized events.
//!
//! A family decoder sees one payload at a time (the SSE event type and its data, or the JSON of one
//! AWS event-stream frame) and never the framing; [`crate::parser::StreamParser`] owns the framing,
//! the choice of family and error positions.

pub(crate) mod anthropic;
pub(crate) mod bedrock;
pub(crate) mod cohere;
mod detect;
pub(crate) mod gemini;
pub(crate) mod ollama;
pub(crate) mod openai_chat;
pub(crate) mod openai_completions;
pub(crate) mod openai_responses;
pub(crate) mod parts;
pub(crate) mod relaxed;
pub(crate) mod scan;
pub(crate) mod schema;
pub(crate) mod server_calls;
pub(crate) mod time;

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::events::{error_kind, Event, FinishReason, Usage};
use parts::Parts;
use scan::{Scan, Scanned};

pub use detect::{detect, detect_sketched, mismatch, tag_names};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    OpenAiChat,
    OpenAiResponses,
    Anthropic,
    Gemini,
    /// AWS event-stream frames: `ConverseStream` events, or `InvokeModelWithResponseStream` chunks of
    /// Anthropic, Amazon Nova, Meta Llama, Mistral, Amazon Titan or Cohere.
    Bedrock,
    /// Ollama's native API (NDJSON).
    Ollama,
    /// The legacy `/v1/completions` stream.
    OpenAiCompletions,
    /// Cohere's v2 chat stream.
    Cohere,
}

impl Family {
    pub const NAMES: [&'static str; 8] = [
        "openai-chat",
        "openai-responses",
        "anthropic",
        "gemini",
        "bedrock",
        "ollama",
        "openai-completions",
        "cohere",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAiChat => "openai-chat",
            Self::OpenAiResponses => "openai-responses",
            Self::Anthropic => "anthropic",
            Self::Gemini => "gemini",
            Self::Bedrock => "bedrock",
            Self::Ollama => "ollama",
            Self::OpenAiCompletions => "openai-completions",
            Self::Cohere => "cohere",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "openai-chat" => Some(Self::OpenAiChat),
            "openai-responses" => Some(Self::OpenAiResponses),
            "anthropic" => Some(Self::Anthropic),
            "gemini" => Some(Self::Gemini),
            "bedrock" => Some(Self::Bedrock),
            "ollama" => Some(Self::Ollama),
            "openai-completions" => Some(Self::OpenAiCompletions),
            "cohere" => Some(Self::Cohere),
            _ => None,
        }
    }
}

/// What every family decoder does.
pub trait FamilyDecoder {
    /// One payload: `event` is the SSE event type (`message` when the stream named none). Before
    /// any other fault it reports, it enforces the JSON depth limit (`crate::depth`): with
    /// [`parse_payload`] where serde reads, for free where the scan reads.
    fn payload(&mut self, event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind>;
    /// End of stream: close what is open; a stream cut before its terminal event gets
    /// [`incomplete`]'s `error` + `finish`.
    fn end(&mut self, out: &mut Vec<Event>);
    /// The decoder's open parts (the parser sets their limit from its options).
    fn parts_mut(&mut self) -> &mut Parts;
    /// The first payload of a stream whose family was given (`family`, this decoder's): refused as
    /// another family's when [`mismatch`] says so, before anything is read. A decoder whose own
    /// reading of the payload tells that `mismatch` finds nothing may skip that second reading.
    fn first_payload(
        &mut self,
        family: Family,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        refuse_other(family, event, data, false)?;
        self.payload(event, data, out)
    }
}

/// A first payload refused as another family's, as [`mismatch`] says, unless `vouched`: the
/// decoder's own reading of it already tells that `mismatch` finds nothing.
pub fn refuse_other(family: Family, event: &str, data: &str, vouched: bool) -> Result<(), ErrorKind> {
    if vouched {
        return Ok(());
    }
    mismatch(family, event, data).map_or(Ok(()), Err)
}

/// The decoder of any one family, dispatched without a vtable.
#[derive(Debug)]
pub enum AnyDecoder {
    OpenAiChat(openai_chat::Decoder),
    OpenAiResponses(openai_responses::Decoder),
    Anthropic(anthropic::Decoder),
    Gemini(gemini::Decoder),
    Bedrock(bedrock::Decoder),
    Ollama(ollama::Decoder),
    OpenAiCompletions(openai_completions::Decoder),
    Cohere(cohere::Decoder),
}

impl AnyDecoder {
    pub fn new(family: Family) -> Self {
        match family {
            Family::OpenAiChat => Self::OpenAiChat(openai_chat::Decoder::default()),
            Family::OpenAiResponses => Self::OpenAiResponses(openai_responses::Decoder::default()),
            Family::Anthropic => Self::Anthropic(anthropic::Decoder::default()),
            Family::Gemini => Self::Gemini(gemini::Decoder::default()),
            Family::Bedrock => Self::Bedrock(bedrock::Decoder::default()),
            Family::Ollama => Self::Ollama(ollama::Decoder::default()),
            Family::OpenAiCompletions => Self::OpenAiCompletions(openai_completions::Decoder::default()),
            Family::Cohere => Self::Cohere(cohere::Decoder::default()),
        }
    }

    /// A decoder whose parts are limited to `max_open_parts` open at once.
    pub fn with_max_open_parts(family: Family, max_open_parts: usize) -> Self {
        let mut decoder = Self::new(family);
        decoder.inner().parts_mut().set_max_open(max_open_parts);
        decoder
    }

    pub fn family(&self) -> Family {
        match self {
            Self::OpenAiChat(_) => Family::OpenAiChat,
            Self::OpenAiResponses(_) => Family::OpenAiResponses,
            Self::Anthropic(_) => Family::Anthropic,
            Self::Gemini(_) => Family::Gemini,
            Self::Bedrock(_) => Family::Bedrock,
            Self::Ollama(_) => Family::Ollama,
            Self::OpenAiCompletions(_) => Family::OpenAiCompletions,
            Self::Cohere(_) => Family::Cohere,
        }
    }

    fn inner(&mut self) -> &mut dyn FamilyDecoder {
        match self {
            Self::OpenAiChat(d) => d,
            Self::OpenAiResponses(d) => d,
            Self::Anthropic(d) => d,
            Self::Gemini(d) => d,
            Self::Bedrock(d) => d,
            Self::Ollama(d) => d,
            Self::OpenAiCompletions(d) => d,
            Self::Cohere(d) => d,
        }
    }

    pub fn payload(&mut self, event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        match self {
            // Direct calls on the hot path: the match lets each one inline.
            Self::OpenAiChat(d) => d.payload(event, data, out),
            Self::OpenAiResponses(d) => d.payload(event, data, out),
            Self::Anthropic(d) => d.payload(event, data, out),
            Self::Gemini(d) => d.payload(event, data, out),
            Self::Bedrock(d) => d.payload(event, data, out),
            Self::Ollama(d) => d.payload(event, data, out),
            Self::OpenAiCompletions(d) => d.payload(event, data, out),
            Self::Cohere(d) => d.payload(event, data, out),
        }
    }

    /// The first payload of a stream whose family was given (see [`FamilyDecoder::first_payload`]).
    pub fn first_payload(&mut self, event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let family = self.family();
        self.inner().first_payload(family, event, data, out)
    }

    pub fn end(&mut self, out: &mut Vec<Event>) {
        self.inner().end(out);
    }

    /// The Bedrock decoder, which event-stream frames feed.
    pub fn bedrock_mut(&mut self) -> Option<&mut bedrock::Decoder> {
        match self {
            Self::Bedrock(d) => Some(d),
            _ => None,
        }
    }
}

/// Closes every open part, then reports the cut: `error(kind="incomplete_stream")` and
/// `finish(reason="error")` with the usage known so far.
pub fn incomplete(parts: &mut Parts, usage: &Usage, out: &mut Vec<Event>) {
    parts.close_all(out);
    cut_short("the stream ended before its terminal event", usage, out);
}

/// The events of a stream cut short: `error(kind="incomplete_stream")` saying `message`, and
/// `finish(reason="error")` with `usage`.
pub fn cut_short(message: &str, usage: &Usage, out: &mut Vec<Event>) {
    out.push(Event::Error {
        message: message.to_owned(),
        kind: error_kind::INCOMPLETE_STREAM.to_owned(),
        raw: None,
    });
    out.push(Event::Finish {
        reason: FinishReason::Error,
        raw_reason: None,
        usage: usage.clone(),
        provider_metadata_json: None,
    });
}

/// A creation time sent as a JSON integer (unix seconds); any other value (a float, a string, a
/// number beyond `i64`) tells nothing.
pub fn unix_seconds(raw: Option<Raw<'_>>) -> Option<i64> {
    let text = raw?.get();
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain =
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    if plain {
        text.parse().ok()
    } else {
        None
    }
}

/// A `source` for `url` unless the stream reported it before (`seen` holds the URLs reported, in
/// order), numbered `src_0`, `src_1`, … (Gemini's grounding chunks, Cohere's citations).
pub fn source_once(seen: &mut Vec<String>, url: &str, title: Option<&str>, out: &mut Vec<Event>) {
    if seen.iter().any(|u| u == url) {
        return;
    }
    out.push(Event::url_source(
        format!("src_{}", seen.len()),
        url.to_owned(),
        title.map(str::to_owned),
    ));
    seen.push(url.to_owned());
}

/// The media type and base64 text of a `data:<type>;base64,<data>` URL (media sent inline).
pub fn data_url(url: &str) -> Option<(&str, &str)> {
    url.strip_prefix("data:")?.split_once(";base64,")
}

/// The text of a token logprobs list as sent (`Event::TextDelta::logprobs`): a JSON array that
/// holds at least one entry; `None` for an empty one, or a value of another JSON type.
pub fn logprobs_entries(raw: Option<Raw<'_>>) -> Option<&str> {
    let text = raw?.get();
    let inner = text.strip_prefix('[')?.trim_start_matches([' ', '\t', '\n', '\r']);
    (!inner.starts_with(']')).then_some(text)
}

/// The text of the legacy completions' token logprobs as sent (`Event::TextDelta::logprobs`): an
/// object of parallel lists that holds at least one member; `None` for `{}`, or a value of another
/// JSON type.
pub fn logprobs_object(raw: Option<Raw<'_>>) -> Option<&str> {
    let text = raw?.get();
    let inner = text.strip_prefix('{')?.trim_start_matches([' ', '\t', '\n', '\r']);
    (!inner.starts_with('}')).then_some(text)
}

/// A JSON object of the members that were sent, each value the raw JSON text as sent (keys in the
/// order given); `None` when none was.
pub fn raw_object<const N: usize>(members: [(&str, Option<&str>); N]) -> Option<String> {
    let mut out = String::new();
    for (name, value) in members {
        if let Some(value) = value {
            out.push(if out.is_empty() { '{' } else { ',' });
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            out.push_str(value);
        }
    }
    if out.is_empty() {
        return None;
    }
    out.push('}');
    Some(out)
}

/// Parses a payload as JSON into `T`, with the error as a core [`ErrorKind`]. A key given twice
/// keeps its last value and `-0` is an integer, as in Python's `json` (see [`relaxed`]).
///
/// A `\u` escape of an unpaired surrogate makes the payload "not valid JSON" wherever it sits
/// (I-JSON's rule): serde refuses one in every string it decodes but not in the values it skips,
/// and Python's `json` takes one anywhere, so without one rule the answer would depend on the field.
pub fn parse_json<'a, T: Deserialize<'a>>(data: &'a str) -> Result<T, ErrorKind> {
    use serde_json::error::Category;
    let not_valid = || ErrorKind::InvalidJson {
        detail: "not valid JSON".to_owned(),
    };
    match serde_json::from_str(data) {
        Ok(value) if !scan::has_lone_surrogate(data) => Ok(value),
        Ok(_) => Err(not_valid()),
        // serde stops at the first field of the wrong type, before it has seen the whole text;
        // Python's json reads it all first. Broken JSON is "not valid JSON" in both.
        Err(e)
            if e.classify() == Category::Data
                && (serde_json::from_str::<serde::de::IgnoredAny>(data).is_err() || scan::has_lone_surrogate(data)) =>
        {
            Err(not_valid())
        }
        // Valid JSON serde refused: a repeated key or a `-0` integer may be why (see `relaxed`).
        // serde reads a repeated key's first value before it meets the repeat, so a number out of a
        // double's range there fails the first reading (`Syntax`); Python's json keeps only the last
        // value, and so does the relaxed reading, whose answer then stands. Of two shape faults
        // serde's first answer stands.
        Err(e)
            if e.classify() == Category::Data
                || (e.classify() == Category::Syntax
                    && serde_json::from_str::<serde::de::IgnoredAny>(data).is_ok()
                    && !scan::has_lone_surrogate(data)) =>
        {
            relaxed::from_str(data).map_err(|r| {
                json_error(if r.classify() == Category::Data && e.classify() == Category::Data {
                    &e
                } else {
                    &r
                })
            })
        }
        Err(e) => Err(json_error(&e)),
    }
}

/// serde's message, with the kind of fault first: "expected value at line 1 column 1" style text
/// differs between serde and Python's json, so the reference maps both onto these few words.
pub fn json_error(e: &serde_json::Error) -> ErrorKind {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ErrorKind::InvalidJson {
            detail: "not valid JSON".to_owned(),
        },
        Category::Data => ErrorKind::UnexpectedPayload {
            detail: "JSON of the wrong shape".to_owned(),
        },
    }
}

/// A whole payload the scan could not vouch for: the depth limit first (a scan that reads a payload
/// has enforced it on the way, so the check costs nothing on the usual path), then serde.
pub fn parse_payload<'a, T: Deserialize<'a>>(data: &'a str) -> Result<T, ErrorKind> {
    crate::depth::check(data)?;
    parse_object(data)
}

/// Reads a whole payload into `value` (a default one): with `scan` (see [`scan`]) where it can
/// vouch for the values, else with [`parse_payload`]. The caller owns the value so that the scan
/// fills it where it lies: returned by value, a payload struct was moved on each `?` and `Ok`, a
/// `memmove` of up to 600 bytes (perf: 5 % of the anthropic corpus's time). Always inlined: a
/// decoder whose first payload is read apart calls it twice, and out of line (with its scan) it
/// took back most of what that first payload's reading saves.
#[allow(clippy::inline_always)]
#[inline(always)]
pub fn read_payload<'a, T: Deserialize<'a>>(
    data: &'a str,
    value: &mut T,
    scan: fn(&mut Scan<'a>, &mut T) -> Scanned<()>,
) -> Result<(), ErrorKind> {
    if Scan::whole(data, value, scan).is_err() {
        *value = parse_payload(data)?;
    }
    Ok(())
}

/// [`parse_json`] for a payload that must be a JSON object.
pub fn parse_object<'a, T: Deserialize<'a>>(data: &'a str) -> Result<T, ErrorKind> {
    parse_json::<Obj<T>>(data).map(|o| o.0)
}

/// The exact text of one JSON value, as sent (leading whitespace excluded). serde reads it as a
/// `RawValue`; the scan hands out the slice it has just validated the way `RawValue` does, so the
/// text is not checked a second time (measured: the re-check was 2–5 % of each family's time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// Only for text the scan has validated as one JSON value.
    pub(crate) fn validated(text: &'a str) -> Self {
        Self(text)
    }

    pub fn get(self) -> &'a str {
        self.0
    }

    /// The value if it is a JSON object: a raw field the decoder reads as an object later reads as
    /// absent when it holds another JSON type (tolerant reader, as `obj` fields).
    pub fn object(self) -> Option<Self> {
        self.0.starts_with('{').then_some(self)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de serde_json::value::RawValue>::deserialize(deserializer).map(|raw| Self(raw.get()))
    }
}

/// A JSON array of a payload: almost always one item (one choice, one candidate, one part), kept
/// inline so that reading it allocates nothing (it was one allocation on every chat payload).
pub type List<T> = smallvec::SmallVec<[Obj<T>; 1]>;

/// A struct read only from a JSON object. serde's derived structs also read an array of their
/// fields in order (`[null]` is a valid one-field struct), which the Python reference does not and
/// no wire format means; the fuzz test found it. `Obj` asks serde for a map, so anything else is
/// "JSON of the wrong shape"; it reads through the same `MapAccess`, so borrowing is kept.
#[derive(Debug)]
pub struct Obj<T>(pub T);

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapOnly<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for MapOnly<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer.deserialize_map(MapOnly(std::marker::PhantomData)).map(Obj)
    }
}

/// Helpers for the family decoders' unit tests.
/// Where a stream that opens with a start payload and ends with a terminal one is (anthropic,
/// openai-responses, cohere); what `Finished` forbids after it is each family's rule.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    #[default]
    Fresh,
    /// `stream_start` was sent.
    Started,
    /// The terminal payload came, or the stream ended.
    Finished,
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Family;
    use crate::events::Event;
    use crate::parser::{parse, Options, StreamParser};

    /// The events of a whole body.
    pub fn events(family: Family, body: &str) -> Vec<Event> {
        let mut out = Vec::new();
        parse(body.as_bytes(), Some(family), Options::default(), &mut out).unwrap();
        out
    }

    /// The events of a body fed in pieces cut at `cuts` (any order, any values up to its length).
    pub fn events_split(family: Family, body: &str, mut cuts: Vec<usize>) -> Vec<Event> {
        cuts.sort_unstable();
        let mut parser = StreamParser::new(Some(family), Options::default());
        let mut out = Vec::new();
        let mut last = 0;
        for cut in cuts.into_iter().chain([body.len()]) {
            parser.feed(&body.as_bytes()[last..cut], &mut out).unwrap();
            last = cut;
        }
        parser.close(&mut out).unwrap();
        out
    }

    pub fn types(events: &[Event]) -> Vec<&'static str> {
        events.iter().map(Event::type_name).collect()
    }

    /// A `source` event's `(id, kind, url, title, filename, metadata)`.
    pub type SourceFields<'e> = (
        &'e str,
        &'e str,
        Option<&'e str>,
        Option<&'e str>,
        Option<&'e str>,
        Option<&'e str>,
    );

    /// The `source` events.
    pub fn sources(events: &[Event]) -> Vec<SourceFields<'_>> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Source(s) => Some((
                    s.id.as_str(),
                    s.kind.as_str(),
                    s.url.as_deref(),
                    s.title.as_deref(),
                    s.filename.as_deref(),
                    s.provider_metadata_json.as_deref(),
                )),
                _ => None,
            })
            .collect()
    }

    /// The provider-executed `tool_result`s: `(id, name, result, is_error)`.
    pub fn server_results(events: &[Event]) -> Vec<(&str, &str, &str, bool)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::ToolResult {
                    id,
                    name,
                    result,
                    is_error,
                    provider_executed: true,
                } => Some((&**id, name.as_str(), result.as_str(), *is_error)),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn logprobs_entries_are_non_empty_arrays() {
        use super::{logprobs_entries, Raw};
        let of = |text: &'static str| logprobs_entries(Some(Raw::validated(text)));
        assert_eq!(of("[{\"token\":\"a\"}]"), Some("[{\"token\":\"a\"}]"));
        assert_eq!(of("[ 1 ]"), Some("[ 1 ]"));
        for none in ["[]", "[ \n]", "{}", "\"x\"", "1"] {
            assert_eq!(of(none), None, "{none}");
        }
        assert_eq!(logprobs_entries(None), None);
    }

    #[test]
    fn logprobs_objects_have_members() {
        use super::{logprobs_object, Raw};
        let of = |text: &'static str| logprobs_object(Some(Raw::validated(text)));
        assert_eq!(of(r#"{"tokens":[]}"#), Some(r#"{"tokens":[]}"#));
        for none in ["{}", "{ \n}", "null", "[1]", "\"{}\""] {
            assert_eq!(of(none), None, "{none}");
        }
        assert_eq!(logprobs_object(None), None);
    }

    use super::*;

    #[test]
    fn detection_reads_objects_only() {
        for data in [
            r#"{"error":[null]}"#,
            r#"["response.created"]"#,
            r#"{"error":"x"}"#,
            "[]",
            "null",
        ] {
            assert_eq!(detect("message", data), None, "{data}");
        }
        assert_eq!(detect("message", r#"{"error":{"status":"X"}}"#), Some(Family::Gemini));
    }

    #[test]
    fn lone_surrogate_escapes_are_found_and_pairs_are_not() {
        let lone = [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\uDBFF x""#,
            r#""\ud800\u0041""#,
            r#"{"\ud800":1}"#,
        ];
        for text in lone {
            assert!(scan::has_lone_surrogate(text), "{text}");
            assert!(matches!(
                parse_json::<serde::de::IgnoredAny>(text),
                Err(ErrorKind::InvalidJson { .. })
            ));
        }
        let fine = [
            r#""\ud83d\ude00""#,
            r#""\\ud800""#,
            r#""\\\ud83d\udE00 \u00e9\n""#,
            r#""plain""#,
        ];
        for text in fine {
            assert!(!scan::has_lone_surrogate(text), "{text}");
            assert!(parse_json::<serde::de::IgnoredAny>(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn detects_each_family() {
        let cases = [
            (
                "message",
                r#"{"id":"x","object":"chat.completion.chunk","choices":[]}"#,
                Some(Family::OpenAiChat),
            ),
            (
                "message",
                r#"{"choices":[],"prompt_filter_results":[]}"#,
                Some(Family::OpenAiChat),
            ),
            ("message", "[DONE]", Some(Family::OpenAiChat)),
            (
                "response.created",
                r#"{"type":"response.created"}"#,
                Some(Family::OpenAiResponses),
            ),
            (
                "error",
                r#"{"type":"error","message":"x","code":"y"}"#,
                Some(Family::OpenAiResponses),
            ),
            (
                "message_start",
                r#"{"type":"message_start","message":{}}"#,
                Some(Family::Anthropic),
            ),
            (
                "error",
                r#"{"type":"error","error":{"type":"overloaded_error"}}"#,
                Some(Family::Anthropic),
            ),
            ("message", r#"{"candidates":[{"content":{}}]}"#, Some(Family::Gemini)),
            (
                "message",
                r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}"#,
                Some(Family::Gemini),
            ),
            (
                "message",
                r#"{"error":{"message":"bad","type":"invalid_request_error"}}"#,
                Some(Family::OpenAiChat),
            ),
            (
                "message",
                r#"{"model":"m","created_at":"x","message":{"content":"a"},"done":false}"#,
                Some(Family::Ollama),
            ),
            ("message", r#"{"hello":1}"#, None),
            ("message", "not json", None),
        ];
        for (event, data, expected) in cases {
            assert_eq!(detect(event, data), expected, "{data}");
        }
    }
}
