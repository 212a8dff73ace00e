#!/usr/bin/env bash
# Benchmark (a): the data plane without Spark, on the firehose load server. For each message size,
# the native subscriber in a plain Rust program, the native subscriber through JNI + Arrow import in
# a plain JVM, and Google's Java Subscriber, each in its own process against its own firehose.
# One run, one table. See bench/README.md.
#
#   ./bench/dataplane-firehose.sh [--messages 2000000] [--sizes 100,1024,10240]
#                                 [--only native-rust,jni-arrow,google-java]
#
# Environment: BENCH_SKIP_BUILD=1 reuses the last build, BENCH_JAVA_OPTS for every JVM
# (default -Xmx2g), BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building tools/firehose and bench/native-drain (cargo, release) ..."
  (cd "$root/tools/firehose" && cargo build --release --quiet)
  # native-drain shares native/'s target directory, so the native crate is compiled once.
  (cd "$root/bench/native-drain" && CARGO_TARGET_DIR="$root/native/target" cargo build --release --quiet)
fi

SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx2g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench io.pubsubnative.bench.DataPlaneBench \
  --firehose "$root/tools/firehose/target/release/firehose" \
  --native-drain "$root/native/target/release/native-drain" "$@"
