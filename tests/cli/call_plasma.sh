# Plasma calls on reads with known truth (issue 18): the fixture normals as healthy plasma,
# called leave-one-out against a PoN of the other eleven, and plasma-like tumours made here by
# metcn-sim at tumour fractions of 1-30% (the simulator's purity mixes tumour and normal DNA
# exactly as a plasma tumour fraction does for the depth ratios), MET 2, 5, 10 and 20 copies.
# Checked against the truth: a sample at or above 1.2 x its detection limit for its copy number
# is detected; one far below it is not and says not_assessable; no sample without a MET
# event is ever detected, and a negative is not_detected only at a tumour fraction above its
# 5-copy limit; the plasma copy number's interval holds the mixture's true copy number; --vaf
# and an unknown fraction are reported as such; `metcn track` reads the tables as written.
. "$(dirname "$0")/lib.bash" "$@"
TD=${METCN_TESTDATA:-$BUILD/testdata}
SIM=${METCN_SIM:-$BUILD/metcn-sim}
M=$TD/manifest.tsv
if [ ! -s "$M" ]; then
    echo "FAIL: no fixture manifest at $M (run the simdata fixture: ctest -R simdata)" >&2
    exit 1
fi
cd "$TD" || exit 1

# coverage tables of the 12 normals (the outlier normal is left out, as in call_grid.sh)
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $1 }' "$M")
for n in $normals; do
    run "$METCN" coverage --panel panel.bed -T ref.fa -o "$WORK/$n.tsv" "$n.bam"
    expect_rc 0
done

# healthy plasma, leave-one-out: each normal against a PoN of the others, with a tumour
# fraction given (as a lab would from a variant it follows) and without one
for n in $normals; do
    others=$(for o in $normals; do [ "$o" = "$n" ] || echo "$WORK/$o.tsv"; done)
    # shellcheck disable=SC2086
    run "$METCN" pon build --panel panel.bed -o "$WORK/loo.pon.tsv.gz" $others
    expect_rc 0
    run "$METCN" call --pon "$WORK/loo.pon.tsv.gz" --sample-type plasma --tumour-fraction 0.05 \
        --gene MET,EGFR -q --no-sample-files -o "$WORK/loo_tf_$n" "$WORK/$n.tsv"
    expect_rc 0
    run "$METCN" call --pon "$WORK/loo.pon.tsv.gz" --sample-type plasma --gene MET,EGFR -q \
        --no-sample-files -o "$WORK/loo_na_$n" "$WORK/$n.tsv"
    expect_rc 0
done

# plasma-like tumours: name met tf seed (fixture library settings, 250x)
common=(-r ref.fa -b panel.bed --capture-seed 7 --capture-sd 0.3 --read-len 150 --frag-mean 300
    --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005 --offtarget 0.0001 -l 1
    -d 250)
cat >"$WORK/plasma.tsv" <<'EOF'
P_m10_f0.01_a	10	0.01	3101
P_m10_f0.02_a	10	0.02	3102
P_m10_f0.04_a	10	0.04	3103
P_m10_f0.08_a	10	0.08	3104
P_m10_f0.15_a	10	0.15	3105
P_m10_f0.01_b	10	0.01	3111
P_m10_f0.04_b	10	0.04	3113
P_m10_f0.08_b	10	0.08	3114
P_m20_f0.01_a	20	0.01	3121
P_m20_f0.03_a	20	0.03	3122
P_m20_f0.06_a	20	0.06	3123
P_m5_f0.1_a	5	0.1	3131
P_m5_f0.2_a	5	0.2	3132
P_m5_f0.3_a	5	0.3	3133
P_m2_f0.05_a	2	0.05	3141
P_m2_f0.2_a	2	0.2	3142
P_m2_f0.3_a	2	0.3	3143
EOF
while IFS=$'\t' read -r name met tf seed; do
    sex=XX
    [ $((seed % 2)) -eq 0 ] && sex=XY
    run "$SIM" reads "${common[@]}" -o "$WORK/$name" -s "$seed" --sex "$sex" --purity "$tf" \
        --met-cn "$met" --gc-slope 0.3 --gc-curv -2
    expect_rc 0
