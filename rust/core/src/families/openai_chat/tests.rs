use super::*;
use crate::families::scan::is_json_number;
use crate::families::scan::test_support::scanned;
use crate::parser::{parse, Options};
use crate::Family;
use proptest::prelude::*;

fn events(body: &str) -> Vec<Event> {
    crate::families::test_support::events(Family::OpenAiChat, body)
}

fn types(body: &str) -> Vec<&'static str> {
    crate::families::test_support::types(&events(body))
}

fn last(body: &str) -> Event {
    events(body).pop().unwrap()
}

#[test]
fn shapes_of_streams() {
    let cases: [(&str, &[&str]); 8] = [
        (
            "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
            &["stream_start", "text_start", "text_delta", "text_end", "finish"],
        ),
        // Azure: the empty prompt-filter chunk gives no stream_start.
        (
            "data: {\"id\":\"\",\"model\":\"\",\"choices\":[]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            &["finish"],
        ),
        // null and empty fields open nothing.
        (
            "data: {\"choices\":[{\"delta\":{\"content\":null,\"reasoning\":\"\"},\"finish_reason\":\"stop\"}]}\n\n",
            &["finish"],
        ),
        // No finish reason but [DONE]: the terminal event, a normal end (DESIGN.md, "Bad input").
        (
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n",
            &["text_start", "text_delta", "text_end", "finish"],
        ),
        // No finish reason and no [DONE]: an incomplete stream.
        (
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
            &["text_start", "text_delta", "text_end", "error", "finish"],
        ),
        // A signature alone still yields a start/end pair.
        (
            "data: {\"choices\":[{\"delta\":{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"signature\":\"s\"}]},\"finish_reason\":\"stop\"}]}\n\n",
            &["reasoning_start", "reasoning_end", "finish"],
        ),
        // Tool call completes at the next index, not when its arguments parse.
        (
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\ndata: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
            &[
                "tool_input_start",
                "tool_input_delta",
                "tool_input_end",
                "tool_call",
                "tool_input_start",
                "tool_input_end",
                "tool_call",
                "finish",
            ],
        ),
        // An error object: error event, finish(error).
        ("data: {\"error\":{\"message\":\"m\",\"code\":502}}\n\n", &["error", "finish"]),
    ];
    for (body, expected) in cases {
        assert_eq!(types(body), expected, "{body}");
    }
}

