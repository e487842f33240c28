use crate::events::{Event, FinishReason};
use crate::families::test_support::{events, events_split, types};
use crate::families::{detect, Family};

/// Two choices (`n = 2`), a finish each, then the usage chunk and `[DONE]`, in the shape of the
/// completion object of `OpenAI`'s API reference (Completions, "The completion object").
const TWO_CHOICES: &str = concat!(
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"Hi\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"Yo\",\"index\":1,\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n",
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"!\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}\n\n",
    "data: [DONE]\n\n",
);

#[test]
fn choices_text_usage_and_finish() {
    let out = events(Family::OpenAiCompletions, TWO_CHOICES);
    assert_eq!(
        types(&out),
        [
            "stream_start",
            "text_start",
            "text_delta",
            "text_start",
            "text_delta",
            "text_end",
            "text_delta",
            "text_end",
            "finish"
        ]
    );
    let Some(Event::Finish {
        reason,
        raw_reason,
        usage,
        provider_metadata_json,
    }) = out.last()
    else {
        panic!("no finish: {out:?}");
    };
    // Choice 0 is the lowest index with a reason.
    assert_eq!((*reason, raw_reason.as_deref()), (FinishReason::Stop, Some("stop")));
    assert_eq!((usage.input_tokens, usage.output_tokens, usage.total_tokens), (5, 4, 9));
    assert_eq!(
        provider_metadata_json.as_deref(),
        Some(r#"{"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}"#)
    );
}

#[test]
fn any_split_gives_the_same_events() {
    let whole = events(Family::OpenAiCompletions, TWO_CHOICES);
    for cut in 0..=TWO_CHOICES.len() {
        assert_eq!(
            events_split(Family::OpenAiCompletions, TWO_CHOICES, vec![cut]),
            whole,
            "{cut}"
        );
    }
}

/// `logprobs: 1` and `n = 2`, in the shape of `OpenAI`'s API reference (Completions, `choices[].logprobs`
/// with `tokens`, `token_logprobs`, `top_logprobs`, `text_offset`): no recording of a legacy stream
/// with logprobs is known.
const LOGPROBS: &str = concat!(
    "data: {\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"Hi\",\"index\":0,\"logprobs\":{\"tokens\":[\"Hi\"],\"token_logprobs\":[-0.25],\"top_logprobs\":[{\"Hi\":-0.25}],\"text_offset\":[7]},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"Yo\",\"index\":1,\"logprobs\":{\"tokens\":[\"Yo\"],\"token_logprobs\":[-1.5],\"top_logprobs\":[{\"Yo\":-1.5}],\"text_offset\":[7]},\"finish_reason\":\"length\"}]}\n\n",
    "data: {\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"!\",\"index\":0,\"logprobs\":{\"tokens\":[\"!\"],\"token_logprobs\":[-0.5],\"top_logprobs\":[{\"!\":-0.5}],\"text_offset\":[9]},\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":{\"tokens\":[],\"token_logprobs\":[],\"top_logprobs\":[],\"text_offset\":[]},\"finish_reason\":null}]}\n\n",
    "data: [DONE]\n\n",
);

#[test]
fn logprobs_go_on_their_choice_text_delta_as_sent() {
    let out = events(Family::OpenAiCompletions, LOGPROBS);
    let deltas: Vec<_> = out
        .iter()
        .filter_map(|e| match e {
            Event::TextDelta { id, text, logprobs } => Some((&**id, text.as_str(), logprobs.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deltas,
        [
            (
                "0",
                "Hi",
                Some(r#"{"tokens":["Hi"],"token_logprobs":[-0.25],"top_logprobs":[{"Hi":-0.25}],"text_offset":[7]}"#)
            ),
            (
                "1",
                "Yo",
                Some(r#"{"tokens":["Yo"],"token_logprobs":[-1.5],"top_logprobs":[{"Yo":-1.5}],"text_offset":[7]}"#)
            ),
            (
                "0",
                "!",
                Some(r#"{"tokens":["!"],"token_logprobs":[-0.5],"top_logprobs":[{"!":-0.5}],"text_offset":[9]}"#)
            ),
        ]
    );
    // Absent, `null` or `{}`: no logprobs, and the events of a body without them.
    let plain = events(Family::OpenAiCompletions, TWO_CHOICES);
    let empty = TWO_CHOICES.replacen("\"logprobs\":null", "\"logprobs\":{}", 1);
    assert_eq!(events(Family::OpenAiCompletions, &empty), plain);
    assert!(plain
        .iter()
        .all(|e| !matches!(e, Event::TextDelta { logprobs: Some(_), .. })));
}

#[test]
fn logprobs_of_several_choices_in_a_chunk_go_to_their_own_deltas() {
    // Choice 0 has no text (no delta for its lists), choice 2 no logprobs.
    let body = concat!(
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"text\":\"\",\"logprobs\":{\"tokens\":[]}},",
        "{\"index\":1,\"text\":\"A\",\"logprobs\":{\"tokens\":[\"A\"]}},{\"index\":2,\"text\":\"B\",\"logprobs\":null},",
        "{\"index\":3,\"text\":\"C\",\"logprobs\":{\"tokens\":[\"C\"]}}]}\n\n",
        "data: [DONE]\n\n",
    );
    let on_deltas: Vec<_> = events(Family::OpenAiCompletions, body)
        .into_iter()
        .filter_map(|e| match e {
            Event::TextDelta { text, logprobs, .. } => Some((text, logprobs)),
            _ => None,
        })
        .collect();
    assert_eq!(
        on_deltas,
        [
            ("A".to_owned(), Some(r#"{"tokens":["A"]}"#.to_owned())),
            ("B".to_owned(), None),
            ("C".to_owned(), Some(r#"{"tokens":["C"]}"#.to_owned())),
        ]
    );
}

#[test]
fn logprobs_join_per_choice_on_the_message() {
    let mut parser =
        crate::parser::StreamParser::new(Some(Family::OpenAiCompletions), crate::parser::Options::default());
    let mut out = Vec::new();
    parser.feed(LOGPROBS.as_bytes(), &mut out).unwrap();
    parser.close(&mut out).unwrap();
    let message = parser.message();
    let first = r#"{"tokens":["Hi","!"],"token_logprobs":[-0.25,-0.5],"top_logprobs":[{"Hi":-0.25},{"!":-0.5}],"text_offset":[7,9]}"#;
    assert_eq!(message.logprobs.text().as_deref(), Some(first));
    let per_choice: Vec<_> = message
        .choices
        .iter()
        .map(|c| c.logprobs.text().map(std::borrow::Cow::into_owned))
        .collect();
    assert_eq!(
        per_choice,
        [
            Some(first.to_owned()),
            Some(
                r#"{"tokens":["Yo"],"token_logprobs":[-1.5],"top_logprobs":[{"Yo":-1.5}],"text_offset":[7]}"#
                    .to_owned()
            )
        ]
    );
}

#[test]
fn detection() {
    let cases = [
        (
            r#"{"object":"text_completion","choices":[{"text":"a"}]}"#,
            Some(Family::OpenAiCompletions),
        ),
        (
            r#"{"choices":[{"text":"a","index":0}]}"#,
            Some(Family::OpenAiCompletions),
        ),
        (r#"{"choices":[{"text":"a","delta":{}}]}"#, Some(Family::OpenAiChat)),
        (r#"{"choices":[{"text":null}]}"#, Some(Family::OpenAiChat)),
        (r#"{"choices":[]}"#, Some(Family::OpenAiChat)),
        (r#"{"choices":[1]}"#, Some(Family::OpenAiChat)),
        (
            r#"{"object":"chat.completion.chunk","choices":[{"text":"a"}]}"#,
            Some(Family::OpenAiChat),
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(detect("message", data), expected, "{data}");
    }
}

mod chunk_scan {
    use crate::families::openai_completions::wire::Chunk;

    const SCAN_SEEDS: [&str; 3] = [
        r#"{"id":"cmpl-1","object":"text_completion","created":1,"choices":[{"text":" holiday","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct","usage":null}"#,
        r#"{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","usage":{"prompt_tokens":14,"completion_tokens":16,"total_tokens":30},"choices":[]}"#,
        r#"{"choices":[{"text":"\u00e9\"","index":1,"logprobs":{"tokens":["a"],"token_logprobs":[-0.5]},"finish_reason":"length","stop_reason":null}],"error":null}"#,
    ];

    crate::families::scan::scan_soundness_tests!(scan_reads_common_chunks_and_agrees_with_serde, SCAN_SEEDS, 3, Chunk);
}
