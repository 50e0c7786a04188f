#!/usr/bin/env bash
# The bundled example: builds metcn, generates a small capture-panel data set from code with
# fixed seeds (reference, panel, 10 normals, 3 tumours with known MET truth), builds a panel of
# normals, calls MET in the tumours and prints the calls next to the truth.
#   bash tests/example.sh [BUILD_DIR] [OUT_DIR]
# METCN_BIN=/usr/bin/metcn runs that metcn (e.g. an installed package) instead of the build's;
# the generator metcn-sim always comes from BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-$build/example}
cmake -S . -B "$build" -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j2 >/dev/null
metcn=${METCN_BIN:-"$PWD/$build/metcn"}
sim="$PWD/$build/metcn-sim"
mkdir -p "$out"
cd "$out"
echo "== $("$metcn" --version | head -1) ($(command -v "$metcn"))"
echo "== generating the example data in $PWD (fixed seeds)"
[ -s ref.fa.fai ] || "$sim" ref -o ref.fa -s 7 -L 5000000
[ -s panel.bed ] || "$sim" panel -r ref.fa -o panel.bed -s 7
sexes=(XX XY XX XY XX XY XX XY XX XY)
for i in $(seq 1 10); do
    [ -s "normal$i.bam" ] || "$sim" reads -r ref.fa -b panel.bed -o "normal$i" -s $((100 + i)) \
        --sex "${sexes[$((i - 1))]}" -d $((250 + 20 * i)) --gc-slope 0.$((i % 4)) >/dev/null
done
# focal MET amplification (12 copies) in 60% tumour cells
[ -s focal.bam ] || "$sim" reads -r ref.fa -b panel.bed -o focal -s 201 -d 350 --purity 0.6 \
    --met-cn 12 >/dev/null
# chromosome-7 polysomy (4 copies), no MET amplicon, 70% tumour cells
[ -s polysomy.bam ] || "$sim" reads -r ref.fa -b panel.bed -o polysomy -s 202 -d 350 \
    --purity 0.7 --chr7-cn 4 >/dev/null
# no MET event
[ -s negative.bam ] || "$sim" reads -r ref.fa -b panel.bed -o negative -s 203 -d 350 \
    --purity 0.5 >/dev/null
echo "== metcn pon build"
"$metcn" pon build --panel panel.bed --reference ref.fa -@ 2 -o example.pon normal*.bam
"$metcn" pon info example.pon | head -20
echo "== metcn call (purity given as the pathologist's estimate)"
"$metcn" call --pon example.pon --purity 0.6 -o calls.focal focal.bam
"$metcn" call --pon example.pon --purity 0.7 -o calls.polysomy polysomy.bam
"$metcn" call --pon example.pon --purity 0.5 -o calls.negative negative.bam
echo "== calls (metcn) vs truth (generator)"
printf "sample\tgene\tcn [95%% CI]\tcontrol_cn\tratio\ttier\tpattern\tqc\t| true met_cn\ttrue chr7\ttrue tier\ttrue pattern\n"
for s in focal polysomy negative; do
    awk -F'\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
        {printf "%s\t%s\t%.1f [%.1f-%.1f]\t%.2f\t%.2f\t%s\t%s\t%s\t| ", $c["sample"], $c["gene"], $c["cn"], $c["cn_low"], $c["cn_high"], $c["control_cn"], $c["ratio"], $c["tier"], $c["pattern"], $c["qc"]}' "calls.$s.calls.tsv"
    awk -F'\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} {printf "%s\t%s\t%s\t%s\n", $c["met_cn"], $c["chr7_cn"], $c["fish_tier"], $c["pattern"]}' "$s.truth.tsv"
done
echo "== outputs: $PWD/calls.*  (calls.tsv, json, per-sample vcf, per-sample-and-gene cnr/seg/svg)"