#[test]
fn finish_reasons() {
    let cases = [
        ("stop", FinishReason::Stop),
        ("length", FinishReason::Length),
        ("tool_calls", FinishReason::ToolCalls),
        ("function_call", FinishReason::ToolCalls),
        ("content_filter", FinishReason::ContentFilter),
        ("error", FinishReason::Error),
        ("eos", FinishReason::Other),
    ];
    for (raw, reason) in cases {
        let body = format!("data: {{\"choices\":[{{\"finish_reason\":\"{raw}\"}}]}}\n\n");
        match last(&body) {
            Event::Finish {
                reason: r, raw_reason, ..
            } => {
                assert_eq!((r, raw_reason.as_deref()), (reason, Some(raw)));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn usage_meaning_and_metadata() {
    let cases: [(&str, [u64; 6], Option<f64>); 4] = [
        (
            r#"{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3},"cost":0.5}"#,
            [10, 5, 15, 3, 4, 0],
            Some(0.5),
        ),
        (
            r#"{"prompt_tokens":10,"completion_tokens":5,"total_tokens":22,"completion_tokens_details":{"reasoning_tokens":7}}"#,
            [10, 12, 22, 7, 0, 0],
            None,
        ),
        (
            r#"{"prompt_tokens":10,"completion_tokens":1,"cache_creation_input_tokens":30,"cost":"0.25"}"#,
            [40, 1, 41, 0, 0, 30],
            Some(0.25),
        ),
        (r#"{"prompt_tokens":1,"cost":"1."}"#, [1, 0, 1, 0, 0, 0], None),
    ];
    for (wire, expected, cost) in cases {
        let body = format!(
            "data: {{\"choices\":[{{\"finish_reason\":\"stop\"}}]}}\n\ndata: {{\"choices\":[],\"usage\":{wire}}}\n\n"
        );
        let Event::Finish {
            usage,
            provider_metadata_json,
            ..
        } = last(&body)
        else {
            panic!("no finish");
        };
        let got = [
            usage.input_tokens,
            usage.output_tokens,
            usage.total_tokens,
            usage.reasoning_tokens,
            usage.cache_read_tokens,
            usage.cache_write_tokens,
        ];
        assert_eq!((got, usage.cost), (expected, cost), "{wire}");
        assert_eq!(provider_metadata_json, Some(format!("{{\"usage\":{wire}}}")));
    }
}

#[test]
fn decimal_grammar() {
    for (text, ok) in [
        ("0", true),
        ("-1.5e-3", true),
        ("10", true),
        ("01", false),
        ("1.", false),
        (".5", false),
        ("1e", false),
        (" 1", false),
        ("inf", false),
        ("", false),
    ] {
        assert_eq!(is_json_number(text), ok, "{text}");
    }
}

#[test]
fn wrong_shapes() {
    // A payload that is not an object. (Fields of another JSON type are passed over, numbers that no
    // `u64` field takes too: `scalars_of_another_type_are_passed_over`.)
    for payload in ["[null,null,null,null,null,null]", "5"] {
        let mut out = Vec::new();
        let err = parse(
            format!("data: {payload}\n\n").as_bytes(),
            Some(Family::OpenAiChat),
            Options::default(),
            &mut out,
        )
        .unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::UnexpectedPayload {
                detail: "JSON of the wrong shape".to_owned()
            },
            "{payload}"
        );
    }
}

/// A number no `u64` field takes (negative, a float) and a value of another JSON type in a `u64`,
/// `bool` or `cost` field read as absent: the events are those of the body without them. A choice
/// `index` passed over is absent: the choice is the first (`choice: 0`), as when not sent.
#[test]
fn scalars_of_another_type_are_passed_over() {
    let events = |payloads: &[&str]| {
        let body = payloads
            .iter()
            .fold(String::new(), |body, p| body + "data: " + p + "\n\n");
        let mut out = Vec::new();
        parse(body.as_bytes(), Some(Family::OpenAiChat), Options::default(), &mut out).expect("parsed");
        format!("{out:?}")
    };
    let changed = events(&[
        r#"{"id":"c","choices":[{"index":-1,"delta":{"content":"Hi"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1.0,"completion_tokens":"2","total_tokens":3,"cost":{"usd":1}}}"#,
    ]);
    let absent = events(&[
        r#"{"id":"c","choices":[{"delta":{"content":"Hi"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"total_tokens":3}}"#,
    ]);
    // The raw usage (`provider_metadata_json`, last) quotes the payload as sent.
    let without_raw = |events: &str| events.split("provider_metadata_json").next().map(str::to_owned);
    assert_eq!(without_raw(&changed), without_raw(&absent));
    assert!(
        changed.contains("total_tokens: 0") && changed.contains("\"Hi\""),
        "{changed}"
    );
}

const BODY: &str = concat!(
    ": OPENROUTER PROCESSING\n\n",
    "data: {\"id\":\"g\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"th\\u00e9\",",
    "\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"th\\u00e9\"}]}}]}\r\n\r\n",
    "data: {\"choices\":[{\"delta\":{\"content\":\"ol\u{e1} \u{1f44b}\"}}]}\n\n",
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n",
    "data: [DONE]\n\n",
);

proptest! {
    #[test]
    fn any_chunking_gives_the_same_events(cuts in proptest::collection::vec(0..BODY.len(), 0..12)) {
        let whole = events(BODY);
        let out = crate::families::test_support::events_split(Family::OpenAiChat, BODY, cuts);
        prop_assert_eq!(out, whole);
    }
}

const SCAN_SEEDS: [&str; 8] = [
    r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \"x\"\n\u00e9\ud83d\ude00","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"{"choices":[{"index":1,"delta":{"reasoning_content":"a","reasoning":"b","reasoning_details":[{"type":"reasoning.text","text":"t","signature":"s","format":"x","index":0}]},"finish_reason":"stop","native_finish_reason":"STOP"}],"provider":"p"}"#,
    r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\": 1.5e-3}"}}],"function_call":{"name":"g","arguments":""}}}],"x":[1,-0.5,2E+10,true,false,null,{"k":[[]]}]}"#,
    r#"  {"id":null,"model":null,"choices":null,"usage":null,"x_groq":null,"error":null,"obfuscation":"\ud83d\ude00\\ud800"}  "#,
    r#"{"choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"#,
    r#"{"usage":{"prompt_tokens":1},"choices":[{"delta":{"provider_metadata":{"gateway":{}}}}]}"#,
    r#"{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}"#,
    r#"{"choices":[{"index":18446744073709551615,"delta":{}},{"index":1.0},{"index":-0},{"index":01}]}"#,
];

crate::families::scan::scan_soundness_tests!(scan_reads_common_chunks_and_agrees_with_serde, SCAN_SEEDS, 6, Chunk);

