# CLI tests of `metcn coverage` allele counts, fragment-length classes, size selection and
# coordinate dedup, on the germline and plasma fixtures: the allele table beside the table,
# index == stream, a table read back (--from-table) keeps its alleles, allele fractions of the
# matched normal's heterozygous sites near 0.5, and every bad input with its message.
. "$(dirname "$0")/lib.bash" "$@"
D=${METCN_TESTDATA:?}
cd "$D" || exit 1
body() { grep -v '^##' "$1"; }

run "$METCN" coverage --help
expect_rc 0
expect_out "--frag-classes LIST    fragment-length class edges"
expect_out "[90,150,220]"
expect_out "--min-baseq INT        bases below this quality are not counted at a site [20]"
expect_out "--snp-flank INT        sites within INT bp of a bin are counted [150]"

# allele counts: index and stream agree; the allele table is named in the header
run "$METCN" coverage --panel panel.bed --snps sites.vcf.gz -o "$WORK/n.tsv" -v germline/G_N.bam
expect_rc 0
expect_err "sites within 150 bp of the bins"
[ -s "$WORK/n.alleles.tsv" ] && ok || bad "no allele table"
grep -q '^##alleles=n.alleles.tsv sites=[0-9]* min_baseq=20$' "$WORK/n.tsv" && ok || bad "##alleles"
head -4 "$WORK/n.alleles.tsv" | grep -q '^#chrom	pos	ref	alt	ref_count	alt_count	other_count$' &&
    ok || bad "allele table columns"
run "$METCN" coverage --panel panel.bed --snps sites.vcf.gz -o "$WORK/s.tsv.gz" --stream germline/G_N.bam
expect_rc 0
[ -s "$WORK/s.alleles.tsv.gz" ] && ok || bad "no bgzipped allele table"
cmp -s <(body "$WORK/n.alleles.tsv") <(zcat "$WORK/s.alleles.tsv.gz" | grep -v '^##') && ok ||
    bad "index and stream allele counts differ"
cmp -s <(body "$WORK/n.tsv") <(zcat "$WORK/s.tsv.gz" | grep -v '^##') && ok ||
    bad "index and stream tables differ"
# the matched normal: heterozygous sites (from the simulator's genotypes) near 0.5 alt
awk -F'\t' 'NR == FNR { if (FNR > 1 && $6 != $7) het[$1 ":" $2] = 1; next }
    !/^#/ && ($1 ":" $2) in het { a += $6; n += $5 + $6 }
    END { f = a / n; print f; exit !(n > 20000 && f > 0.47 && f < 0.53) }' \
    germline/G_N.genotypes.tsv "$WORK/n.alleles.tsv" >"$WORK/f" && ok ||
    bad "het allele fraction $(cat "$WORK/f")"
# an independent count: bcftools mpileup's AD at the same sites (no BAQ, base quality 20, the
# same flag filters, no depth cap; its overlap detection counts a fragment once) -- equal up to
# 0.1% of the bases (ties between disagreeing mates of equal quality are resolved otherwise)
if command -v bcftools >/dev/null; then
    for s in G_N G_T1; do
        "$METCN" coverage --panel panel.bed --snps sites.vcf.gz -o "$WORK/$s.tsv" "germline/$s.bam" 2>/dev/null
        bcftools mpileup -f ref.fa -T sites.vcf.gz -a AD -B -Q 20 -q 0 -d 1000000 \
            --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY "germline/$s.bam" 2>/dev/null |
            bcftools query -f '%CHROM\t%POS\t%ALT\t[%AD]\n' >"$WORK/$s.bcf"
        awk -F'\t' 'NR == FNR { if (!/^#/) m[$1 ":" $2] = $4 " " $5 " " $6; next }
            ($1 ":" $2) in m { split(m[$1 ":" $2], c, " "); na = split($3, alt, ","); split($4, ad, ",")
                a = 0; for (i = 1; i <= na; i++) if (alt[i] == c[1]) a = ad[i + 1]
                d += (ad[1] > c[2] ? ad[1] - c[2] : c[2] - ad[1]) + (a > c[3] ? a - c[3] : c[3] - a)
                tot += c[2] + c[3]; n++ }
            END { printf "%d sites, %d of %d bases differ\n", n, d, tot; exit !(n > 400 && d <= tot / 1000) }' \
            "$WORK/$s.alleles.tsv" "$WORK/$s.bcf" >"$WORK/cmp" && ok || bad "$s against bcftools: $(cat "$WORK/cmp")"
    done
