#!/usr/bin/env bash
# The tumour fraction from known somatic variants (call --somatic, docs/plasma.md) against the
# truth, by fraction, beside the fit from the copy-number profile and the true fraction given:
#   ctest --test-dir BUILD -R simdata                  # the plasma fixture (4 healthy donors)
#   bash bench/plasma_somatic.sh BUILD OUT [REPS]      # REPS per fraction [4]
# Plasma on the fixture's plasma panel (129 targets), -d 2700 (~1,500 unique reads per site),
# MET 10 copies, three clonal heterozygous SNVs off chromosome 7 (metcn-sim --somatic).
# OUT/somatic.tsv: one row per tumour; OUT/results.md: the table of docs/validation.md §7.
set -euo pipefail
BUILD=$(cd "${1:?usage: plasma_somatic.sh BUILD OUT [REPS]}" && pwd)
OUT=${2:?usage: plasma_somatic.sh BUILD OUT [REPS]}
REPS=${3:-4}
TFS=${TFS:-"0.002 0.005 0.01 0.02 0.05 0.1 0.2"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TD=${METCN_TESTDATA:-$BUILD/testdata}
M=$BUILD/metcn
SIM=$BUILD/metcn-sim
cd "$TD/plasma"
P=../plasma_panel.bed

awk '$1 != "chr7" && NR % 9 == 3 { print $1, int(($2 + $3) / 2) }' $P | head -3 >"$OUT/pos.txt"
{
    printf '##fileformat=VCFv4.2\n'
    cut -d' ' -f1 "$OUT/pos.txt" | sort -u | sed 's/.*/##contig=<ID=&>/'
    printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
    while read -r c p; do
        b=$(samtools faidx ../ref.fa "$c:$p-$p" | tail -n 1 | tr 'acgt' 'ACGT')
        case $b in A) a=C ;; C) a=G ;; G) a=T ;; *) a=A ;; esac
        printf '%s\t%s\tsom_%s\t%s\t%s\t.\tPASS\t.\n' "$c" "$p" "$p" "$b" "$a"
    done <"$OUT/pos.txt"
} >"$OUT/som.vcf"

"$M" pon build -T ../ref.fa --sample-type plasma --panel $P -o "$OUT/pl.pon" \
    PN01.bam PN02.bam PN03.bam PN04.bam 2>/dev/null

field() { awk -F'\t' -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i} NR==2{print $k}' "$1"; }
printf 'tf\tseed\tshare\tsom_tf\tsom_lo\tsom_hi\tsom_status\tsom_detection\tsom_cn\tsom_cn_lo\tsom_cn_hi\tfit_status\tfit_detection\ttrue_detection\n' >"$OUT/somatic.tsv"
seed=5000
for tf in $TFS; do
    for r in $(seq 1 "$REPS"); do
        seed=$((seed + 1))
        sex=XX
        [ $((seed % 2)) -eq 0 ] && sex=XY
        "$SIM" reads -r ../ref.fa -b $P --capture-seed 7 --capture-sd 0.3 --plasma --dup 0.05 \
            -d 2700 --sex $sex --met-cn 10 --somatic "$OUT/som.vcf" -s $seed --purity "$tf" \
            -o "$OUT/t" 2>/dev/null
        "$M" call -q --no-sample-files --no-multiqc --pon "$OUT/pl.pon" --somatic "$OUT/som.vcf" \
            -o "$OUT/s" "$OUT/t.bam" || true
        "$M" call -q --no-sample-files --no-multiqc --pon "$OUT/pl.pon" --estimate-purity \
            -o "$OUT/f" "$OUT/t.bam" || true
        "$M" call -q --no-sample-files --no-multiqc --pon "$OUT/pl.pon" --tumour-fraction "$tf" \
            -o "$OUT/g" "$OUT/t.bam" || true
        st=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples"][0]["somatic"]["status"])' "$OUT/s.json")
        fs=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples"][0]["purity_fit"]["status"])' "$OUT/f.json")
        share=$(awk -v f="$tf" 'BEGIN{printf "%.5f", f * 145 / (f * 145 + (1 - f) * 167)}')
        S=$OUT/s.calls.tsv
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tf" $seed "$share" \
            "$(field "$S" tumour_fraction)" "$(field "$S" tumour_fraction_low)" \
            "$(field "$S" tumour_fraction_high)" "$st" "$(field "$S" detection)" \
            "$(field "$S" cn)" "$(field "$S" cn_low)" "$(field "$S" cn_high)" "$fs" \
            "$(field "$OUT/f.calls.tsv" detection)" "$(field "$OUT/g.calls.tsv" detection)" \
            >>"$OUT/somatic.tsv"
        rm -f "$OUT"/t.* "$OUT"/[sfg].*
    done
done

# within: |estimate - share| <= max(0.002, 25% of the share); covered: share in the interval
awk -F'\t' 'NR > 1 {
    n[$1]++; e = $4 - $3; if (e < 0) e = -e; tol = 0.25 * $3; if (tol < 0.002) tol = 0.002
    w[$1] += (e <= tol); c[$1] += ($5 <= $3 && $3 <= $6); est[$1] += ($7 == "estimated")
    ub[$1] += ($7 == "upper_bound"); sd[$1] += ($8 == "detected"); fd[$1] += ($13 == "detected")
    td[$1] += ($14 == "detected"); fe[$1] += ($12 == "estimated")
    cc[$1] += ($8 == "detected" && $10 <= 10 && 10 <= $11); med[$1] = med[$1] " " $4
    if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
} END {
    print "| tumour fraction | DNA share at the sites | estimated / upper bound | within | covered | estimates | MET detected: somatic TF | cn interval holds 10 (detected) | fit estimated | MET detected: fit | MET detected: true TF |"
    print "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    for (i = 1; i <= k; i++) { t = order[i]
        printf "| %s | %.4f | %d / %d | %d/%d | %d/%d |%s | %d/%d | %d/%d | %d/%d | %d/%d | %d/%d |\n",
            t, t * 145 / (t * 145 + (1 - t) * 167), est[t], ub[t], w[t], n[t], c[t], n[t], med[t],
            sd[t], n[t], cc[t], sd[t], fe[t], n[t], fd[t], n[t], td[t], n[t] }
}' "$OUT/somatic.tsv" >"$OUT/results.md"
cat "$OUT/results.md"
