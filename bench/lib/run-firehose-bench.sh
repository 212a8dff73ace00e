#!/usr/bin/env bash
# Shared by the firehose benchmarks: builds tools/firehose (release) unless BENCH_SKIP_BUILD=1, then
# runs MAIN_CLASS of the bench module with `--firehose BINARY` and the remaining arguments.
#
#   bench/lib/run-firehose-bench.sh MAIN_CLASS [args...]
#
# Environment: BENCH_SKIP_BUILD=1 reuses the last build, BENCH_JAVA_OPTS for every JVM
# (default -Xmx2g), BENCH_LOG=FILE to also keep the output in FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
main_class="$1"
shift
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[bench] building tools/firehose (cargo, release) ..."
  (cd "$root/tools/firehose" && cargo build --release --quiet)
fi

SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx2g}" RUN_LOG="${BENCH_LOG:-}" \
  exec "$root/tools/run-java-main.sh" bench "$main_class" \
  --firehose "$root/tools/firehose/target/release/firehose" "$@"
