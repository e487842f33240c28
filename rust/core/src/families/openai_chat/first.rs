//! The first payload of a stream asked as `openai-chat`: the check that it is not another family's
//! (`mismatch`, a second reading of the payload: 1.5 % of the chat corpus's instructions) is
//! skipped where the decoder's own reading tells that it finds nothing.

use crate::families::scan::{FieldsRead, Scan, Scanned};

use super::wire::Chunk;

/// The members `detect` reads ahead of the chunk's own (`choices`): `type`, then `object`.
#[derive(Debug, Default)]
pub(super) struct Telling {
    typed: bool,
    objects: u8,
    chat_object: bool,
}

impl Telling {
    /// No `type` and one `object`, a `chat.completion…` string: `detect` then finds chat (what it
    /// reads first says so), or nothing where its probe cannot read the payload.
    pub(super) fn vouches(&self) -> bool {
        !self.typed && self.objects == 1 && self.chat_object
    }
}

/// `Chunk::scan`, noting a `type` and reading `object` as `detect`'s probe reads it (a value that
/// is neither a string nor null gives the scan up). A key with escapes gives the scan up too, so
/// the keys compared are the keys serde reads.
pub(super) fn scan<'a>(s: &mut Scan<'a>, read: &mut (Chunk<'a>, Telling)) -> Scanned<()> {
    let (chunk, telling) = read;
    let mut seen = FieldsRead::default();
    s.object(|s, key| {
        if Chunk::scan_field(s, chunk, &mut seen, key)? {
            return Ok(true);
        }
        match key {
            "type" => telling.typed = true,
            "object" => {
                let object = s.opt_str()?;
                telling.objects = telling.objects.saturating_add(1);
                telling.chat_object = object.is_some_and(|o| o.starts_with("chat.completion"));
                return Ok(true);
            }
            _ => {}
        }
        Ok(false)
    })
}
