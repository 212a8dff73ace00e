#!/usr/bin/env bash
# Start the firehose load server on a free loopback port.
#   tools/firehose/start.sh STATE_DIR [FIREHOSE FLAGS...]
# Builds the release binary first (cargo rebuilds only what changed), writes
# STATE_DIR/host_port, STATE_DIR/pid, STATE_DIR/firehose.log and, when the
# firehose stops, STATE_DIR/report.json; prints host:port.
# Env: FIREHOSE_START_TIMEOUT (seconds, default 60),
#      FIREHOSE_WATCH_PID (the firehose exits, with its report, once that process is gone).
# Flags are the binary's (`firehose --help`); without --port it binds a free port itself.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 STATE_DIR [FIREHOSE FLAGS...]" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE_DIR="$1"
shift
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
TIMEOUT="${FIREHOSE_START_TIMEOUT:-60}"
LOG="$STATE_DIR/firehose.log"

if [ -f "$STATE_DIR/pid" ] && kill -0 "$(cat "$STATE_DIR/pid")" 2>/dev/null; then
  echo "firehose already running for $STATE_DIR (pid $(cat "$STATE_DIR/pid"))" >&2
  cat "$STATE_DIR/host_port"
  exit 0
fi
rm -f "$STATE_DIR/pid" "$STATE_DIR/host_port" "$STATE_DIR/report.json"

# Its own target dir, so the build never waits on another crate's lock.
export CARGO_TARGET_DIR="$HERE/target"
if ! cargo build --release --quiet --manifest-path "$HERE/Cargo.toml" >&2; then
  echo "building the firehose failed" >&2
  exit 1
fi
BIN="$CARGO_TARGET_DIR/release/firehose"

WATCH=()
if [ -n "${FIREHOSE_WATCH_PID:-}" ]; then
  WATCH=(--watch-pid "$FIREHOSE_WATCH_PID")
fi
: > "$LOG"
# setsid: own process group (pgid == pid), as tools/emulator/stop.sh expects.
setsid "$BIN" --report-file "$STATE_DIR/report.json" "${WATCH[@]}" "$@" </dev/null >>"$LOG" 2>&1 &
PID=$!
echo "$PID" > "$STATE_DIR/pid"

deadline=$(( $(date +%s) + TIMEOUT ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  HOST_PORT="$(sed -n 's/^FIREHOSE_LISTENING //p' "$LOG" | head -n 1)"
  if [ -n "$HOST_PORT" ]; then
    echo "$HOST_PORT" > "$STATE_DIR/host_port"
    echo "$HOST_PORT"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "firehose exited during start. Log tail ($LOG):" >&2
    tail -n 40 "$LOG" >&2 || true
    rm -f "$STATE_DIR/pid"
    exit 1
  fi
  sleep 0.1
done
echo "firehose did not announce its address within ${TIMEOUT}s. Log tail ($LOG):" >&2
tail -n 40 "$LOG" >&2 || true
"$HERE/stop.sh" "$STATE_DIR" >/dev/null 2>&1 || true
exit 1
