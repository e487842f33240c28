//! Each wire family end to end in the core alone: body bytes → normalized events through
//! `streamdelta_core::parser::parse` (whole bodies) and `StreamParser::feed` (random 1–512 byte chunks),
//! on every body of the corpus in that family (`target/corpus-<family>.bin`, from `benches/dump_corpus.py`).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use streamdelta_core::parser::{parse, Options, StreamParser};
use streamdelta_core::{Event, Family};

fn parse_whole(family: Family, bodies: &[Vec<u8>], out: &mut Vec<Event>) -> usize {
    let mut events = 0;
    for body in bodies {
        out.clear();
        if parse(body, Some(family), Options::default(), out).is_err() {
            eprintln!("families bench: a {} body fails to parse", family.as_str());
        }
        events += black_box(&*out).len();
    }
    events
}

fn parse_chunks(family: Family, streams: &[Vec<Vec<u8>>], out: &mut Vec<Event>) -> usize {
    let mut events = 0;
    for chunks in streams {
        out.clear();
        let mut parser = StreamParser::new(Some(family), Options::default());
        let fed = chunks.iter().try_for_each(|chunk| parser.feed(chunk, out));
        if fed.and_then(|()| parser.close(out)).is_err() {
            eprintln!("families bench: a {} body fails to parse", family.as_str());
        }
        events += black_box(&*out).len();
    }
    events
}

fn bench_families(c: &mut Criterion) {
    for name in Family::NAMES {
        let Some(family) = Family::from_name(name) else {
            continue;
        };
        let Some(bodies) = common::load_bodies(&format!("corpus-{name}.bin")) else {
            continue;
        };
        let total: usize = bodies.iter().map(Vec::len).sum();
        let mut state = 0x5EED_5EED_u64;
        let chunked: Vec<Vec<Vec<u8>>> = bodies.iter().map(|b| common::random_splits(b, &mut state)).collect();
        let mut out = Vec::new();
        let events = parse_whole(family, &bodies, &mut out);
        eprintln!(
            "families bench: {name}: {} bodies, {total} bytes, {events} events",
            bodies.len()
        );

        let mut group = c.benchmark_group(format!("family_{name}"));
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_function("whole", |b| b.iter(|| parse_whole(family, &bodies, &mut out)));
        group.bench_function("chunks_1_512", |b| b.iter(|| parse_chunks(family, &chunked, &mut out)));
        group.finish();
    }
}

criterion_group!(benches, bench_families);
criterion_main!(benches);
