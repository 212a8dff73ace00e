#!/usr/bin/env bash
# Benchmark (d): the FFI cost of the read path with JMH: fetch a natively buffered batch, import it
# through the Arrow C Data Interface, close it; at 1,000 and 10,000 rows, messages from the firehose.
# One run, one table. See bench/README.md.
#
#   ./bench/ffi-jmh.sh [1000,10000]
#
# Environment: BENCH_SKIP_BUILD=1 reuses the last build, BENCH_JAVA_OPTS (default -Xmx2g),
# BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building tools/firehose (cargo, release) ..."
  (cd "$root/tools/firehose" && cargo build --release --quiet)
fi

SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx2g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench io.pubsubnative.bench.jmh.FfiJmhBench \
  "$root/tools/firehose/target/release/firehose" "$@"
