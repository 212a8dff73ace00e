#!/usr/bin/env bash
# Benchmark (e): the connector's Spark write vs Google's Java Publisher, both publishing to the
# firehose load server (which acknowledges publishes as fast as they come), 1 KB messages by
# default. Same driver and flags as publish-emulator.sh, with longer runs by default: against a
# server that keeps up, 300,000 messages take under a second, mostly JIT warm-up and timing noise.
# One run, one table. See bench/README.md.
#
#   ./bench/publish-firehose.sh [--messages 2000000] [--warmup-messages 300000] [--repeat 3] [--size 1024] ...
#
# Environment: see bench/lib/run-firehose-bench.sh. BENCH_JAVA_OPTS defaults to -Xmx6g here: the
# connector's input is a cached DataFrame of all the messages (2 GB by default), and with less heap
# Spark spills it to disk and each run would also pay for deserializing it.
set -euo pipefail
export BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx6g}"
exec "$(dirname "${BASH_SOURCE[0]}")/lib/run-firehose-bench.sh" io.pubsubnative.bench.PublishEmulatorBench \
  --messages 2000000 --warmup-messages 300000 --repeat 3 "$@"
