//! Citations as `source` events, once per URL and numbered `src_{n}` (as Gemini's grounding
//! sources): a delta's `url_citation` annotations (`OpenAI` search models, `OpenRouter` web search)
//! and Perplexity's chunk-level `search_results` (URL and title) and `citations` (URLs alone), which
//! it repeats on every chunk. The offsets and cited text of an annotation are not kept: a URL cited
//! again would have no event to hold them.

use std::borrow::Cow;

use serde::Deserialize;

use super::non_empty;
use super::wire::{Annotation, Chunk};
use crate::events::Event;
use crate::families::{source_once, List, Obj};

/// Perplexity's `citations` (see [`lenient_str_list`](crate::families::schema::lenient_str_list)).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(super) struct Citations<'a>(
    #[serde(borrow, deserialize_with = "crate::families::schema::lenient_str_list")] pub(super) Vec<Cow<'a, str>>,
);

/// The sources of a chunk's top-level fields: its search results first, which have titles.
pub(super) fn of_chunk(seen: &mut Vec<String>, chunk: &Chunk<'_>, citations: &Citations<'_>, out: &mut Vec<Event>) {
    for Obj(result) in chunk.search_results.iter().flatten() {
        if let Some(url) = non_empty(result.url.as_ref()) {
            source_once(seen, url, result.title.as_deref(), out);
        }
    }
    for url in citations.0.iter().filter(|url| !url.is_empty()) {
        source_once(seen, url, None, out);
    }
}

/// The sources of a delta's `url_citation` annotations; other annotation types are passed over.
pub(super) fn of_annotations(seen: &mut Vec<String>, annotations: &List<Annotation<'_>>, out: &mut Vec<Event>) {
    for Obj(annotation) in annotations {
        let Some(Obj(citation)) = annotation.url_citation.as_ref() else {
            continue;
        };
        if annotation.kind.as_deref() == Some("url_citation") {
            if let Some(url) = non_empty(citation.url.as_ref()) {
                source_once(seen, url, citation.title.as_deref(), out);
            }
        }
    }
}
