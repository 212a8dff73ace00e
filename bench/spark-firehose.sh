#!/usr/bin/env bash
# Benchmark (b): end to end in Spark on the firehose load server. local[2], count(*) and
# sum(length(payload)) into the noop sink, and once more into Parquet, at 1M and 10M messages;
# one Spark JVM per row. One run, one table. See bench/README.md.
#
#   ./bench/spark-firehose.sh [--messages 1000000,10000000] [--sinks noop,parquet] [--size 1024]
#
# Environment: BENCH_SKIP_BUILD=1 reuses the last build, BENCH_JAVA_OPTS for every JVM
# (default -Xmx2g), BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building tools/firehose (cargo, release) ..."
  (cd "$root/tools/firehose" && cargo build --release --quiet)
fi

SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx2g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench io.pubsubnative.bench.SparkFirehoseBench \
  --firehose "$root/tools/firehose/target/release/firehose" "$@"
