#!/usr/bin/env bash
# Start Google's Pub/Sub emulator on a free loopback port.
#   tools/emulator/start.sh STATE_DIR
# Writes STATE_DIR/host_port, STATE_DIR/pid, STATE_DIR/emulator.log, prints host:port.
# Env: PUBSUB_EMULATOR_BIN (emulator launcher), EMULATOR_START_TIMEOUT (seconds, default 60),
#      EMULATOR_PORT (fixed port instead of a free one),
#      EMULATOR_WATCH_PID (stop the emulator as soon as that process is gone).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
STATE_DIR="$1"
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
HOST=127.0.0.1
TIMEOUT="${EMULATOR_START_TIMEOUT:-60}"
LOG="$STATE_DIR/emulator.log"
DATA_DIR="$STATE_DIR/data"
mkdir -p "$DATA_DIR"

if [ -f "$STATE_DIR/pid" ] && kill -0 "$(cat "$STATE_DIR/pid")" 2>/dev/null; then
  echo "emulator already running for $STATE_DIR (pid $(cat "$STATE_DIR/pid"))" >&2
  cat "$STATE_DIR/host_port"
  exit 0
fi
rm -f "$STATE_DIR/pid" "$STATE_DIR/host_port"

BIN="${PUBSUB_EMULATOR_BIN:-}"
if [ -z "$BIN" ]; then
  for c in /usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator \
           /usr/share/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator \
           /google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator; do
    if [ -x "$c" ]; then BIN="$c"; break; fi
  done
fi
if [ -z "$BIN" ] && command -v gcloud >/dev/null 2>&1; then
  d="$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null || true)"
  if [ -n "$d" ] && [ -x "$d/platform/pubsub-emulator/bin/cloud-pubsub-emulator" ]; then
    BIN="$d/platform/pubsub-emulator/bin/cloud-pubsub-emulator"
  fi
fi
if [ -z "$BIN" ]; then
  echo "Pub/Sub emulator not found (install Debian package google-cloud-cli-pubsub-emulator or set PUBSUB_EMULATOR_BIN)" >&2
  exit 1
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    # bash fallback: random high port that nobody answers on
    local p
    for _ in $(seq 1 100); do
      p=$(( 20000 + RANDOM % 40000 ))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    return 1
  fi
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The emulator answers "Ok" to an HTTP/1.1 GET on its port.
emulator_answers() {
  local port="$1"
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 2 "http://$HOST:$port/" >/dev/null 2>&1
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$HOST" "$port" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen("http://%s:%s/" % (sys.argv[1], sys.argv[2]), timeout=2).read()
PY
  else
    port_open "$port"
  fi
}

start_once() {
  local port="$1"
  : > "$LOG"
  # setsid: own process group (pgid == pid), so stop.sh can kill the launcher and its JVM together.
  # The emulator keeps its state in memory; run it from DATA_DIR so anything it writes stays there.
  ( cd "$DATA_DIR" && exec setsid "$BIN" --host="$HOST" --port="$port" </dev/null >>"$LOG" 2>&1 ) &
  local pid=$!
  echo "$pid" > "$STATE_DIR/pid"
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if port_open "$port" && emulator_answers "$port"; then
      echo "$HOST:$port" > "$STATE_DIR/host_port"
      return 0
    fi
    sleep 0.2
  done
  return 2
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  PORT="${EMULATOR_PORT:-$(free_port)}"
  rc=0
  start_once "$PORT" || rc=$?
  if [ "$rc" -eq 0 ]; then
    if [ -n "${EMULATOR_WATCH_PID:-}" ]; then
      # Stop the emulator when the given process dies, even by SIGKILL (no shutdown hook runs then).
      STOP="$(cd "$(dirname "$0")" && pwd)/stop.sh"
      setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; "$2" "$3"' \
        emulator-watch "$EMULATOR_WATCH_PID" "$STOP" "$STATE_DIR" </dev/null >/dev/null 2>&1 &
    fi
    cat "$STATE_DIR/host_port"
    exit 0
  fi
  # clean up whatever is left of this attempt
  "$(dirname "$0")/stop.sh" "$STATE_DIR" >/dev/null 2>&1 || true
  # A port race (someone took the port between probing and binding) is retried.
  if [ "$rc" -eq 1 ] && [ -z "${EMULATOR_PORT:-}" ] && [ "$attempt" -lt 3 ] \
     && grep -qiE 'address already in use|BindException' "$LOG"; then
    continue
  fi
  if [ "$rc" -eq 2 ]; then
    echo "Pub/Sub emulator did not come up on $HOST:$PORT within ${TIMEOUT}s. Log tail ($LOG):" >&2
  else
    echo "Pub/Sub emulator exited during start on $HOST:$PORT. Log tail ($LOG):" >&2
  fi
  tail -n 40 "$LOG" >&2 || true
  exit 1
done
