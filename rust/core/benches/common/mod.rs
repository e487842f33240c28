//! The corpus dumps the benches read (written by `benches/dump_corpus.py`; `make bench` runs it first),
//! so no bench needs a YAML parser: each body as a little-endian u64 length followed by its bytes.

use std::path::PathBuf;

/// `target/<name>` at the workspace root, or `$STREAMDELTA_CORPUS_DIR/<name>`.
pub fn dump_path(name: &str) -> PathBuf {
    std::env::var_os("STREAMDELTA_CORPUS_DIR")
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
            PathBuf::from,
        )
        .join(name)
}

/// The length-prefixed bodies of a dump, or `None` (with a message) when it is missing or torn.
pub fn load_bodies(name: &str) -> Option<Vec<Vec<u8>>> {
    let path = dump_path(name);
    let Ok(raw) = std::fs::read(&path) else {
        eprintln!(
            "no corpus dump at {}; run `python benches/dump_corpus.py` (or `make bench`) first",
            path.display()
        );
        return None;
    };
    let mut bodies = Vec::new();
    let mut rest = raw.as_slice();
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if tail.len() < len {
            eprintln!("{} is truncated; dump it again", path.display());
            return None;
        }
        let (body, tail) = tail.split_at(len);
        bodies.push(body.to_vec());
        rest = tail;
    }
    Some(bodies)
}

/// Cuts of 1..=512 bytes from a xorshift generator: the same chunks on every run, no `rand` needed.
pub fn random_splits(body: &[u8], state: &mut u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let size = usize::try_from(*state % 512 + 1).unwrap_or(512);
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(head.to_vec());
        rest = tail;
    }
    out
}
