//! The final response assembled from the normalized events: a pure function of the event stream,
//! the same for every family.
//!
//! Choices: the message's own fields are choice 0's. When an event opens a part of a choice > 0
//! (n > 1), `choices` holds one message per choice, choice 0 included, each folded from its own
//! parts; events that belong to no part (start, finish, errors, sources, unknown) go to every
//! choice. A stream of one choice leaves `choices` empty and costs nothing for it.

use crate::events::{Event, FinishReason, PartId, Usage};
pub use crate::logprobs::{join_array, LogprobsJoin};

#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallRecord {
    pub id: String,
    pub name: String,
    pub arguments: String,
    pub provider_executed: bool,
    pub call_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolResultRecord {
    pub id: String,
    pub name: String,
    pub result: String,
    pub is_error: bool,
    pub provider_executed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    pub id: String,
    pub media_type: String,
    pub data: Vec<u8>,
    pub partial: bool,
}

/// A source of the message: the event's own fields.
pub type SourceRecord = crate::events::Source;

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    pub message: String,
    pub kind: String,
    pub raw: Option<String>,
}

/// One content part in wire order: what a next request sends back. Text, reasoning and refusal
/// parts hold their own text; the others point into the message's lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text {
        id: PartId,
        text: String,
        /// Its deltas' `logprobs` joined (see [`LogprobsJoin`]).
        logprobs: LogprobsJoin,
    },
    Reasoning {
        id: PartId,
        text: String,
        signature: Option<String>,
        redacted: bool,
    },
    Refusal {
        id: PartId,
        text: String,
        logprobs: LogprobsJoin,
    },
    /// An index into `tool_calls`.
    ToolCall(usize),
    /// An index into `tool_results`.
    ToolResult(usize),
    /// An index into `files`.
    File(usize),
}

impl Part {
    /// The `type` of the part, as in `to_dict()`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Reasoning { .. } => "reasoning",
            Self::Refusal { .. } => "refusal",
            Self::ToolCall(_) => "tool_call",
            Self::ToolResult(_) => "tool_result",
            Self::File(_) => "file",
        }
    }
}

/// Which text a delta extends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TextKind {
    Text,
    Reasoning,
    Refusal,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub id: Option<String>,
    pub model: Option<String>,
    pub created: Option<i64>,
    /// All text parts, concatenated.
    pub text: String,
    /// All reasoning parts, concatenated.
    pub reasoning: String,
    /// The signatures of the reasoning parts, in order (redacted data included).
    pub reasoning_signatures: Vec<String>,
    /// All refusal parts, concatenated.
    pub refusal: String,
    pub tool_calls: Vec<ToolCallRecord>,
    pub tool_results: Vec<ToolResultRecord>,
    pub files: Vec<FileRecord>,
    pub sources: Vec<SourceRecord>,
    pub finish_reason: Option<FinishReason>,
    pub raw_finish_reason: Option<String>,
    pub usage: Option<Usage>,
    pub provider_metadata_json: Option<String>,
    pub errors: Vec<ErrorRecord>,
    /// The content parts in wire order.
    pub parts: Vec<Part>,
    /// One message per choice when the stream has more than one (see the module notes), else empty.
    pub choices: Vec<Message>,
    /// The `logprobs` of every text delta joined (see [`LogprobsJoin`]).
    pub logprobs: LogprobsJoin,
    routes: ChoiceRouter,
    /// Deltas in their parts already and not yet in `text`, `reasoning`, `refusal` (see
    /// [`apply_batched`](Self::apply_batched)).
    unjoined: Vec<Unjoined>,
}

/// A run of deltas appended to one part and not yet to its kind's joined text: the part's bytes
/// `from..to`.
#[derive(Debug, Clone, PartialEq)]
struct Unjoined {
    kind: TextKind,
    part: usize,
    from: usize,
    to: usize,
}

