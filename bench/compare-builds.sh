#!/usr/bin/env bash
# Before/after in one run: builds BASE_REV and the current HEAD in two worktrees (each with its
# own Maven repository, so their connector jars cannot mix), runs bench/spark-firehose.sh in
# each, alternating, ROUNDS times, and prints every row of both plus the after/before ratios of
# the medians of msg/s and CPU-s per million for each row both sides have.
#
#   bench/compare-builds.sh BASE_REV [ROUNDS] -- [spark-firehose args shared by both sides]
#
# HEAD_EXTRA_ARGS: arguments only the HEAD side gets (e.g. "--modes memory", an option BASE_REV
# may not know). COMPARE_DIR: where the worktrees live (default a fresh temp dir, removed after).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BASE_REV [ROUNDS] -- [spark-firehose args]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base_rev="$1"
shift
rounds=2
if [[ $# -gt 0 && "$1" != "--" ]]; then
  rounds="$1"
  shift
fi
[[ "${1:-}" == "--" ]] && shift
dir="${COMPARE_DIR:-$(mktemp -d /tmp/compare-builds.XXXXXX)}"
mkdir -p "$dir"

prepare() { # side rev
  local tree="$dir/$1" repo="$dir/m2-$1"
  if [[ ! -d "$tree" ]]; then
    git -C "$root" worktree add -q --detach "$tree" "$2"
  fi
  if [[ ! -d "$repo" ]]; then
    # Third-party artifacts are shared by hard link (Maven never rewrites them); this project's
    # own are left out, so each side installs and reads only its own build.
    mkdir -p "$repo"
    cp -al "$HOME/.m2/repository/." "$repo/"
    rm -rf "$repo/io/pubsubnative"
  fi
  mkdir -p "$tree/.mvn"
  echo "-Dmaven.repo.local=$repo" > "$tree/.mvn/maven.config"
  echo "[compare] $1 = $(git -C "$tree" log --oneline -1)"
}

run_side() { # side round extra-args...
  local side="$1" round="$2"
  shift 2
  local skip=1
  [[ "$round" == 1 ]] && skip=0
  (cd "$dir/$side" && BENCH_SKIP_BUILD="$skip" SKIP_BUILD="$skip" \
    ./bench/spark-firehose.sh "$@") > "$dir/$side-$round.log" 2>&1 \
    || { echo "[compare] $side round $round failed; see $dir/$side-$round.log" >&2; exit 1; }
  echo "[compare] $side round $round done (load average $(uptime | sed 's/.*load average: //'))"
  sed -n '/==== spark-firehose results/,$p' "$dir/$side-$round.log"
}

prepare base "$base_rev"
prepare head HEAD
for round in $(seq 1 "$rounds"); do
  run_side base "$round" "$@"
  # shellcheck disable=SC2086 # HEAD_EXTRA_ARGS is a list of words
  run_side head "$round" "$@" ${HEAD_EXTRA_ARGS:-}
done
python3 "$root/bench/lib/compare_tables.py" "$dir" "$rounds"
if [[ -z "${COMPARE_DIR:-}" ]]; then
  git -C "$root" worktree remove --force "$dir/base"
  git -C "$root" worktree remove --force "$dir/head"
  rm -rf "$dir"
fi
