//! Many whole bodies at once: each parsed on its own [`StreamParser`] and folded into its
//! [`Message`], the bodies shared out over scoped threads. The work per body is independent, so the
//! threads need nothing but a counter of the next body to take.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Result;
use crate::families::Family;
use crate::message::Message;
use crate::parser::{Options, StreamParser};

/// The message of one whole body, as a [`StreamParser`] fed the body and closed holds it; the
/// parse error instead with `OnError::Raise`. The events are dropped as soon as they are folded.
pub fn parse_message(body: &[u8], family: Option<Family>, options: Options) -> Result<Message> {
    parse_detected(body, family, options).map(|(message, _)| message)
}

/// [`parse_message`] and the family the parser read the body as (the one asked for, or the one
/// detected; `None` when nothing told).
pub fn parse_detected(body: &[u8], family: Option<Family>, options: Options) -> Result<(Message, Option<Family>)> {
    let mut parser = StreamParser::new(family, options);
    parser.feed_with(body, &mut |_| {})?;
    parser.close_with(&mut |_| {})?;
    let detected = parser.family();
    Ok((parser.into_message(), detected))
}

/// [`parse_message`] of every body, in order, on `threads` threads (the calling one among them).
/// A panic in a worker is carried to the caller once every thread has stopped.
pub fn parse_many<B: AsRef<[u8]> + Sync>(
    bodies: &[B],
    family: Option<Family>,
    options: Options,
    threads: NonZeroUsize,
) -> Vec<Result<Message>> {
    map_many(bodies, threads, |body| parse_message(body, family, options))
}

/// `parse` of every body, in order, on `threads` threads (the calling one among them). A panic in a
/// worker is carried to the caller once every thread has stopped.
pub fn map_many<B, T, F>(bodies: &[B], threads: NonZeroUsize, parse: F) -> Vec<T>
where
    B: AsRef<[u8]> + Sync,
    T: Send,
    F: Fn(&[u8]) -> T + Sync,
{
    let workers = threads.get().min(bodies.len()).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(body) = bodies.get(index) else { break };
            done.push((index, parse(body.as_ref())));
        }
        done
    };
    let mut slots: Vec<Option<T>> = Vec::new();
    slots.resize_with(bodies.len(), || None);
    let mut place = |done: Vec<(usize, T)>| {
        for (index, result) in done {
            if let Some(slot) = slots.get_mut(index) {
                *slot = Some(result);
            }
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        place(work());
        for handle in handles {
            match handle.join() {
                Ok(done) => place(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // Every index below `bodies.len()` was taken by exactly one worker: no slot is left empty.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::parser::OnError;

    const CHAT: &[u8] = b"data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    fn via_events(body: &[u8], options: Options) -> Result<Message> {
        let mut parser = StreamParser::new(None, options);
        let mut events: Vec<Event> = Vec::new();
        parser.feed(body, &mut events)?;
        parser.close(&mut events)?;
        let mut message = Message::default();
        for event in &events {
            message.apply(event);
        }
        Ok(message)
    }

    #[test]
    fn each_message_is_the_fold_of_its_events_in_input_order() {
        let emit = Options {
            on_error: OnError::Emit,
            ..Options::default()
        };
        let bodies: Vec<&[u8]> = vec![CHAT, b"", b"data: {nope\n\n", &CHAT[..40], CHAT];
        for threads in [1, 2, 7] {
            let got = parse_many(&bodies, None, emit, NonZeroUsize::new(threads).unwrap());
            let want: Vec<_> = bodies.iter().map(|b| via_events(b, emit)).collect();
            assert_eq!(got, want, "{threads} threads");
        }
        assert_eq!(
            parse_many(&bodies, None, emit, NonZeroUsize::MIN)[0]
                .as_ref()
                .unwrap()
                .text,
            "Hi"
        );
    }

    #[test]
    fn raise_gives_the_error_of_the_faulty_body_only() {
        let bodies: Vec<&[u8]> = vec![CHAT, b"data: {nope\n\n", CHAT];
        let got = parse_many(&bodies, None, Options::default(), NonZeroUsize::new(2).unwrap());
        assert!(got[0].is_ok() && got[2].is_ok());
        assert_eq!(got[1], via_events(bodies[1], Options::default()));
        assert!(got[1].is_err());
    }

    #[test]
    fn no_bodies_no_messages() {
        let none: [&[u8]; 0] = [];
        assert!(parse_many(&none, None, Options::default(), NonZeroUsize::MIN).is_empty());
    }
}