/// Which choice each event belongs to: a part's events go where its start said (`choice`), others
/// to every choice (`None`). Keeps the parts of choices > 0 only, so a single-choice stream keeps
/// nothing and looks nothing up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChoiceRouter {
    routes: Vec<(PartId, u32)>,
}

impl ChoiceRouter {
    pub fn clear(&mut self) {
        self.routes.clear();
    }

    /// The choice of `event` (after noting the choice of a part it starts), or `None` for an
    /// event of no part.
    pub fn choice_of(&mut self, event: &Event) -> Option<u32> {
        match event {
            Event::TextStart { id, choice }
            | Event::ReasoningStart { id, choice }
            | Event::RefusalStart { id, choice }
            | Event::ToolInputStart { id, choice, .. } => {
                // A part reopened under its id belongs to the choice it is opened in now.
                if !self.routes.is_empty() {
                    self.routes.retain(|(known, _)| known != id);
                }
                if *choice > 0 {
                    self.routes.push((id.clone(), *choice));
                }
                Some(*choice)
            }
            Event::TextDelta { id, .. }
            | Event::TextEnd { id }
            | Event::ReasoningDelta { id, .. }
            | Event::ReasoningEnd { id, .. }
            | Event::RefusalDelta { id, .. }
            | Event::RefusalEnd { id }
            | Event::ToolInputDelta { id, .. }
            | Event::ToolInputEnd { id }
            | Event::ToolCall { id, .. }
            | Event::ToolResult { id, .. } => Some(self.route(id)),
            Event::File { id, .. } => Some(self.route(id)),
            _ => None,
        }
    }

    /// The choice a part start opens its part in; 0 for every other event. Until one is above 0
    /// every event goes to the one message, and the callers fold it without [`choice_of`](Self::choice_of).
    #[inline]
    pub fn opened_choice(event: &Event) -> u32 {
        match event {
            Event::TextStart { choice, .. }
            | Event::ReasoningStart { choice, .. }
            | Event::RefusalStart { choice, .. }
            | Event::ToolInputStart { choice, .. } => *choice,
            _ => 0,
        }
    }

    fn route(&self, id: &str) -> u32 {
        if self.routes.is_empty() {
            return 0;
        }
        self.routes
            .iter()
            .rev()
            .find(|(known, _)| &**known == id)
            .map_or(0, |(_, choice)| *choice)
    }
}

impl Message {
    pub fn apply(&mut self, event: &Event) {
        self.apply_batched(event);
        self.join();
    }

    /// [`apply`](Self::apply), but a delta goes into its part only: the joined texts (`text`,
    /// `reasoning`, `refusal`) lag until [`join`](Self::join), which appends each run of deltas
    /// to one part with one copy. A caller folding many events at once (the parser, a chunk's
    /// worth) so copies each delta once, not twice (the fold of the corpus bodies: 2.13M
    /// instructions with the second copy, 1.86M without, callgrind).
    pub fn apply_batched(&mut self, event: &Event) {
        // A single-choice stream so far (no choice > 0 has opened, so no route is kept): the usual path.
        if self.choices.is_empty() {
            if self.extend_last(event) {
                return;
            }
            if ChoiceRouter::opened_choice(event) == 0 {
                self.fold(event);
                return;
            }
        }
        if let Some(choice) = self.routes.choice_of(event) {
            let choice = choice as usize;
            if self.choices.len() <= choice {
                // The first choice is this message as it stands: joined.
                self.join();
                if self.choices.is_empty() {
                    let mut first = self.clone();
                    first.routes.clear();
                    self.choices.push(first);
                }
                let mut blank = Message::default();
                self.copy_shared(&mut blank);
                self.choices.resize(choice + 1, blank);
            }
            if choice == 0 {
                self.fold(event);
            }
            if let Some(message) = self.choices.get_mut(choice) {
                message.fold(event);
            }
        } else {
            self.fold(event);
            for message in &mut self.choices {
                message.fold(event);
            }
        }
    }

