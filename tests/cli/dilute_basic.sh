# CLI tests of `metcn dilute`: a series of fractions from generated BAMs (samtools builds
# them from SAM text), outputs valid for samtools, pairs intact, fractions within binomial
# error, usage and runtime errors.
. "$(dirname "$0")/lib.bash" "$@"

command -v samtools >/dev/null || { echo "samtools not found"; exit 1; }

# tumour: 3000 pairs named t*, normal: 5000 pairs named n*, on two contigs, fixed positions
mk() { # prefix n chrB_length rg
    {
        printf '@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chrA\tLN:100000\n@SQ\tSN:chrB\tLN:%s\n' "$3"
        [ -n "$4" ] && printf '@RG\tID:%s\tSM:%s\n' "$4" "$1"
        awk -v p="$1" -v n="$2" -v rg="$4" 'BEGIN {
            s = "ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTAC"; q = s; gsub(/./, "I", q)
            t = (rg != "") ? "\tRG:Z:" rg : ""
            for (i = 0; i < n; i++) {
                c = (i % 3 == 0) ? "chrB" : "chrA"
                a = 1 + (i * 7919) % 60000; b = a + 150 + (i % 97)
                printf "%s%06d\t99\t%s\t%d\t60\t50M\t=\t%d\t%d\t%s\t%s%s\n", p, i, c, a, b, b + 50 - a, s, q, t
                printf "%s%06d\t147\t%s\t%d\t60\t50M\t=\t%d\t%d\t%s\t%s%s\n", p, i, c, b, a, a - b - 50, s, q, t
            } }'
    } | samtools sort -o "$WORK/$1.bam" - 2>/dev/null
}
mk t 3000 80000 ""
mk n 5000 80000 "nrg"
mk x 100 70000 ""

run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.5,0.2,0.05 --seed 3 -o "$WORK/mix"
expect_rc 0
expect_err "mix.f0.2.bam: fraction 0.2:"
# total = min(3000/0.5, 5000/0.5, 3000/0.2, 5000/0.8, 3000/0.05, 5000/0.95) = 5000/0.95
for f in 0.5 0.2 0.05; do
    B="$WORK/mix.f$f.bam"
    samtools quickcheck "$B" && ok || bad "quickcheck $f"
    [ -s "$B.bai" ] && ok || bad "index $f"
    samtools view -H "$B" | grep -q 'SO:coordinate' && ok || bad "sorted header $f"
    # every read name appears exactly twice (pairs intact)
    odd=$(samtools view "$B" | cut -f1 | sort | uniq -c | awk '$1 != 2' | wc -l)
    [ "$odd" -eq 0 ] && ok || bad "f=$f: $odd names without both mates"
    nt=$(samtools view -c -f 64 -r tumour "$B")
    nn=$(samtools view -c -f 64 -r nrg "$B")
    # each source binomial(count, keep): |observed - expected| < 4 SD
    awk -v f="$f" -v nt="$nt" -v nn="$nn" 'BEGIN {
        D = 5000 / 0.95; kt = f * D / 3000; kn = (1 - f) * D / 5000
        et = 3000 * kt; en = 5000 * kn
        st = sqrt(3000 * kt * (1 - kt)); sn = sqrt(5000 * kn * (1 - kn))
        d1 = nt - et; d2 = nn - en; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
        exit !(d1 <= 4 * st + 1e-9 && d2 <= 4 * sn + 1e-9) }' && ok || bad "f=$f: $nt tumour, $nn normal pairs off the binomial expectation"
    samtools idxstats "$B" >/dev/null && ok || bad "idxstats $f"
done
# summary table
S="$WORK/mix.dilute.tsv"
head -1 "$S" | grep -q $'^fraction\tbam\tkeep_tumour' && ok || bad "summary header"
[ "$(awk -F'\t' '$1=="0.2" {print $3}' "$S")" = "0.350877" ] && ok || bad "keep_tumour 0.2*5263.16/3000"
[ "$(awk -F'\t' '$1=="0.2" {print $6}' "$S")" = "$(samtools view -c -f 64 -r tumour "$WORK/mix.f0.2.bam")" ] && ok || bad "summary count"

# same seed and series -> same records (threads change nothing); another seed -> different.
# The total per output is the largest every fraction of the series reaches, so the series
# (or --templates) is part of the recipe: 0.2 alone would allow a larger total.
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.05,0.2,0.5 --seed 3 -o "$WORK/again" --threads 2
expect_rc 0
cmp -s <(samtools view "$WORK/mix.f0.2.bam") <(samtools view "$WORK/again.f0.2.bam") && ok || bad "same seed differs"
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.05,0.2,0.5 --seed 4 -o "$WORK/other"
cmp -s <(samtools view "$WORK/mix.f0.2.bam") <(samtools view "$WORK/other.f0.2.bam") && bad "seed ignored" || ok

