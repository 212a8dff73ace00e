#!/usr/bin/env bash
# Stop the firehose started by start.sh STATE_DIR (SIGTERM, then KILL after
# 10 s: the emulator's stop script, as both keep the same STATE_DIR files),
# and print its report. Idempotent.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE_DIR="$1"
"$HERE/../emulator/stop.sh" "$STATE_DIR"
LOG="$STATE_DIR/firehose.log"
if [ -f "$LOG" ]; then
  sed -n '/^firehose report$/,$p' "$LOG"
fi
exit 0
