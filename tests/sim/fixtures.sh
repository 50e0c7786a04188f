#!/usr/bin/env bash
# fixtures.sh -- generate the test-suite fixture set (the ctest FIXTURES_SETUP step `simdata`).
#   bash tests/sim/fixtures.sh OUTDIR METCN_SIM [METCN]
# Writes OUTDIR/ref.fa(.fai), panel.bed, 13 normals (6 XX, 6 XY, 1 outlier), 102 tumours
# (the 96-tumour grid at 80-160x and 6 specials at 150x) as BAM (+ CRAM for a subset), one truth TSV each, and
# manifest.tsv; then sites.vcf.gz (germline SNP sites), germline/ (one individual's matched
# normal and allele-specific tumours, germline/manifest.tsv) and plasma/ (healthy plasma and a
# serial series of one patient on plasma_panel.bed, plasma/manifest.tsv).  Samples whose truth
# file is newer than the generator and the reference are not regenerated.  The model and every
# parameter: docs/simulator.md.
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

add() { # add NAME KIND CRAM ARGS...  (a NAME with a directory is no row of manifest.tsv)
    local name=$1 kind=$2 cram=$3
    shift 3
    [[ $name == */* ]] || rows+=("$name $kind $cram")
    if fresh "$name.truth.tsv" && [ "$name.truth.tsv" -nt ref.fa.fai ] &&
        [ "$name.truth.tsv" -nt panel.bed ] && { [[ $name != */* ]] || [ "$name.truth.tsv" -nt sites.vcf.gz ]; }; then
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

# Germline SNP sites near the panel's targets (3 per kb within 200 bp), and a smaller panel for
# the deep plasma samples: MET's exons and flank targets, every third other chr7 target (chr7
# controls and EGFR) and every fourth target elsewhere (129 targets).
if ! fresh sites.vcf.gz || [ panel.bed -nt sites.vcf.gz ]; then
    "$sim" snps -r ref.fa -b panel.bed -o sites.vcf.gz --density 3 --flank 200 -s 7
fi
if ! fresh plasma_panel.bed || [ panel.bed -nt plasma_panel.bed ]; then
    awk -F'\t' '$4 ~ /^(MET|F7)_/ {print; next} $1 == "chr7" {if ((++c % 3) == 1) print; next}
        (++n % 4) == 1' panel.bed >plasma_panel.bed.tmp
    mv plasma_panel.bed.tmp plasma_panel.bed
fi
mkdir -p germline plasma

# One individual (germline seed 900, XY): a matched normal and tumours with allele-specific
# events.  G_T1: MET amplicon 10 (9+1), copy-neutral LOH of chr3, LOH of chr5, gains of chr9
# (2+1) and chr10 (3+1); G_T2: whole-genome doubled after LOH of chr3 and a MET gain to 6
# (chr3 2+0, MET 10+2, ploidy 4); G_T3: a quiet genome with only a MET amplicon of 8.
germ=(--snps sites.vcf.gz --germline-seed 900 --sex XY)
gs=(--seg chr3:0-2000000:2+0 --seg chr5:0-2000000:1 --seg chr9:0-2000000:3 --seg chr10:0-2000000:4)
grows=("G_N normal 0 0" "G_T1 tumour 0.6 0" "G_T2 tumour 0.7 1" "G_T3 tumour 0.3 0")
add germline/G_N normal 0 -s 3001 "${germ[@]}" -d 300 --gc-slope 0.5 --gc-curv -3
add germline/G_T1 tumour 0 -s 3002 "${germ[@]}" -d 400 --purity 0.6 --met-cn 10 "${gs[@]}"
add germline/G_T2 tumour 0 -s 3003 "${germ[@]}" -d 400 --purity 0.7 --wgd \
    --seg chr3:0-2000000:1 --met-cn 6
add germline/G_T3 tumour 0 -s 3004 "${germ[@]}" -d 400 --purity 0.3 --met-cn 8

# Plasma (cell-free DNA: ~167 bp from normal cells, ~145 bp from the tumour), 2,700x of reads,
# about 1,500x of unique coverage, on plasma_panel.bed: four healthy donors, and one patient
# (germline seed 950, XX) over four dates whose tumour fraction and MET copy number change;
# PX_noMET: a plasma tumour without a MET event.
pl=(-r ref.fa -b plasma_panel.bed --capture-seed 7 --capture-sd 0.3 --plasma --dup 0.05
    --lowmapq 0.01 --supp 0.005 --offtarget 0.0001 -l 1 --snps sites.vcf.gz -d 2700)
