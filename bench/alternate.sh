#!/bin/bash
# alternate.sh ROUNDS LABEL=COMMAND ... -- run the commands in alternating rounds and print, per
# label, the median and the minimum wall time and their ratios to the first label's.  A quick
# A/B check between builds (e.g. the floor, this build, an earlier build) on a quiet machine;
# the full benchmark is bench/run_coverage.sh.  Example (from the bench inputs' directory):
#   bash bench/alternate.sh 11 floor="build-rel/bench-floor -T ref.fa wgs.cram" \
#       metcn="build-rel/metcn coverage --panel tiles.bed -T ref.fa -o /tmp/m.tsv wgs.cram"
set -euo pipefail
R=$1
shift
declare -A cmds
labels=()
for a in "$@"; do
    l=${a%%=*}
    cmds[$l]=${a#*=}
    labels+=("$l")
done
times=$(mktemp)
trap 'rm -f "$times"' EXIT
for ((i = 0; i < R; i++)); do
    for l in "${labels[@]}"; do
        t0=$EPOCHREALTIME
        eval "${cmds[$l]}" >/dev/null 2>&1 || { echo "failed: ${cmds[$l]}" >&2; exit 1; }
        t1=$EPOCHREALTIME
        echo "$l $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" >>"$times"
    done
done
base="" bmin=""
for l in "${labels[@]}"; do
    m=$(awk -v l="$l" '$1==l{print $2}' "$times" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    mn=$(awk -v l="$l" '$1==l{print $2}' "$times" | sort -g | head -1)
    [ -z "$base" ] && base=$m && bmin=$mn
    printf '%s median %.3f s ratio %.3f   min %.3f s ratio %.3f\n' "$l" "$m" \
        "$(awk -v a="$m" -v b="$base" 'BEGIN{print a/b}')" "$mn" "$(awk -v a="$mn" -v b="$bmin" 'BEGIN{print a/b}')"
done