    /// What every choice shares: the fields of events that belong to no part.
    fn copy_shared(&self, into: &mut Message) {
        into.id.clone_from(&self.id);
        into.model.clone_from(&self.model);
        into.created = self.created;
        into.sources.clone_from(&self.sources);
        into.finish_reason = self.finish_reason;
        into.raw_finish_reason.clone_from(&self.raw_finish_reason);
        into.usage.clone_from(&self.usage);
        into.provider_metadata_json.clone_from(&self.provider_metadata_json);
        into.errors.clone_from(&self.errors);
    }

    /// Brings the joined texts up to date with the parts (see [`apply_batched`](Self::apply_batched)).
    pub fn join(&mut self) {
        for run in self.unjoined.drain(..) {
            let joined = match run.kind {
                TextKind::Text => &mut self.text,
                TextKind::Reasoning => &mut self.reasoning,
                TextKind::Refusal => &mut self.refusal,
            };
            let delta = match self.parts.get(run.part) {
                Some(Part::Text { text, .. } | Part::Reasoning { text, .. } | Part::Refusal { text, .. }) => {
                    text.get(run.from..run.to).unwrap_or_default()
                }
                _ => "",
            };
            joined.push_str(delta);
        }
        for choice in &mut self.choices {
            choice.join();
        }
    }

    /// Folds one event into this message alone.
    fn fold(&mut self, event: &Event) {
        match event {
            Event::StreamStart { id, model, created } => {
                if id.is_some() {
                    self.id.clone_from(id);
                }
                if model.is_some() {
                    self.model.clone_from(model);
                }
                if created.is_some() {
                    self.created = *created;
                }
            }
            Event::TextStart { id, .. } => self.parts.push(Part::Text {
                id: id.clone(),
                text: String::new(),
                logprobs: LogprobsJoin::default(),
            }),
            Event::ReasoningStart { id, .. } => self.parts.push(Part::Reasoning {
                id: id.clone(),
                text: String::new(),
                signature: None,
                redacted: false,
            }),
            Event::RefusalStart { id, .. } => self.parts.push(Part::Refusal {
                id: id.clone(),
                text: String::new(),
                logprobs: LogprobsJoin::default(),
            }),
            Event::TextDelta { id, text, logprobs } => {
                self.extend(TextKind::Text, id, text, logprobs.as_deref());
                if let Some(logprobs) = logprobs {
                    self.logprobs.push(logprobs);
                }
            }
            Event::ReasoningDelta { id, text } => {
                self.extend(TextKind::Reasoning, id, text, None);
            }
            Event::RefusalDelta { id, text, logprobs } => {
                self.extend(TextKind::Refusal, id, text, logprobs.as_deref());
            }
            Event::ReasoningEnd {
                id,
                signature,
                redacted,
            } => {
                if let Some(signature) = signature {
                    self.reasoning_signatures.push(signature.clone());
                }
                if signature.is_some() || *redacted {
                    if let Some(Part::Reasoning {
                        signature: slot,
                        redacted: flag,
                        ..
                    }) = self.part_mut(TextKind::Reasoning, id)
                    {
                        slot.clone_from(signature);
                        *flag = *redacted;
                    }
                }
            }
            Event::ToolCall { .. } | Event::ToolResult { .. } | Event::File { .. } | Event::Source(_) => {
                self.record(event);
            }
            Event::Finish {
                reason,
                raw_reason,
                usage,
                provider_metadata_json,
            } => {
                self.finish_reason = Some(*reason);
                self.raw_finish_reason.clone_from(raw_reason);
                self.usage = Some(usage.clone());
                self.provider_metadata_json.clone_from(provider_metadata_json);
            }
            Event::Error { message, kind, raw } => self.errors.push(ErrorRecord {
                message: message.clone(),
                kind: kind.clone(),
                raw: raw.clone(),
            }),
            _ => {}
        }
    }

