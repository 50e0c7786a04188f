# CNVkit results as input: a CNVkit reference from fixture normals and .cnr files of fixture
# tumours made with Debian's cnvkit (coverage, reference, fix), called by `metcn call` without
# --pon; the calls agree with metcn's own calls from the BAMs (same purity) on the tier (or the
# .cnr call is equivocal), the pattern, and the gene/control ratio within 0.35 log2 (CNVkit's
# GC correction, fitted over every bin including the gene's chromosome, attenuates large
# changes: docs/validation.md).  Then the errors of bad .cnr files and of mixed inputs.
. "$(dirname "$0")/lib.bash" "$@"
TD=$(cd "${METCN_TESTDATA:-$BUILD/testdata}" && pwd)
M=$TD/manifest.tsv
if [ ! -s "$M" ]; then
    echo "FAIL: no fixture manifest at $M (run the simdata fixture: ctest -R simdata)" >&2
    exit 1
fi
CNVKIT=$(command -v cnvkit.py || command -v cnvkit || true)
if [ -z "$CNVKIT" ]; then
    echo "FAIL: cnvkit not installed (.ci/deps.sh installs Debian's cnvkit)" >&2
    exit 1
fi
cd "$WORK" || exit 1
cp "$TD/panel.bed" targets.bed
: >anti.bed
normals="N03 N04 N05 N06 N07 N08 N09 N10"
tumours="T_m12_p0.6_c2 T_m8_p0.6_c4 T_m2_p0.6_c3 S_7q"
for s in $normals $tumours; do echo "$s"; done |
    xargs -P 2 -I{} sh -c "'$CNVKIT' coverage '$TD/{}.bam' targets.bed -o {}.targetcoverage.cnn >/dev/null 2>&1 &&
        '$CNVKIT' coverage '$TD/{}.bam' anti.bed -o {}.antitargetcoverage.cnn >/dev/null 2>&1"
run "$CNVKIT" reference N*.targetcoverage.cnn N*.antitargetcoverage.cnn -f "$TD/ref.fa" -o ref.cnn
expect_rc 0
for t in $tumours; do
    run "$CNVKIT" fix "$t.targetcoverage.cnn" "$t.antitargetcoverage.cnn" ref.cnn -o "$t.cnr"
    expect_rc 0
done
[ -s "T_m12_p0.6_c2.cnr" ] || { echo "FAIL: cnvkit wrote no .cnr: $ERR" >&2; finish; exit 1; }

# metcn's own PoN and calls from the BAMs, then the same tumours from the .cnr files
pn=""
for s in $normals; do pn="$pn $TD/$s.bam"; done
run "$METCN" pon build --panel "$TD/panel.bed" --reference "$TD/ref.fa" -@ 2 -o pon.tsv.gz $pn
expect_rc 0
tb=""
tc=""
for t in $tumours; do
    tb="$tb $TD/$t.bam"
    tc="$tc $t.cnr"
done
run "$METCN" call --pon pon.tsv.gz --purity 0.6 -q --no-sample-files -o bam $tb
expect_rc 0
run "$METCN" call --purity 0.6 -o cnr $tc
expect_rc 0
expect_out "normalised_by_cnvkit="
for f in cnr.calls.tsv cnr.json cnr.T_m12_p0.6_c2.vcf cnr.T_m12_p0.6_c2.MET.cnr cnr.S_7q.MET.svg; do
    [ -s "$f" ] && ok || bad "$f missing"
done
# every row says the normalisation was CNVkit's; sample names without the .cnr extension
awk -F'\t' 'NR > 1 && $24 !~ /normalised_by_cnvkit=/ { bad = 1 } END { exit bad }' cnr.calls.tsv && ok || bad "qc_reasons lack normalised_by_cnvkit"
[ "$(cut -f1 cnr.calls.tsv | tail -n +2 | tr '\n' ' ')" = "$(echo $tumours) " ] && ok || bad "sample names: $(cut -f1 cnr.calls.tsv | tr '\n' ' ')"
run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([q["code"] for q in d["samples"][0]["qc"]["records"]])' cnr.json
expect_out "normalised_by_cnvkit"

