//! Incremental server-sent events tokenizer: the WHATWG "interpreting an event stream" rules
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>),
//! fed chunks split anywhere.
//!
//! Lines are split on raw bytes: CR and LF are ASCII, so they never sit inside a multi-byte UTF-8
//! sequence, and decoding each field value on its own with replacement gives exactly what decoding
//! the whole stream first would (an invalid sequence is always cut short by the CR, LF or `:` after
//! it). That lets whole lines be borrowed from the chunk; only an unfinished last line is copied.

use std::borrow::Cow;
use std::mem;

use memchr::{memchr, memchr2};

use crate::error::{Error, ErrorKind, Result};

pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Below glibc's large-block size (1,008 bytes), whose requests first consolidate the free lists.
const FIRST_DATA_CAPACITY: usize = 1000;

/// One dispatched event, borrowed from the decoder's buffers for the duration of the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEventRef<'a> {
    /// The event type; `message` when the stream named none.
    pub event: &'a str,
    pub data: &'a str,
    /// The last event ID as of this event (it persists across events).
    pub id: &'a str,
    /// The `retry` value given inside this event's block, if any.
    pub retry: Option<u64>,
    /// Index of this event in the stream, from 0.
    pub event_index: u64,
    /// Byte offset of the event's first `data` line.
    pub start_offset: u64,
    /// Byte offset just past the blank line (or end of stream) that dispatched it.
    pub end_offset: u64,
}

/// An owned copy of [`SseEventRef`], for tests and simple callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
    pub id: String,
    pub retry: Option<u64>,
}

impl From<SseEventRef<'_>> for SseEvent {
    fn from(e: SseEventRef<'_>) -> Self {
        Self {
            event: e.event.to_owned(),
            data: e.data.to_owned(),
            id: e.id.to_owned(),
            retry: e.retry,
        }
    }
}

// The flags are independent states of the line machine, not a mode that an enum would name better.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug)]
pub struct SseTokenizer {
    max_event_bytes: usize,
    flush_at_eof: bool,
    /// Bytes of a line whose end has not arrived yet (but see `data_line`).
    line: Vec<u8>,
    /// The unfinished line is a `data` line whose value goes straight into `data`.
    data_line: Option<DataLine>,
    /// The line being received is over the limit: drop it up to its end.
    skipping_line: bool,
    /// The event being received is over the limit: drop its lines up to the blank line.
    skipping_event: bool,
    /// The previous chunk ended with CR: an LF opening the next one belongs to it.
    pending_cr: bool,
    /// Leading bytes that may still turn out to be a BOM; `None` once decided.
    bom_probe: Option<Vec<u8>>,
    /// Bytes of a faulting chunk after the fault, replayed before the next input.
    carry: Vec<u8>,
    data: Vec<u8>,
    has_data: bool,
    /// Offset of the first `data` line of the event being received.
    data_start: u64,
    event_type: Vec<u8>,
    event_retry: Option<u64>,
    id_buffer: String,
    /// An `id` field was read since the last dispatch, so `id_buffer` may differ from `last_event_id`.
    id_pending: bool,
    last_event_id: String,
    retry: Option<u64>,
    /// Absolute offset of the next byte to be read.
    offset: u64,
    /// Offset of the line being interpreted.
    line_start: u64,
    events_dispatched: u64,
    closed: bool,
}

impl Default for SseTokenizer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_EVENT_BYTES, false)
    }
}

impl SseTokenizer {
    pub fn new(max_event_bytes: usize, flush_at_eof: bool) -> Self {
        Self {
            max_event_bytes,
            flush_at_eof,
            line: Vec::new(),
            data_line: None,
            skipping_line: false,
            skipping_event: false,
            pending_cr: false,
            bom_probe: Some(Vec::new()),
            carry: Vec::new(),
            data: Vec::new(),
            has_data: false,
            data_start: 0,
            event_type: Vec::new(),
            event_retry: None,
            id_buffer: String::new(),
            id_pending: false,
            last_event_id: String::new(),
            retry: None,
            offset: 0,
            line_start: 0,
            events_dispatched: 0,
            closed: false,
        }
    }

