#!/usr/bin/env bash
# Builds a Maven module of this repository (and what it depends on, including the
# native library) and runs one of its main classes in a JVM with the flags Spark 4
# needs on Java 17. Used by examples/run-demo.sh and the bench/ commands.
#
#   tools/run-java-main.sh MODULE MAIN_CLASS [args...]
#
# Environment: SKIP_BUILD=1 reuses the last build; JAVA_OPTS (default -Xmx4g);
# RUN_LOG=FILE also copies the output to FILE.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 MODULE MAIN_CLASS [args...]" >&2
  exit 2
fi
module="$1"
main_class="$2"
shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  echo "[$module] building $module and what it depends on (cargo + Maven) ..."
  (cd "$root" && mvn -q -B install -DskipTests -pl "$module" -am)
fi

cp_file="$root/$module/target/classpath.txt"
if [[ "${SKIP_BUILD:-0}" != "1" || ! -s "$cp_file" ]]; then
  (cd "$root" && mvn -q -B -pl "$module" dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime)
fi

# Keep Spark's driver on loopback (and quiet its "hostname resolves to a loopback address" warning).
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The JVM flags Spark 4 needs on Java 17: the parent pom's surefire argLine, without its heap size.
opens="$(sed -n 's:.*<argLine>\(.*\)</argLine>.*:\1:p' "$root/pom.xml" | head -n1 | sed -E 's/(^| )-Xmx[^ ]*//g')"
if [[ -z "$opens" ]]; then
  echo "[$module] could not read the add-opens list from $root/pom.xml" >&2
  exit 2
fi

# shellcheck disable=SC2086
cmd=(java ${JAVA_OPTS:--Xmx4g} $opens -DPUBSUB_REPO_ROOT="$root"
     -cp "$root/$module/target/classes:$(cat "$cp_file")" "$main_class" "$@")
if [[ -n "${RUN_LOG:-}" ]]; then
  "${cmd[@]}" 2>&1 | tee "$RUN_LOG"
  exit "${PIPESTATUS[0]}"
else
  exec "${cmd[@]}"
fi
