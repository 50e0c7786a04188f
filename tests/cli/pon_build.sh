# CLI tests of `metcn pon build` / `metcn pon info` on the fixture normals (BAM and CRAM):
# a PoN is written and reads back, the outlier normal is flagged (and dropped with
# --drop-outliers), the header check refuses another build, corrupt/truncated PoNs and bad
# usage are refused with their message, and no half-written PoN is left behind.
. "$(dirname "$0")/lib.bash" "$@"

TD=${METCN_TESTDATA:-$BUILD/testdata}
[ -s "$TD/manifest.tsv" ] || { echo "fixture $TD/manifest.tsv missing"; exit 1; }
mapfile -t NORMALS < <(awk -F'\t' -v td="$TD" 'NR > 1 && $2 == "normal" {print td "/" $4}' "$TD/manifest.tsv")
OUTLIER=$(awk -F'\t' 'NR > 1 && $2 == "outlier_normal" {print $1; exit}' "$TD/manifest.tsv")
OUTBAM=$(awk -F'\t' 'NR > 1 && $2 == "outlier_normal" {print $4; exit}' "$TD/manifest.tsv")
[ "${#NORMALS[@]}" -ge 10 ] || { echo "expected >= 10 normals, found ${#NORMALS[@]}"; exit 1; }

# build from BAMs (+ the outlier), bgzipped
run "$METCN" pon build --panel "$TD/panel.bed" --reference "$TD/ref.fa" -@ 2 \
    -o "$WORK/pon.gz" "${NORMALS[@]}" "$TD/$OUTBAM"
expect_rc 0
run "$METCN" pon info "$WORK/pon.gz"
expect_rc 0
expect_out "format_version	2"
expect_out "gc_corrected	yes"
expect_out "normals_used	$((${#NORMALS[@]} + 1))"
# the outlier normal is flagged, and only it
if echo "$OUT" | awk -F'\t' -v o="$OUTLIER" '$1 == o && $10 == "outlier" {f = 1} END {exit !f}'; then ok; else bad "outlier $OUTLIER not flagged"; fi
n_out=$(echo "$OUT" | awk -F'\t' '$10 == "outlier"' | wc -l)
if [ "$n_out" -eq 1 ]; then ok; else bad "$n_out normals flagged, expected 1"; fi
# every normal: sex from the manifest
while IFS=$'\t' read -r s k sex rest; do
    [ "$k" = normal ] || continue
    if echo "$OUT" | awk -F'\t' -v s="$s" -v x="$sex" '$1 == s && $2 == x {f = 1} END {exit !f}'; then ok; else bad "$s: sex not $sex"; fi
done < <(tail -n +2 "$TD/manifest.tsv")

# --drop-outliers
run "$METCN" pon build --panel "$TD/panel.bed" --reference "$TD/ref.fa" --drop-outliers \
    -o "$WORK/pon2" "${NORMALS[@]}" "$TD/$OUTBAM"
expect_rc 0
run "$METCN" pon info "$WORK/pon2"
expect_out "normals_used	${#NORMALS[@]}"
expect_out "dropped"

# the PoN knows no gene: --gene is refused, and the file has no gene record
grep -qE $'^meta\t(gene|target_contig)\t' <(zcat "$WORK/pon.gz") && bad "gene in the PoN" || ok
run "$METCN" pon build --panel "$TD/panel.bed" --gene MET -o "$WORK/g" "${NORMALS[@]}"
expect_rc 2
expect_err "--gene: the panel of normals is gene-independent now"
expect_no_file "$WORK/g"
# inputs are recognised by their content: a normal BAM named .txt, and coverage tables named
# .bam, build the same PoN statistics as the BAMs
cp "${NORMALS[0]}" "$WORK/first.txt"
for k in 1 2 3; do
    run "$METCN" coverage --panel "$TD/panel.bed" -o "$WORK/t$k.bam" "${NORMALS[$k]}"
    expect_rc 0