    /// Folds an event that becomes a record of the message (and a part, but for sources).
    fn record(&mut self, event: &Event) {
        match event {
            Event::ToolCall {
                id,
                name,
                arguments,
                provider_executed,
                call_type,
            } => {
                self.parts.push(Part::ToolCall(self.tool_calls.len()));
                self.tool_calls.push(ToolCallRecord {
                    id: id.to_string(),
                    name: name.clone(),
                    arguments: arguments.clone(),
                    provider_executed: *provider_executed,
                    call_type: call_type.clone(),
                });
            }
            Event::ToolResult {
                id,
                name,
                result,
                is_error,
                provider_executed,
            } => {
                self.parts.push(Part::ToolResult(self.tool_results.len()));
                self.tool_results.push(ToolResultRecord {
                    id: id.to_string(),
                    name: name.clone(),
                    result: result.clone(),
                    is_error: *is_error,
                    provider_executed: *provider_executed,
                });
            }
            Event::File {
                id,
                media_type,
                data,
                partial,
            } => {
                self.parts.push(Part::File(self.files.len()));
                self.files.push(FileRecord {
                    id: id.clone(),
                    media_type: media_type.clone(),
                    data: data.clone(),
                    partial: *partial,
                });
            }
            Event::Source(source) => self.sources.push(SourceRecord::clone(source)),
            _ => {}
        }
    }

    /// A text, reasoning or refusal delta to the last part, when that part is its own (same kind,
    /// same id `Arc`): what [`fold`](Self::fold) does with it, without its dispatch and the search
    /// of [`extend`](Self::extend) (a translation of the corpus: 0.54M instructions fewer, a fifth
    /// of the fold, callgrind). False, and nothing done, for any other event.
    fn extend_last(&mut self, event: &Event) -> bool {
        let (kind, id, delta, logprobs) = match event {
            Event::TextDelta { id, text, logprobs } => (TextKind::Text, id, text, logprobs.as_deref()),
            Event::ReasoningDelta { id, text } => (TextKind::Reasoning, id, text, None),
            Event::RefusalDelta { id, text, logprobs } => (TextKind::Refusal, id, text, logprobs.as_deref()),
            _ => return false,
        };
        let index = self.parts.len().wrapping_sub(1);
        let from = match (kind, self.parts.last_mut()) {
            (
                TextKind::Text,
                Some(Part::Text {
                    id: known,
                    text: t,
                    logprobs: l,
                }),
            )
            | (
                TextKind::Refusal,
                Some(Part::Refusal {
                    id: known,
                    text: t,
                    logprobs: l,
                }),
            ) if PartId::ptr_eq(known, id) => {
                let from = append(t, delta);
                if let Some(logprobs) = logprobs {
                    l.push(logprobs);
                }
                from
            }
            (TextKind::Reasoning, Some(Part::Reasoning { id: known, text: t, .. })) if PartId::ptr_eq(known, id) => {
                append(t, delta)
            }
            _ => return false,
        };
        self.note_unjoined(kind, index, from, delta.len());
        if let (TextKind::Text, Some(logprobs)) = (kind, logprobs) {
            self.logprobs.push(logprobs);
        }
        true
    }

    /// Notes `len` bytes appended at `from` to part `index`, for [`join`](Self::join).
    fn note_unjoined(&mut self, kind: TextKind, index: usize, from: usize, len: usize) {
        let to = from + len;
        match self.unjoined.last_mut() {
            Some(run) if run.part == index && run.to == from => run.to = to,
            _ if len == 0 => {}
            _ => self.unjoined.push(Unjoined {
                kind,
                part: index,
                from,
                to,
            }),
        }
    }

