#!/usr/bin/env bash
# Runs every test of the project: Rust checks and unit tests, the Maven build
# (native library in release mode, connector jar, unit and integration tests
# against Google's Pub/Sub emulator and real Spark), and the PySpark test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Rust: format, lint, unit tests (native/)"
( cd native
  cargo fmt --check
  cargo clippy --release --all-targets -- -D warnings
  cargo test --release )

step "Rust: format, lint, tests (tools/firehose/, the load server)"
( cd tools/firehose
  cargo fmt --check
  cargo clippy --release --all-targets -- -D warnings
  cargo test --release )

step "Rust: format, lint (bench/native-drain/, the plain-Rust reader of the benchmarks)"
( cd bench/native-drain
  cargo fmt --check
  # Shares native/'s target directory, so the native crate is compiled once.
  CARGO_TARGET_DIR=../../native/target cargo clippy --release --all-targets -- -D warnings )

step "Java: build, unit and integration tests (connector/, testkit/, it/, examples/, bench/)"
mvn -B -ntp verify

step "PySpark: pass-through through pyspark from PyPI"
./python-tests/run.sh

step "all tests passed"
