# CLI tests of `metcn track`: a plasma series with every event, a tissue series (no plasma
# columns), exact output rows, the summary, the output set, and bad sheets.
. "$(dirname "$0")/lib.bash" "$@"

# The calls-table contract: the caller's first columns, then the plasma columns.
H='sample	gene	control	cn	cn_low	cn_high	control_cn	control_cn_low	control_cn_high	ratio	ratio_low	ratio_high	tier	equivocal	high_amp	gcn_class	pattern	purity	purity_low	purity_high	purity_source	ploidy	qc	qc_reasons'
P='tumour_fraction	tumour_fraction_low	tumour_fraction_high	tumour_fraction_source	plasma_cn	plasma_cn_low	plasma_cn_high	detection	lod_tf_cn5	lod_tf_cn10'
# plasma row: sample gene cn tf tf_low tf_high plasma_cn low high detection lod5 lod10
prow() {
    printf '%s\t%s\tchr7\t%s\tNA\tNA\t2\t1.9\t2.1\tNA\tNA\tNA\tnegative\tno\tno\tnone\tnone\t%s\t%s\t%s\testimated\t2\tpass\t.\t%s\t%s\t%s\testimated\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$1" "$2" "$3" "$4" "$5" "$6" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "${11}" "${12}"
}
# tissue row: sample cn cn_low cn_high tier purity qc
trow() {
    printf '%s\tMET\tchr7\t%s\t%s\t%s\t2\t1.9\t2.1\tNA\tNA\tNA\t%s\tno\tno\tnone\tnone\t%s\tNA\tNA\tgiven\t2\t%s\t.\n' "$@"
}
{
    printf '%s\t%s\n' "$H" "$P"
    prow S1 MET 10 0.12 0.10 0.14 3.1 2.8 3.4 detected 0.02 0.008
    prow S1 ERBB2 2 0.12 0.10 0.14 2.0 1.9 2.1 not_detected 0.025 0.01
    prow S2 MET 20 0.15 0.13 0.17 4.6 4.2 5.0 detected 0.02 0.008
    prow S2 ERBB2 2 0.15 0.13 0.17 2.0 1.9 2.1 not_detected 0.025 0.01
    prow S3 MET 8 0.10 0.08 0.12 2.6 2.4 2.8 detected 0.02 0.008
    prow S4 MET 8 0.11 0.09 0.13 2.65 2.45 2.85 detected 0.02 0.008
    prow S5 MET 2 0.05 0.04 0.06 2.02 1.95 2.1 not_detected 0.02 0.008
    prow S6 MET NA 0.004 0.001 0.008 2.0 1.9 2.1 not_assessable 0.02 0.008
    prow S7 MET 14 0.09 0.07 0.11 3.4 3.1 3.7 detected 0.02 0.008
    prow S7 ERBB2 10 0.09 0.07 0.11 2.4 2.25 2.55 detected 0.025 0.01
    prow X1 MET 30 0.3 0.2 0.4 10 9 11 detected 0.02 0.008
} >"$WORK/plasma.calls.tsv"
{
    echo "$H"
    trow T1 2.1 1.8 2.4 negative 0.4 pass
    trow T2 9 7.5 10.5 intermediate 0.5 pass
    trow T3 3 1 6 negative 0.1 fail
    trow T4 12 10 14 high 0.45 warn
} >"$WORK/tissue.calls.tsv"
# rows out of date order; calls paths relative to the sheet's directory
{
    printf 'sample\tpatient\tdate\tcalls\n'
    printf 'S3\tP1\t2026-03-01\tplasma.calls.tsv\n'
    printf 'S1\tP1\t2026-01-05\tplasma.calls.tsv\n'
    printf 'T2\tPat B/2\t2025-11-20\ttissue.calls.tsv\n'
    printf 'S2\tP1\t2026-02-02\tplasma.calls.tsv\n'
    printf 'S4\tP1\t2026-03-29\tplasma.calls.tsv\n'
    printf 'S5\tP1\t2026-04-02\tplasma.calls.tsv\n'
    printf 'T1\tPat B/2\t2025-06-01\ttissue.calls.tsv\n'
    printf 'S6\tP1\t2026-05-01\tplasma.calls.tsv\n'
    printf 'S7\tP1\t2026-06-01\tplasma.calls.tsv\n'
    printf 'T3\tPat B/2\t2026-01-10\ttissue.calls.tsv\n'
    printf 'T4\tPat B/2\t2026-03-01\ttissue.calls.tsv\n'
} >"$WORK/sheet.tsv"

mkdir "$WORK/out"
ABS_METCN=$(realpath "$METCN")
run sh -c "cd / && '$ABS_METCN' track --sheet '$WORK/sheet.tsv' -o '$WORK/out/run'"
expect_rc 0
for f in run.track.tsv run.json run.P1.svg run.Pat_B_2.svg; do
    [ -s "$WORK/out/$f" ] && ok || bad "missing $f"
