#!/usr/bin/env bash
# Replays every fuzz target over its committed corpus (fuzz/corpus/<target>/) once:
# no fuzzing, only "every input that was ever interesting still runs clean".
# Stable toolchain, no cargo-fuzz needed: the targets are built as plain libFuzzer
# binaries (no sanitizer coverage; a dev build, so overflow checks are on) and run
# with `-runs=0` over their corpus folder. A crash prints the input and fails.
# Cost: a dev build of the library crates plus libFuzzer (measured with a warm compile
# cache: 30 s of CPU, 6 to 10 min of wall time on the loaded shared 2-core machine;
# without the cache, expect the time of a `cargo build` of the libraries), 8 s when
# already built; the replay itself takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz-replay"
cargo build --quiet --locked --manifest-path fuzz/Cargo.toml --bins

targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^ceph-metrics-fuzz$')
failed=0 ran=0
for t in $targets; do
    corpus=fuzz/corpus/$t
    if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
        echo "FAIL $t: no committed corpus in $corpus"
        failed=$((failed + 1))
        continue
    fi
    n=$(find "$corpus" -type f | wc -l)
    if ! log=$(timeout 300 "$CARGO_TARGET_DIR/debug/$t" -runs=0 -timeout=10 -rss_limit_mb=2048 \
        "$corpus" 2>&1); then
        echo "$log" | tail -30
        echo "FAIL $t: replay of $n inputs"
        failed=$((failed + 1))
        continue
    fi
    echo "ok   $t: $n inputs"
    ran=$((ran + 1))
done
echo "fuzz-replay: $ran targets replayed clean, $failed failed"
[ "$failed" -eq 0 ]
