#!/usr/bin/env bash
# PySpark integration tests against a fresh Pub/Sub emulator.
#   python-tests/run.sh [pytest args...]
# Env: CONNECTOR_JAR (default: the newest connector/target/pubsub-spark-connector-*.jar),
#      PYTHON (default python3).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha"
REQ_SHA="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$REQ_SHA" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r "$HERE/requirements.txt"
  echo "$REQ_SHA" > "$STAMP"
fi

if [ -z "${CONNECTOR_JAR:-}" ]; then
  CONNECTOR_JAR="$(ls -t "$ROOT"/connector/target/pubsub-spark-connector-*.jar 2>/dev/null \
    | grep -v -e '-sources' -e '-javadoc' -e '-tests' -e 'original-' | head -n 1 || true)"
fi
if [ -z "${CONNECTOR_JAR:-}" ] || [ ! -f "$CONNECTOR_JAR" ]; then
  echo "connector jar not found: build it first (mvn -pl connector -am package -DskipTests) or set CONNECTOR_JAR" >&2
  exit 1
fi
export CONNECTOR_JAR
# pyspark's launcher needs a JDK; keep the one on PATH unless JAVA_HOME is set
if [ -z "${JAVA_HOME:-}" ] && command -v javac >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
  export JAVA_HOME
fi
export PYSPARK_PYTHON="$VENV/bin/python"
export PYSPARK_DRIVER_PYTHON="$VENV/bin/python"

cd "$HERE"
exec "$ROOT/tools/emulator/with-emulator.sh" "$VENV/bin/python" -m pytest -v "$@"