padd() { # padd NAME KIND ARGS...
    local name=plasma/$1 kind=$2
    shift 2
    if fresh "$name.truth.tsv" && [ "$name.truth.tsv" -nt plasma_panel.bed ] &&
        [ "$name.truth.tsv" -nt sites.vcf.gz ]; then
        return
    fi
    local line
    line=$(printf '%q ' "$sim" reads "${pl[@]}" -o "$name" "$@")
    printf '%s\n' "${line% }" >>"$joblist"
}
prows=("PN01 healthy_plasma . ." "PN02 healthy_plasma . ." "PN03 healthy_plasma . ."
    "PN04 healthy_plasma . ." "PS_t0 plasma_tumour P1 2026-01-05" "PS_t1 plasma_tumour P1 2026-02-16"
    "PS_t2 plasma_tumour P1 2026-04-06" "PS_t3 plasma_tumour P1 2026-07-06"
    "PX_noMET plasma_tumour P2 2026-03-02")
for i in 1 2 3 4; do
    sex=XX
    [ $((i % 2)) -eq 0 ] && sex=XY
    padd "PN0$i" healthy_plasma -s $((4000 + i)) --germline-seed $((960 + i)) --sex "$sex" \
        --gc-slope "${slopes[$i]}" --gc-curv "${curvs[$i]}"
done
ps=(--germline-seed 950 --sex XX)
padd PS_t0 plasma_tumour -s 4101 "${ps[@]}" --purity 0.20 --met-cn 12
padd PS_t1 plasma_tumour -s 4102 "${ps[@]}" --purity 0.05 --met-cn 12
padd PS_t2 plasma_tumour -s 4103 "${ps[@]}" --purity 0.005 --met-cn 12
padd PS_t3 plasma_tumour -s 4104 "${ps[@]}" --purity 0.15 --met-cn 20
padd PX_noMET plasma_tumour -s 4105 --germline-seed 951 --sex XY --purity 0.10 \
    --seg chr3:0-2000000:1 --seg chr9:0-2000000:3

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
# germline/manifest.tsv and plasma/manifest.tsv (paths relative to their directory)
if ! fresh germline/manifest.tsv || [ "$n" -gt 0 ]; then
    tmp=germline/manifest.tsv.tmp.$$
    printf 'sample\tkind\tsex\tbam\ttruth\tsegments\tgenotypes\tgermline_seed\tpurity\tploidy\twgd\tmet_cn\tmet_major\tmet_minor\tmean_ploidy\n' >"$tmp"
    for r in "${grows[@]}"; do
        read -r name kind _ _ <<<"$r"
        awk -F'\t' -v OFS='\t' -v kind="$kind" -v n="$name" \
            'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print n, kind, $c["sex"], n ".bam", n ".truth.tsv", n ".segments.tsv", n ".genotypes.tsv", $c["germline_seed"], $c["purity"], $c["ploidy"], $c["wgd"], $c["met_cn"], $c["met_major"], $c["met_minor"], $c["mean_ploidy"] }' \
            "germline/$name.truth.tsv" >>"$tmp"
    done
    mv "$tmp" germline/manifest.tsv
fi
if ! fresh plasma/manifest.tsv || [ "$n" -gt 0 ]; then
    tmp=plasma/manifest.tsv.tmp.$$
    printf 'sample\tkind\tsex\tbam\ttruth\tpatient\tdate\ttumour_fraction\tmet_cn\tgermline_seed\tn_fragments\tn_tumour_fragments\n' >"$tmp"
    for r in "${prows[@]}"; do
        read -r name kind patient date <<<"$r"
        awk -F'\t' -v OFS='\t' -v kind="$kind" -v n="$name" -v pt="$patient" -v d="$date" \
            'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print n, kind, $c["sex"], n ".bam", n ".truth.tsv", pt, d, $c["purity"], $c["met_cn"], $c["germline_seed"], $c["n_fragments"], $c["n_tumour_fragments"] }' \
            "plasma/$name.truth.tsv" >>"$tmp"
    done
    mv "$tmp" plasma/manifest.tsv
fi
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="${#rows[@]}" -v g="$n" -v d="$out" \
    'BEGIN { printf "fixtures: %d samples (%d generated) in %s in %.1f s\n", n, g, d, b - a }'
