//! AWS event-stream frame decoding throughput (target: ≥ 500 MB/s), and the CRC-32 underneath.
//! Run: `cargo bench -p streamdelta-core --bench eventstream`.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use streamdelta_core::eventstream::{crc32, encode_frame, EventStreamDecoder, FrameRef};

/// Bedrock-like frames: ~150-900 byte payloads of base64 JSON, the three usual headers.
fn body() -> Vec<u8> {
    let mut body = Vec::new();
    let mut n = 0u32;
    while body.len() < 1 << 20 {
        let len = 150 + (n.wrapping_mul(7919) % 750) as usize;
        let payload = format!(r#"{{"bytes":"{}","p":"abcdefgh"}}"#, "eyJ0".repeat(len / 4));
        body.extend_from_slice(&encode_frame(
            &[
                (":event-type", "chunk"),
                (":content-type", "application/json"),
                (":message-type", "event"),
            ],
            payload.as_bytes(),
        ));
        n += 1;
    }
    body
}

fn decode(body: &[u8], chunk: usize) -> usize {
    let mut dec = EventStreamDecoder::new(16 << 20);
    let mut bytes = 0usize;
    let mut sink = |f: FrameRef<'_>| {
        bytes += f.payload.len();
        Ok(())
    };
    for piece in body.chunks(chunk) {
        dec.feed(piece, &mut sink).unwrap();
    }
    dec.close(&mut sink).unwrap();
    bytes
}

fn benches(c: &mut Criterion) {
    let body = body();
    let mut group = c.benchmark_group("eventstream");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("frames/whole", |b| b.iter(|| decode(&body, body.len())));
    group.bench_function("frames/16KiB chunks", |b| b.iter(|| decode(&body, 16 * 1024)));
    group.bench_function("frames/1KiB chunks", |b| b.iter(|| decode(&body, 1024)));
    group.bench_function("crc32", |b| {
        b.iter_batched(|| &body, |body| crc32(body), BatchSize::SmallInput);
    });
    group.finish();
}

criterion_group!(eventstream, benches);
criterion_main!(eventstream);
