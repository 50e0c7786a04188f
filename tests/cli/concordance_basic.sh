# CLI tests of `metcn concordance`: outputs, hand-computed numbers, listings, bad input.
. "$(dirname "$0")/lib.bash" "$@"

H='sample	gene	met_cn	met_cn_low	met_cn_high	chr7_cn	chr7_cn_low	chr7_cn_high	met_chr7_ratio	met_chr7_ratio_low	met_chr7_ratio_high	tier	equivocal	high_amp	gcn_class	pattern	purity	purity_assumed	ploidy	met_log2	chr7_log2	mapd	lod_met_cn	qc	qc_reasons'
row() { # id met_cn ratio tier qc
    printf '%s\tMET\t%s\tNA\tNA\t2\tNA\tNA\t%s\tNA\tNA\t%s\tno\tno\tnone\tnone\t0.5\tno\t2\t0\t0\t0.1\t3\t%s\t.\n' "$@"
}
{
    echo "$H"
    row A 12 6 high pass
    row B 5 2.5 intermediate pass
    row C 2 1 negative pass
    row D 4 2 low pass
    row E 3 1 negative fail
} >"$WORK/a.calls.tsv"
{
    echo "$H"
    row F 8 4 intermediate pass
    row G 2.2 1.1 negative pass
    row Z 2 1 negative pass
} >"$WORK/b.calls.tsv"
printf 'sample,met_cep7_ratio,met_per_nucleus\nA,5.5,11\nB,2.5,5\nC,1.0,2.1\nD,1.7,3.5\nE,1,2\nF,4,8\nH,3,6\nG,2.1,4.3\n' >"$WORK/fish.csv"

# Two calls tables after one --calls; matched A B C D F G (E fails QC, H FISH only, Z calls
# only). NGS ratio >= 2: A B D F; FISH ratio >= 2: A B F G -> TP 3 (A B F), FP 1 (D),
# FN 1 (G), TN 1 (C).
run "$METCN" concordance --calls "$WORK/a.calls.tsv" "$WORK/b.calls.tsv" --fish "$WORK/fish.csv" -o "$WORK/out"
expect_rc 0
expect_err "1 FISH sample(s) have no call: H"
expect_err "1 called sample(s) have no FISH result: Z"
expect_err "1 matched call(s) failed QC (excluded): E"
for f in json tsv samples.tsv scatter.svg roc.svg; do
    [ -s "$WORK/out.$f" ] && ok || bad "missing out.$f"
done
T="$WORK/out.tsv"
val() { awk -F'\t' -v s="$1" -v c="$2" '$1==s {print $c}' "$T"; }
[ "$(val tp 2) $(val fp 2) $(val fn 2) $(val tn 2)" = "3 1 1 1" ] && ok || bad "2x2 table $(val tp 2) $(val fp 2) $(val fn 2) $(val tn 2)"
# sensitivity 3/4: Clopper-Pearson 0.194120-0.993690 (binomial tails at 0.025)
[ "$(val sensitivity 2) $(val sensitivity 3) $(val sensitivity 4)" = "0.75 0.19412 0.993691" ] && ok || bad "sensitivity $(val sensitivity 3)"
# kappa: po 4/6, pe 20/36 -> 0.25
[ "$(val kappa 2)" = "0.25" ] && ok || bad "kappa $(val kappa 2)"
grep -q '"unmatched_fish": \[' "$WORK/out.json" && ok || bad "json unmatched_fish"
grep -q '"excluded_qc_fail": \[' "$WORK/out.json" && ok || bad "json excluded"
grep -qi 'nan\|inf' "$WORK/out.tsv" "$WORK/out.json" && bad "nan/inf printed" || ok
grep -q '<svg' "$WORK/out.roc.svg" && ok || bad "roc svg"
awk -F'\t' '$1=="H" && $2=="fish_only"' "$WORK/out.samples.tsv" | grep -q . && ok || bad "samples H"

# The same calls as gene-neutral tables (0.2 columns, an ERBB2 row per sample between them):
# the statistics are identical; --gene ERBB2 reads the other rows under ASCO/CAP groups.
H2='sample	gene	control	cn	cn_low	cn_high	control_cn	control_cn_low	control_cn_high	ratio	ratio_low	ratio_high	tier	equivocal	high_amp	gcn_class	pattern	purity	purity_low	purity_high	purity_source	ploidy	qc	qc_reasons	criteria	gene_log2	control_log2	mapd	lod_cn'
row2() { # id gene control cn ratio tier qc
    printf '%s\t%s\t%s\t%s\tNA\tNA\t2\tNA\tNA\t%s\tNA\tNA\t%s\tno\tno\tnone\tnone\t0.5\t0.5\t0.5\tgiven\t2\t%s\t.\tx\t0\t0\t0.1\t3\n' "$@"
}
{
    echo "$H2"
    row2 A MET chr7 12 6 high pass
    row2 A ERBB2 chr17 9 4.5 group1 pass
    row2 B MET chr7 5 2.5 intermediate pass
    row2 B ERBB2 chr17 2 1 group5 pass
    row2 C MET chr7 2 1 negative pass
    row2 D MET chr7 4 2 low pass
    row2 E MET chr7 3 1 negative fail
} >"$WORK/a2.calls.tsv"
{
    echo "$H2"
    row2 F MET chr7 8 4 intermediate pass
    row2 G MET chr7 2.2 1.1 negative pass
    row2 Z MET chr7 2 1 negative pass
} >"$WORK/b2.calls.tsv"
run "$METCN" concordance --calls "$WORK/a2.calls.tsv" "$WORK/b2.calls.tsv" --fish "$WORK/fish.csv" -o "$WORK/new"
expect_rc 0
cmp -s "$WORK/out.tsv" "$WORK/new.tsv" && ok || bad "0.1 and gene-neutral tables differ: $(diff "$WORK/out.tsv" "$WORK/new.tsv" | head -5)"
grep -q '"calls_format": "gene-neutral"' "$WORK/new.json" && ok || bad "calls_format in json"
printf 'sample,her2_cep17_ratio,her2_per_nucleus\nA,4,8\nB,1.1,2.2\n' >"$WORK/her2.csv"
run "$METCN" concordance --gene ERBB2 --calls "$WORK/a2.calls.tsv" --fish "$WORK/her2.csv" \
    --fish-ratio-col her2_cep17_ratio --fish-met-col her2_per_nucleus -o "$WORK/her2"
