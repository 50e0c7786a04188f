#!/usr/bin/env bash
# batch.sh -- batch failure isolation and MultiQC output on the simdata fixture:
#   pon build   a truncated normal among six good ones is left out (exit 3), named on stderr,
#               recorded in the PoN as failed with its reason; the PoN's statistics are those
#               of the six alone; fewer than 3 usable normals: exit 1, nothing written;
#   call        a truncated BAM, a missing file, a table made on another panel and a good
#               tumour, for two genes: exit 3, every sample and gene has its row in input
#               order, the failed ones qc=fail with the reason naming the file and NA
#               elsewhere, no per-sample files for them, the JSON lists them with their error,
#               and the good tumour's rows and files equal a run without the bad inputs (also
#               with -@ 2); one gene failing in the caller (call_failed) leaves the other gene's
#               call and files;
#   MultiQC     Debian's multiqc on the outputs: the metcn section, every sample in the calls
#               table and the General Statistics (failed ones fail), the copy number of the
#               good tumour as in the calls table, the PoN's normals with the failed one;
#               --no-multiqc writes none;
#   coverage    --outdir with the same bad inputs: exit 3, tables for the good ones equal to
#               one-input runs, DIR/coverage_status.tsv lists every input;
#   run errors  a bad PoN, a gene the panel lacks, an unwritable prefix: exit 1 at once,
#               nothing written.
#   bash tests/cli/batch.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.bash" "$@"