done <"$WORK/plasma.tsv"
run "$METCN" pon build --panel panel.bed -o "$WORK/pon.tsv.gz" $(for n in $normals; do echo "$WORK/$n.tsv"; done)
expect_rc 0
# each sample at its own true tumour fraction
while IFS=$'\t' read -r name met tf seed; do
    run "$METCN" call --pon "$WORK/pon.tsv.gz" --sample-type plasma --tumour-fraction "$tf" -q \
        --no-sample-files -o "$WORK/call_$name" "$WORK/$name.bam"
    expect_rc 0
done <"$WORK/plasma.tsv"

run python3 - "$WORK" <<'PY'
import csv, glob, math, os, sys
work = sys.argv[1]
def rows(pattern):
    out = []
    for f in sorted(glob.glob(os.path.join(work, pattern))):
        out += list(csv.DictReader(open(f), delimiter="\t"))
    return out
num = lambda s: float("nan") if s == "NA" else float(s)
fails = []
# healthy plasma (leave-one-out): never detected; without a fraction, never assessable
loo_tf, loo_na = rows("loo_tf_*.calls.tsv"), rows("loo_na_*.calls.tsv")
assert len(loo_tf) == 24 and len(loo_na) == 24, (len(loo_tf), len(loo_na))
for r in loo_tf + loo_na:
    if r["detection"] == "detected":
        fails.append("healthy %s %s detected" % (r["sample"], r["gene"]))
for r in loo_na:
    if (r["detection"], r["tumour_fraction_source"]) != ("not_assessable", "assumed"):
        fails.append("healthy %s without TF: %s %s" % (r["sample"], r["detection"], r["tumour_fraction_source"]))
for r in loo_tf:
    want = "not_detected" if 0.05 >= num(r["lod_tf_cn5"]) else "not_assessable"
    if r["detection"] != want:
        fails.append("healthy %s %s TF 0.05, lod5 %s: %s" % (r["sample"], r["gene"], r["lod_tf_cn5"], r["detection"]))
truth = {l.split("\t")[0]: (float(l.split("\t")[1]), float(l.split("\t")[2]))
         for l in open(os.path.join(work, "plasma.tsv"))}
above = above_det = far = far_det = cov = 0
calls = rows("call_P_*.calls.tsv")
assert len(calls) == len(truth), len(calls)
for r in calls:
    met, tf = truth[r["sample"]]
    lod5, lod10 = num(r["lod_tf_cn5"]), num(r["lod_tf_cn10"])
    det = r["detection"]
    print("%-14s MET %2g TF %.2f: plasma_cn %s [%s, %s] cn %s  %-14s lod_tf 5: %s 10: %s"
          % (r["sample"], met, tf, r["plasma_cn"], r["plasma_cn_low"], r["plasma_cn_high"],
             r["cn"], det, r["lod_tf_cn5"], r["lod_tf_cn10"]))
    # the limit for this copy number (20 copies: the 10-copy limit is an upper bound of it)
    lod = lod5 if met == 5 else lod10 if met >= 10 else float("nan")
    if met >= 5 and tf >= 1.2 * lod:
        above += 1
        above_det += det == "detected"
    if met == 10 and tf <= 0.35 * lod10:
        far += 1
        far_det += det == "detected"
        if det != "not_assessable":
            fails.append("%s far below its limit: %s" % (r["sample"], det))
    if met == 2 and det == "detected":
        fails.append("%s without a MET event detected" % r["sample"])
    if det == "not_detected" and not tf >= lod5:
        fails.append("%s not_detected below its 5-copy limit" % r["sample"])
    if (r["tumour_fraction"], r["tumour_fraction_source"], r["purity"]) != (str(tf), "given", str(tf)):
        fails.append("%s tumour fraction columns %s %s %s" % (r["sample"], r["tumour_fraction"], r["tumour_fraction_source"], r["purity"]))
    mix = tf * met + 2 * (1 - tf)
    cov += num(r["plasma_cn_low"]) <= mix <= num(r["plasma_cn_high"])
print("healthy plasma: %d calls, none detected; above the limit %d/%d detected; far below %d/%d; plasma_cn coverage %d/%d"
      % (len(loo_tf) + len(loo_na), above_det, above, far_det, far, cov, len(calls)))
