#!/usr/bin/env bash
# Stop the emulator started by start.sh STATE_DIR. Idempotent.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
STATE_DIR="$1"
PID_FILE="$STATE_DIR/pid"
[ -f "$PID_FILE" ] || exit 0
PID="$(cat "$PID_FILE" 2>/dev/null || true)"
case "$PID" in ''|*[!0-9]*) rm -f "$PID_FILE"; exit 0 ;; esac

alive() {
  # the group (pgid == PID, from setsid) or the leader itself
  kill -0 -- "-$PID" 2>/dev/null || kill -0 "$PID" 2>/dev/null
}

if alive; then
  kill -TERM -- "-$PID" 2>/dev/null || kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 100); do   # up to 10 s
    alive || break
    sleep 0.1
  done
  if alive; then
    kill -KILL -- "-$PID" 2>/dev/null || kill -KILL "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      alive || break
      sleep 0.1
    done
  fi
fi
rm -f "$PID_FILE" "$STATE_DIR/host_port"
exit 0
