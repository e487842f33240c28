//! Throughput of the SSE tokenizer alone on every SSE body of the corpus, fed whole and in random
//! 1–512 byte chunks (fixed seed). The bodies come from `target/corpus-sse.bin`, written by
//! `benches/dump_corpus.py` (`make bench` runs it first), so this bench needs no YAML parser.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use streamdelta_core::sse::{SseEventRef, SseTokenizer, DEFAULT_MAX_EVENT_BYTES};
use streamdelta_core::Result;

/// Decodes each stream with a fresh decoder; returns the events and data bytes seen, which keeps the
/// optimizer from dropping the work.
fn decode_streams<'a>(streams: impl Iterator<Item = &'a [Vec<u8>]>) -> (u64, usize) {
    let mut events = 0u64;
    let mut data_bytes = 0usize;
    let mut sink = |e: SseEventRef<'_>| -> Result<()> {
        events += 1;
        data_bytes += black_box(e.data).len() + e.event.len();
        Ok(())
    };
    for chunks in streams {
        let mut decoder = SseTokenizer::new(DEFAULT_MAX_EVENT_BYTES, false);
        for chunk in chunks {
            decoder.feed(chunk, &mut sink).unwrap();
        }
        decoder.close(&mut sink).unwrap();
    }
    (events, data_bytes)
}

fn bench_corpus(c: &mut Criterion) {
    let Some(bodies) = common::load_bodies("corpus-sse.bin") else {
        return;
    };
    let total: usize = bodies.iter().map(Vec::len).sum();
    let whole: Vec<Vec<Vec<u8>>> = bodies.iter().map(|b| vec![b.clone()]).collect();
    let mut state = 0x5EED_5EED_u64;
    let chunked: Vec<Vec<Vec<u8>>> = bodies.iter().map(|b| common::random_splits(b, &mut state)).collect();
    let (events, _) = decode_streams(whole.iter().map(Vec::as_slice));
    eprintln!("sse bench: {} bodies, {total} bytes, {events} events", bodies.len());

    let mut group = c.benchmark_group("sse_corpus");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("whole", |b| b.iter(|| decode_streams(whole.iter().map(Vec::as_slice))));
    group.bench_function("chunks_1_512", |b| {
        b.iter(|| decode_streams(chunked.iter().map(Vec::as_slice)));
    });
    group.finish();
}

/// One `data` line of `mb` MB fed in 1 KB chunks: time per MB must not grow with the size.
fn bench_huge_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("sse_huge_event_1KB_chunks");
    group.sample_size(10);
    for mb in [10usize, 40] {
        let data_len = mb * 1_000_000;
        let mut body = b"data: ".to_vec();
        body.resize(body.len() + data_len, b'x');
        body.extend_from_slice(b"\n\n");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(format!("{mb}MB"), |b| {
            b.iter(|| {
                let mut decoder = SseTokenizer::new(data_len + 64, false);
                let mut seen = 0usize;
                let mut sink = |e: SseEventRef<'_>| -> Result<()> {
                    seen += black_box(e.data).len();
                    Ok(())
                };
                for chunk in body.chunks(1024) {
                    decoder.feed(chunk, &mut sink).unwrap();
                }
                assert_eq!(seen, data_len);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_corpus, bench_huge_event);
criterion_main!(benches);
