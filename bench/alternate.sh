#!/bin/bash
# alternate.sh ROUNDS LABEL=COMMAND ... -- run the commands in alternating rounds and print, per
# label, the median and the minimum wall time and their ratios to the first label's, and the
# median CPU time (user + system, from /usr/bin/time) and its ratio.  A quick A/B check between
# builds (e.g. the floor, this build, an earlier build); on a shared machine the CPU times are
# the steadier figure.  The full benchmark is bench/run_coverage.sh.  Example (from the bench
# inputs' directory):
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
cpu=$(mktemp)
trap 'rm -f "$times" "$cpu"' EXIT
for ((i = 0; i < R; i++)); do
    for l in "${labels[@]}"; do
        t0=$EPOCHREALTIME
        eval "/usr/bin/time -f '%U %S' -o '$cpu' ${cmds[$l]}" >/dev/null 2>&1 || {
            echo "failed: ${cmds[$l]}" >&2
            exit 1
        }
        t1=$EPOCHREALTIME
        echo "$l $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}') $(awk '{print $1 + $2}' "$cpu")" >>"$times"
    done
done
med() { awk -v l="$1" -v c="$2" '$1==l{print $c}' "$times" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
base="" bmin="" bcpu=""
for l in "${labels[@]}"; do
    m=$(med "$l" 2)
    mn=$(awk -v l="$l" '$1==l{print $2}' "$times" | sort -g | head -1)
    c=$(med "$l" 3)
    [ -z "$base" ] && base=$m && bmin=$mn && bcpu=$c
    printf '%s median %.3f s ratio %.3f   min %.3f s ratio %.3f   cpu %.3f s ratio %.3f\n' "$l" "$m" \
        "$(awk -v a="$m" -v b="$base" 'BEGIN{print a/b}')" "$mn" "$(awk -v a="$mn" -v b="$bmin" 'BEGIN{print a/b}')" \
        "$c" "$(awk -v a="$c" -v b="$bcpu" 'BEGIN{print (b > 0 ? a/b : 0)}')"
done