done
[ "$(ls "$WORK/out" | wc -l)" -eq 4 ] && ok || bad "unexpected files: $(ls "$WORK/out")"

# Expected rows (the contract's nine columns). MET in P1: S2/S1 z = ln(4.6/3.1) / 0.0666 =
# 5.93 (rise, p = erfc(5.93 / sqrt 2) = 3.06e-09), S3/S2 z = -9.61 (fall), S4/S3 z = 0.35
# (stable); S5 not detected after a detection (cleared), S6 not assessable, S7 detected again.
# Tissue: detection from tier and qc, the mixture copy number p*cn + 2(1-p)
# (T1: 0.4*2.1 + 1.2 = 2.04).
cat >"$WORK/expected.tsv" <<'ROWS'
patient	sample	date	gene	tumour_fraction	plasma_cn	cn	detection	event
P1	S1	2026-01-05	ERBB2	0.12	2	2	not_detected	first
P1	S1	2026-01-05	MET	0.12	3.1	10	detected	first
P1	S2	2026-02-02	ERBB2	0.15	2	2	not_detected	stable
P1	S2	2026-02-02	MET	0.15	4.6	20	detected	rise
P1	S3	2026-03-01	MET	0.1	2.6	8	detected	fall
P1	S4	2026-03-29	MET	0.11	2.65	8	detected	stable
P1	S5	2026-04-02	MET	0.05	2.02	2	not_detected	cleared
P1	S6	2026-05-01	MET	0.004	2	NA	not_assessable	below_detection
P1	S7	2026-06-01	ERBB2	0.09	2.4	10	detected	emerged
P1	S7	2026-06-01	MET	0.09	3.4	14	detected	re-emerged
Pat B/2	T1	2025-06-01	MET	0.4	2.04	2.1	not_detected	first
Pat B/2	T2	2025-11-20	MET	0.5	5.5	9	detected	emerged
Pat B/2	T3	2026-01-10	MET	0.1	2.1	3	not_assessable	below_detection
Pat B/2	T4	2026-03-01	MET	0.45	6.5	12	detected	re-emerged
ROWS
T="$WORK/out/run.track.tsv"
if cut -f1-9 "$T" | diff "$WORK/expected.tsv" - >"$WORK/diff"; then ok; else bad "rows differ: $(cat "$WORK/diff")"; fi
col() { awk -F'\t' -v s="$1" -v g="$2" -v c="$3" 'NR==1 {for (i = 1; i <= NF; i++) h[$i] = i} $2==s && $4==g {print $h[c]}' "$T"; }
[ "$(col S4 MET compared_to) $(col S5 MET compared_to) $(col S7 MET compared_to)" = "S3 S4 S6" ] && ok || bad "compared_to"
[ "$(col S2 MET z)" = "5.928" ] && ok || bad "z S2 $(col S2 MET z)"
[ "$(col S2 MET p_value)" = "3.06e-09" ] && ok || bad "p S2 $(col S2 MET p_value)"
[ "$(col T1 MET plasma_cn_source) $(col T1 MET detection_source)" = "derived derived" ] && ok || bad "tissue sources"
[ "$(col S1 MET plasma_cn_source) $(col S1 MET tumour_fraction_source)" = "reported estimated" ] && ok || bad "plasma sources"
grep -q '^X1' "$T" && bad "sample not in the sheet reported" || ok

expect_out "patient P1 (7 samples, 2026-01-05 to 2026-06-01)"
expect_out "  MET: detected on 2026-01-05 (plasma CN 3.1 [2.8-3.4], TF 12%); rose on 2026-02-02 (plasma CN 4.6 [4.2-5], p = 3.1e-09); fell on 2026-03-01"
expect_out "cleared on 2026-04-02 (TF 5%); not assessable on 2026-05-01 (TF 0.4%, detection limit TF 0.8% for 10 copies); re-emerged on 2026-06-01 (plasma CN 3.4 [3.1-3.7], TF 9%)."
expect_out "  ERBB2: not detected on 2026-01-05 (TF 12%); still not detected on 2026-02-02 (TF 15%); emerged on 2026-06-01"
expect_out "  MET: not detected on 2025-06-01 (purity 40%); emerged on 2025-11-20 (CN 9 [7.5-10.5] per tumour cell, purity 50%)"
grep -q '"summary": "patient Pat B/2' "$WORK/out/run.json" && ok || bad "json summary"
grep -q '"event": "re-emerged"' "$WORK/out/run.json" && ok || bad "json event"
grep -qi '\bnan\b\|\binf\b' "$WORK/out/run.json" "$T" && bad "nan/inf printed" || ok
grep -q '<svg' "$WORK/out/run.P1.svg" && grep -q 'tumour fraction (%)' "$WORK/out/run.P1.svg" && ok || bad "svg"
grep -q 'patient Pat B/2' "$WORK/out/run.Pat_B_2.svg" && ok || bad "svg title"

