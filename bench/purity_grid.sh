#!/usr/bin/env bash
# purity_grid.sh -- purity, ploidy and MET copy number from the reads on a generated grid
# (issue 17): tumours of one XY individual at purity 0.1-0.9, four genomes (quiet: only the MET
# amplicon; two events: LOH chr5 (1,0) and a gain chr9 (2,1); four events: cnLOH chr3 (2,0),
# LOH chr5, gains chr9 (2,1) and chr10 (3,1); wgd: doubled after LOH of chr3 and a gain of chr9,
# so chr3 (2,0) and chr9 (4,2); wgd_odd: doubled, with events after the doubling that no
# halved genome has: baseline (2,2), chr3 (2,0), chr5 (2,1), chr10 (3,2), written as a base
# copy number of 4, so its truth says wgd "no"), depth 300-800x, MET 4-20 copies (twice that
# when doubled); four_pure: the four events at purity 0.95, 0.98 and 1 (the cnLOH's het
# sites lose their minor allele).
# Each tumour is called twice with the same PoN (the fixture normals N01-N12): with --snps
# (purity and ploidy estimated) and with the true purity and ploidy given; both against the
# simulator's truth.
#
#     bench/purity_grid.sh BUILD_DIR [OUT_DIR]       (BUILD_DIR/testdata: the ctest fixture)
#
# Writes OUT_DIR/grid.tsv (one row per tumour) and prints the summary by purity band and genome
# that docs/validation.md quotes.  Fixed seeds: the same numbers every run.  About 5 min on the
# 2-core VM (the tumours are generated 2 at a time).
set -euo pipefail
BUILD=$(cd "${1:?usage: purity_grid.sh BUILD_DIR [OUT_DIR]}" && pwd)
OUT=${2:-$BUILD/purity_grid}
D=$BUILD/testdata
M=$BUILD/metcn
SIM=$BUILD/metcn-sim
mkdir -p "$OUT"
cd "$D"
[ -s germline/manifest.tsv ] || { echo "purity_grid: run ctest -R simdata first" >&2; exit 1; }

common=(-r ref.fa -b panel.bed --capture-seed 7 --capture-sd 0.3 --read-len 150 --frag-mean 300
    --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005 --offtarget 0.0001 -l 1
    --snps sites.vcf.gz --germline-seed 900 --sex XY)
genome_args() {
    case $1 in
    quiet) ;;
    two) echo "--seg chr5:0-2000000:1 --seg chr9:0-2000000:2+1" ;;
    four) echo "--seg chr3:0-2000000:2+0 --seg chr5:0-2000000:1 --seg chr9:0-2000000:2+1 --seg chr10:0-2000000:3+1" ;;
    wgd) echo "--wgd --seg chr3:0-2000000:1 --seg chr9:0-2000000:2+1" ;;
    # doubled, then events after the doubling: odd states no halved genome has (identifiable)
    wgd_odd) echo "--base-cn 4 --seg chr3:0-2000000:2+0 --seg chr5:0-2000000:2+1 --seg chr10:0-2000000:3+2" ;;
    # the four events at purity 0.95-1: the cnLOH's het sites lose their minor allele
    four_pure) genome_args four ;;
    esac
}
purities_of() { if [ "$1" = four_pure ]; then echo 0.95 0.98 1; else echo "${purities[@]}"; fi; }
purities=(0.1 0.2 0.3 0.5 0.7 0.9)
genomes=(quiet two four wgd wgd_odd four_pure)
depths=(300 450 600 800)
mets=(4 6 10 20)

# the PoN (once)
[ -s "$OUT/n.pon" ] || "$M" pon build --panel panel.bed -T ref.fa -o "$OUT/n.pon" \
    N0{1..9}.bam N1{0,1,2}.bam 2>/dev/null

# the tumours, 2 at a time
jobs=()
k=0
for g in "${genomes[@]}"; do
    for p in $(purities_of "$g"); do
        name="PG_${g}_p$p"
        d=${depths[$((k % 4))]} met=${mets[$(((k / 4 + k) % 4))]}
        [ "$g" = wgd_odd ] && met=$((2 * met)) # on a baseline of 4 copies, as --wgd doubles
        k=$((k + 1))
        [ -s "$OUT/$name.truth.tsv" ] && continue
        # shellcheck disable=SC2046
        jobs+=("$(printf '%q ' "$SIM" reads "${common[@]}" -o "$OUT/$name" -s $((5000 + k)) \
            -d "$d" --purity "$p" --met-cn "$met" $(genome_args "$g"))")
    done
