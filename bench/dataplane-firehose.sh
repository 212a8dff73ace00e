#!/usr/bin/env bash
# Benchmark (a): the data plane without Spark, on the firehose load server. For each message size,
# the native subscriber in a plain Rust program, the native subscriber through JNI + Arrow import in
# a plain JVM, and Google's Java Subscriber, each in its own process against its own firehose.
# One run, one table. See bench/README.md.
#
#   ./bench/dataplane-firehose.sh [--messages 2000000] [--sizes 100,1024,10240]
#                                 [--only native-rust,jni-arrow,google-java]
#
# Environment: see bench/lib/run-firehose-bench.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building bench/native-drain (cargo, release) ..."
  # native-drain shares native/'s target directory, so the native crate is compiled once.
  (cd "$root/bench/native-drain" && CARGO_TARGET_DIR="$root/native/target" cargo build --release --quiet)
fi
exec "$root/bench/lib/run-firehose-bench.sh" io.pubsubnative.bench.DataPlaneBench \
  --native-drain "$root/native/target/release/native-drain" "$@"