    /// The last event ID string (as of the last dispatch).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time most recently set by a `retry` field.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Events dispatched so far.
    pub fn events_dispatched(&self) -> u64 {
        self.events_dispatched
    }

    /// Feeds one chunk; `on_event` is called for every event it completes, in order.
    ///
    /// On error (a limit, or an error returned by `on_event`) the events before the fault have
    /// been delivered, the rest of the chunk is kept and read first by the next call, and the
    /// decoder stays usable.
    pub fn feed<F>(&mut self, chunk: &[u8], on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        if self.carry.is_empty() {
            self.feed_bytes(chunk, on_event)
        } else {
            let mut buf = mem::take(&mut self.carry);
            buf.extend_from_slice(chunk);
            self.feed_bytes(&buf, on_event)
        }
    }

    /// Ends the stream. The pending event is dropped, as the spec says, unless the decoder was made
    /// with `flush_at_eof`, in which case an unterminated last line is read and the event dispatched.
    pub fn close<F>(&mut self, on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        if !self.carry.is_empty() {
            let buf = mem::take(&mut self.carry);
            self.feed_bytes(&buf, on_event)?;
        }
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if let Some(probe) = self.bom_probe.take() {
            // Fewer than three bytes arrived, all a prefix of the BOM: they are ordinary input.
            if !probe.is_empty() {
                self.feed_body(&probe, on_event)?;
            }
        }
        if self.flush_at_eof {
            if let Some(data_line) = self.data_line.take() {
                self.line_start = self.offset - data_line.received as u64;
                self.end_data_line(&[])?;
            } else if !self.line.is_empty() && !self.skipping_line {
                self.line_start = self.offset - self.line.len() as u64;
                let line = mem::take(&mut self.line);
                let result = self.process_line(&line, on_event);
                self.line = line;
                self.line.clear();
                result?;
            }
            self.dispatch(on_event)?;
        }
        self.line.clear();
        self.data_line = None;
        self.skipping_line = false;
        self.skipping_event = false;
        self.reset_event();
        Ok(())
    }

    fn feed_bytes<F>(&mut self, chunk: &[u8], on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        self.closed = false;
        match self.bom_probe.take() {
            None => self.feed_body(chunk, on_event),
            Some(mut probe) => {
                // Nothing to decide on (an empty feed before the first byte); comparing empty
                // slices here cost ~100 ns a call in glibc's AVX-512 memcmp (see `dispatch`).
                if chunk.is_empty() {
                    self.bom_probe = Some(probe);
                    return Ok(());
                }
                if probe.is_empty() && chunk.len() >= BOM.len() {
                    let body = chunk.strip_prefix(BOM).unwrap_or(chunk);
                    self.offset += (chunk.len() - body.len()) as u64;
                    return self.feed_body(body, on_event);
                }
                probe.extend_from_slice(chunk);
                if probe.len() < BOM.len() && BOM.starts_with(&probe) {
                    self.bom_probe = Some(probe);
                    return Ok(());
                }
                let body = probe.strip_prefix(BOM).unwrap_or(&probe);
                self.offset += (probe.len() - body.len()) as u64;
                self.feed_body(body, on_event)
            }
        }
    }

    fn feed_body<F>(&mut self, chunk: &[u8], on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        let mut pos = 0;
        if self.pending_cr && !chunk.is_empty() {
            self.pending_cr = false;
            if chunk.first() == Some(&b'\n') {
                pos = 1;
                self.offset += 1;
            }
        }
        while let Some(rest) = chunk.get(pos..) {
            if rest.is_empty() {
                break;
            }
            // Every event ends with a blank line, which begins right where the last line ended:
            // looked at before paying for a vectorized search.
            let found = match rest.first() {
                Some(b'\r' | b'\n') => Some(0),
                _ => memchr2(b'\r', b'\n', rest),
            };
            let Some(found) = found else {
                return self.unfinished_line(rest);
            };
            let (body, tail) = rest.split_at(found);
            // The terminator: LF, CR, or CR LF; a CR that ends the chunk may still meet its LF.
            let term_len = match tail {
                [b'\r', b'\n', ..] => 2,
                [b'\r'] => {
                    self.pending_cr = true;
                    1
                }
                _ => 1,
            };
            pos += found + term_len;
            let received = self.received();
            let line_start = self.offset - received as u64;
            self.line_start = line_start;
            self.offset += (found + term_len) as u64;
            if let Err(err) = self.complete_line(body, received, on_event) {
                if let Some(remainder) = chunk.get(pos..) {
                    self.carry.extend_from_slice(remainder);
                }
                return Err(err);
            }
        }
        Ok(())
    }