#[test]
fn scan_gives_up_on_what_serde_rejects() {
    let bad = [
        r#"{"id":"a"} x"#,
        r#"{"id":"a",}"#,
        r#"{"choices":[{"delta":{}},]}"#,
        r#"{"id":"a\x"}"#,
        "{\"id\":\"a\u{1}\"}",
        r#"{"id":"\ud800"}"#,
        r#"{"id":"\udc00\ud800"}"#,
        // Not valid JSON for us even where serde takes it (see `parse_json`).
        r#"{"obfuscation":"\ud800"}"#,
        r#"{"x":01}"#,
        r#"{"x":1.}"#,
        r#"{"x":-}"#,
        r#"{"x":nul}"#,
        r#"{"id":5}"#,
        r#"{"choices":{}}"#,
        r#"{"choices":[null]}"#,
        "[]",
        r#"{"a\u0041":1}"#,
    ];
    for data in bad {
        assert!(scanned(data, Chunk::scan).is_none(), "{data}");
    }
    let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
    assert!(scanned(&deep, Chunk::scan).is_none());
}

/// The events and errors of `payloads` read as one stream, with the template (`resume`) or with
/// every payload scanned from its start.
fn stream_events(payloads: &[String], resume: bool) -> Vec<String> {
    let mut decoder = Decoder::default();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for data in payloads {
        if let Err(err) = decoder.payload("message", data, &mut out) {
            errors.push(format!("{err:?}"));
        }
        if !resume {
            decoder.template = None;
        }
    }
    decoder.end(&mut out);
    out.iter().map(|e| format!("{e:?}")).chain(errors).collect()
}

/// Chunks as streams send them: one head (ids, model, the first choice up to its `delta`)
/// repeated, different deltas and tails after it.
const HEADS: [&str; 5] = [
    r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"#,
    r#"{"choices":[{"delta":"#,
    r#"{"id": "gen-1", "model": "x/y", "usage": null, "choices": [{"finish_reason": null, "index": 0, "delta": "#,
    r#"{"id":"c","usage":{"prompt_tokens":1},"x_groq":null,"choices":[{"index":0,"delta":"#,
    r#"{"model":"m","error":{"message":"e"},"choices":[{"finish_reason":"stop","delta":"#,
];
const TAILS: [&str; 9] = [
    r#"{"content":"Hi"},"logprobs":null,"finish_reason":null}],"system_fingerprint":"fp"}"#,
    r#"{"role":"assistant","content":""},"finish_reason":null}]}"#,
    r#"{"reasoning_content":"a\né"}}],"usage":null}"#,
    r#"{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\""}}]}}]}"#,
    r#"{"tool_calls":[{"index":0,"function":{"arguments":": 1}"}}]}},{"index":1,"delta":{"content":"x"}}]}"#,
    r#"{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#,
    r#"null,"index":0}],"error":{"message":"m","code":500}}"#,
    r#"{"content":"x"}}],"model":"again"}"#,
    r#"{"content":"x"},"delta":{}}]}"#,
];

proptest! {
    /// Reading from where the repeated head ends gives what reading each payload whole gives,
    /// damaged payloads included.
    #[test]
    fn resuming_after_the_head_reads_as_a_full_scan(
        chunks in proptest::collection::vec((0..HEADS.len(), 0..TAILS.len(), 0usize..400, 0usize..3, proptest::sample::select(vec!["", "\"", "}", ",", "1", " ", "\\u", "]"])), 1..8),
    ) {
        let payloads: Vec<String> = chunks
            .iter()
            .map(|&(head, tail, at, remove, insert)| {
                let mut data = format!("{}{}", HEADS[head], TAILS[tail]);
                if remove > 0 {
                    let at = at % data.len();
                    let end = (at + remove).min(data.len());
                    if data.is_char_boundary(at) && data.is_char_boundary(end) {
                        data.replace_range(at..end, insert);
                    }
                }
                data
            })
            .collect();
        prop_assert_eq!(stream_events(&payloads, true), stream_events(&payloads, false));
    }
}

#[test]
fn the_head_is_read_again_only_when_it_repeats() {
    let head = HEADS[0];
    let payloads: Vec<String> = [TAILS[0], TAILS[2], TAILS[0]]
        .iter()
        .map(|t| format!("{head}{t}"))
        .collect();
    let mut decoder = Decoder::default();
    let mut out = Vec::new();
    for data in &payloads {
        decoder.payload("message", data, &mut out).expect("valid chunks");
        let template = decoder.template.as_ref().expect("a template");
        assert_eq!(template.prefix, head);
    }
    // A head of other bytes is scanned whole and becomes the template.
    let other = format!("{}{}", HEADS[1], TAILS[0]);
    decoder.payload("message", &other, &mut out).expect("valid chunk");
    assert_eq!(decoder.template.as_ref().map(|t| t.prefix.as_str()), Some(HEADS[1]));
    // Nulls before `choices` and `delta` are not read again (OpenAI's `"usage":null`)...
    decoder
        .payload("message", &format!("{}{}", HEADS[2], TAILS[3]), &mut out)
        .expect("valid chunk");
    assert_eq!(
        decoder.template.as_ref().map(|t| t.prefix.as_str()),
        Some(HEADS[2].trim_end())
    );
    // ... but a value there would need reading again: no template.
    let usage_first = r#"{"usage":{"prompt_tokens":1},"choices":[{"delta":{}}]}"#;
    decoder.payload("message", usage_first, &mut out).expect("valid chunk");
    assert!(decoder.template.is_none());
}

