//! Which family sent a payload: auto-detection from the first payload of a stream, and the check
//! that a body parsed as one family is not another's (DESIGN.md, "Bad input").

use std::borrow::Cow;

use serde::Deserialize;

use super::scan::Scan;
use super::schema::wire;
use super::{parse_json, Family, Obj};
use crate::error::ErrorKind;

wire! {
    /// The members of a payload detection reads. `type` and `object` are strict: one of another
    /// JSON type makes the payload unreadable here, so it tells nothing.
    struct Probe<'a> {
        kind as "type": strict_str,
        object: strict_str,
        choices: raw,
        candidates: raw,
        usage_metadata as "usageMetadata": raw,
        prompt_feedback as "promptFeedback": raw,
        /// An object or nothing: serde's derived structs also read arrays (`[null]`), which say
        /// nothing of the family (hypothesis found `{"error":[null]}` detected as Gemini).
        error: obj(ErrorProbe<'a>),
        message: raw,
        done: raw,
        created_at: raw,
        model: raw,
    }
}

wire! {
    struct ErrorProbe<'a> {
        status: raw,
    }
}

/// The probe of a payload: the scan where it can vouch for it, else serde (`parse_json`'s rules:
/// an unpaired surrogate anywhere is not JSON). Exact, and so a second full reading of the first
/// payload: the parser reads a [`sketch`] first, and this only where the sketch's answer is in doubt.
fn probe(data: &str) -> Option<Probe<'_>> {
    scanned(data).or_else(|| parse_json::<Obj<Probe<'_>>>(data).ok().map(|Obj(p)| p))
}

fn scanned(data: &str) -> Option<Probe<'_>> {
    let mut probe = Probe::default();
    Scan::whole(data, &mut probe, Probe::scan).ok().map(|()| probe)
}

/// The probe with its `raw` members passed over, not checked (`Scan::sketch`), else serde. On
/// JSON it is [`probe`]; on text that is not, it may find what `probe` does not (`probe` finds
/// nothing there). A payload the sketch reads is within the depth limit (it gives up deeper down),
/// so only serde's needs the check.
fn sketch(data: &str) -> Option<Probe<'_>> {
    let mut probe = Probe::default();
    Scan::sketch(data, &mut probe, Probe::scan)
        .ok()
        .map(|()| probe)
        .or_else(|| {
            crate::depth::check(data).ok()?;
            parse_json::<Obj<Probe<'_>>>(data).ok().map(|Obj(p)| p)
        })
}

/// `choices` without a telling `object` (some compatible servers omit it): a completion when the
/// first choice has `text` and no `delta`. Read only then, so a usual chat chunk costs nothing more.
fn completions_or_chat(data: &str) -> Family {
    #[derive(Deserialize)]
    struct Choices {
        choices: Option<serde_json::Value>,
    }
    let first = parse_json::<Obj<Choices>>(data)
        .ok()
        .and_then(|Obj(c)| c.choices)
        .and_then(|c| c.as_array().and_then(|a| a.first()).cloned());
    let has = |choice: &serde_json::Value, key: &str| choice.get(key).is_some_and(|v| !v.is_null());
    match first {
        Some(choice) if choice.is_object() && has(&choice, "text") && !has(&choice, "delta") => {
            Family::OpenAiCompletions
        }
        _ => Family::OpenAiChat,
    }
}

/// Which family sent this payload (the first of a stream), or `None` when it cannot tell.
pub fn detect(event: &str, data: &str) -> Option<Family> {
    detect_with(event, data, probe)
}

/// [`detect`] where the payload is JSON; where it is not, `detect` says `None` and this may name a
/// family, whose decoder then refuses the payload (its reading checks every byte): the parser asks
/// [`detect`] only then.
pub fn detect_sketched(event: &str, data: &str) -> Option<Family> {
    detect_with(event, data, sketch)
}