    /// The rest of a chunk, a line whose end has not arrived: kept, unless it is over the limit.
    fn unfinished_line(&mut self, rest: &[u8]) -> Result<()> {
        let received = self.received();
        let line_start = self.offset - received as u64;
        self.offset += rest.len() as u64;
        if self.skipping_line {
            return Ok(());
        }
        if received + rest.len() > self.max_event_bytes {
            self.drop_line();
            self.skipping_line = true;
            return Err(self.line_too_long(line_start));
        }
        self.keep_unfinished(rest, line_start);
        Ok(())
    }

    /// A line whose terminator has come: `body` ends it, after the `received` bytes kept of it.
    #[inline]
    fn complete_line<F>(&mut self, body: &[u8], received: usize, on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        if self.skipping_line {
            self.skipping_line = false;
            return Ok(());
        }
        if received + body.len() > self.max_event_bytes {
            if self.data_line.is_some() {
                self.drop_line();
            } else {
                self.line.clear();
            }
            return Err(self.line_too_long(self.line_start));
        }
        if self.data_line.is_some() {
            self.data_line = None;
            self.end_data_line(body)
        } else if self.line.is_empty() {
            self.process_line(body, on_event)
        } else {
            let mut line = mem::take(&mut self.line);
            line.extend_from_slice(body);
            let result = self.process_line(&line, on_event);
            line.clear();
            self.line = line;
            result
        }
    }

    fn line_too_long(&self, line_start: u64) -> Error {
        Error::new(
            ErrorKind::LineTooLong {
                limit: self.max_event_bytes,
            },
            line_start,
        )
    }

    /// The bytes of the unfinished line so far.
    fn received(&self) -> usize {
        self.data_line.map_or(self.line.len(), |d| d.received)
    }

    /// Keeps the start of a line whose end is in a later chunk. A `data` line (the usual one: an
    /// event's JSON cut by the chunk boundary) has its value put straight into `data`, where the line
    /// would be copied once it ends: one copy of each such event less.
    fn keep_unfinished(&mut self, piece: &[u8], line_start: u64) {
        if let Some(data_line) = &mut self.data_line {
            data_line.received += piece.len();
            self.data.extend_from_slice(piece);
            return;
        }
        // The space after the colon must be in this piece to be told apart from the value.
        let value = match piece.strip_prefix(b"data:") {
            Some(value) if self.line.is_empty() && !self.skipping_event && !value.is_empty() => value,
            _ => return self.line.extend_from_slice(piece),
        };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        self.data_line = Some(DataLine {
            received: piece.len(),
            data_len: self.data.len(),
            had_data: self.has_data,
        });
        self.start_data(line_start);
        self.reserve_data(value.len());
        self.data.extend_from_slice(value);
    }

    /// Drops the unfinished line (too long), leaving the event as it was before the line.
    fn drop_line(&mut self) {
        self.line.clear();
        if let Some(data_line) = self.data_line.take() {
            self.data.truncate(data_line.data_len);
            self.has_data = data_line.had_data;
        }
    }

    /// The end of a `data` line whose value so far is in `data`: what `process_line` does with the
    /// whole line (the event's size limit is checked the same way).
    fn end_data_line(&mut self, rest: &[u8]) -> Result<()> {
        self.check_event_size(rest.len())?;
        self.data.extend_from_slice(rest);
        self.data.push(b'\n');
        Ok(())
    }

