#!/usr/bin/env bash
# CI job: memcheck on `coverage`, `pon build` and `call` over the bundled example data
# (tests/example.sh makes it).  Fails on any memcheck error or definite/indirect leak; memory
# still reachable at exit (htslib's and glibc's caches) is not an error.
#   bash .ci/valgrind.sh [BUILD_DIR]          (docs/reliability.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash tests/example.sh "$build" >/dev/null
ex=$build/example
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
vg() { # NAME COMMAND...
    local name=$1
    shift
    local t0=$SECONDS
    if valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --track-origins=yes --log-file="$out/$name.vg" "$@" >/dev/null 2>"$out/$name.err"; then
        echo "valgrind $name: clean ($((SECONDS - t0)) s wall)"
    else
        echo "valgrind $name: FAILED" >&2
        cat "$out/$name.err" >&2
        grep -A25 -E 'Invalid|uninitialised|definitely lost|indirectly lost|ERROR SUMMARY' \
            "$out/$name.vg" | head -80 >&2
        exit 1
    fi
}
m=$build/metcn
vg coverage "$m" coverage --panel "$ex/panel.bed" --reference "$ex/ref.fa" -@ 1 \
    -o "$out/focal.tsv" "$ex/focal.bam"
# pon build from 4 of the 10 normals: the same code paths in less than half the time
vg pon_build "$m" pon build --panel "$ex/panel.bed" --reference "$ex/ref.fa" -@ 2 \
    -o "$out/vg.pon" "$ex"/normal{1..4}.bam
vg call "$m" call --pon "$out/vg.pon" --purity 0.6 -o "$out/calls" "$ex/focal.bam" \
    "$ex/negative.bam"
echo "valgrind: clean"
