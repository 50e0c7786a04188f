# The read-level grid: build a PoN from the simulated normals, call every simulated tumour
# (BAM) at its true purity and ploidy, and score the calls against the truth with
# tests/compare/call_eval.py --assert (interval coverage >= 95% at purity >= 0.3, tier /
# >10 flag / pattern right away from boundaries and equivocal on them, normals never
# amplified).  Then: CRAM and BAM give identical calls; bad inputs are rejected.
. "$(dirname "$0")/lib.bash" "$@"
TD=${METCN_TESTDATA:-$BUILD/testdata}
M=$TD/manifest.tsv
if [ ! -s "$M" ]; then
    # ctest runs the fixture step first: a missing manifest is a failure, never a pass.
    echo "FAIL: no fixture manifest at $M (run the simdata fixture: ctest -R simdata)" >&2
    exit 1
fi
cd "$TD" || exit 1
col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$M"; }

# PoN from the normals (the outlier normal is left out, as a lab would after `pon build` QC)
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $4 }' "$M")
run "$METCN" pon build --panel panel.bed --reference ref.fa -@ 2 -o "$WORK/pon.tsv.gz" $normals
expect_rc 0
[ -s "$WORK/pon.tsv.gz" ] || { echo "no PoN built: $ERR" >&2; finish; exit 1; }

# tumours, one run per (purity, ploidy); normals in one run without --purity
groups=$(awk -F'\t' 'NR > 1 && $2 == "tumour" { print $12 "\t" $13 }' "$M" | sort -u)
g=0
while IFS=$'\t' read -r pur pl; do
    g=$((g + 1))
    bams=$(awk -F'\t' -v p="$pur" -v q="$pl" 'NR > 1 && $2 == "tumour" && $12 == p && $13 == q { print $4 }' "$M")
    run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity "$pur" --ploidy "$pl" -@ 2 -q \
        --no-sample-files -o "$WORK/grid$g" $bams
    expect_rc 0
done <<<"$groups"
run "$METCN" call --pon "$WORK/pon.tsv.gz" -@ 2 -q --no-sample-files -o "$WORK/normals" $normals
expect_rc 0
run python3 "$SRC/tests/compare/call_eval.py" "$M" "$WORK"/grid*.calls.tsv "$WORK/normals.calls.tsv" --assert
echo "$OUT"
echo "$ERR" | head -40
expect_rc 0

# one full run with every per-sample file, on a focal tumour: the files exist and parse
s=T_m12_p0.6_c2
run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity 0.6 -o "$WORK/one" "$s.bam"
expect_rc 0
expect_out "$s: MET "
for f in "$s.vcf" "$s.MET.cnr" "$s.MET.seg" "$s.MET.svg"; do [ -s "$WORK/one.$f" ] && ok || bad "one.$f missing"; done
if command -v bcftools >/dev/null; then
    run bcftools view -H "$WORK/one.$s.vcf"
    expect_rc 0
    expect_out "SVCLAIM=D"
fi
run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["samples"][0]["call"]["tier"])' "$WORK/one.json"
expect_rc 0