    /// `more` data bytes keep the event within the limit; else it is dropped up to its blank line.
    fn check_event_size(&mut self, more: usize) -> Result<()> {
        if self.data.len() + more <= self.max_event_bytes {
            return Ok(());
        }
        let start = self.line_start;
        self.reset_event();
        self.skipping_event = true;
        Err(Error::new(
            ErrorKind::EventTooLarge {
                limit: self.max_event_bytes,
            },
            start,
        ))
    }

    /// The event's first `data` line starts at `line_start`.
    fn start_data(&mut self, line_start: u64) {
        if !self.has_data {
            self.data_start = line_start;
            self.has_data = true;
        }
    }

    /// Room for a value and its LF, reserved once: growing for the LF alone reallocated the buffer
    /// on most events of a new stream. The first reservation leaves room for the usual payload
    /// (under 1 KB), which the next ones would otherwise grow into twice (Gemini).
    fn reserve_data(&mut self, value_len: usize) {
        self.data
            .reserve((value_len + 1).max(FIRST_DATA_CAPACITY.saturating_sub(self.data.len())));
    }

    fn process_line<F>(&mut self, line: &[u8], on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        if self.skipping_event {
            self.skipping_event = !line.is_empty();
            return Ok(());
        }
        let (name, value) = match memchr(b':', line) {
            Some(0) => return Ok(()), // a comment
            Some(colon) => {
                let (name, value) = line.split_at(colon);
                let value = value.get(1..).unwrap_or_default();
                (name, value.strip_prefix(b" ").unwrap_or(value))
            }
            None if line.is_empty() => return self.dispatch(on_event),
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                self.check_event_size(value.len())?;
                self.start_data(self.line_start);
                self.reserve_data(value.len());
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"id" if memchr(0, value).is_none() => {
                self.id_buffer = String::from_utf8_lossy(value).into_owned();
                self.id_pending = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let parsed = parse_retry(value);
                self.event_retry = Some(parsed);
                self.retry = Some(parsed);
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch<F>(&mut self, on_event: &mut F) -> Result<()>
    where
        F: FnMut(SseEventRef<'_>) -> Result<()> + ?Sized,
    {
        // A flag, not `last_event_id != id_buffer`: that compare of two (usually empty) strings was 42%
        // of the corpus profile, all on the AVX-512 masked load inside glibc's memcmp (most likely a
        // fault-suppression assist on the dangling pointers of empty strings). The flag took
        // `cargo bench --bench sse` (corpus, whole bodies) from 565 to 840 MiB/s.
        if mem::take(&mut self.id_pending) {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        if !self.has_data {
            self.reset_event();
            return Ok(());
        }
        self.data.pop(); // the LF after the last data line
        let index = self.events_dispatched;
        self.events_dispatched += 1;
        let result = {
            let data = utf8_lossy(&self.data);
            let event: Cow<'_, str> = if self.event_type.is_empty() {
                Cow::Borrowed("message")
            } else {
                utf8_lossy(&self.event_type)
            };
            on_event(SseEventRef {
                event: &event,
                data: &data,
                id: &self.last_event_id,
                retry: self.event_retry,
                event_index: index,
                start_offset: self.data_start,
                end_offset: self.offset,
            })
        };
        self.reset_event();
        result
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.has_data = false;
        self.event_type.clear();
        self.event_retry = None;
    }
}

/// An unfinished `data` line whose value so far is in the data buffer.
#[derive(Debug, Clone, Copy)]
struct DataLine {
    /// Bytes of the line so far (field name included), for the line limit and its offset.
    received: usize,
    /// The data buffer's length and `has_data` before the line, restored if it is dropped.
    data_len: usize,
    had_data: bool,
}

/// `String::from_utf8_lossy` with a fast path: a validation that checks many bytes at a time
/// (`simdutf8`: 32 with AVX2, std's word at a time below 64 bytes), while the lossy scan walks byte
/// by byte (35% of the corpus profile). Invalid input, rare, pays for both. `simdutf8` over
/// `str::from_utf8`: 0.6 times the instructions on the chat corpus (callgrind), SSE decoding
/// 4-6 % faster (`benches/compare_builds.py`).
pub(crate) fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Base-ten digits to an integer, saturating at `u64::MAX` (a retry that large means "never").
fn parse_retry(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests;
