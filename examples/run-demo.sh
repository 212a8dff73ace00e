#!/usr/bin/env bash
# Pub/Sub -> Spark -> Parquet demo, end to end on this machine.
#
#   ./examples/run-demo.sh [--messages N] [--size BYTES] [--parallelism P] [--output DIR] [--master URL]
#
# Builds the connector (cargo + Maven), the testkit and the demo, then runs
# io.pubsubnative.examples.PubSubToParquetDemo, which starts Google's Pub/Sub
# emulator, publishes the messages with Google's Java client, reads them with the
# native connector and writes Parquet partitioned by date/hour.
# Environment: DEMO_MESSAGES, DEMO_MESSAGE_SIZE, DEMO_PARALLELISM, DEMO_OUTPUT_DIR,
# DEMO_SPARK_MASTER (same as the flags), DEMO_SKIP_BUILD=1 to reuse the last build,
# DEMO_JAVA_OPTS for extra JVM flags (default heap -Xmx4g).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIP_BUILD="${DEMO_SKIP_BUILD:-0}" JAVA_OPTS="${DEMO_JAVA_OPTS:--Xmx4g}" \
  exec "$root/tools/run-java-main.sh" examples io.pubsubnative.examples.PubSubToParquetDemo "$@"
