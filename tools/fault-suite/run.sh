#!/usr/bin/env bash
# The fault suite (see README.md): a Spark standalone cluster, the firehose (reads) or Google's
# emulator (sink scenarios), one table.
#   tools/fault-suite/run.sh [--form short|full] [--scenarios a,b] [--workdir DIR]
# Env: CONNECTOR_JAR (default: the newest connector/target/pubsub-spark-connector-*.jar),
#      PYTHON (default python3).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
REQUIREMENTS="$HERE/requirements.txt"
# shellcheck source=../lib/pyspark-env.sh
. "$ROOT/tools/lib/pyspark-env.sh"

# the checker's own tests first: a suite whose checker cannot see a loss proves nothing
(cd "$HERE" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider test_checker.py)
(cd "$ROOT/tools/firehose" && cargo build --release --quiet)
export FIREHOSE_BIN="$ROOT/tools/firehose/target/release/firehose"
exec "$ROOT/tools/emulator/with-emulator.sh" "$VENV/bin/python" "$HERE/suite.py" "$@"