# agreement, per tumour: tier (or the .cnr call equivocal), pattern, ratio within 0.35 log2
paste <(tail -n +2 bam.calls.tsv) <(tail -n +2 cnr.calls.tsv) >both.tsv
n=$(awk -F'\t' '{ print NF; exit }' bam.calls.tsv)
while IFS= read -r line; do
    read -r s tb tc eqc pb pc rb rc_ <<<"$(awk -F'\t' -v n="$n" '{ print $1, $13, $(n+13), $(n+14), $17, $(n+17), $10, $(n+10) }' <<<"$line")"
    d=$(awk -v a="$rb" -v b="$rc_" 'BEGIN { d = log(a / b) / log(2); printf "%.3f", d < 0 ? -d : d }')
    echo "agreement $s: tier $tb / $tc (equivocal $eqc), pattern $pb / $pc, ratio $rb / $rc_ (|log2| $d)"
    { [ "$tb" = "$tc" ] || [ "$eqc" = yes ]; } && ok || bad "$s: tier $tb (BAM) vs $tc (.cnr, not equivocal)"
    [ "$pb" = "$pc" ] && ok || bad "$s: pattern $pb (BAM) vs $pc (.cnr)"
    awk -v d="$d" 'BEGIN { exit !(d <= 0.35) }' && ok || bad "$s: ratio $rb (BAM) vs $rc_ (.cnr)"
done <both.tsv

# errors: a bad .cnr is that sample's failure (batch isolation, docs/call.md): exit 3, the
# first stderr line names the file and the problem, its row says qc=fail and why, no
# per-sample files
src=T_m12_p0.6_c2.cnr
failed_row() { # failed_row PREFIX WHAT
    awk -F'\t' 'NR == 2 && $23 == "fail" && $24 ~ /input_failed=/ { f = 1 } END { exit !f }' "$1.calls.tsv" &&
        ok || bad "$2: no qc=fail row with input_failed= in $1.calls.tsv"
    [ -z "$(ls "$1".*.vcf 2>/dev/null)" ] && ok || bad "$2: per-sample files written"
}
cnr_err() { # cnr_err NAME EXPECTED-TEXT (the file NAME is made by the caller)
    run "$METCN" call -q -o "bad_$1" "$1"
    expect_rc 3
    first=$(head -1 "$WORK/.err")
    [[ "$first" == "metcn call: $1"* && "$first" == *"$2"* ]] && ok || bad "$1: first stderr line: $first"
    failed_row "bad_$1" "$1"
}
cut -f1-4,6,7 "$src" >nolog2.cnr
cnr_err nolog2.cnr "without a 'log2' column"
awk -F'\t' -v OFS='\t' 'NR == 20 { $5 = "NaN" } { print }' "$src" >nan.cnr
cnr_err nan.cnr "nan.cnr:20: bad log2 'NaN'"
awk -F'\t' -v OFS='\t' 'NR == 30 { $7 = "1.5" } { print }' "$src" >weight.cnr
cnr_err weight.cnr "weight.cnr:30: bad weight '1.5'"
awk 'NR == 2 { keep = $0; next } NR == 3 { print; print keep; next } { print }' "$src" >unsorted.cnr
cnr_err unsorted.cnr "unsorted.cnr:3: "
{ head -1 "$src"; tail -n +2 "$src" | sort -t$'\t' -k1,1V -k2,2n | awk -F'\t' 'NR == 1 || $1 != "chr1"'; grep -P '^chr1\t' "$src"; } >interleaved.cnr
cnr_err interleaved.cnr "appears again"
head -1 "$src" >empty.cnr
cnr_err empty.cnr "without rows"
awk -F'\t' -v OFS='\t' 'NR == 10 { $2 = $2 - 1000000 } { print }' "$src" >short.cnr
cnr_err short.cnr "short.cnr:10: "
# a .cnr with --pon; a BAM without --pon: the sample's failure, with the reason
run "$METCN" call --pon pon.tsv.gz -q -o mixed "$src"
expect_rc 3
expect_err "call it without --pon"
failed_row mixed "a .cnr with --pon"
run "$METCN" call -q -o nopon "$TD/T_m12_p0.6_c2.bam"
expect_rc 3
expect_err "BAM input needs --pon"
failed_row nopon "a BAM without --pon"
finish
