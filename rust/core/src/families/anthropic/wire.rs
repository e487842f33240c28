//! The Messages API stream's events as sent (the fields the decoder reads).

use std::borrow::Cow;

use serde::Deserialize;

use crate::families::schema::wire;

wire! {
    pub(super) struct Payload<'a> {
        kind as "type": str,
        message: obj(MessageWire<'a>),
        index: u64,
        content_block: obj(BlockWire<'a>),
        delta: obj(DeltaWire<'a>),
        usage: raw,
        error: rare(ErrorWire<'a>),
        metrics as "amazon-bedrock-invocationMetrics": raw,
    }
}

wire! {
    pub(super) struct MessageWire<'a> {
        id: str,
        model: str,
        usage: raw,
    }
}

wire! {
    pub(super) struct BlockWire<'a> {
        kind as "type": str,
        id: str,
        name: str,
        input: raw,
        text: str,
        thinking: str,
        signature: str,
        data: str,
        citations: list(CitationWire<'a>),
        /// `*_tool_result` blocks: the call they answer, and (MCP) whether the tool failed.
        tool_use_id: str,
        is_error: bool,
        /// Read only for `web_search_tool_result`: a list of results, or an error object. A list is
        /// also read by the scan into `scanned_content`, items as citations (serde's path reads the
        /// raw text when the block turns out to need it). Search results carry kilobytes of
        /// encrypted content: read once here, not skipped, then validated again, then parsed.
        content: raw_with_list(SearchResultWire<'a>, scanned_content),
    }
}

wire! {
    /// One web search result.
    pub(super) struct SearchResultWire<'a> {
        url: str,
        title: str,
    }
}

wire! {
    /// A citation: of a web search result (`url`), of a document the request sent
    /// (`char_location`, `page_location`, `content_block_location`: its title and where), or of a
    /// search result block (`search_result_location`).
    pub(super) struct CitationWire<'a> {
        kind as "type": str,
        url: str,
        title: str,
        document_title: str,
        /// Where the cited text sits, kept as sent in the source's metadata.
        cited_text: raw,
        document_index: raw,
        file_id: raw,
        source: raw,
        search_result_index: raw,
        start_char_index: raw,
        end_char_index: raw,
        start_page_number: raw,
        end_page_number: raw,
        start_block_index: raw,
        end_block_index: raw,
    }
}

wire! {
    pub(super) struct DeltaWire<'a> {
        kind as "type": str,
        text: str,
        thinking: str,
        signature: str,
        partial_json: str,
        citation: obj(CitationWire<'a>),
        stop_reason: str,
        stop_sequence: raw,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ErrorWire<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "type"
    )]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) message: Option<Cow<'a, str>>,
}

/// The `type` of a tool result's `content` object (`web_search_tool_result_error`, ...).
#[derive(Debug, Deserialize)]
pub(super) struct ContentType<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "type"
    )]
    pub(super) kind: Option<Cow<'a, str>>,
}