# --quiet: no summary; --alpha changes the test level (S4/S3 p 0.73: stable at any level)
run "$METCN" track --sheet "$WORK/sheet.tsv" -o "$WORK/out/q" -q --alpha 1e-25
expect_rc 0
[ -z "$OUT" ] && ok || bad "--quiet printed"
# at alpha 1e-25 the fall (z -9.6, p 7e-22) is no longer significant
[ "$(awk -F'\t' '$2=="S3" && $4=="MET" {print $9}' "$WORK/out/q.track.tsv")" = "stable" ] && ok || bad "alpha"

# ---- bad sheets: one line naming the file (and line), exit 1, nothing written ------------
bad_sheet() { # name content expected-message
    printf "$2" >"$WORK/$1"
    run "$METCN" track --sheet "$WORK/$1" -o "$WORK/out/$1"
    expect_rc 1
    expect_err "metcn track: $3"
    [ "$(wc -l <"$WORK/.err")" -eq 1 ] && ok || bad "$1: more than one stderr line"
    expect_no_file "$WORK/out/$1.track.tsv"
    expect_no_file "$WORK/out/$1.json"
    expect_no_file "$WORK/out/$1.P1.svg"
}
bad_sheet nodate.tsv 'sample\tpatient\tcalls\nS1\tP1\tplasma.calls.tsv\n' "$WORK/nodate.tsv: no column 'date'"
bad_sheet badcol.tsv 'sample\tpatient\tday\tcalls\nS1\tP1\t2026-01-05\tplasma.calls.tsv\n' "$WORK/badcol.tsv: no column 'date'"
bad_sheet baddate.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tplasma.calls.tsv\nS2\tP1\t2026-02-30\tplasma.calls.tsv\n' \
    "$WORK/baddate.tsv:3: date '2026-02-30' is not a valid YYYY-MM-DD calendar date"
bad_sheet usdate.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t01/05/2026\tplasma.calls.tsv\n' \
    "$WORK/usdate.tsv:2: date '01/05/2026' is not a valid YYYY-MM-DD calendar date"
bad_sheet nofile.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tnope.calls.tsv\n' \
    "$WORK/nope.calls.tsv: cannot open: No such file or directory"
bad_sheet nosample.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tplasma.calls.tsv\nS9\tP1\t2026-02-05\tplasma.calls.tsv\n' \
    "$WORK/plasma.calls.tsv: sample 'S9' not found (sheet $WORK/nosample.tsv line 3)"
bad_sheet sameday.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tplasma.calls.tsv\nS2\tP1\t2026-01-05\tplasma.calls.tsv\n' \
    "$WORK/sameday.tsv:3: patient 'P1' has two samples on 2026-01-05 ('S1' on line 2 and 'S2')"
bad_sheet dup.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tplasma.calls.tsv\nS1\tP2\t2026-02-05\tplasma.calls.tsv\n' \
    "$WORK/dup.tsv:3: sample 'S1' is listed twice (also line 2)"
# a calls table lacking a plasma column
cut -f1-33 "$WORK/plasma.calls.tsv" >"$WORK/short.calls.tsv"
bad_sheet short.tsv 'sample\tpatient\tdate\tcalls\nS1\tP1\t2026-01-05\tshort.calls.tsv\n' \
    "$WORK/short.calls.tsv: no column 'lod_tf_cn10'"
run "$METCN" track --sheet "$WORK/missing.tsv" -o "$WORK/out/m"
expect_rc 1
expect_err "metcn track: $WORK/missing.tsv: cannot open: No such file or directory"
# an output directory that does not exist
run "$METCN" track --sheet "$WORK/sheet.tsv" -o "$WORK/nodir/x"
expect_rc 1
expect_err "metcn track: $WORK/nodir/x.track.tsv: cannot open for writing"

# ---- usage errors -----------------------------------------------------------------------
run "$METCN" track -o "$WORK/out/u"
expect_rc 2
expect_err "metcn track: --sheet is required"
run "$METCN" track --sheet "$WORK/sheet.tsv"
expect_rc 2
expect_err "metcn track: -o PREFIX is required"
run "$METCN" track --sheet "$WORK/sheet.tsv" -o "$WORK/out/u" --alpha 2
expect_rc 2
expect_err "--alpha: '2' is out of range"
run "$METCN" track --sheet "$WORK/sheet.tsv" -o "$WORK/out/u" --interval-level x
expect_rc 2
expect_err "--interval-level: 'x' is not a valid number"
run "$METCN" track --help
expect_rc 0
expect_out "two-sided level of the rise/fall test"
expect_out "[0.05]"
finish