done
run "$METCN" pon build --panel "$TD/panel.bed" --reference "$TD/ref.fa" -o "$WORK/mixed" \
    "$WORK/first.txt" "$WORK/t1.bam" "$WORK/t2.bam" "$WORK/t3.bam" "${NORMALS[@]:4}"
expect_rc 0
run "$METCN" pon build --panel "$TD/panel.bed" --reference "$TD/ref.fa" -o "$WORK/plain" \
    "${NORMALS[0]}" "$WORK/t1.bam" "$WORK/t2.bam" "$WORK/t3.bam" "${NORMALS[@]:4}"
expect_rc 0
cmp -s <(grep '^bin' "$WORK/mixed") <(grep '^bin' "$WORK/plain") && ok || bad "BAM named .txt: other bins"
[ "$(grep -c '^sample' "$WORK/mixed")" -eq "${#NORMALS[@]}" ] && ok || bad "mixed inputs: normals"

# --list with k = 0
printf '%s\n' "${NORMALS[@]}" >"$WORK/list"
run "$METCN" pon build --panel "$TD/panel.bed" -k 0 --no-gc -o "$WORK/pon3" --list "$WORK/list"
expect_rc 0
run "$METCN" pon info "$WORK/pon3"
expect_out "components	0"
expect_out "gc_corrected	no"

# errors: too few normals, usage, corrupt and truncated files
run "$METCN" pon build --panel "$TD/panel.bed" -o "$WORK/few" "${NORMALS[0]}" "${NORMALS[1]}"
expect_rc 1
expect_err "at least 3"
expect_no_file "$WORK/few"
run "$METCN" pon build --panel "$TD/panel.bed" "${NORMALS[@]}"
expect_rc 2
expect_err "-o PON is required"
run "$METCN" pon build --panel "$TD/panel.bed" -k x -o "$WORK/x" "${NORMALS[@]}"
expect_rc 2
expect_err "--components"
run "$METCN" pon frobnicate
expect_rc 2
head -n -1 "$WORK/pon3" >"$WORK/trunc"
run "$METCN" pon info "$WORK/trunc"
expect_rc 1
expect_err "truncated"
sed 's/^meta\tgc_corrected\t0/meta\tgc_corrected\t1/' "$WORK/pon3" >"$WORK/edited"
run "$METCN" pon info "$WORK/edited"
expect_rc 1
expect_err "checksum mismatch"
run "$METCN" pon info "$TD/panel.bed"
expect_rc 1
expect_err "not a metcn PoN"
# a PoN of format 1 (metcn 0.1) gets one line saying to rebuild it
printf '#metcn-pon\t1\nmeta\tgene\tMET\n' >"$WORK/v1.pon"
run "$METCN" pon info "$WORK/v1.pon"
expect_rc 1
expect_err "metcn pon: $WORK/v1.pon: PoN format 1 (metcn 0.1): rebuild it with 'metcn pon build'"
[ "$(wc -l <"$WORK/.err")" -eq 1 ] && ok || bad "more than one line for a format-1 PoN"
# a missing input among enough normals is left out (exit 3) and listed as failed with its
# reason; fewer than 3 usable normals leave no PoN (more in tests/cli/batch.sh)
run "$METCN" pon build --panel "$TD/panel.bed" -o "$WORK/some" "${NORMALS[@]}" "$WORK/missing.bam"
expect_rc 3
expect_err "metcn pon: $WORK/missing.bam: cannot open"
run "$METCN" pon info "$WORK/some"
expect_out "normals_used	${#NORMALS[@]}"
echo "$OUT" | awk -F'\t' '$1 == "missing" && $10 == "failed" && $11 ~ /missing.bam: cannot open/' |
    grep -q . && ok || bad "pon info: missing.bam not listed as failed with its reason"
run "$METCN" pon build --panel "$TD/panel.bed" -o "$WORK/none" "${NORMALS[0]}" "${NORMALS[1]}" \
    "$WORK/missing.bam"
expect_rc 1
expect_err "only 2 of 3 normals could be used"
expect_no_file "$WORK/none"
expect_no_file "$WORK/none.metcn_pon_mqc.json"
finish