    /// Appends a delta's text (and logprobs) to its part: the last part on the usual path (one
    /// comparison), an earlier one when parts interleave, a new one when its start was never seen.
    /// The joined text of its kind gets it at the next [`join`](Self::join).
    fn extend(&mut self, kind: TextKind, id: &PartId, text: &str, logprobs: Option<&str>) {
        let index = if let Some(index) = self.part_index(kind, id) {
            index
        } else {
            let id = id.clone();
            self.parts.push(match kind {
                TextKind::Text => Part::Text {
                    id,
                    text: String::new(),
                    logprobs: LogprobsJoin::default(),
                },
                TextKind::Reasoning => Part::Reasoning {
                    id,
                    text: String::new(),
                    signature: None,
                    redacted: false,
                },
                TextKind::Refusal => Part::Refusal {
                    id,
                    text: String::new(),
                    logprobs: LogprobsJoin::default(),
                },
            });
            self.parts.len() - 1
        };
        let from = match self.parts.get_mut(index) {
            Some(Part::Reasoning { text: t, .. }) => append(t, text),
            Some(
                Part::Text {
                    text: t, logprobs: l, ..
                }
                | Part::Refusal {
                    text: t, logprobs: l, ..
                },
            ) => {
                let from = append(t, text);
                if let Some(logprobs) = logprobs {
                    l.push(logprobs);
                }
                from
            }
            _ => return,
        };
        self.note_unjoined(kind, index, from, text.len());
    }

    /// The latest part of `kind` with id `id`.
    fn part_mut(&mut self, kind: TextKind, id: &PartId) -> Option<&mut Part> {
        let index = self.part_index(kind, id)?;
        self.parts.get_mut(index)
    }

    /// The index in `parts` of the latest part of `kind` with id `id`.
    fn part_index(&self, kind: TextKind, id: &PartId) -> Option<usize> {
        self.parts.iter().rposition(|part| match (kind, part) {
            (TextKind::Text, Part::Text { id: known, .. })
            | (TextKind::Reasoning, Part::Reasoning { id: known, .. })
            | (TextKind::Refusal, Part::Refusal { id: known, .. }) => PartId::ptr_eq(known, id) || known == id,
            _ => false,
        })
    }
}

/// The room a part's text starts with: grown from a delta's length, a part's text was reallocated
/// 1,090 times over the corpus (0.35M instructions, callgrind, a translation into Responses).
const PART_TEXT_ROOM: usize = 128;

/// Appends a delta to a part's text; returns where it starts.
fn append(part: &mut String, delta: &str) -> usize {
    let from = part.len();
    if part.capacity() == 0 {
        part.reserve(delta.len().max(PART_TEXT_ROOM));
    }
    part.push_str(delta);
    from
}

#[cfg(test)]
mod tests {
    use super::{LogprobsJoin, Message, Part};
    use crate::events::{Event, FinishReason, PartId, Usage};

    fn fold(events: &[Event]) -> Message {
        let mut message = Message::default();
        for event in events {
            message.apply(event);
        }
        message
    }

    fn text(id: &PartId, text: &str) -> Event {
        Event::TextDelta {
            id: id.clone(),
            text: text.into(),
            logprobs: None,
        }
    }

    /// `events` with every part id a new `Arc` of the same text: no id is the last part's own
    /// pointer, so every delta takes the search (`extend`), not `extend_last`.
    fn fresh_ids(events: &[Event]) -> Vec<Event> {
        let fresh = |id: &PartId| -> PartId { PartId::from(&**id) };
        events
            .iter()
            .map(|event| match event.clone() {
                Event::TextStart { id, choice } => Event::TextStart { id: fresh(&id), choice },
                Event::ReasoningStart { id, choice } => Event::ReasoningStart { id: fresh(&id), choice },
                Event::RefusalStart { id, choice } => Event::RefusalStart { id: fresh(&id), choice },
                Event::TextDelta { id, text, logprobs } => Event::TextDelta {
                    id: fresh(&id),
                    text,
                    logprobs,
                },
                Event::ReasoningDelta { id, text } => Event::ReasoningDelta { id: fresh(&id), text },
                Event::RefusalDelta { id, text, logprobs } => Event::RefusalDelta {
                    id: fresh(&id),
                    text,
                    logprobs,
                },
                other => other,
            })
            .collect()
    }

