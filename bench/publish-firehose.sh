#!/usr/bin/env bash
# Benchmark (e): the connector's Spark write vs Google's Java Publisher, both publishing to the
# firehose load server (which acknowledges publishes as fast as they come), 1 KB messages by
# default. Same driver and flags as publish-emulator.sh. One run, one table. See bench/README.md.
#
#   ./bench/publish-firehose.sh [--messages 300000] [--size 1024] [--partitions 2] [--repeat 5] ...
#
# Environment: see bench/lib/run-firehose-bench.sh (BENCH_JAVA_OPTS default -Xmx2g).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/lib/run-firehose-bench.sh" io.pubsubnative.bench.PublishEmulatorBench "$@"
