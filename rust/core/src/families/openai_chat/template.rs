//! Reading a chunk from where the bytes it shares with the stream's earlier chunks end.

use crate::families::scan::{list_item, FieldsRead, Scan, Scanned};
use crate::families::{List, Obj};

use super::wire::{Choice, Chunk, Delta};

/// What a payload's scan knew where its first choice's `delta` value begins. The chunks of a stream
/// repeat the same bytes up to there (`{"id":…,"object":…,"created":…,"model":…,"choices":[{"index":0,
/// "delta":`, about half of each payload), so a payload that starts with them is read from that point
/// on: the bytes are the ones the scan read and validated before, so it reads them the same way.
/// Measured in docs/performance.md.
#[derive(Debug)]
pub(super) struct Template {
    pub(super) prefix: String,
    /// Fields of the chunk read before its `choices` (`id` and `model`, which are not read once the
    /// stream has started, when the template is used; or nulls).
    chunk_seen: FieldsRead,
    /// Fields of the first choice read before its `delta` (`index`, or a null `finish_reason`).
    choice_seen: FieldsRead,
    index: Option<u64>,
}

impl Template {
    /// The template of a payload the scan read whole, if its first choice has a `delta` and what
    /// came before it is ids, the model, the choice index and nulls (`OpenAI` sends `"usage":null`
    /// before `choices`, others `"finish_reason":null` before `delta`): resuming leaves them unread.
    pub(super) fn of(chunk: &Chunk<'_>, data: &str) -> Option<Self> {
        let (_, chunk_seen) = chunk.seen_at_choices.0?;
        let choice = &chunk.choices.as_ref()?.first()?.0;
        let (at, choice_seen) = choice.delta_at.0?;
        // A field read once is read for good (a second one gives up), so its value now is the one
        // read before the resume point.
        if (chunk_seen.has(Chunk::usage) && chunk.usage.is_some())
            || (chunk_seen.has(Chunk::x_groq) && chunk.x_groq.is_some())
            || (chunk_seen.has(Chunk::error) && chunk.error.is_some())
            || (chunk_seen.has(Chunk::citations) && chunk.citations.is_some())
            || (chunk_seen.has(Chunk::search_results) && chunk.search_results.is_some())
            || (choice_seen.has(Choice::finish_reason) && choice.finish_reason.is_some())
            || (choice_seen.has(Choice::logprobs) && choice.logprobs.is_some())
        {
            return None;
        }
        Some(Self {
            prefix: data.get(..at)?.to_owned(),
            chunk_seen,
            choice_seen,
            index: choice.index,
        })
    }

    /// Reads `data`, which starts with the prefix, from where the prefix ends.
    pub(super) fn resume<'a>(&self, data: &'a str, chunk: &mut Chunk<'a>) -> Scanned<()> {
        // In the chunk object, its `choices` array and the first choice's object.
        let mut s = Scan::resume(data, self.prefix.len(), 3);
        let list = chunk.choices.insert(List::new());
        list.resize_with(1, || {
            Obj(Choice {
                index: self.index,
                ..Choice::default()
            })
        });
        let choice = &mut list.last_mut().ok_or(crate::families::scan::GiveUp)?.0;
        s.opt_obj(&mut choice.delta, Delta::scan)?;
        let mut seen = self.choice_seen;
        s.rest_of_object(|s, key| Choice::scan_field(s, choice, &mut seen, key))?;
        s.rest_of_array(|s| list_item(s, list, Choice::scan))?;
        let mut seen = self.chunk_seen;
        s.rest_of_object(|s, key| Chunk::scan_field(s, chunk, &mut seen, key))?;
        s.end()
    }
}