if above < 6 or above_det != above:
    fails.append("above the limit: %d/%d detected" % (above_det, above))
if far < 2:
    fails.append("too few samples far below the limit: %d" % far)
if cov < 0.85 * len(calls):
    fails.append("plasma_cn coverage %d/%d" % (cov, len(calls)))
for f in fails:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if fails else 0)
PY
echo "$OUT"
expect_rc 0

# --vaf V:DEPTH: twice the allele fraction, twice its Clopper-Pearson interval, in both the
# purity and the tumour fraction columns; the copy number's interval widens with it
s=P_m10_f0.08_a
run "$METCN" call --pon "$WORK/pon.tsv.gz" --sample-type plasma --vaf 0.04:1000 -q \
    --no-sample-files -o "$WORK/vaf" "$WORK/$s.bam"
expect_rc 0
run python3 - "$WORK/vaf.calls.tsv" "$WORK/call_$s.calls.tsv" <<'PY'
import csv, sys
from math import comb
v = next(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
g = next(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
lo, hi = float(v["tumour_fraction_low"]) / 2, float(v["tumour_fraction_high"]) / 2
# Clopper-Pearson by its definition: P(X >= 40 | lo) = P(X <= 40 | hi) = 0.025, X ~ Bin(1000, p)
tail = lambda p, ks: sum(comb(1000, k) * p**k * (1 - p)**(1000 - k) for k in ks)
assert abs(tail(lo, range(40, 1001)) - 0.025) < 1e-3, tail(lo, range(40, 1001))
assert abs(tail(hi, range(0, 41)) - 0.025) < 1e-3, tail(hi, range(0, 41))
assert v["tumour_fraction"] == "0.08" and v["tumour_fraction_source"] == "vaf", v["tumour_fraction"]
assert [v[k] for k in ("purity", "purity_low", "purity_high", "purity_source")] == \
       [v[k] for k in ("tumour_fraction", "tumour_fraction_low", "tumour_fraction_high", "tumour_fraction_source")]
# the same levels: the plasma copy number does not move, the per-cell interval widens
assert v["plasma_cn"] == g["plasma_cn"] and v["cn"] == g["cn"], (v["plasma_cn"], g["plasma_cn"])
assert float(v["cn_low"]) < float(g["cn_low"]) and float(v["cn_high"]) > float(g["cn_high"])
print("vaf 0.04:1000 -> TF 0.08 [%s, %s]" % (v["tumour_fraction_low"], v["tumour_fraction_high"]))
PY
echo "$OUT"
expect_rc 0
# the summary and the VCF of a plasma call say what they are
run "$METCN" call --pon "$WORK/pon.tsv.gz" --sample-type plasma --tumour-fraction 0.08+-0.02 \
    -o "$WORK/one" "$WORK/$s.bam"
expect_rc 0
expect_out "tumour fraction 0.08 (range 0.06-0.1, given), ploidy 2"
expect_out "MET detected; detection limit as tumour fraction"
run bcftools query -f '%INFO/SAMPLE_TYPE %INFO/TUMOUR_FRACTION %INFO/DETECTION\n' "$WORK/one.$s.vcf"
expect_rc 0
expect_out "plasma 0.08 detected"
# `metcn track` reads these calls tables as they are: a falling series (TF 15%, 4%, 1% of a
# 10-copy amplicon) is first, fall, below_detection
printf 'sample\tpatient\tdate\tcalls\n' >"$WORK/sheet.tsv"
d=1
for s in P_m10_f0.15_a P_m10_f0.04_a P_m10_f0.01_a; do
    printf '%s\tX\t2026-0%d-01\tcall_%s.calls.tsv\n' "$s" "$d" "$s" >>"$WORK/sheet.tsv"
    d=$((d + 1))
done
run "$METCN" track --sheet "$WORK/sheet.tsv" -q -o "$WORK/track"
expect_rc 0
ev=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } { printf "%s:%s ", $k["detection"], $k["event"] }' "$WORK/track.track.tsv")
[ "$ev" = "detected:first detected:fall not_assessable:below_detection " ] && ok || bad "track events: $ev"
finish
