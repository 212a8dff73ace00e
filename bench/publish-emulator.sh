#!/usr/bin/env bash
# Publish benchmark on Google's Pub/Sub emulator: the connector's Spark write vs Google's Java
# Publisher, 1 KB messages by default. One run, one table. See bench/README.md.
#
#   ./bench/publish-emulator.sh [--messages 300000] [--size 1024] [--partitions 2] [--master local[2]]
#                               [--warmup-messages 50000] [--repeat 5] [--run-timeout-s 180]
#
# Environment: BENCH_* (same as the flags, see --help), BENCH_SKIP_BUILD=1 to reuse the last build,
# BENCH_JAVA_OPTS for the JVM (default -Xmx4g), BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx4g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench io.pubsubnative.bench.PublishEmulatorBench "$@"
