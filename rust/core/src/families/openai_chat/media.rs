//! Generated media in chat deltas, as `file` events (the Python twin: `_Media` in
//! `reference/families/openai_chat.py`):
//! - `OpenRouter`'s `delta.images`: each `image_url` that is a base64 data URL is a `file` of its
//!   media type, at once; a list holding any other URL is also kept whole as an `unknown` of kind
//!   `images`, so that nothing is lost;
//! - `OpenAI`'s `delta.audio` (audio output): its `transcript` fragments are the choice's text (the
//!   words of the answer, what a user reads), its base64 `data` chunks one `file` with their decoded
//!   bytes joined, emitted when the choice finishes (or the stream ends), with the audio's `id` (what
//!   a next request sends back) and the media type `audio/pcm`: a streamed answer is always `pcm16`
//!   (24 kHz, 16-bit little-endian, mono), the one format `OpenAI` streams. A chunk whose data is not
//!   base64 is an `unknown` of kind `audio`, its `audio` object as sent.
//!
//! Both are read only for a delta that sends one: the usual delta pays the check of two `None`s.

use crate::b64;
use crate::families::{data_url, read_payload, List, Obj, Raw};

use super::wire::{AudioDelta, Image};

/// The media type of a streamed audio answer (see the module notes).
pub(crate) const AUDIO_MEDIA_TYPE: &str = "audio/pcm";

/// The audio of one choice, as its chunks come.
#[derive(Debug, Default)]
pub(super) struct Audio {
    pub(super) id: Option<String>,
    pub(super) data: Vec<u8>,
}

/// The media type and bytes of each of a delta's images that is a base64 data URL, and whether
/// every one was.
pub(super) fn decoded_images<'i>(items: &'i List<Image<'_>>) -> (Vec<(&'i str, Vec<u8>)>, bool) {
    let mut all = true;
    let mut files = Vec::new();
    for Obj(image) in items {
        let url = image.image_url.as_ref().and_then(|u| u.url.as_deref()).unwrap_or("");
        match data_url(url).and_then(|(media_type, data)| Some((media_type, b64::decode(data)?))) {
            Some((media_type, data)) => {
                let media_type = if media_type.is_empty() {
                    "application/octet-stream"
                } else {
                    media_type
                };
                files.push((media_type, data));
            }
            None => all = false,
        }
    }
    (files, all)
}

/// A `delta.audio` read; nothing for a value that is not an object or cannot be read (a member of a
/// new type: passed over).
#[cold]
pub(super) fn audio_delta(raw: Raw<'_>) -> Option<AudioDelta<'_>> {
    if !raw.get().starts_with('{') {
        return None;
    }
    let mut audio = AudioDelta::default();
    read_payload(raw.get(), &mut audio, AudioDelta::scan).ok()?;
    Some(audio)
}
