#!/usr/bin/env bash
# The second small-panel set of docs/validation.md section 4: 6 normals (180-330x, off-target
# depth 0.3%) and 6 tumours (150x, purity 0.8, chr7 2/3/4 copies x MET 2/10) on a MET-focused
# panel (metcn-sim panel --n-control 4 --n-egfr 6), PoNs without and with --off-target, the
# tumours called against both, and the chr7 control level against the truth.
#   bench/offtarget_set.sh METCN_SIM METCN TESTDATA OUT
set -euo pipefail
sim=$(cd "$(dirname "${1:?METCN_SIM}")" && pwd)/$(basename "$1")
metcn=$(cd "$(dirname "${2:?METCN}")" && pwd)/$(basename "$2")
td=$(cd "${3:?TESTDATA}" && pwd)
mkdir -p "${4:?OUT}"
cd "$4"
"$sim" panel -r "$td/ref.fa" -o small.bed --seed 11 --n-other 120 --n-control 4 --n-egfr 6
common="-r $td/ref.fa -b small.bed --capture-seed 7 --capture-sd 0.3 --read-len 150 --frag-mean 300 --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005 --offtarget 0.003 -l 1"
slopes=(-1.0 -0.3 0 0.3 1.0 -0.6)
: >jobs.txt
for i in 1 2 3 4 5 6; do
    sex=XX; [ $((i % 2)) = 0 ] && sex=XY
    echo "$sim reads $common -o ON$i -s $((400 + i)) --sex $sex -d $((150 + i * 30)) --gc-slope ${slopes[$((i - 1))]} --gc-curv -3" >>jobs.txt
done
k=0
for c7 in 2 3 4; do
    for met in 2 10; do
        k=$((k + 1))
        sex=XX; [ $((k % 2)) = 0 ] && sex=XY
        echo "$sim reads $common -o OT_m${met}_c${c7} -s $((500 + k)) --sex $sex -d 150 --gc-slope ${slopes[$((k - 1))]} --gc-curv -4 --purity 0.8 --chr7-cn $c7 --met-cn $met" >>jobs.txt
    done
done
# shellcheck disable=SC2016
xargs -P 2 -L 1 -a jobs.txt -- bash -c '"$0" "$@" >/dev/null'
"$metcn" pon build --panel small.bed --reference "$td/ref.fa" -@ 2 -o pon_tgt.tsv.gz ON*.bam
"$metcn" pon build --panel small.bed --reference "$td/ref.fa" --off-target -@ 2 -o pon_off.tsv.gz ON*.bam
for p in tgt off; do
    "$metcn" call --pon pon_$p.tsv.gz --purity 0.8 -q --no-sample-files -o call_$p OT_*.bam
    awk -F'\t' -v p=$p 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        { split($1, a, "_c"); t = a[2]; c = $h["control_cn"]; lo = $h["control_cn_low"]; hi = $h["control_cn_high"]
          e = c - t; if (e < 0) e = -e; s += e; if (e > m) m = e; w[NR] = hi - lo; n++; cov += lo <= t && t <= hi
          printf "%s %s: chr7 %.3f [%.3f, %.3f], truth %d\n", p, $1, c, lo, hi, t }
        END { printf "%s: %d tumours, mean abs error %.3f, max %.3f, covered %d\n", p, n, s / n, m, cov }' call_$p.calls.tsv
done
