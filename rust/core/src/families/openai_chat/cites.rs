//! Citations as `source` events, once per URL and numbered `src_{n}` (as Gemini's grounding
//! sources): a delta's `url_citation` annotations (`OpenAI` search models, `OpenRouter` web search)
//! and Perplexity's chunk-level `search_results` (URL and title) and `citations` (URLs alone), which
//! it repeats on every chunk. The offsets and cited text of an annotation are not kept: a URL cited
//! again would have no event to hold them.
//!
//! The three fields are read as raw text with the chunk and parsed here, only for a chunk that sent
//! one (`Cites::read`, boxed, asked for by the caller when it sees one): the usual chunk pays a
//! branch or two, not a struct built and dropped per payload (that cost the chat slice of the
//! corpus 3 % of its instructions, callgrind). Each is read leniently (tolerant reader): an item or
//! a value of another JSON type is passed over.

use std::borrow::Cow;

use serde::Deserialize;

use super::non_empty;
use super::wire::Chunk;
use crate::error::ErrorKind;
use crate::events::Event;
use crate::families::schema::LenientList;
use crate::families::{parse_json, source_once, List, Obj};

/// Perplexity's `citations` (see [`lenient_str_list`](crate::families::schema::lenient_str_list)).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Citations<'a>(
    #[serde(borrow, deserialize_with = "crate::families::schema::lenient_str_list")] Vec<Cow<'a, str>>,
);

/// One of Perplexity's `search_results`.
#[derive(Debug, Deserialize)]
struct SearchResult<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    url: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    title: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Annotation<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "type"
    )]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_obj")]
    url_citation: Option<Obj<SearchResult<'a>>>,
}

/// The citations of one chunk, parsed before any of its events is emitted.
#[derive(Debug, Default)]
pub(super) struct Cites<'a> {
    citations: Vec<Cow<'a, str>>,
    results: Option<List<SearchResult<'a>>>,
    /// The annotations of the choices that sent some, by their position in `choices`.
    annotations: Vec<(usize, List<Annotation<'a>>)>,
}

impl<'a> Cites<'a> {
    /// The chunk's annotations (choice by choice), then its `citations` and `search_results`.
    #[cold]
    pub(super) fn read(chunk: &Chunk<'a>) -> Result<Box<Self>, ErrorKind> {
        let mut cites = Box::<Self>::default();
        for (n, choice) in chunk.choices.iter().flatten().enumerate() {
            if let Some(raw) = choice.delta.as_ref().and_then(|d| d.annotations) {
                if let LenientList(Some(list)) = parse_json(raw.get())? {
                    cites.annotations.push((n, list));
                }
            }
        }
        if let Some(raw) = chunk.citations {
            cites.citations = parse_json::<Citations>(raw.get())?.0;
        }
        if let Some(raw) = chunk.search_results {
            cites.results = parse_json::<LenientList<SearchResult>>(raw.get())?.0;
        }
        Ok(cites)
    }

    /// The sources of the chunk's top-level fields: its search results first, which have titles.
    pub(super) fn chunk_sources(&self, seen: &mut Vec<String>, out: &mut Vec<Event>) {
        for Obj(result) in self.results.iter().flatten() {
            if let Some(url) = non_empty(result.url.as_ref()) {
                source_once(seen, url, result.title.as_deref(), out);
            }
        }
        for url in self.citations.iter().filter(|url| !url.is_empty()) {
            source_once(seen, url, None, out);
        }
    }

    /// The sources of the `url_citation` annotations of choice `choice`; other types are passed over.
    pub(super) fn annotation_sources(&self, choice: usize, seen: &mut Vec<String>, out: &mut Vec<Event>) {
        let annotations = self.annotations.iter().filter(|(c, _)| *c == choice);
        for Obj(annotation) in annotations.flat_map(|(_, list)| list) {
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
}