fn detect_with<'a>(event: &str, data: &'a str, probe: fn(&'a str) -> Option<Probe<'a>>) -> Option<Family> {
    if data.trim() == "[DONE]" {
        return Some(Family::OpenAiChat);
    }
    let probe = probe(data)?;
    if let Some(kind) = probe.kind.as_deref() {
        if let Some(family) = tagged(kind) {
            return Some(family);
        }
        match kind {
            // Both send `type: error`: Anthropic nests an `error` object, Responses puts `message` on top.
            "error" if probe.error.is_some() => return Some(Family::Anthropic),
            "error" if probe.message.is_some() => return Some(Family::OpenAiResponses),
            _ => {}
        }
    }
    match probe.object.as_deref() {
        Some(o) if o.starts_with("chat.completion") => return Some(Family::OpenAiChat),
        Some("text_completion") => return Some(Family::OpenAiCompletions),
        _ if probe.choices.is_some() => return Some(completions_or_chat(data)),
        _ => {}
    }
    if probe.candidates.is_some() || probe.usage_metadata.is_some() || probe.prompt_feedback.is_some() {
        return Some(Family::Gemini);
    }
    // Ollama's lines: `done` beside `created_at` (always sent) or `model` (all the docs show).
    if probe.done.is_some() && (probe.created_at.is_some() || probe.model.is_some()) {
        return Some(Family::Ollama);
    }
    match probe.error {
        Some(Obj(ErrorProbe { status: Some(_) })) => Some(Family::Gemini),
        Some(_) => Some(Family::OpenAiChat),
        None if event.starts_with("response.") => Some(Family::OpenAiResponses),
        None => None,
    }
}

/// The family a payload's `type` names by itself, the first thing `detect` reads.
fn tagged(kind: &str) -> Option<Family> {
    if kind.starts_with("response.") {
        return Some(Family::OpenAiResponses);
    }
    match kind {
        "message_start"
        | "message_delta"
        | "message_stop"
        | "content_block_start"
        | "content_block_delta"
        | "content_block_stop"
        | "ping" => Some(Family::Anthropic),
        "message-start" | "content-start" | "content-delta" | "content-end" | "tool-plan-delta" | "tool-call-start"
        | "tool-call-delta" | "tool-call-end" | "citation-start" | "citation-end" | "message-end" => {
            Some(Family::Cohere)
        }
        _ => None,
    }
}

/// Whether `kind`, the string `type` of a payload some decoder has read whole (as serde reads it),
/// names `family` by itself: then [`detect`] says `family` (or nothing, where its probe cannot read
/// the payload), and [`mismatch`] finds nothing. That decoder's first payload needs no second
/// reading for the check (a fifth to a tenth of a short stream's instructions).
pub fn tag_names(family: Family, kind: Option<&str>) -> bool {
    kind.and_then(tagged) == Some(family)
}

#[derive(Deserialize)]
struct ErrorMarks<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    error: Option<serde::de::IgnoredAny>,
}