# several genes in one run: MET and EGFR on the EGFR-amplified special (12 copies at purity
# 0.6) and a MET-amplified tumour; each gene against chr7 outside its own window, and an EGFR
# amplicon is neither the chr7 level nor a MET call (nor the reverse)
run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity 0.6 --gene MET,EGFR -q -o "$WORK/two" S_egfr.bam "$s.bam"
expect_rc 0
g() { awk -F'\t' -v s="$1" -v g="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $1 == s && $2 == g { print $k[c] }' "$WORK/two.calls.tsv"; }
[ "$(awk 'END { print NR }' "$WORK/two.calls.tsv")" = 5 ] && ok || bad "two genes x two samples: $(cat "$WORK/two.calls.tsv")"
[ "$(g S_egfr EGFR control) $(g S_egfr EGFR criteria) $(g S_egfr EGFR pattern)" = "chr7 colorado focal" ] && ok || bad "S_egfr EGFR: $(g S_egfr EGFR control) $(g S_egfr EGFR criteria) $(g S_egfr EGFR pattern)"
awk -v c="$(g S_egfr EGFR cn)" -v lo="$(g S_egfr EGFR cn_low)" -v hi="$(g S_egfr EGFR cn_high)" 'BEGIN { exit !(lo <= 12 && 12 <= hi) }' && ok || bad "S_egfr EGFR cn $(g S_egfr EGFR cn) [$(g S_egfr EGFR cn_low), $(g S_egfr EGFR cn_high)] misses 12"
[ "$(g S_egfr MET tier) $(g S_egfr MET pattern)" = "negative none" ] && ok || bad "EGFR amplicon taken for MET: $(g S_egfr MET tier) $(g S_egfr MET pattern)"
awk -v c="$(g S_egfr MET control_cn)" 'BEGIN { exit !(c > 1.8 && c < 2.2) }' && ok || bad "EGFR amplicon moved MET's chr7 level: $(g S_egfr MET control_cn)"
[ "$(g "$s" EGFR tier) $(g "$s" EGFR pattern) $(g "$s" MET tier)" = "negative none high" ] && ok || bad "MET amplicon taken for EGFR: $(g "$s" EGFR tier) $(g "$s" EGFR pattern) $(g "$s" MET tier)"
for f in S_egfr.vcf S_egfr.MET.cnr S_egfr.EGFR.cnr S_egfr.EGFR.seg S_egfr.EGFR.svg; do [ -s "$WORK/two.$f" ] && ok || bad "two.$f missing"; done
[ "$(grep -vc '^#' "$WORK/two.S_egfr.vcf")" = 2 ] && ok || bad "one VCF record per gene"
run "$METCN" call --pon "$WORK/pon.tsv.gz" --gene MET,NOSUCHGENE -q -o "$WORK/bad" "$s.bam"
expect_rc 1
expect_err "pon.tsv.gz: "
expect_err "NOSUCHGENE"
expect_no_file "$WORK/bad.calls.tsv"

# BAM and CRAM: identical calls (every column)
crams=$(awk -F'\t' 'NR > 1 && $5 != "." && $2 == "tumour" { print $1 "\t" $4 "\t" $5 "\t" $12 "\t" $13 }' "$M")
while IFS=$'\t' read -r name bam cram pur pl; do
    [ -n "$name" ] || continue
    run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity "$pur" --ploidy "$pl" -q --no-sample-files -o "$WORK/b_$name" "$bam"
    expect_rc 0
    run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity "$pur" --ploidy "$pl" -q --no-sample-files -T ref.fa -o "$WORK/c_$name" "$cram"
    expect_rc 0
    if cmp -s "$WORK/b_$name.calls.tsv" "$WORK/c_$name.calls.tsv"; then ok; else bad "BAM and CRAM calls differ for $name"; fi
done <<<"$crams"

# bad inputs: a BAM whose chr7 length differs from the PoN's (another build)
samtools view -H T_m2_p1.0_c2.bam | sed 's/\(SN:chr7\tLN:\)159345973/\1159138663/' >"$WORK/h.sam"
samtools reheader "$WORK/h.sam" T_m2_p1.0_c2.bam >"$WORK/wrong.bam"
# (a sample's own failure: exit 3, its row says qc=fail and why, no per-sample files)
run "$METCN" call --pon "$WORK/pon.tsv.gz" -o "$WORK/bad" "$WORK/wrong.bam"
expect_rc 3
expect_err "wrong.bam"
expect_err "159138663"
awk -F'\t' 'NR == 2 && $23 == "fail" && $24 ~ /^input_failed=.*wrong.bam: .*159138663/' \
    "$WORK/bad.calls.tsv" | grep -q . && ok || bad "bad.calls.tsv: no qc=fail row naming wrong.bam"
expect_no_file "$WORK/bad.T_m2_p1.0_c2.vcf"
rm -f "$WORK"/bad.*
# a PoN file that is not a PoN
printf 'not a pon\n' >"$WORK/junk.pon"
run "$METCN" call --pon "$WORK/junk.pon" -o "$WORK/bad" T_m2_p1.0_c2.bam
expect_rc 1
expect_err "junk.pon"
expect_no_file "$WORK/bad.json"
# purity outside (0,1]
run "$METCN" call --pon "$WORK/pon.tsv.gz" --purity 1.01 -o "$WORK/bad" T_m2_p1.0_c2.bam
expect_rc 2
expect_err "--purity: '1.01' is outside (0,1]"
finish
