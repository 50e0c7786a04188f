# Low-pass whole-genome plasma, the tumour fraction from the genome-wide copy-number profile
# (issue 18): 0.3x of cell-free DNA (metcn-sim --wgs --plasma) on the test genome tiled in
# 100 kb bins, four healthy donors as a plasma PoN, a fifth donor and a tumour at a tumour
# fraction of 20% with four chromosome-level events (chr3 and chr5 one copy, chr9 and chr10
# three) and MET at 10 copies, called with `--estimate-purity` (depth alone: no allele counts at
# 0.3x).  What is robust at this depth is not the estimate (bench/plasma_tf.sh: at 0.1-1x it
# is off by 0.1-0.3 at every fraction, docs/validation.md section 7) but its honesty: the fit
# runs (source `estimated`), and no call carries an unflagged fraction off by more than
# max(0.01, 25%) of the truth -- the healthy donor's (truth 0) is flagged or undetermined --
# and the healthy donor's MET is not detected.
. "$(dirname "$0")/lib.bash" "$@"
TD=${METCN_TESTDATA:-$BUILD/testdata}
SIM=${METCN_SIM:-$BUILD/metcn-sim}
[ -s "$TD/ref.fa.fai" ] || { echo "FAIL: no $TD/ref.fa.fai (ctest -R simdata)" >&2; exit 1; }
cd "$WORK" || exit 1
awk -v OFS='\t' '{ for (s = 0; s < $2; s += 100000) print $1, s, (s + 100000 < $2 ? s + 100000 : $2) }' \
    "$TD/ref.fa.fai" >tiles.bed
{
    for i in 1 2 3 4 5; do
        sex=XX
        [ $((i % 2)) -eq 0 ] && sex=XY
        echo "N$i -s $((40 + i)) --sex $sex"
    done
    echo "T20 -s 51 --sex XY --purity 0.2 --met-cn 10 --seg chr3:0-2000000:1 --seg chr5:0-2000000:1 --seg chr9:0-2000000:3 --seg chr10:0-2000000:3"
} | while read -r name args; do
    echo "$SIM reads -r $TD/ref.fa --wgs --plasma -d 0.3 -l 1 -o $name $args"
done >jobs.txt
xargs -P 2 -L 1 -a jobs.txt -- bash -c '"$0" "$@" >/dev/null'
for s in N1 N2 N3 N4 N5 T20; do [ -s "$s.bam" ] && ok || bad "metcn-sim wrote no $s.bam"; done

# N5 is the healthy sample called against the four others
run "$METCN" pon build -T "$TD/ref.fa" --panel tiles.bed --sample-type plasma -o pon.gz \
    N1.bam N2.bam N3.bam N4.bam
expect_rc 0
LP=(--depth-warn 0.1 --depth-fail 0.05 --min-target-bins 2)
run "$METCN" call "${LP[@]}" --pon pon.gz --estimate-purity -q --no-sample-files -o est T20.bam N5.bam
expect_rc 0

run python3 - <<'PY'
import csv
num = lambda s: float("nan") if s == "NA" else float(s)
rows = {r["sample"]: r for r in csv.DictReader(open("est.calls.tsv"), delimiter="\t") if r["gene"] == "MET"}
t, n = rows["T20"], rows["N5"]
for name, r in (("T20", t), ("N5", n)):
    print(name, "tf %s [%s, %s] %s status %s; cn %s [%s, %s] plasma_cn %s %s qc %s %s" % tuple(
        r[k] for k in ("tumour_fraction", "tumour_fraction_low", "tumour_fraction_high",
                       "tumour_fraction_source", "purity_estimate_status", "cn", "cn_low", "cn_high",
                       "plasma_cn", "detection", "qc", "qc_reasons")))
fails = []
for name, r, truth in (("T20", t, 0.2), ("N5", n, 0.0)):
    if r["tumour_fraction_source"] != "estimated":
        fails.append("%s: tumour_fraction_source %s, not estimated" % (name, r["tumour_fraction_source"]))
    flagged = r["purity_estimate_status"] != "estimated" or "purity_ambiguous" in r["qc_reasons"]
    est = num(r["tumour_fraction"])
    if not flagged and not abs(est - truth) <= max(0.01, 0.25 * truth):
        fails.append("%s: unflagged tumour fraction %g, truth %g" % (name, est, truth))
    if flagged and "purity_" not in r["qc_reasons"]:
        fails.append("%s: a fit that cannot tell without its QC remark (%s)" % (name, r["qc_reasons"]))
if n["detection"] == "detected":
    fails.append("N5 (healthy): MET detected")
for f in fails:
    print("FAIL:", f)
raise SystemExit(1 if fails else 0)
PY
echo "$OUT"
expect_rc 0
finish
