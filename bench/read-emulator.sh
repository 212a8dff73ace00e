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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "[read-emulator] building connector (native + Java), testkit and bench ..."
  (cd "$root" && mvn -q -B install -DskipTests -pl bench -am)
fi

cp_file="$here/target/classpath.txt"
if [[ ! -s "$cp_file" ]]; then
  (cd "$root" && mvn -q -B -pl bench dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime)
fi

# Keep Spark's driver on loopback (and quiet its "hostname resolves to a loopback address" warning).
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The JVM flags Spark 4 needs on Java 17: the same list as the parent pom's surefire argLine.
opens="$(sed -n 's:.*<argLine>\(.*\)</argLine>.*:\1:p' "$root/pom.xml" | head -n1 | sed -E 's/(^| )-Xmx[^ ]*//g')"
if [[ -z "$opens" ]]; then
  echo "[read-emulator] could not read the add-opens list from $root/pom.xml" >&2
  exit 2
fi

# shellcheck disable=SC2086
cmd=(java ${BENCH_JAVA_OPTS:--Xmx4g} $opens -DPUBSUB_REPO_ROOT="$root" -cp "$here/target/classes:$(cat "$cp_file")"
     io.pubsubnative.bench.ReadEmulatorBench "$@")
if [[ -n "${BENCH_LOG:-}" ]]; then
  "${cmd[@]}" 2>&1 | tee "$BENCH_LOG"
  exit "${PIPESTATUS[0]}"
fi
exec "${cmd[@]}"