expect_rc 0
T="$WORK/her2.tsv"
# A: NGS 4.5 / FISH 4 both >= 2; B: 1 / 1.1 both below -> TP 1, TN 1; groups agree
[ "$(val tp 2) $(val tn 2) $(val tier_agreement 2)" = "1 1 1" ] && ok || bad "ERBB2 $(val tp 2) $(val tn 2) $(val tier_agreement 2)"
grep -q '"name": "asco-cap-2018"' "$WORK/her2.json" && ok || bad "ERBB2 criteria in json"
run "$METCN" concordance --gene ERBB2 --calls "$WORK/a2.calls.tsv" --fish "$WORK/her2.csv" --criteria camidge --tiers 1,2,3 -o "$WORK/x"
expect_rc 2
expect_err "give one tier model"

# FISH positive by tier (intermediate or above) and NGS by copy number: changes the table
run "$METCN" concordance --calls "$WORK/a.calls.tsv" --calls "$WORK/b.calls.tsv" --fish "$WORK/fish.csv" \
    --fish-amplified tier:intermediate --ngs-amplified cn:5 --include-qc-fail -o "$WORK/o2"
expect_rc 0
T="$WORK/o2.tsv"
# FISH tier >= intermediate (ratio > 2.2): A B F; NGS cn >= 5: A B F -> TP 3, TN 4 (C D E G)
[ "$(val tp 2) $(val fp 2) $(val fn 2) $(val tn 2)" = "3 0 0 4" ] && ok || bad "rule change $(val tp 2) $(val fp 2) $(val fn 2) $(val tn 2)"
grep -q '"fish_amplified": "tier>=intermediate"' "$WORK/o2.json" && ok || bad "rule in json"

# degenerate: everything FISH-positive -> specificity NA with a note, null in JSON
printf 'sample\tmet_cep7_ratio\nA\t6\nB\t3\n' >"$WORK/pos.tsv"
run "$METCN" concordance --calls "$WORK/a.calls.tsv" --fish "$WORK/pos.tsv" -o "$WORK/o3"
expect_rc 0
T="$WORK/o3.tsv"
[ "$(val specificity 2)" = "NA" ] && ok || bad "specificity NA"
[ "$(val specificity 7)" = "no FISH-negative samples (TN + FP = 0)" ] && ok || bad "specificity note"
grep -q '"specificity": {' "$WORK/o3.json" && grep -A1 '"specificity": {' "$WORK/o3.json" | grep -q '"estimate": null' && ok || bad "json null"

# usage errors
run "$METCN" concordance --fish "$WORK/fish.csv" -o "$WORK/x"
expect_rc 2
expect_err "metcn concordance: --calls is required"
run "$METCN" concordance --calls "$WORK/a.calls.tsv" --fish "$WORK/fish.csv" -o "$WORK/x" --fish-amplified ratio:abc
expect_rc 2
expect_err "--fish-amplified: 'ratio:abc': not a positive number"
run "$METCN" concordance --calls "$WORK/a.calls.tsv" --fish "$WORK/fish.csv" -o "$WORK/x" --tiers 2,1,5
expect_rc 2
expect_err "--tiers: need 0 < A <= B < C"
run "$METCN" concordance --help
expect_rc 0
expect_out "[fish_ratio>=2]"
expect_out "[MET]"

# runtime errors name the file and line; no output left behind
printf 'sample,met_cep7_ratio\nA,x\n' >"$WORK/bad.csv"
run "$METCN" concordance --calls "$WORK/a.calls.tsv" --fish "$WORK/bad.csv" -o "$WORK/bad"
expect_rc 1
expect_err "metcn concordance: $WORK/bad.csv:2: column 'met_cep7_ratio': 'x' is not a number >= 0"
expect_no_file "$WORK/bad.json"
expect_no_file "$WORK/bad.tsv"
run "$METCN" concordance --calls "$WORK/missing.tsv" --fish "$WORK/fish.csv" -o "$WORK/bad"
expect_rc 1
expect_err "metcn concordance: $WORK/missing.tsv: cannot open"
finish
