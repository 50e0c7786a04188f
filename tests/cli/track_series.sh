# A generated plasma series end to end (issue 18): the fixture's four healthy plasma donors
# -> `pon build --sample-type plasma` -> `call` of one patient's four dates (tumour fraction
# given from the simulator's truth, as a lab would from a followed variant; the PoN's type
# taken by default) -> `metcn track`.  The event of each date is derived from the truth and
# the call's own detection limit, never hard-coded from a previous run:
#   t0 TF 20% MET 12: first (detected);  t1 TF 5% MET 12: fall (the mixture's copy number
#   drops from 4.0 to 2.5);  t2 TF 0.5%: below_detection (far under its limit);
#   t3 TF 15% MET 20: re-emerged.  The patient without a MET event is never detected.
. "$(dirname "$0")/lib.bash" "$@"
TD=${METCN_TESTDATA:-$BUILD/testdata}
M=$TD/plasma/manifest.tsv
if [ ! -s "$M" ]; then
    echo "FAIL: no plasma fixture manifest at $M (run the simdata fixture: ctest -R simdata)" >&2
    exit 1
fi
cd "$TD/plasma" || exit 1

normals=$(awk -F'\t' 'NR > 1 && $2 == "healthy_plasma" { print $4 }' "$M")
# shellcheck disable=SC2086
run "$METCN" pon build -T ../ref.fa --sample-type plasma --panel ../plasma_panel.bed \
    -o "$WORK/pon.tsv.gz" $normals
expect_rc 0
run "$METCN" pon info "$WORK/pon.tsv.gz"
expect_rc 0
expect_out "sample_type	plasma"
expect_out "size_select	none"

printf 'sample\tpatient\tdate\tcalls\n' >"$WORK/sheet.tsv"
while IFS=$'\t' read -r sample patient date bam tf; do
    run "$METCN" call --pon "$WORK/pon.tsv.gz" --tumour-fraction "$tf" -q -o "$WORK/c_$sample" \
        "$bam"
    expect_rc 0
    printf '%s\t%s\t%s\tc_%s.calls.tsv\n' "$sample" "$patient" "$date" "$sample" >>"$WORK/sheet.tsv"
done < <(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    $k["kind"] == "plasma_tumour" { print $k["sample"] "\t" $k["patient"] "\t" $k["date"] "\t" \
        $k["bam"] "\t" $k["tumour_fraction"] }' "$M")
# the call took the PoN's type: its VCF says plasma
run bcftools query -f '%INFO/SAMPLE_TYPE\n' "$WORK/c_PS_t0.PS_t0.vcf"
expect_out "plasma"

run "$METCN" track --sheet "$WORK/sheet.tsv" -o "$WORK/tr"
expect_rc 0
track_out=$OUT
for f in tr.track.tsv tr.json tr.P1.svg tr.P2.svg; do
    [ -s "$WORK/$f" ] && ok || bad "missing $f"
done

run python3 - "$WORK" "$M" <<'PY'
import csv, os, sys
work, manifest = sys.argv[1], sys.argv[2]
truth = {r["sample"]: r for r in csv.DictReader(open(manifest), delimiter="\t")}
track = [r for r in csv.DictReader(open(os.path.join(work, "tr.track.tsv")), delimiter="\t")
         if r["gene"] == "MET"]
calls = {}
for s in truth:
    f = os.path.join(work, "c_%s.calls.tsv" % s)
    if os.path.exists(f):
        calls[s] = next(r for r in csv.DictReader(open(f), delimiter="\t") if r["gene"] == "MET")
fails = []
# the expected events, from the truth and each call's own detection limit
prev_mix, state, seen = None, None, False
for r in [r for r in track if r["patient"] == "P1"]:
    t, c = truth[r["sample"]], calls[r["sample"]]
    tf, met = float(t["tumour_fraction"]), float(t["met_cn"])
    lod = float(c["lod_tf_cn10"] if met >= 10 else c["lod_tf_cn5"])
    mix = tf * met + 2 * (1 - tf)
    if tf < 0.35 * lod:
        want = "below_detection"  # far below its limit: not assessable
    elif tf >= 1.2 * lod and not seen:
        want = "first"
    elif tf >= 1.2 * lod and state in ("below_detection", "cleared"):
        want = "re-emerged"
    elif tf >= 1.2 * lod:
        want = "fall" if mix < 0.8 * prev_mix else "rise" if mix > 1.25 * prev_mix else "stable"
    else:
        want = "?"  # between the limits: no event is certain; the series has none
    print("%s %s TF %.3f MET %g lod5 %s lod10 %s: %s %s (expected %s)"
          % (r["sample"], r["date"], tf, met, c["lod_tf_cn5"], c["lod_tf_cn10"], r["detection"],
             r["event"], want))
    if r["event"] != want:
        fails.append("%s: event %s, expected %s" % (r["sample"], r["event"], want))
    if want in ("first", "fall", "rise", "stable", "re-emerged"):
        seen, prev_mix = True, mix
    state = want
p1 = [r["event"] for r in track if r["patient"] == "P1"]
if p1 != ["first", "fall", "below_detection", "re-emerged"]:
    fails.append("P1 series %s" % p1)
if [r["date"] for r in track if r["patient"] == "P1"] != sorted(r["date"] for r in track if r["patient"] == "P1"):
    fails.append("P1 rows not in date order")
for r in track:
    if r["patient"] == "P2" and r["detection"] == "detected":
        fails.append("%s without a MET event detected" % r["sample"])
for f in fails:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if fails else 0)
PY
echo "$OUT"
expect_rc 0
# the plain-words summary names the patient and the re-emergence
OUT=$track_out
grep -q "P1" <<<"$OUT" && ok || bad "track summary lacks P1: $OUT"
grep -qi "re-emerged" <<<"$OUT" && ok || bad "track summary lacks re-emerged: $OUT"
finish
