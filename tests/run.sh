#!/usr/bin/env bash
# Build metcn with warnings as errors and run the whole test suite.
#   bash tests/run.sh [BUILD_DIR] [extra cmake options...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
cmake -S . -B "$build" -DMETCN_WERROR=ON -DBUILD_TESTING=ON "$@" >/dev/null
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 --timeout 900
