//! Throughput of the JSON framings alone (the splitter of `framing::JsonValues`, no family decoder):
//! NDJSON and JSON arrays, fed whole and in random 1–512 byte chunks (fixed seed). The bodies come
//! from `benches/dump_corpus.py`: `corpus-json-array.bin` (the public corpus's Gemini
//! `streamGenerateContent` arrays) and `corpus-ndjson.bin` (the SSE corpus's payloads, one per line:
//! real payloads in the framing Ollama uses, of which no recording exists).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use streamdelta_core::framing::{JsonValueRef, JsonValues, Shape};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::Result;

/// Splits each stream with a fresh splitter; returns the values and their bytes, which keeps the
/// optimizer from dropping the work.
fn split<'a>(shape: Shape, streams: impl Iterator<Item = &'a [Vec<u8>]>) -> (u64, usize) {
    let mut values = 0u64;
    let mut bytes = 0usize;
    let mut sink = |v: JsonValueRef<'_>| -> Result<()> {
        values += 1;
        bytes += black_box(v.data).len();
        Ok(())
    };
    for chunks in streams {
        let mut splitter = JsonValues::new(shape, DEFAULT_MAX_EVENT_BYTES);
        for chunk in chunks {
            splitter.feed(chunk, &mut sink).unwrap();
        }
        splitter.close(&mut sink).unwrap();
    }
    (values, bytes)
}

fn bench_shape(c: &mut Criterion, name: &str, dump: &str, shape: Shape) {
    let Some(bodies) = common::load_bodies(dump) else {
        return;
    };
    let total: usize = bodies.iter().map(Vec::len).sum();
    let whole: Vec<Vec<Vec<u8>>> = bodies.iter().map(|b| vec![b.clone()]).collect();
    let mut state = 0x5EED_5EED_u64;
    let chunked: Vec<Vec<Vec<u8>>> = bodies.iter().map(|b| common::random_splits(b, &mut state)).collect();
    let (values, _) = split(shape, whole.iter().map(Vec::as_slice));
    eprintln!(
        "framing bench: {name}: {} bodies, {total} bytes, {values} values",
        bodies.len()
    );

    let mut group = c.benchmark_group(format!("framing_{name}"));
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("whole", |b| b.iter(|| split(shape, whole.iter().map(Vec::as_slice))));
    group.bench_function("chunks_1_512", |b| {
        b.iter(|| split(shape, chunked.iter().map(Vec::as_slice)));
    });
    group.finish();
}

fn bench_framings(c: &mut Criterion) {
    bench_shape(c, "ndjson", "corpus-ndjson.bin", Shape::Ndjson);
    bench_shape(c, "json_array", "corpus-json-array.bin", Shape::Array);
}

criterion_group!(benches, bench_framings);
criterion_main!(benches);
