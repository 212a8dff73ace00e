#!/usr/bin/env bash
# Read benchmark on Google's Pub/Sub emulator: native connector vs Google's Java Subscriber,
# plus the per-batch cost of the JNI/Arrow boundary. One run, one table. See bench/README.md.
#
#   ./bench/read-emulator.sh [--messages 40000] [--size 1024] [--parallelism 1,4] [--master local[4]]
#                            [--warmup-messages 8000] [--ffi-messages 30000] [--ffi-sessions 4] ...
#
# Environment: BENCH_* (same as the flags, see --help), BENCH_SKIP_BUILD=1 to reuse the last build,
# BENCH_JAVA_OPTS for the JVM (default -Xmx4g), BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx4g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench io.pubsubnative.bench.ReadEmulatorBench "$@"
