# Sourced by the scripts that run PySpark against the connector (python-tests/run.sh,
# tools/fault-suite/run.sh). Given VENV (a venv directory), REQUIREMENTS (a pip requirements
# file) and ROOT (the repository), it creates or updates the venv when the requirements
# changed, finds the connector jar (CONNECTOR_JAR, default: the newest
# connector/target/pubsub-spark-connector-*.jar) and exports what pyspark's launcher needs.

if [ ! -x "$VENV/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha"
REQ_SHA="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$REQ_SHA" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS"
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
