//! Many whole bodies at once: each parsed on its own [`StreamParser`] and folded into its
//! [`Message`], the bodies shared out over scoped threads. The work per body is independent, so the
//! threads need nothing but a counter of the next body to take.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};

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

/// The results of [`in_order`] as they come: the calling thread takes each, in input order, as
/// soon as it and those before it are done, and parses bodies itself while none is ready.
pub struct Ordered<'a, B, T, F> {
    bodies: &'a [B],
    parse: &'a F,
    next: &'a AtomicUsize,
    arrived: Receiver<(usize, T)>,
    slots: Vec<Option<T>>,
    /// The index of the next result to hand out.
    given: usize,
}

impl<B, T, F> Ordered<'_, B, T, F>
where
    B: AsRef<[u8]> + Sync,
    T: Send,
    F: Fn(&[u8]) -> T + Sync,
{
    /// The next result in input order, with its index, if it is done; never blocks.
    pub fn ready(&mut self) -> Option<(usize, T)> {
        while let Ok((index, result)) = self.arrived.try_recv() {
            self.place(index, result);
        }
        let result = self.slots.get_mut(self.given)?.take()?;
        self.given += 1;
        Some((self.given - 1, result))
    }

    /// Parses the next body not taken yet on this thread, or, when every body is taken, waits for
    /// a worker's result; `false` once nothing more will come (every result arrived, or a worker
    /// stopped by a panic, which [`in_order`] carries on).
    pub fn work_or_wait(&mut self) -> bool {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        if let Some(body) = self.bodies.get(index) {
            let result = (self.parse)(body.as_ref());
            self.place(index, result);
            return true;
        }
        if self.slots.get(self.given).is_some_and(Option::is_some) {
            return true;
        }
        match self.arrived.recv() {
            Ok((index, result)) => {
                self.place(index, result);
                true
            }
            Err(_) => false,
        }
    }

    fn place(&mut self, index: usize, result: T) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(result);
        }
    }
}

/// `parse` of every body on `threads` threads (the calling one among them), `consume` running on
/// the calling thread meanwhile with the results in input order ([`Ordered`]): a caller that
/// converts each result (the Python bindings, holding the GIL) does so while the others are
/// parsed. Workers stop taking bodies once `consume` returns; a panic in one is carried to the
/// caller once every thread has stopped.
pub fn in_order<B, T, F, R>(
    bodies: &[B],
    threads: NonZeroUsize,
    parse: F,
    consume: impl FnOnce(&mut Ordered<'_, B, T, F>) -> R,
) -> R
where
    B: AsRef<[u8]> + Sync,
    T: Send,
    F: Fn(&[u8]) -> T + Sync,
{
    let workers = threads.get().min(bodies.len()).max(1) - 1;
    let next = AtomicUsize::new(0);
    let (sender, arrived) = channel();
    let mut slots = Vec::new();
    slots.resize_with(bodies.len(), || None);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let sender = sender.clone();
                let (next, parse) = (&next, &parse);
                scope.spawn(move || loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(index) else { break };
                    // The caller stopped taking results: nothing more is wanted.
                    if sender.send((index, parse(body.as_ref()))).is_err() {
                        break;
                    }
                })
            })
            .collect();
        drop(sender);
        let mut ordered = Ordered {
            bodies,
            parse: &parse,
            next: &next,
            arrived,
            slots,
            given: 0,
        };
        let out = consume(&mut ordered);
        // No body is taken after this: the workers finish the one they hold and stop.
        next.store(bodies.len(), Ordering::Relaxed);
        drop(ordered);
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        out
    })
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

    /// Every result of `in_order`, as a consumer taking each as soon as it is ready sees them.
    fn all_in_order<T: Send>(bodies: &[&[u8]], threads: usize, parse: impl Fn(&[u8]) -> T + Sync) -> Vec<(usize, T)> {
        in_order(bodies, NonZeroUsize::new(threads).unwrap(), parse, |ordered| {
            let mut out = Vec::new();
            loop {
                while let Some(result) = ordered.ready() {
                    out.push(result);
                }
                if !ordered.work_or_wait() {
                    return out;
                }
            }
        })
    }

    #[test]
    fn in_order_hands_out_every_result_once_in_input_order() {
        let emit = Options {
            on_error: OnError::Emit,
            ..Options::default()
        };
        let bodies: Vec<&[u8]> = [CHAT, b"", b"data: {nope\n\n", &CHAT[..40]].repeat(25);
        let want: Vec<_> = parse_many(&bodies, None, emit, NonZeroUsize::MIN)
            .into_iter()
            .enumerate()
            .collect();
        for threads in [1, 2, 7, 200] {
            assert_eq!(
                all_in_order(&bodies, threads, |b| parse_message(b, None, emit)),
                want,
                "{threads} threads"
            );
        }
        assert!(all_in_order(&[] as &[&[u8]], 2, <[u8]>::len).is_empty());
    }

    #[test]
    fn in_order_stops_the_workers_when_the_consumer_returns() {
        let bodies: Vec<&[u8]> = vec![CHAT; 1000];
        let parsed = AtomicUsize::new(0);
        let first = in_order(
            &bodies,
            NonZeroUsize::new(3).unwrap(),
            |body| {
                parsed.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
                body.len()
            },
            |ordered| loop {
                if let Some(result) = ordered.ready() {
                    break result;
                }
                assert!(ordered.work_or_wait());
            },
        );
        assert_eq!(first, (0, CHAT.len()));
        // The bodies the threads held when the consumer returned, at most a few per thread.
        assert!(parsed.load(Ordering::Relaxed) < 100, "{parsed:?}");
    }

    #[test]
    #[should_panic(expected = "body 7")]
    fn in_order_carries_a_workers_panic() {
        let bodies: Vec<usize> = (0..50).collect();
        let bodies: Vec<Vec<u8>> = bodies.iter().map(|&n| vec![0; n]).collect();
        all_in_order(&bodies.iter().map(Vec::as_slice).collect::<Vec<_>>(), 3, |body| {
            assert!(body.len() != 7, "body 7");
            body.len()
        });
    }

    #[test]
    fn no_bodies_no_messages() {
        let none: [&[u8]; 0] = [];
        assert!(parse_many(&none, None, Options::default(), NonZeroUsize::MIN).is_empty());
    }
}