fi
# a table read back keeps its alleles (--from-table writes them again)
run "$METCN" coverage --panel panel.bed --from-table "$WORK/n.tsv" -o "$WORK/r.tsv"
expect_rc 0
cmp -s <(body "$WORK/n.alleles.tsv") <(body "$WORK/r.alleles.tsv") && ok || bad "alleles read back"
# its allele table gone: refused, naming both files
mv "$WORK/n.alleles.tsv" "$WORK/gone.tsv"
run "$METCN" coverage --panel panel.bed --from-table "$WORK/n.tsv" -o "$WORK/o.tsv"
expect_rc 1
expect_err "n.tsv: its allele table"
expect_no_file "$WORK/o.tsv"

# fragment-length classes and size selection (plasma: short tumour fragments)
run "$METCN" coverage --panel plasma_panel.bed -o "$WORK/p.tsv" plasma/PS_t0.bam
expect_rc 0
body "$WORK/p.tsv" | head -1 | grep -q '	frag_0_90	frag_90_150	frag_150_220	frag_220_1001$' && ok ||
    bad "class columns: $(body "$WORK/p.tsv" | head -1)"
# classes sum to at most the fragments
body "$WORK/p.tsv" | awk -F'\t' 'NR > 1 && $(NF-3) + $(NF-2) + $(NF-1) + $NF > $7 {bad = 1} END {exit bad}' &&
    ok || bad "classes above fragments"
run "$METCN" coverage --panel plasma_panel.bed --frag-classes 150 --size-select 90-150 -o "$WORK/q.tsv" plasma/PS_t0.bam
expect_rc 0
grep -q '^##filters=.* size_select:90-150$' "$WORK/q.tsv" && ok || bad "size_select in ##filters"
body "$WORK/q.tsv" | head -1 | grep -q '	dropped_fraglen	frag_0_150	frag_150_1001$' && ok ||
    bad "columns with size selection: $(body "$WORK/q.tsv" | head -1)"
# selected: no fragment of 150 bp or more, and fewer fragments than without selection
paste <(body "$WORK/p.tsv" | cut -f7) <(body "$WORK/q.tsv" | awk -F'\t' '{print $7 "\t" $NF}') |
    awk 'NR > 1 { a += $1; b += $2; if ($3 != 0) bad = 1 } END { exit bad || !(b > 0.2 * a && b < 0.8 * a) }' &&
    ok || bad "size selection counts"
# coordinate dedup: fewer or as many fragments as the flags leave
run "$METCN" coverage --panel panel.bed --dedup coord -o "$WORK/d.tsv" germline/G_N.bam
expect_rc 0
grep -q '^##filters=.* dedup:coord$' "$WORK/d.tsv" && ok || bad "dedup in ##filters"

# bad inputs: one line, the exit code, nothing left behind
run "$METCN" coverage --panel panel.bed --size-select 150-90 -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 2
expect_err "--size-select: '150-90' is not MIN-MAX"
run "$METCN" coverage --panel panel.bed --dedup maybe -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 2
expect_err "--dedup: 'maybe' is not flag or coord"
run "$METCN" coverage --panel panel.bed --frag-classes 150,90 -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 2
expect_err "--frag-classes: '150,90' is not a list"
run "$METCN" coverage --panel panel.bed --min-baseq 94 -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 2
run "$METCN" coverage --panel panel.bed --snps "$WORK/none.vcf.gz" -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 1
expect_err "metcn coverage: $WORK/none.vcf.gz: cannot open"
expect_no_file "$WORK/o.tsv"
expect_no_file "$WORK/o.alleles.tsv"
run "$METCN" coverage --panel panel.bed --snps panel.bed -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 1
expect_err "panel.bed: not a VCF or BCF file"
printf '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr7\tMET\t.\tA\tC\t.\t.\t.\n' >"$WORK/cut.vcf"
run "$METCN" coverage --panel panel.bed --snps "$WORK/cut.vcf" -o "$WORK/o.tsv" germline/G_N.bam
expect_rc 1
expect_err "cut.vcf: malformed VCF record (record 1)"
expect_no_file "$WORK/o.tsv"
run "$METCN" coverage --panel panel.bed --snps sites.vcf.gz -o - germline/G_N.bam
expect_rc 1
expect_err "standard output"
finish
