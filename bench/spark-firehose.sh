#!/usr/bin/env bash
# Benchmark (b): end to end in Spark on the firehose load server. local[2], count(*) and
# sum(length(payload)) into the noop sink, and once more into Parquet, at 1M and 10M messages;
# one Spark JVM per row. One run, one table. See bench/README.md.
#
#   ./bench/spark-firehose.sh [--messages 1000000,10000000] [--sinks noop,parquet] [--size 1024]
#                             [--modes memory,checkpoint]
#                             [--read-options k=v,k=v]
#
# Environment: see bench/lib/run-firehose-bench.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/lib/run-firehose-bench.sh" io.pubsubnative.bench.SparkFirehoseBench "$@"
