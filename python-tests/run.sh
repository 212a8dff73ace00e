#!/usr/bin/env bash
# PySpark integration tests against a fresh Pub/Sub emulator.
#   python-tests/run.sh [pytest args...]
# Env: CONNECTOR_JAR (default: the newest connector/target/pubsub-spark-connector-*.jar),
#      PYTHON (default python3).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VENV="$HERE/.venv"
REQUIREMENTS="$HERE/requirements.txt"
# shellcheck source=../tools/lib/pyspark-env.sh
. "$ROOT/tools/lib/pyspark-env.sh"

cd "$HERE"
exec "$ROOT/tools/emulator/with-emulator.sh" "$VENV/bin/python" -m pytest -v "$@"