/// The fault of a first payload that another family sent (`asked` is the decoder's family), or
/// `None`. An error payload says little of who sent it (most servers send `{"error": ...}`), so it
/// never counts; nor does a payload detection cannot place.
pub fn mismatch(asked: Family, event: &str, data: &str) -> Option<ErrorKind> {
    let found = detect_sketched(event, data).filter(|&found| found != asked)?;
    // Serde's full reading: text that is not JSON, where `detect` finds nothing, ends here too.
    let Obj(marks): Obj<ErrorMarks<'_>> = parse_json(data).ok()?;
    if marks.error.is_some() || marks.kind.as_deref() == Some("error") {
        return None;
    }
    Some(ErrorKind::UnexpectedPayload {
        detail: format!(
            "the payloads look like the `{}` family, not `{}`; pass `family=\"{}\"` or `\"auto\"`",
            found.as_str(),
            asked.as_str(),
            found.as_str()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::{detect, detect_sketched, mismatch, Probe};
    use crate::families::scan::test_support::mutated;
    use crate::families::{AnyDecoder, Family};

    const SCAN_SEEDS: [&str; 8] = [
        r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":3}}}"#,
        r#"{"candidates": [{"content": {"parts": [{"text": "Hi \"there\"\n\u00e9"}]}}], "usageMetadata": {"promptTokenCount": 9}, "modelVersion": "g"}"#,
        r#"{"model":"llama3","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}"#,
        r#"{"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}, "promptFeedback": null, "type": null}"#,
        // Left to serde: `type` of another JSON type, a repeated key, an `error` that is no object.
        r#"{"type": 5, "candidates": []}"#,
        r#"{"object": "chat.completion.chunk", "object": "text_completion"}"#,
        r#"{"error": [null]}"#,
    ];

    crate::families::scan::scan_soundness_tests!(probe_scan_agrees_with_serde, SCAN_SEEDS, 5, Probe);

    /// Where `detect` finds nothing (text that is not JSON), no family is asserted: the family the
    /// sketch may name refuses the payload (the parser then asks `detect`), and `mismatch` says
    /// nothing. Where `detect` finds a family, the sketch finds the same.
    fn assert_sketch_is_sound(data: &str) {
        let exact = detect("message", data);
        let sketched = detect_sketched("message", data);
        if exact.is_some() {
            assert_eq!(sketched, exact, "{data:?}");
            return;
        }
        if let Some(family) = sketched {
            let refused = AnyDecoder::new(family)
                .payload("message", data, &mut Vec::new())
                .is_err();
            assert!(refused, "{family:?} read {data:?}, which is not JSON");
        }
        for asked in Family::NAMES.iter().filter_map(|name| Family::from_name(name)) {
            assert_eq!(mismatch(asked, "message", data), None, "{asked:?}: {data:?}");
        }
    }

    #[test]
    fn the_sketch_names_a_family_only_where_detect_does() {
        let cases = [
            r#"{"candidates": [tru]}"#,
            r#"{"candidates": [{"content": {"parts": [{"text": "a\qb"}]}}]}"#,
            r#"{"choices": [{]}, "object": "chat.completion.chunk"}"#,
            r#"{"choices": [1 2]}"#,
            "{\"usageMetadata\": {\"a\": \"\u{1}\"}}",
            r#"{"type": "message_start", "message": {"id": 01}}"#,
            r#"{"done": false, "model": [}]}"#,
            r#"{"candidates": [}"#,
            r#"{"candidates": "\"}"#,
        ];
        // Not JSON, but the sketch reads it: the case the parser checks with `detect`.
        assert_eq!(detect_sketched("message", cases[0]), Some(Family::Gemini));
        for data in cases {
            assert_eq!(detect("message", data), None, "{data}");
            assert_sketch_is_sound(data);
        }
        for data in SCAN_SEEDS {
            assert_sketch_is_sound(data);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_sketch_is_sound_under_mutation(data in mutated(&SCAN_SEEDS)) {
            assert_sketch_is_sound(&data);
        }
    }

    /// First payloads with members of two families, or members the decoders do not read.
    const FIRST_SEEDS: [&str; 8] = [
        r#"{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"createTime":"2025-01-01T00:00:00Z","modelVersion":"g"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"choices":[{"delta":{"content":"b"}}]}"#,
        r#"{"usageMetadata":{"promptTokenCount":1},"object":"chat.completion.chunk","type":null}"#,
        r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}],"type":"message_start"}"#,
        r#"{"id":"c","object":"text_completion","choices":[{"index":0,"text":"a","logprobs":null}]}"#,
        r#"{"id":"c","choices":[{"index":0,"text":"a"}],"candidates":[]}"#,
        r#"{"object":"chat.completion.chunk","choices":[],"object":"chat.completion.chunk"}"#,
        r#"{"type":"response.created","response":{"id":"r"},"object":"chat.completion.chunk"}"#,
    ];

    /// A decoder's own reading of a first payload (`first_payload`, which may skip the check) says
    /// what the check and the plain reading say: the same events, or the same fault.
    fn assert_first_payload_is_checked(data: &str) {
        for family in [
            Family::OpenAiChat,
            Family::Gemini,
            Family::Anthropic,
            Family::OpenAiResponses,
        ] {
            let (mut own, mut checked) = (Vec::new(), Vec::new());
            let own_result = AnyDecoder::new(family).first_payload("message", data, &mut own);
            let checked_result = mismatch(family, "message", data)
                .map_or_else(|| AnyDecoder::new(family).payload("message", data, &mut checked), Err);
            assert_eq!((own_result, own), (checked_result, checked), "{family:?}: {data:?}");
        }
    }

    #[test]
    fn a_decoders_first_payload_reading_is_the_check_and_the_reading() {
        for data in FIRST_SEEDS.iter().chain(&SCAN_SEEDS) {
            assert_first_payload_is_checked(data);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_decoders_first_payload_reading_holds_under_mutation(data in mutated(&FIRST_SEEDS)) {
            assert_first_payload_is_checked(&data);
        }
    }
}
