#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang, ASan + UBSan) and run each for a fixed time.
#   bash fuzz/run.sh [SECONDS] [BUILD_DIR] [NAME...]      (defaults: 30, build-fuzz, all)
# NAME is a harness without its "fuzz_" prefix: panel covtab pon fish calls options sam.
# Each runs on its committed seeds (fuzz/corpus/NAME, read only) plus a working corpus
# ($FUZZ_OUT/NAME/corpus, default BUILD_DIR/fuzz-runs) that keeps what it finds between runs,
# with its dictionary fuzz/dict/NAME.dict.  Leaks count as failures.  A failure prints the
# reproducer; re-run it with:  BUILD_DIR/fuzz/fuzz_NAME REPRODUCER
# FUZZ_KEEP_GOING=1 goes on after a failure (libFuzzer's -fork=1 -ignore_crashes=1) and lists
# every distinct failure at the end: for long runs that should collect all findings.
# Exit 0 when every harness ran clean; 1 otherwise.  Details: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
build=${2:-build-fuzz}
shift $(($# < 2 ? $# : 2))
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(panel covtab pon fish calls options sam)
CC=${FUZZ_CC:-clang} cmake -S . -B "$build" -DMETCN_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
out=${FUZZ_OUT:-$build/fuzz-runs}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for n in "${names[@]}"; do
    bin=$build/fuzz/fuzz_$n
    [ -x "$bin" ] || { echo "fuzz: no harness fuzz_$n" >&2; status=1; continue; }
    work=$out/$n
    mkdir -p "$work/corpus" "$work/artifacts"
    t0=$(date +%s)
    rc=0
    keep=()
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    "$bin" "${keep[@]}" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
        -dict="fuzz/dict/$n.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
        "$work/corpus" "fuzz/corpus/$n" >"$work/log" 2>&1 || rc=$?
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log")
    [ -n "$runs" ] || runs=$(grep -ao '^#[0-9]*' "$work/log" | tail -1 | tr -d '#' || true)
    cov=$(grep -ao "cov: [0-9]*" "$work/log" | tail -1 || true)
    found=$(grep -ac '^SUMMARY: ' "$work/log" || true)
    if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
        printf 'fuzz_%-8s ok    %4ss  %9s runs  %s  corpus %s\n' "$n" "$(($(date +%s) - t0))" \
            "${runs:-?}" "${cov:-cov: ?}" "$(ls "$work/corpus" | wc -l)"
    else
        status=1
        printf 'fuzz_%-8s FAIL  (exit %d)\n' "$n" "$rc"
        grep -aE '^SUMMARY: ' "$work/log" | sort | uniq -c | sed 's/^/    /'
        ls "$work/artifacts"/* 2>/dev/null | head -5 | sed 's/^/    reproducer: /'
    fi
done
exit "$status"