    #[test]
    fn a_delta_to_the_last_part_folds_as_the_search_does() {
        // Parts interleaved, an id reused by another kind, deltas of a part that was never
        // started, logprobs on text and refusal, empty deltas, and a second choice: the fast path
        // (the last part's own id) and the search give one message.
        let (a, b, r, x): (PartId, PartId, PartId, PartId) = ("a".into(), "b".into(), "r".into(), "x".into());
        let lp = |text: &str, logprobs: &str| Event::TextDelta {
            id: a.clone(),
            text: text.into(),
            logprobs: Some(logprobs.into()),
        };
        let events = [
            Event::TextStart {
                id: a.clone(),
                choice: 0,
            },
            text(&a, "he"),
            lp("llo", "[{\"token\":\"llo\"}]"),
            Event::ReasoningStart {
                id: r.clone(),
                choice: 0,
            },
            Event::ReasoningDelta {
                id: r.clone(),
                text: "think".into(),
            },
            text(&a, " world"),
            Event::ReasoningDelta {
                id: r.clone(),
                text: String::new(),
            },
            Event::ReasoningDelta {
                id: r.clone(),
                text: "ing".into(),
            },
            Event::ReasoningEnd {
                id: r.clone(),
                signature: Some("sig".into()),
                redacted: false,
            },
            Event::RefusalStart {
                id: a.clone(),
                choice: 0,
            },
            Event::RefusalDelta {
                id: a.clone(),
                text: "no".into(),
                logprobs: Some("[]".into()),
            },
            text(&a, "!"),
            text(&x, "orphan"),
            text(&x, ""),
            text(&x, " delta"),
            Event::TextStart {
                id: b.clone(),
                choice: 1,
            },
            text(&b, "second"),
            text(&a, " choice zero"),
            text(&b, " choice"),
        ];
        let shared = fold(&events);
        assert_eq!(shared, fold(&fresh_ids(&events)));
        assert_eq!(shared.text, "hello world!orphan delta choice zero");
        // Batched as the parser folds: the joined texts caught up at the end.
        let mut batched = Message::default();
        for event in &events {
            batched.apply_batched(event);
        }
        batched.join();
        assert_eq!(batched, shared);
    }

    #[test]
    fn parts_keep_wire_order_with_signatures() {
        let (r, t, c): (PartId, PartId, PartId) = ("r".into(), "t".into(), "c".into());
        let m = fold(&[
            Event::ReasoningStart {
                id: r.clone(),
                choice: 0,
            },
            Event::ReasoningDelta {
                id: r.clone(),
                text: "hm".into(),
            },
            Event::ReasoningEnd {
                id: r.clone(),
                signature: Some("sig".into()),
                redacted: false,
            },
            Event::TextStart {
                id: t.clone(),
                choice: 0,
            },
            text(&t, "a"),
            text(&t, "b"),
            Event::TextEnd { id: t.clone() },
            Event::ToolCall {
                id: c,
                name: "f".into(),
                arguments: "{}".into(),
                provider_executed: false,
                call_type: None,
            },
        ]);
        assert_eq!(
            m.parts,
            [
                Part::Reasoning {
                    id: r,
                    text: "hm".into(),
                    signature: Some("sig".into()),
                    redacted: false
                },
                Part::Text {
                    id: t,
                    text: "ab".into(),
                    logprobs: LogprobsJoin::default()
                },
                Part::ToolCall(0)
            ]
        );
        assert!(m.choices.is_empty());
    }

