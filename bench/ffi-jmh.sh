#!/usr/bin/env bash
# Benchmark (d): the FFI cost of the read path with JMH: fetch a natively buffered batch, import it
# through the Arrow C Data Interface, close it; at 1,000 and 10,000 rows, messages from the firehose.
# One run, one table. See bench/README.md.
#
#   ./bench/ffi-jmh.sh [--rows 1000,10000]
#
# Environment: see bench/lib/run-firehose-bench.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/lib/run-firehose-bench.sh" io.pubsubnative.bench.FfiJmhBench "$@"