done
if [ ${#jobs[@]} -gt 0 ]; then
    printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c '{} 2>/dev/null'
fi

# each tumour called twice
col() { awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    NR == 2 { print $k[c] }' "$1"; }
printf 'sample\tgenome\tpurity\tdepth\tmet_cn\tfish_tier\twgd\tmean_ploidy\test\test_low\test_high\tstatus\tploidy_est\tqc_reasons\tcn_est\tcn_est_low\tcn_est_high\ttier_est\tequivocal_est\tcn_given\tcn_given_low\tcn_given_high\ttier_given\tequivocal_given\tfit_seconds\tchr3_state\n' >"$OUT/grid.tsv"
for g in "${genomes[@]}"; do
    for p in $(purities_of "$g"); do
        name="PG_${g}_p$p"
        T="$OUT/$name.truth.tsv"
        t0=$(date +%s.%N)
        "$M" call --pon "$OUT/n.pon" -T ref.fa --snps sites.vcf.gz -q --no-sample-files \
            --no-multiqc -o "$OUT/$name.est" "$OUT/$name.bam" || true
        t1=$(date +%s.%N)
        "$M" call --pon "$OUT/n.pon" -T ref.fa -q --no-sample-files --no-multiqc \
            --purity "$p" --ploidy "$(col "$T" ploidy)" -o "$OUT/$name.given" "$OUT/$name.bam" || true
        E="$OUT/$name.est.calls.tsv" G="$OUT/$name.given.calls.tsv"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t' "$name" "$g" "$p" "$(col "$T" depth)" \
            "$(col "$T" met_cn)" "$(col "$T" fish_tier)" "$(col "$T" wgd)" "$(col "$T" mean_ploidy)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t' "$(col "$E" purity_estimate)" \
            "$(col "$E" purity_estimate_low)" "$(col "$E" purity_estimate_high)" \
            "$(col "$E" purity_estimate_status)" "$(col "$E" ploidy_estimate)" "$(col "$E" qc_reasons)"
        printf '%s\t%s\t%s\t%s\t%s\t' "$(col "$E" cn)" "$(col "$E" cn_low)" "$(col "$E" cn_high)" \
            "$(col "$E" tier)" "$(col "$E" equivocal)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t' "$(col "$G" cn)" "$(col "$G" cn_low)" "$(col "$G" cn_high)" \
            "$(col "$G" tier)" "$(col "$G" equivocal)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
        # chr3's fitted (major,minor) (the cnLOH (2,0) of four / four_pure; wgd_odd's (2,0) too)
        python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))["samples"][0]["purity_fit"] or {"segments": []}
s = [g for g in f["segments"] if g["chromosome"] == "chr3"]
print("%s,%s" % (s[0]["major"], s[0]["minor"]) if s else "NA")' "$OUT/$name.est.json" 2>/dev/null || echo NA
    done
done >>"$OUT/grid.tsv"

# summary: by purity band and genome
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function band(p) { return p < 0.2 ? "0.1" : p < 0.5 ? "0.2-0.3" : p < 0.95 ? "0.5-0.9" : "0.95-1" }
function add(key) {
    n[key]++
    st = $c["status"]; e = $c["est"]; p = $c["purity"]
    flagged = (st != "estimated" || $c["qc_reasons"] ~ /purity_(ambiguous|undetermined)/)
    # the remark doubling_unresolved=T names the doubled (halved) reading at purity T
    tw = ""; if (match($c["qc_reasons"], /doubling_unresolved=[0-9.]+/))
        tw = substr($c["qc_reasons"], RSTART + 20, RLENGTH - 20)
    if (st == "estimated" && e != "NA" && (e - p <= 0.05 && p - e <= 0.05)) within[key]++
    else if (flagged) flag[key]++
    else if (tw != "" && tw - p <= 0.05 && p - tw <= 0.05) twin[key]++
    else wrong[key]++
    if ($c["cn_est_low"] <= $c["met_cn"] && $c["met_cn"] <= $c["cn_est_high"]) cin_e[key]++
    if ($c["cn_given_low"] <= $c["met_cn"] && $c["met_cn"] <= $c["cn_given_high"]) cin_g[key]++
    if ($c["equivocal_est"] == "no") { ne_e[key]++; if ($c["tier_est"] == $c["fish_tier"]) tr_e[key]++ }
    if ($c["equivocal_given"] == "no") { ne_g[key]++; if ($c["tier_given"] == $c["fish_tier"]) tr_g[key]++ }
    fit[key] += $c["fit_seconds"]
}
{ add("purity " band($c["purity"])); add("genome " $c["genome"]); add("all") }
END {
    printf "%-16s %3s %14s %8s %6s %12s %14s %14s %16s %16s\n", "group", "n", "purity+-0.05", "flagged",
        "twin", "conf.wrong", "cn_in_CI(est)", "cn_in_CI(true)", "tier_ok(est)", "tier_ok(true)"
    m = split("purity 0.1|purity 0.2-0.3|purity 0.5-0.9|purity 0.95-1|genome quiet|genome two|genome four|genome wgd|genome wgd_odd|genome four_pure|all", keys, "|")
    for (i = 1; i <= m; i++) { k = keys[i]; if (!n[k]) continue
        printf "%-16s %3d %14s %8d %6d %12d %14s %14s %16s %16s\n", k, n[k], within[k] + 0 "/" n[k],
            flag[k], twin[k], wrong[k], cin_e[k] + 0 "/" n[k], cin_g[k] + 0 "/" n[k],
            tr_e[k] + 0 "/" ne_e[k] + 0, tr_g[k] + 0 "/" ne_g[k] + 0 }
    printf "call with --snps (coverage + fit + second call): %.2f s per tumour on average\n", fit["all"] / n["all"]
}' "$OUT/grid.tsv"
