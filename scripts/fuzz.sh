#!/usr/bin/env bash
# Builds the libFuzzer targets of rust/fuzz with the stable toolchain and runs each for a while.
#   scripts/fuzz.sh SECONDS [TARGET...]     (default: every target)
# FUZZ_SEED: libFuzzer's -seed (0, the default, draws one).
# cargo-fuzz needs nightly only for its sanitizers; the coverage instrumentation libFuzzer needs
# is made of stable codegen flags (the ones `cargo fuzz build --sanitizer none` passes), so plain
# cargo builds the targets and nothing has to be installed. With cargo-fuzz installed,
# `cargo fuzz run --fuzz-dir rust/fuzz TARGET --sanitizer none` does the same.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' rust/fuzz/Cargo.toml | grep -v '^streamdelta'))

host=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps these flags off build scripts and proc macros (serde_derive), as cargo-fuzz does.
RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
-Cdebug-assertions -Coverflow-checks -Ccodegen-units=1" \
    cargo build --release --locked --quiet --manifest-path rust/fuzz/Cargo.toml --target "$host" --bins

${PYTHON:-.venv/bin/python} scripts/fuzz_corpus.py
total=0
for target in "${targets[@]}"; do
    mkdir -p "rust/fuzz/corpus/$target" rust/fuzz/artifacts
    log=$(mktemp)
    # -rss_limit_mb: a leak or unbounded buffer is a finding too. -max_len: big enough for the seeds.
    # Inputs that once failed (rust/fuzz/regressions/TARGET, committed) are run first, every time.
    regressions=()
    [ -d "rust/fuzz/regressions/$target" ] && regressions=("rust/fuzz/regressions/$target")
    if ! "rust/fuzz/target/$host/release/$target" "rust/fuzz/corpus/$target" "${regressions[@]}" \
        -max_total_time="$seconds" -seed="${FUZZ_SEED:-0}" -rss_limit_mb=1024 -max_len=65536 -timeout=10 \
        -artifact_prefix="rust/fuzz/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1; then
        tail -60 "$log"
        echo "fuzz: target $target FAILED (input saved under rust/fuzz/artifacts/)"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz: $target ok, $runs executions in ${seconds}s, $cov"
    total=$((total + runs))
    rm -f "$log"
done
echo "fuzz: $total executions in all"
