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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [[ "${DEMO_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[run-demo] building connector (native + Java), testkit and examples ..."
  (cd "$root" && mvn -q -B install -DskipTests -pl examples -am)
fi

cp_file="$here/target/classpath.txt"
if [[ ! -s "$cp_file" ]]; then
  (cd "$root" && mvn -q -B -pl examples dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime)
fi

# Keep Spark's driver on loopback (and quiet its "hostname resolves to a loopback address" warning).
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The JVM flags Spark 4 needs on Java 17: the same list as the parent pom's surefire argLine.
opens="$(sed -n 's:.*<argLine>\(.*\)</argLine>.*:\1:p' "$root/pom.xml" | head -n1 | sed -E 's/(^| )-Xmx[^ ]*//g')"
if [[ -z "$opens" ]]; then
  echo "[run-demo] could not read the add-opens list from $root/pom.xml" >&2
  exit 2
fi

# shellcheck disable=SC2086
exec java ${DEMO_JAVA_OPTS:--Xmx4g} $opens -DPUBSUB_REPO_ROOT="$root" \
  -cp "$here/target/classes:$(cat "$cp_file")" \
  io.pubsubnative.examples.PubSubToParquetDemo "$@"
