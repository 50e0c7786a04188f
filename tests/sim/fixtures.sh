#!/usr/bin/env bash
# fixtures.sh -- generate the test-suite fixture set (the ctest FIXTURES_SETUP step `simdata`).
#   bash tests/sim/fixtures.sh OUTDIR METCN_SIM [METCN]
# Writes OUTDIR/ref.fa(.fai), panel.bed, 13 normals (6 XX, 6 XY, 1 outlier), 102 tumours
# (the 96-tumour grid at 80-160x and 6 specials at 150x) as BAM (+ CRAM for a subset), one truth TSV each, and
# manifest.tsv.  Samples whose truth file is newer than the generator and the reference are
# not regenerated.  The model and every parameter: docs/simulator.md.
set -euo pipefail
out=${1:?usage: fixtures.sh OUTDIR METCN_SIM [METCN]}
sim=${2:?usage: fixtures.sh OUTDIR METCN_SIM [METCN]}
jobs=${METCN_FIXTURE_JOBS:-2}
t0=$(date +%s.%N)
[ -x "$sim" ] || { echo "fixtures.sh: $sim: not an executable" >&2; exit 1; }
sim=$(cd "$(dirname "$sim")" && pwd)/$(basename "$sim")
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
mkdir -p "$out"
cd "$out"

# A target is up to date when it exists and is newer than the generator and this script.
fresh() { [ -e "$1" ] && [ "$1" -nt "$sim" ] && [ "$1" -nt "$self" ]; }

if ! fresh ref.fa.fai; then
    rm -f ref.fa ref.fa.fai panel.bed manifest.tsv
    "$sim" ref -o ref.fa --seed 7 --contig-len 2000000
fi
if ! fresh panel.bed || [ ref.fa.fai -nt panel.bed ]; then
    "$sim" panel -r ref.fa -o panel.bed --seed 7 --n-other 240
fi

# Common library settings; per-sample depth, sex and GC curve vary below.
common=(-r ref.fa -b panel.bed --capture-seed 7 --capture-sd 0.3 --read-len 150 --frag-mean 300
    --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005 --offtarget 0.0001 -l 1)

joblist=$(mktemp)
trap 'rm -f "$joblist"' EXIT
rows=()  # sample kind cram(0/1)

add() { # add NAME KIND CRAM ARGS...
    local name=$1 kind=$2 cram=$3
    shift 3
    rows+=("$name $kind $cram")
    if fresh "$name.truth.tsv" && [ "$name.truth.tsv" -nt ref.fa.fai ] &&
        [ "$name.truth.tsv" -nt panel.bed ]; then
        return
    fi
    local extra=()
    [ "$cram" = 1 ] && extra=(--cram)
    # one job per line, no trailing blank (xargs -L would join the next line)
    local line
    line=$(printf '%q ' "$sim" reads "${common[@]}" -o "$name" "${extra[@]}" "$@")
    printf '%s\n' "${line% }" >>"$joblist"
}

# GC curves: slope b1 and curvature b2 of exp(b1 (gc-0.45) + b2 (gc-0.45)^2), varied per sample.
slopes=(-1.5 -1.0 -0.6 -0.3 0 0.3 0.6 1.0 1.5 -0.8 0.8 0)
curvs=(-6 -3 0 -8 -4 -2 -6 0 -3 -5 -1 -7)

# 12 normals: 6 XX, 6 XY, depth 200-500x.
for i in $(seq 1 12); do
    sex=XX
    [ $((i % 2)) -eq 0 ] && sex=XY
    depth=$((200 + (i - 1) * 300 / 11))
    cram=0
    [ "$i" -le 2 ] && cram=1
    add "$(printf 'N%02d' "$i")" normal "$cram" -s $((100 + i)) --sex "$sex" -d "$depth" \
        --gc-slope "${slopes[$((i - 1))]}" --gc-curv "${curvs[$((i - 1))]}"
done
# Outlier normal: a strong GC bias and a broad artefact (1.6x over most of chr3).
add NOUT outlier_normal 0 -s 199 --sex XX -d 300 --gc-slope 7 --gc-curv -40 \
    --artefact chr3:150000-1850000:1.6

# Tumour grid: MET copy number x purity x chr7 background, diploid ploidy.
k=0
for met in 2 3 4 6 8 12 20 40; do
    for pur in 0.1 0.3 0.6 1.0; do
        for c7 in 2 3 4; do
            k=$((k + 1))
            sex=XX
            [ $((k % 2)) -eq 0 ] && sex=XY
            depth=$((80 + (k * 37) % 81))
            cram=0
            [ "$k" -eq 40 ] && cram=1
            add "T_m${met}_p${pur}_c${c7}" tumour "$cram" -s $((1000 + k)) --sex "$sex" \
                -d "$depth" --gc-slope "${slopes[$((k % 12))]}" --gc-curv "${curvs[$((k % 12))]}" \
                --purity "$pur" --chr7-cn "$c7" --met-cn "$met"
        done
    done
done
# Specials.
add S_partial tumour 1 -s 2001 --sex XX -d 150 --purity 0.6 --met-cn 10 \
    --amp-start 116760000 --amp-end 117600000
add S_egfr tumour 1 -s 2002 --sex XY -d 150 --purity 0.6 --egfr-cn 12
add S_7q tumour 0 -s 2003 --sex XX -d 150 --purity 0.6 --chr7q-cn 4
add S_triploid tumour 0 -s 2004 --sex XY -d 150 --purity 0.5 --base-cn 3 --chr7-cn 3 --met-cn 8
add S_ratio2_XX tumour 0 -s 2005 --sex XX -d 150 --purity 1.0 --met-cn 4
add S_ratio5_XY tumour 1 -s 2006 --sex XY -d 150 --purity 1.0 --met-cn 10

n=$(wc -l <"$joblist")
if [ "$n" -gt 0 ]; then
    rm -f manifest.tsv
    xargs -P "$jobs" -L 1 -a "$joblist" -- bash -c '"$0" "$@" >/dev/null'
fi

if ! fresh manifest.tsv || [ "$n" -gt 0 ]; then
    tmp=manifest.tsv.tmp.$$
    printf 'sample\tkind\tsex\tbam\tcram\ttruth\tdepth\tmet_cn\tchr7_cn\tchr7p_cn\tchr7q_cn\tpurity\tploidy\tfish_ratio\tfish_tier\thigh_amp\tpattern\n' >"$tmp"
    for r in "${rows[@]}"; do
        read -r name kind cram <<<"$r"
        cr=.
        [ "$cram" = 1 ] && cr=$name.cram
        awk -F'\t' -v OFS='\t' -v kind="$kind" -v bam="$name.bam" -v cram="$cr" \
            -v truth="$name.truth.tsv" \
            'NR == 2 { print $1, kind, $2, bam, cram, truth, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' \
            "$name.truth.tsv" >>"$tmp"
    done
    mv "$tmp" manifest.tsv
fi
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="${#rows[@]}" -v g="$n" -v d="$out" \
    'BEGIN { printf "fixtures: %d samples (%d generated) in %s in %.1f s\n", n, g, d, b - a }'