/// A tool call of a type the decoder does not model (Chat Completions streams only `function`,
/// openai-python's `ChoiceDeltaToolCall`) is passed over with every later delta at its index; a
/// call without `index` takes its place among the modeled calls, so one of another type beside it
/// moves nothing (the `tolerant` fuzz target found the shift).
#[test]
fn tool_calls_of_another_type_are_passed_over() {
    let body = concat!(
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[",
        "{\"index\":1,\"id\":\"x\",\"type\":\"custom\",\"custom\":{\"name\":\"c\",\"input\":\"\"}},",
        "{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"custom\":{\"input\":\"more\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"type\":\"x_new\",\"function\":{\"name\":\"g\"}},",
        "{\"function\":{\"arguments\":\": 1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: [DONE]\n\n",
    );
    let events = events(body);
    let calls: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolCall {
                id, name, arguments, ..
            } => Some((&**id, name.as_str(), arguments.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(calls, [("a", "f", "{\"a\": 1}")], "{events:#?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Error { .. })), "{events:#?}");
}

#[test]
fn citations_are_sources_once_per_url() {
    let body = concat!(
        "data: {\"id\":\"c\",\"citations\":[\"https://a\",7,\"https://b\"],\"search_results\":[{\"url\":\"https://b\",\"title\":\"B\"},1],",
        "\"choices\":[{\"delta\":{\"content\":\"x\",\"annotations\":[\"n\",{\"type\":\"url_citation\",\"url_citation\":{\"url\":\"https://c\",\"title\":\"C\"}}]}}]}\n\n",
        "data: {\"id\":\"c\",\"citations\":[\"https://a\",\"https://b\"],\"search_results\":\"x\",",
        "\"choices\":[{\"delta\":{\"annotations\":{\"type\":\"url_citation\"}},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n",
    );
    let all = events(body);
    let found = crate::families::test_support::sources(&all);
    // Search results first (they have titles), then citations, then the choices' annotations.
    assert_eq!(
        found,
        [
            ("src_0", "url", Some("https://b"), Some("B"), None, None),
            ("src_1", "url", Some("https://a"), None, None, None),
            ("src_2", "url", Some("https://c"), Some("C"), None, None),
        ]
    );
    assert_eq!(types(body)[..3], ["stream_start", "source", "source"]);
}

/// The scan of a `usage` object against serde's reading of it.
mod usage_scan {
    use crate::families::openai_chat::usage::WireUsage;

    const SEEDS: [&str; 6] = [
        r#"{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0,"accepted_prediction_tokens":0}}"#,
        r#"{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"cost":0.00021,"is_byok":false,"prompt_tokens_details":{"cached_tokens":3,"cache_write_tokens":2},"cost_details":{"upstream_inference_cost":null},"completion_tokens_details":{"reasoning_tokens":0}}"#,
        r#"{"cache_creation_input_tokens":5,"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":"0.5","market_cost":"0.4"}"#,
        r#"{"queue_time":0.05,"prompt_tokens":20,"prompt_time":0.001,"completion_tokens":8,"completion_time":0.02,"total_tokens":28,"total_time":0.021}"#,
        // Left to serde: a repeated key, a count that is no integer, a details value of another type.
        r#"{"prompt_tokens":1,"prompt_tokens":2}"#,
        r#"{"prompt_tokens":1.5,"completion_tokens_details":[1],"cost":{"usd":1}}"#,
    ];

    crate::families::scan::scan_soundness_tests!(scan_reads_usage_objects_and_agrees_with_serde, SEEDS, 4, WireUsage);
}

/// The scan of a delta's `provider_metadata` against serde's reading of it.
mod provider_metadata_scan {
    use crate::families::openai_chat::usage::ProviderMetadata;

    const SEEDS: [&str; 4] = [
        r#"{"gateway":{"routing":{"originalModelId":"m","attempts":[{"provider":"p","success":true}]},"cost":"0.000123","marketCost":"0.0001"},"openai":{"x":1}}"#,
        r#"{"anthropic":{"cacheCreationInputTokens":0,"usage":{"input_tokens":3}},"gateway":{"cost":0.5}}"#,
        // Left to serde: a repeated key, a gateway of another type.
        r#"{"gateway":{"cost":1},"gateway":{"cost":2}}"#,
        r#"{"gateway":[{"cost":1}]}"#,
    ];

    crate::families::scan::scan_soundness_tests!(
        scan_reads_provider_metadata_and_agrees_with_serde,
        SEEDS,
        2,
        ProviderMetadata
    );
}
