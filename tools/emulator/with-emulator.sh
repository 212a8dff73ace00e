#!/usr/bin/env bash
# Run a command with a fresh Pub/Sub emulator; PUBSUB_EMULATOR_HOST is exported for it.
#   tools/emulator/with-emulator.sh CMD [ARGS...]
# The emulator is stopped when the command ends, fails, or is interrupted.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pubsub-emulator.XXXXXX")"
cleanup() {
  "$HERE/stop.sh" "$STATE_DIR" || true
  rm -rf "$STATE_DIR"
}
CHILD=""
trap cleanup EXIT
on_signal() {
  local sig="$1" code="$2"
  if [ -n "$CHILD" ]; then
    kill "-$sig" "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  exit "$code"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
HOST_PORT="$("$HERE/start.sh" "$STATE_DIR")"
export PUBSUB_EMULATOR_HOST="$HOST_PORT"
echo "Pub/Sub emulator at $PUBSUB_EMULATOR_HOST (state $STATE_DIR)" >&2
# Run in the background (stdin kept) so signals reach our traps at once.
set +e
"$@" 0<&0 &
CHILD=$!
wait "$CHILD"
rc=$?
CHILD=""
set -e
exit "$rc"
