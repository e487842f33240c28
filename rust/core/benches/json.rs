//! The Rust core alone on a `write_file`-style tool call fed in 16-byte fragments (the shape of
//! `benches/bench_json.py`): `feed` without deltas, `feed_with` deltas, and a snapshot after every
//! fragment. Reproducing: `cargo bench -p streamdelta-core --bench json`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use streamdelta_core::json::{Delta, JsonAccumulator};

const FRAGMENT: usize = 16;

const LINES: [&str; 7] = [
    "def handler(event, context):",
    "    \"\"\"Return the greeting for {name!r} \\\\ escaped.\"\"\"",
    "    name = event.get(\\\"name\\\", 'world')\\t# tab",
    "    message = f\\\"Olá, {name} — café naïve 😀 中文\\\"",
    "    pattern = re.compile(r'\\\\d+\\\\.\\\\d*')",
    "    return {\\\"statusCode\\\": 200, \\\"body\\\": json.dumps({\\\"message\\\": message})}",
    "",
];

/// About `kb` KB of JSON: `{"path": ..., "content": "<code with escapes and non-ASCII>"}`.
fn document(kb: usize) -> Vec<u8> {
    let mut content = String::new();
    let mut n = 0;
    while content.len() < kb * 1024 {
        let line = LINES[n % LINES.len()].replace("\"\"\"", "\\\"\\\"\\\"");
        let _ = write!(content, "{line}  # line {n}\\n");
        n += 1;
    }
    format!("{{\"path\": \"src/handlers/greet.py\", \"content\": \"{content}\"}}").into_bytes()
}

fn feed_all(doc: &[u8], with_deltas: bool, snapshot: bool) -> usize {
    let mut acc = JsonAccumulator::default();
    let mut seen = 0usize;
    for fragment in doc.chunks(FRAGMENT) {
        if with_deltas {
            acc.feed_with(fragment, &mut |d: &Delta<'_>| seen += d.path.len())
                .unwrap();
        } else {
            acc.feed(fragment).unwrap();
        }
        if snapshot {
            seen += usize::from(acc.snapshot().is_some());
        }
    }
    acc.finish().unwrap();
    seen
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    group.sample_size(10);
    for kb in [10, 40, 160, 640] {
        let doc = document(kb);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::new("feed", kb), &doc, |b, doc| {
            b.iter(|| feed_all(black_box(doc), false, false));
        });
        group.bench_with_input(BenchmarkId::new("feed_with_deltas", kb), &doc, |b, doc| {
            b.iter(|| feed_all(black_box(doc), true, false));
        });
        if kb <= 160 {
            group.bench_with_input(BenchmarkId::new("snapshot_every_fragment", kb), &doc, |b, doc| {
                b.iter(|| feed_all(black_box(doc), false, true));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