# --templates fixes the total whatever the series: 0.2 alone at 5000 templates
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.2 --templates 5000 -o "$WORK/fixed"
expect_rc 0
[ "$(awk -F'\t' 'NR==2 {print $3, $4}' "$WORK/fixed.dilute.tsv")" = "0.333333 0.8" ] && ok || bad "--templates keep probabilities"

# CRAM input (with --reference) gives the same records as BAM (CRAM decoding adds MD/NM
# tags, so the comparison is on the 11 SAM fields and the read group)
awk 'BEGIN { srand(5); print ">chrA"; for (i = 0; i < 100000; i += 60) { l = ""; for (j = 0; j < 60 && i + j < 100000; j++) l = l substr("ACGT", int(rand() * 4) + 1, 1); print l }
             print ">chrB"; for (i = 0; i < 80000; i += 60) { l = ""; for (j = 0; j < 60 && i + j < 80000; j++) l = l substr("ACGT", int(rand() * 4) + 1, 1); print l } }' >"$WORK/ref.fa"
samtools faidx "$WORK/ref.fa"
samtools view -C -T "$WORK/ref.fa" -o "$WORK/t.cram" "$WORK/t.bam" && ok || bad "make cram"
run "$METCN" dilute --tumour "$WORK/t.cram" --normal "$WORK/n.bam" --reference "$WORK/ref.fa" --fractions 0.05,0.2,0.5 --seed 3 -o "$WORK/cr"
expect_rc 0
sam11() { samtools view "$1" | awk 'BEGIN{OFS="\t"} { rg = ""; for (i = 12; i <= NF; i++) if ($i ~ /^RG:Z:/) rg = $i; NF = 11; print $0, rg }'; }
cmp -s <(sam11 "$WORK/mix.f0.2.bam") <(sam11 "$WORK/cr.f0.2.bam") && ok || bad "CRAM input differs from BAM input"
[ "$(sam11 "$WORK/cr.f0.2.bam" | wc -l)" -gt 1000 ] && ok || bad "CRAM mixture too small"

# inputs sharing read names (here the tumour against itself): without --prefix-names a name
# can carry two templates; with it every name has exactly its two mates
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/t.bam" --fractions 0.5 -o "$WORK/self"
expect_rc 0
[ "$(samtools view "$WORK/self.f0.5.bam" | cut -f1 | sort | uniq -c | awk '$1 == 4' | wc -l)" -gt 0 ] && ok || bad "shared names expected"
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/t.bam" --fractions 0.5 --prefix-names -o "$WORK/selfp"
expect_rc 0
[ "$(samtools view "$WORK/selfp.f0.5.bam" | cut -f1 | sort | uniq -c | awk '$1 != 2' | wc -l)" -eq 0 ] && ok || bad "prefixed names not unique pairs"
samtools view "$WORK/selfp.f0.5.bam" | cut -f1 | grep -qv '^[tn]\.t' && bad "names without prefix" || ok
# the prefix does not change which templates are kept
[ "$(samtools view -c "$WORK/self.f0.5.bam")" -eq "$(samtools view -c "$WORK/selfp.f0.5.bam")" ] && ok || bad "prefix changed the selection"
samtools view -H "$WORK/selfp.f0.5.bam" | grep -q $'@RG\tID:normal' && ok || bad "normal read group"

# errors
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/x.bam" --fractions 0.5 -o "$WORK/bad"
expect_rc 1
expect_err "metcn dilute: $WORK/t.bam and $WORK/x.bam: headers differ at contig 2 (chrB:80000 vs chrB:70000)"
expect_no_file "$WORK/bad.f0.5.bam"
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.5,x -o "$WORK/bad"
expect_rc 2
expect_err "--fractions: 'x' is not a valid number"
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 1.2 -o "$WORK/bad"
expect_rc 2
expect_err "--fractions: '1.2' is out of range"
run "$METCN" dilute --tumour "$WORK/t.bam" --normal "$WORK/n.bam" --fractions 0.5 -o "$WORK/bad" --templates 999999
expect_rc 1
expect_err "999999 templates per output requested"
run "$METCN" dilute --tumour "$WORK/t.bam" --fractions 0.5 -o "$WORK/bad"
expect_rc 2
expect_err "--tumour and --normal are required"
run "$METCN" dilute --tumour "$WORK/none.bam" --normal "$WORK/n.bam" --fractions 0.5 -o "$WORK/bad"
expect_rc 1
expect_err "metcn dilute: $WORK/none.bam: cannot open"
expect_no_file "$WORK/bad.dilute.tsv"
run "$METCN" dilute --help
expect_rc 0
expect_out "--seed INT             hashing seed [1]"
finish
