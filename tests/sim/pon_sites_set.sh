#!/usr/bin/env bash
# pon_sites_set.sh -- a small generated set for the PoN's SNP sites (pon build --snps): normals
# and tumours of different individuals that share the same site artefacts (docs/simulator.md,
# "Site artefacts"): a share of the population sites with reference bias and a share of
# paralogous sites that look heterozygous in everybody.
#   bash tests/sim/pon_sites_set.sh OUTDIR METCN_SIM TESTDATA [N_NORMALS] [TUMOURS...]
# TESTDATA holds the simdata fixture's ref.fa, panel.bed and sites.vcf.gz.  Each TUMOUR is
# NAME:PURITY[:K]: seeds 5300 + K and 5400 + K (K: its position in the list by default).  Writes OUTDIR/<name>.bam (+ truth) and
# OUTDIR/site_artefacts.tsv (the truth: every artefact site, its kind and the REF fraction it
# gives at a heterozygous site).  Fixed seeds: the same command gives the same files.
set -euo pipefail
out=${1:?usage: pon_sites_set.sh OUTDIR METCN_SIM TESTDATA [N_NORMALS] [TUMOURS...]}
sim=${2:?}
td=${3:?}
nn=${4:-12}
shift 4 || shift $#
mkdir -p "$out"
# The artefacts (metcn-sim reads --ref-bias-sites / --artefact-sites), by default: 30% of the
# sites lose 40% of the ALT-carrying fragments (REF 1/1.6 = 0.625 at a het site); 20% are
# paralogous (ALT in 30% of the fragments whatever the genotype).
art=(--snps "$td/sites.vcf.gz" --ref-bias-sites "${PON_SITES_BIAS:-0.3:0.4}"
    --artefact-sites "${PON_SITES_PARALOG:-0.2:0.3}")
common=(-r "$td/ref.fa" -b "$td/panel.bed" --capture-seed 7 --capture-sd 0.3 --read-len 150
    --frag-mean 300 --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005
    --offtarget 0.0001 -l 1 "${art[@]}")
slopes=(-1.0 -0.6 -0.3 0 0.3 0.6 1.0 -0.8 0.8 0 -0.4 0.4)
for i in $(seq 1 "$nn"); do
    sex=XX
    [ $((i % 2)) -eq 0 ] && sex=XY
    "$sim" reads "${common[@]}" -o "$out/$(printf 'SN%02d' "$i")" -s $((5100 + i)) \
        --germline-seed $((5200 + i)) --sex "$sex" -d $((200 + 10 * i)) \
        --gc-slope "${slopes[$(((i - 1) % 12))]}" >/dev/null
done
k=0
for t in "$@"; do
    k=$((k + 1))
    IFS=: read -r name pur kk <<<"$t"
    kk=${kk:-$k}
    "$sim" reads "${common[@]}" -o "$out/$name" -s $((5300 + kk)) --germline-seed $((5400 + kk)) \
        --sex XX -d 400 --purity "$pur" --met-cn 10 --seg chr3:0-2000000:2+0 \
        --seg chr5:0-2000000:1 --seg chr9:0-2000000:3 --seg chr10:0-2000000:4 >/dev/null
done
cp "$out/SN01.site_artefacts.tsv" "$out/site_artefacts.tsv"
