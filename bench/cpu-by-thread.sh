#!/usr/bin/env bash
# Runs a benchmark command and splits the CPU of one of its processes by thread
# name: perf samples (cpu-clock, all threads, children included) of the first
# process whose command line contains PATTERN, summed per thread name with
# trailing numbers dropped ("pubsub-native-0" and "-1" count together). This is
# the profile behind the "what bounds it" lines of bench/RESULTS.md.
#
#   ./bench/cpu-by-thread.sh PATTERN -- COMMAND [ARGS...]
#   e.g. ./bench/cpu-by-thread.sh SparkFirehoseRead -- ./bench/spark-firehose.sh --messages 10000000 --sinks noop
#
# Needs perf (Debian's linux-perf) with perf_event_paranoid <= 2.
set -euo pipefail

if [[ $# -lt 3 || "$2" != "--" ]]; then
  echo "usage: $0 PATTERN -- COMMAND [ARGS...]" >&2
  exit 2
fi
pattern="$1"
shift 2
command -v perf >/dev/null || { echo "perf is not installed (Debian package linux-perf)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Finds the process by its full command line (pgrep -f sees only the first 4 KiB,
# and a JVM's class path is longer), then records it until it exits.
record() {
  local pid=""
  while [[ -z "$pid" ]]; do
    for p in $(pgrep -d ' ' . || true); do
      if [[ "$p" != "$$" && "$p" != "$BASHPID" ]] && grep -qaF -- "$pattern" "/proc/$p/cmdline" 2>/dev/null \
          && ! grep -qaF -- "cpu-by-thread.sh" "/proc/$p/cmdline" 2>/dev/null; then
        pid="$p"
        break
      fi
    done
    [[ -n "$pid" ]] || sleep 0.05
  done
  perf record -q -e cpu-clock -F 1000 -p "$pid" -o "$work/perf.data" >/dev/null 2>&1 || true
}
record &
recorder=$!

"$@"
wait "$recorder"

echo
echo "==================== CPU by thread of the process matching '$pattern' ===================="
perf report -i "$work/perf.data" --sort comm --stdio 2>/dev/null \
  | awk '/^ +[0-9.]+%/ { share = $1; sub(/%/, "", share); $1 = ""; name = substr($0, 2);
                          sub(/[-#]?[0-9]+ *$/, "", name); sum[name] += share }
         END { for (n in sum) if (sum[n] >= 0.5) printf "%6.1f%%  %s\n", sum[n], n; else rest += sum[n];
               printf "%6.1f%%  (threads under 0.5%% each)\n", rest }' \
  | sort -rn
