# Golden outputs of `metcn call` (tests/golden/): a small case made by formula
# (tests/golden/make_case.py: a panel, 10 normal and 1 tumour coverage tables), called for
# MET, EGFR and ERBB2, and as plasma with --vaf for MET and EGFR; the calls TSVs, the VCF, the
# SEG and .cnr files and the JSON's key paths are compared with the committed *.expected text
# (the VCF's fileDate and source version masked), so a change of any output format shows in review.  Numbers are checked against
# truth elsewhere (test_call, call_grid); here they must simply not move.
# After an intended change: UPDATE_GOLDEN=1 ctest -R cli_call_golden, and review the diff.
. "$(dirname "$0")/lib.bash" "$@"
G=$(cd "$SRC/tests/golden" && pwd)
METCN=$(cd "$(dirname "$METCN")" && pwd)/$(basename "$METCN")
cd "$WORK" || exit 1
run python3 "$G/make_case.py" case
expect_rc 0
run "$METCN" pon build --panel case/panel.bed -o pon.tsv.gz case/N01.tsv case/N02.tsv case/N03.tsv \
    case/N04.tsv case/N05.tsv case/N06.tsv case/N07.tsv case/N08.tsv case/N09.tsv case/N10.tsv
expect_rc 0
run "$METCN" call --pon pon.tsv.gz --purity 0.7 --gene MET,EGFR,ERBB2 -q -o out case/T1.tsv
expect_rc 0
# the same tumour as a plasma sample whose tumour fraction comes from a variant's allele
# fraction at a depth (the plasma columns' format: source vaf, an interval)
run "$METCN" call --pon pon.tsv.gz --sample-type plasma --vaf 0.35:400 --gene MET,EGFR \
    --no-sample-files -q -o plasma case/T1.tsv
expect_rc 0

mask() { sed -e 's/^##fileDate=.*/##fileDate=MASKED/' -e 's/^##source=metcn .*/##source=metcn MASKED/' "$1"; }
json_keys() { # every key path of the JSON, arrays as [], values dropped
    python3 -c '
import json, sys
def walk(x, p, out):
    if isinstance(x, dict):
        for k, v in x.items():
            out.add(p + "." + k)
            walk(v, p + "." + k, out)
    elif isinstance(x, list):
        for v in x:
            walk(v, p + "[]", out)
out = set()
walk(json.load(open(sys.argv[1])), "", out)
print("\n".join(sorted(out)))' "$1"
}
check() { # check NAME PRODUCED-TEXT-FILE
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
        cp "$2" "$G/$1.expected"
        ok
    elif diff -u "$G/$1.expected" "$2" >"$WORK/diff.txt"; then
        ok
    else
        bad "golden $1 differs (UPDATE_GOLDEN=1 to accept an intended change):
$(head -40 "$WORK/diff.txt")"
    fi
}
cp out.calls.tsv got.calls.tsv
check calls.tsv got.calls.tsv
cp plasma.calls.tsv got.plasma.calls.tsv
check plasma.calls.tsv got.plasma.calls.tsv
mask out.T1.vcf >got.vcf
check T1.vcf got.vcf
if command -v bcftools >/dev/null; then # the VCF parses: one record per gene, genome order
    run bcftools query -f '%CHROM:%POS %INFO/GENE %INFO/TIER [%CN]\n' out.T1.vcf
    expect_rc 0
    [ "$(echo "$OUT" | awk '{ print $2 }' | paste -sd,)" = EGFR,MET,ERBB2 ] && ok || bad "VCF records: $OUT"
fi
for g in MET ERBB2; do
    check "T1.$g.seg" "out.T1.$g.seg"
    check "T1.$g.cnr" "out.T1.$g.cnr"
done
json_keys out.json >got.json_keys
check json_keys got.json_keys
# the per-gene SVGs exist and name their gene and control chromosome
grep -q 'ERBB2/chr17' out.T1.ERBB2.svg && ok || bad "ERBB2 svg"
grep -q 'EGFR/chr7' out.T1.EGFR.svg && ok || bad "EGFR svg"
finish