    #[test]
    fn logprobs_join_per_part_and_for_the_text() {
        let (t, r): (PartId, PartId) = ("t".into(), "r".into());
        let delta = |id: &PartId, logprobs: Option<&str>| Event::TextDelta {
            id: id.clone(),
            text: "x".into(),
            logprobs: logprobs.map(Into::into),
        };
        let m = fold(&[
            delta(&t, Some("[1]")),
            delta(&t, None),
            delta(&t, Some("[ 2 ,3 ]")),
            Event::RefusalDelta {
                id: r,
                text: "no".into(),
                logprobs: Some("[4]".into()),
            },
        ]);
        // The entries' text is kept as sent, one `,` between arrays.
        assert_eq!(m.logprobs.text().as_deref(), Some("[1, 2 ,3 ]"));
        let logprobs: Vec<_> = m
            .parts
            .iter()
            .map(|p| match p {
                Part::Text { logprobs, .. } | Part::Refusal { logprobs, .. } => {
                    logprobs.text().map(std::borrow::Cow::into_owned)
                }
                _ => None,
            })
            .collect();
        assert_eq!(logprobs, [Some("[1, 2 ,3 ]".to_owned()), Some("[4]".to_owned())]);
        assert!(fold(&[delta(&t, None)]).logprobs.is_empty());
    }

    #[test]
    fn choices_split_by_the_choice_of_their_parts() {
        let (a, b): (PartId, PartId) = ("a".into(), "b".into());
        let m = fold(&[
            Event::StreamStart {
                id: Some("r1".into()),
                model: None,
                created: Some(7),
            },
            Event::TextStart {
                id: a.clone(),
                choice: 0,
            },
            text(&a, "x"),
            Event::TextStart {
                id: b.clone(),
                choice: 1,
            },
            text(&b, "y"),
            text(&a, "z"),
            Event::Finish {
                reason: FinishReason::Stop,
                raw_reason: None,
                usage: Usage::default(),
                provider_metadata_json: None,
            },
        ]);
        assert_eq!(m.text, "xz");
        let texts: Vec<_> = m.choices.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["xz", "y"]);
        for choice in &m.choices {
            assert_eq!((choice.id.as_deref(), choice.created), (Some("r1"), Some(7)));
            assert_eq!(choice.finish_reason, Some(FinishReason::Stop));
            assert!(choice.choices.is_empty());
        }
        assert_eq!(m.parts.len(), 1);
    }

    #[test]
    fn batched_deltas_join_as_deltas_applied_one_by_one() {
        let [text_a, text_b, thought, refused, second, lone]: [PartId; 6] =
            ["a", "b", "r", "f", "c", "lone"].map(PartId::from);
        let mut events = vec![
            Event::TextStart {
                id: text_a.clone(),
                choice: 0,
            },
            Event::ReasoningStart {
                id: thought.clone(),
                choice: 0,
            },
            Event::TextStart {
                id: text_b.clone(),
                choice: 0,
            },
            Event::RefusalStart {
                id: refused.clone(),
                choice: 0,
            },
        ];
        // Runs of deltas to one part, parts interleaving, an empty delta, a delta of no start;
        // then a second choice, from which on the deltas fold into the choices too.
        let mut seed = 7u32;
        for n in 0..120 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let pick = (seed >> 16) % 5;
            let piece = if n % 17 == 0 { String::new() } else { format!("{n}é,") };
            if n == 60 {
                events.push(Event::TextStart {
                    id: second.clone(),
                    choice: 1,
                });
            }
            events.push(match pick {
                0 | 1 => text(if pick == 0 { &text_a } else { &text_b }, &piece),
                2 => Event::ReasoningDelta {
                    id: thought.clone(),
                    text: piece,
                },
                3 => Event::RefusalDelta {
                    id: refused.clone(),
                    text: piece,
                    logprobs: None,
                },
                _ => text(if n < 60 { &lone } else { &second }, &piece),
            });
        }
        let eager = fold(&events);
        for every in [1, 3, 50, events.len()] {
            let mut batched = Message::default();
            for (n, event) in events.iter().enumerate() {
                batched.apply_batched(event);
                if n % every == every - 1 {
                    batched.join();
                }
            }
            batched.join();
            assert_eq!(batched, eager, "joined every {every} events");
        }
        // The joined text, from the events themselves: every text delta of choice 0, in order.
        let want: String = events
            .iter()
            .filter_map(|e| match e {
                Event::TextDelta { id, text, .. } if *id != second => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(eager.text, want);
        assert_eq!(eager.choices.len(), 2);
    }
}
