# Low-pass whole-genome plasma, the tumour fraction from the genome-wide copy-number profile
# (issue 18): 1x of cell-free DNA (metcn-sim --wgs --plasma) on the test genome tiled in 100 kb
# bins, four healthy donors as a plasma PoN, a tumour at a tumour fraction of 20% with two
# chromosome-level events (chr3 one copy, chr9 three copies) and MET at 10 copies.  `call
# --estimate-purity` (depth alone: no sites at 1x) fills the tumour-fraction columns with source
# `estimated`: within 0.05 of the truth, its interval holding it, and MET detected with it; a
# healthy donor's fraction is not estimated (no event: not `estimated`).  The measured error by
# fraction and depth: bench/plasma_tf.sh, docs/validation.md section 7.
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
    echo "T20 -s 51 --sex XY --purity 0.2 --met-cn 10 --seg chr3:0-2000000:1 --seg chr9:0-2000000:3"
} | while read -r name args; do
    echo "$SIM reads -r $TD/ref.fa --wgs --plasma -d 1 -l 1 -o $name $args"
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
tf, lo, hi = num(t["tumour_fraction"]), num(t["tumour_fraction_low"]), num(t["tumour_fraction_high"])
if t["tumour_fraction_source"] != "estimated" or t["purity_estimate_status"] != "estimated":
    fails.append("T20: source %s status %s" % (t["tumour_fraction_source"], t["purity_estimate_status"]))
if not abs(tf - 0.2) <= 0.05:
    fails.append("T20: tumour fraction %g, truth 0.2 (tolerance 0.05)" % tf)
if not lo <= 0.2 <= hi:
    fails.append("T20: interval [%g, %g] misses 0.2" % (lo, hi))
if t["detection"] != "detected":
    fails.append("T20: MET %s with the estimated fraction" % t["detection"])
if n["purity_estimate_status"] == "estimated" and "purity_ambiguous" not in n["qc_reasons"]:
    fails.append("N5 (healthy): an unflagged tumour fraction %s" % n["tumour_fraction"])
if n["detection"] == "detected":
    fails.append("N5 (healthy): MET detected")
for f in fails:
    print("FAIL:", f)
raise SystemExit(1 if fails else 0)
PY
echo "$OUT"
expect_rc 0
finish