D=${METCN_TESTDATA:-$BUILD/testdata}
[ -s "$D/manifest.tsv" ] || { echo "fixture $D/manifest.tsv missing"; exit 1; }
METCN=$(cd "$(dirname "$METCN")" && pwd)/$(basename "$METCN")
cd "$WORK" || exit 1
col() { # col FILE SAMPLE GENE COLUMN: a calls table's value
    awk -F'\t' -v s="$2" -v g="$3" -v c="$4" 'NR == 1 {for (i = 1; i <= NF; i++) k[$i] = i; next}
        $1 == s && $2 == g {print $k[c]}' "$1"
}
no_tmp() { # no temporary left in the directory
    if ls ./*.tmp.* >/dev/null 2>&1; then bad "temporary files left: $(ls ./*.tmp.*)"; else ok; fi
}

# --- pon build: one unreadable normal among six good ones ----------------------------------
GOOD_NORMALS=("$D/N03.bam" "$D/N04.bam" "$D/N05.bam" "$D/N06.bam" "$D/N07.bam" "$D/N08.bam")
head -c 30000 "$D/N09.bam" >bad_normal.bam
run "$METCN" pon build --panel "$D/panel.bed" -T "$D/ref.fa" -@ 2 -o pon.gz "${GOOD_NORMALS[@]:0:3}" \
    bad_normal.bam "${GOOD_NORMALS[@]:3}"
expect_rc 3
expect_err "metcn pon: bad_normal.bam: truncated or corrupt file"
expect_err "left out of the panel of normals"
expect_err "1 of 7 normals failed"
run "$METCN" pon info pon.gz
expect_rc 0
expect_out "normals_used	6"
expect_out "normals_recorded	7"
echo "$OUT" | awk -F'\t' '$1 == "N09" && $10 == "failed" && $11 ~ /^bad_normal.bam: truncated/ &&
    $4 == "NA"' | grep -q . && ok || bad "pon info: N09 (bad_normal.bam) not failed with its reason"
[ "$(echo "$OUT" | awk -F'\t' '$10 == "ok"' | wc -l)" -eq 6 ] && ok || bad "pon info: not 6 normals ok"
# the failed normal changes nothing the PoN computes: its bins equal those of the six alone
run "$METCN" pon build --panel "$D/panel.bed" -T "$D/ref.fa" -@ 2 -o pon6.gz "${GOOD_NORMALS[@]}"
expect_rc 0
cmp -s <(zcat pon.gz | grep -E '^(bin|component)') <(zcat pon6.gz | grep -E '^(bin|component)') &&
    ok || bad "PoN bins differ from the six good normals' PoN"
[ -s pon.metcn_pon_mqc.json ] && ok || bad "no pon.metcn_pon_mqc.json"
# fewer than 3 usable normals: the run fails, nothing written
run "$METCN" pon build --panel "$D/panel.bed" -o few.gz "${GOOD_NORMALS[@]:0:2}" bad_normal.bam \
    missing_normal.bam
expect_rc 1
expect_err "only 2 of 4 normals could be used: a panel of normals needs at least 3"
expect_no_file few.gz
expect_no_file few.metcn_pon_mqc.json
no_tmp

# --- call: three bad inputs and a good one, two genes ------------------------------------
GOOD=T_m12_p0.6_c2
head -c 40000 "$D/T_m6_p0.6_c2.bam" >truncated.bam # its header is whole: named by its SM
awk '$1 != "chr1"' "$D/panel.bed" >other_panel.bed
run "$METCN" coverage --panel other_panel.bed -o other.tsv "$D/T_m4_p1.0_c4.bam"
expect_rc 0
run "$METCN" call --pon pon.gz --purity 0.6 --gene MET,EGFR -o run truncated.bam missing.bam \
    other.tsv "$D/$GOOD.bam"
expect_rc 3
expect_err "metcn call: truncated.bam: truncated or corrupt file"
expect_err "metcn call: missing.bam: cannot open"
expect_err "metcn call: other.tsv: "
expect_err "3 of 4 samples failed"
# one line per failed sample from metcn (htslib's own lines aside), each naming its file
[ "$(grep -c '^metcn call: ' .err)" -eq 4 ] && ok || bad "not 3 + 1 metcn lines on stderr"
T=run.calls.tsv
[ "$(tail -n +2 "$T" | cut -f1,2 | tr '\t\n' ': ')" = \
    "T_m6_p0.6_c2:MET T_m6_p0.6_c2:EGFR missing:MET missing:EGFR T_m4_p1.0_c4:MET T_m4_p1.0_c4:EGFR $GOOD:MET $GOOD:EGFR " ] &&
    ok || bad "rows: $(tail -n +2 "$T" | cut -f1,2 | tr '\t\n' ': ')"
ncol=$(head -1 "$T" | awk -F'\t' '{print NF}')
for s in T_m6_p0.6_c2:truncated.bam missing:missing.bam T_m4_p1.0_c4:other.tsv; do
    for g in MET EGFR; do
        [ "$(col "$T" "${s%%:*}" $g qc)" = fail ] && ok || bad "${s%%:*} $g: qc not fail"
        reason=$(col "$T" "${s%%:*}" $g qc_reasons)
        [[ $reason == "input_failed=${s#*:}: "* ]] && ok || bad "${s%%:*} $g: qc_reasons '$reason'"
        nas=$(awk -F'\t' -v s="${s%%:*}" -v g=$g '$1 == s && $2 == g {
            n = 0; for (i = 1; i <= NF; i++) n += ($i == "NA"); print n}' "$T")
        [ "$nas" -eq $((ncol - 4)) ] && ok || bad "${s%%:*} $g: $nas NA fields, not $((ncol - 4))"
    done
done
[[ $(col "$T" T_m4_p1.0_c4 MET qc_reasons) == *"coverage made with another panel?"* ]] && ok ||
    bad "the table on another panel: reason '$(col "$T" T_m4_p1.0_c4 MET qc_reasons)'"
# the good tumour: a real call (the 12-copy focal amplicon at purity 0.6 is high)
[ "$(col "$T" $GOOD MET tier)" = high ] && ok || bad "$GOOD MET tier '$(col "$T" $GOOD MET tier)'"
# ... identical to a run without the bad inputs, in every file it has
run "$METCN" call --pon pon.gz --purity 0.6 --gene MET,EGFR -o alone "$D/$GOOD.bam"
expect_rc 0
cmp -s <(grep "^$GOOD	" "$T") <(tail -n +2 alone.calls.tsv) && ok || bad "the good rows differ from a run alone"
for f in $GOOD.MET.cnr $GOOD.MET.seg $GOOD.MET.svg $GOOD.EGFR.cnr $GOOD.EGFR.seg $GOOD.EGFR.svg; do
    cmp -s "run.$f" "alone.$f" && ok || bad "run.$f differs from alone.$f"
done
cmp -s <(grep -v '^##fileDate' run.$GOOD.vcf) <(grep -v '^##fileDate' alone.$GOOD.vcf) && ok ||
    bad "run.$GOOD.vcf differs"
python3 - run.json alone.json <<'EOF' && ok || bad "JSON: the good sample differs, or the failed ones lack their error"
import json, sys
run, alone = (json.load(open(p)) for p in sys.argv[1:])
good = [s for s in run["samples"] if "error" not in s]
failed = [s for s in run["samples"] if "error" in s]
assert good == alone["samples"], "good sample objects differ"
assert [(s["sample"], s["gene"]) for s in failed] == [
    ("T_m6_p0.6_c2", "MET"), ("T_m6_p0.6_c2", "EGFR"), ("missing", "MET"), ("missing", "EGFR"),
    ("T_m4_p1.0_c4", "MET"), ("T_m4_p1.0_c4", "EGFR")], failed
for s in failed:
    assert s["qc"]["status"] == "fail" and s["qc"]["records"][0]["code"] == "input_failed"
    assert s["error"].startswith(s["input"] + ": "), s
EOF
# no per-sample files for the failed samples
for s in T_m6_p0.6_c2 missing T_m4_p1.0_c4; do
    ls run."$s".* >/dev/null 2>&1 && bad "per-sample files written for failed $s" || ok
done
# samples in parallel: the same outputs
run "$METCN" call --pon pon.gz --purity 0.6 --gene MET,EGFR -@ 2 -q -o par truncated.bam \
    missing.bam other.tsv "$D/$GOOD.bam"
expect_rc 3
cmp -s run.calls.tsv par.calls.tsv && ok || bad "-@ 2: another calls table"

# one gene failing in the caller: fewer usable control bins than required for MET only (MET
# has fewer control bins in the panel than EGFR: its window covers more of chr7)
read -r met_ctl egfr_ctl < <(python3 -c '
import json, sys
d = {s["gene"]: s["qc"]["control_bins_in_panel"] for s in json.load(open(sys.argv[1]))["samples"]}
print(d["MET"], d["EGFR"])' alone.json)
[ "$egfr_ctl" -gt "$met_ctl" ] && ok || bad "fixture: EGFR has no more control bins than MET"
run "$METCN" call --pon pon.gz --purity 0.6 --gene MET,EGFR --min-control-bins $((met_ctl + 1)) \
    -q -o onegene "$D/$GOOD.bam"
expect_rc 3
[[ $(col onegene.calls.tsv $GOOD MET qc_reasons) == "call_failed=$D/$GOOD.bam: "*"usable control bins"* ]] &&
    ok || bad "MET: qc_reasons '$(col onegene.calls.tsv $GOOD MET qc_reasons)'"
[ "$(col onegene.calls.tsv $GOOD EGFR qc)" != fail ] && ok || bad "EGFR failed with MET"
[ -s onegene.$GOOD.EGFR.cnr ] && [ ! -e onegene.$GOOD.MET.cnr ] && ok || bad "per-gene files"
[ "$(grep -vc '^#' onegene.$GOOD.vcf)" -eq 1 ] && ok || bad "the VCF has not only the EGFR record"

# --- MultiQC: Debian's multiqc over the call and the PoN ----------------------------------
if ! command -v multiqc >/dev/null; then
    RC=1 bad "multiqc is not installed (apt-get install multiqc; see .ci/deps.sh)"
else
    for s in general calls cn scatter; do
        [ -s run.metcn_${s}_mqc.json ] && ok || bad "no run.metcn_${s}_mqc.json"
    done
    mkdir mq
    cp run.metcn_*_mqc.json pon.metcn_pon_mqc.json mq/
    run multiqc --force --quiet --no-ansi -o mq/out mq
    expect_rc 0
    grep -q 'mqc-module-section-metcn' mq/out/multiqc_report.html && ok || bad "no metcn section"
    data=mq/out/multiqc_data
    for s in T_m6_p0.6_c2 missing T_m4_p1.0_c4 $GOOD; do
        for g in MET EGFR; do
            grep -q "^$s $g	" $data/multiqc_metcn_calls_table.txt && ok || bad "MultiQC calls table lacks $s $g"
        done
    done
    python3 - $data "$(col "$T" $GOOD MET cn)" <<'EOF' && ok || bad "MultiQC general statistics or PoN table"
import csv, os, sys
data, cn = sys.argv[1], float(sys.argv[2])
def table(name):
    with open(os.path.join(data, name)) as fh:
        return {r["Sample"]: r for r in csv.DictReader(fh, delimiter="\t")}
gs = table("multiqc_general_stats.txt")
qc = {s: next(v for k, v in r.items() if k.endswith("-qc")) for s, r in gs.items()}
assert qc == {"T_m6_p0.6_c2": "fail", "missing": "fail", "T_m4_p1.0_c4": "fail",
              "T_m12_p0.6_c2": qc["T_m12_p0.6_c2"]} and qc["T_m12_p0.6_c2"] != "fail", qc
met = next(float(v) for k, v in gs["T_m12_p0.6_c2"].items() if k.endswith("-MET_cn"))
assert abs(met - cn) <= 1e-3 * cn, (met, cn)
pon = table("multiqc_metcn_pon_table.txt")
assert sorted(pon) == ["N03", "N04", "N05", "N06", "N07", "N08", "N09"], sorted(pon)
assert pon["N09"]["status"] == "failed" and pon["N09"]["reason"].startswith("bad_normal.bam")
assert all(pon[n]["status"] == "ok" for n in pon if n != "N09")
EOF
fi
run "$METCN" call --pon pon.gz --no-multiqc -q -o nomqc "$D/$GOOD.bam"
expect_rc 0
ls nomqc.*_mqc.json >/dev/null 2>&1 && bad "--no-multiqc wrote MultiQC files" || ok

# --- coverage --outdir: the same inputs ------------------------------------------------------
mkdir covdir
run "$METCN" coverage --panel "$D/panel.bed" --outdir covdir truncated.bam missing.bam other.tsv \
    "$D/$GOOD.bam"
expect_rc 3
expect_err "metcn coverage: missing.bam: cannot open"
expect_err "3 of 4 inputs failed"
run "$METCN" coverage --panel "$D/panel.bed" -o one.tsv.gz "$D/$GOOD.bam"
expect_rc 0
cmp -s <(zcat one.tsv.gz | grep -v '^##command') \
    <(zcat covdir/$GOOD.coverage.tsv.gz | grep -v '^##command') && ok || bad "--outdir table differs"
[ "$(ls covdir | tr '\n' ' ')" = "$GOOD.coverage.tsv.gz coverage_status.tsv " ] && ok ||
    bad "covdir holds $(ls covdir | tr '\n' ' ')"
[ "$(cut -f2,4 covdir/coverage_status.tsv | tail -n +2 | tr '\t\n' ': ')" = \
    "T_m6_p0.6_c2:fail missing:fail T_m4_p1.0_c4:fail $GOOD:ok " ] && ok || bad "coverage_status.tsv"
run "$METCN" coverage --panel "$D/panel.bed" --outdir covdir x/a.bam y/a.bam
expect_rc 2
expect_err "would both be written to covdir/a.coverage.tsv.gz"

# --- failures of the run itself: exit 1 at once, nothing written -------------------------------
printf 'not a pon\n' >junk.pon
run "$METCN" call --pon junk.pon -o stop truncated.bam "$D/$GOOD.bam"
expect_rc 1
expect_err "metcn call: junk.pon: "
run "$METCN" call --pon pon.gz --gene MET,NOSUCHGENE -o stop "$D/$GOOD.bam"
expect_rc 1
expect_err "NOSUCHGENE"
run "$METCN" call --pon pon.gz -o no_dir/stop "$D/$GOOD.bam"
expect_rc 1
expect_err "metcn call: no_dir/stop: cannot write there"
[ "$(wc -l <.err)" -eq 1 ] && ok || bad "more than one line for an unwritable prefix"
ls stop.* no_dir 2>/dev/null && bad "a failed run wrote $(ls stop.*)" || ok
run "$METCN" pon build --panel "$D/panel.bed" -o no_dir/pon.gz "${GOOD_NORMALS[@]}"
expect_rc 1
expect_err "metcn pon: no_dir/pon.gz: cannot write there"
run "$METCN" coverage --panel "$D/panel.bed" --outdir no_dir "$D/$GOOD.bam"
expect_rc 1
expect_err "no_dir: not an existing directory"
no_tmp
finish
