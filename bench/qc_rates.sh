#!/usr/bin/env bash
# QC trip rates of `metcn call` (docs/validation.md section 6).
#   bench/qc_rates.sh grid METCN TESTDATA OUT        the fixture grid: PoN from the 12 normals,
#                                                    every tumour at its true purity and ploidy
#   bench/qc_rates.sh cohort METCN PON LIST OUT      tumours listed in LIST (one path a line)
#                                                    against PON, --gene MET, no purity
# Prints the QC levels and, over the samples not at pass, the count of each rule that tripped;
# with jq-free python3, the distribution (min, 10%, median, 90%, max) of gc_residual,
# gc_strength, gene_chi2_df and chromosome_sd from the JSON.
set -euo pipefail
mode=${1:?usage: qc_rates.sh grid|cohort ...}
metcn=$(cd "$(dirname "${2:?METCN}")" && pwd)/$(basename "$2")
case $mode in
grid)
    td=$(cd "${3:?TESTDATA}" && pwd)
    out=${4:?OUT}
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    cd "$td"
    normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $4 }' manifest.tsv)
    # shellcheck disable=SC2086
    "$metcn" pon build --panel panel.bed --reference ref.fa -@ 2 -o "$out/pon.tsv.gz" $normals 2>/dev/null
    g=0
    while IFS=$'\t' read -r pur pl; do
        g=$((g + 1))
        bams=$(awk -F'\t' -v p="$pur" -v q="$pl" 'NR > 1 && $2 == "tumour" && $12 == p && $13 == q { print $4 }' manifest.tsv)
        # shellcheck disable=SC2086
        "$metcn" call --pon "$out/pon.tsv.gz" --purity "$pur" --ploidy "$pl" -@ 2 -q --no-sample-files -o "$out/grid$g" $bams
    done < <(awk -F'\t' 'NR > 1 && $2 == "tumour" { print $12 "\t" $13 }' manifest.tsv | sort -u)
    ;;
cohort)
    pon=${3:?PON}
    list=${4:?LIST}
    out=${5:?OUT}
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    # shellcheck disable=SC2046
    "$metcn" call -q --pon "$pon" --gene MET -@ 2 --no-sample-files -o "$out/grid1" $(cat "$list") 2>/dev/null
    ;;
*)
    echo "qc_rates.sh: unknown mode $mode (grid or cohort)" >&2
    exit 2
    ;;
esac
cat "$out"/grid*.calls.tsv | awk -F'\t' '$1 != "sample" { print "qc", $23 }' | sort | uniq -c
cat "$out"/grid*.calls.tsv | awk -F'\t' '$1 != "sample" && $23 != "pass" {
    n = split($24, a, ";"); for (i = 1; i <= n; i++) { split(a[i], b, "="); print "rule", b[1] } }' | sort | uniq -c
python3 - "$out"/grid*.json <<'PY'
import json, sys
vals = {}
for f in sys.argv[1:]:
    for s in json.load(open(f))['samples']:
        for k in ('gc_residual', 'gc_strength', 'gene_chi2_df', 'chromosome_sd'):
            v = s['qc'].get(k)
            if v is not None:
                vals.setdefault(k, []).append(v)
for k, v in vals.items():
    v.sort()
    n = len(v)
    print(k, ' '.join('%.4g' % v[int(q * (n - 1))] for q in (0, 0.1, 0.5, 0.9, 1)))
PY
