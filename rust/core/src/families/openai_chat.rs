//! The `openai-chat` wire family. Not implemented yet: every payload is reported as unsupported.

use crate::error::ErrorKind;
use crate::events::{Event, Usage};

use super::parts::Parts;
use super::FamilyDecoder;

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, _data: &str, _out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        Err(ErrorKind::UnexpectedPayload {
            detail: "the `openai-chat` family is not implemented yet".to_owned(),
        })
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        super::incomplete(&mut self.parts, &self.usage, out);
    }
}
