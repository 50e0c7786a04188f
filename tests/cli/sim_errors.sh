# CLI tests of metcn-sim: usage errors (exit 2), runtime errors (exit 1, no output left
# behind), help text with defaults, and a small WGS-mode run.
. "$(dirname "$0")/lib.bash" "$@"
SIM=${METCN_SIM:-$BUILD/metcn-sim}
TD=${METCN_TESTDATA:-$BUILD/testdata}

run "$SIM"
expect_rc 2
run "$SIM" frobnicate
expect_rc 2
expect_err "metcn-sim: unknown command 'frobnicate'"
run "$SIM" --help
expect_rc 0
expect_out "  reads "

run "$SIM" reads --help
expect_rc 0
expect_out "--depth FLOAT"
expect_out "[300]"
expect_out "[0.002]"

# usage errors
run "$SIM" reads -o "$WORK/x" -b "$TD/panel.bed"
expect_rc 2
expect_err "metcn-sim reads: --ref and --out are required"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x"
expect_rc 2
expect_err "give exactly one of --bed and --wgs"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" -b "$TD/panel.bed" --wgs
expect_rc 2
expect_err "give exactly one of --bed and --wgs"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --depth abc
expect_rc 2
expect_err "--depth: 'abc' is not a number"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --purity 1.5
expect_rc 2
expect_err "--purity: '1.5' is not a number in [0, 1]"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --sex XZ
expect_rc 2
expect_err "--sex: 'XZ' is not XX or XY"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --seg chr7:100-50:3
expect_rc 2
expect_err "--seg: 'chr7:100-50:3' is not CONTIG:START-END:CN"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --amp-start 5000 --amp-end 4000
expect_rc 2
expect_err "--amp-end must be above --amp-start"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --no-bam
expect_rc 2
expect_err "writes nothing"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --frobnicate
expect_rc 2
run "$SIM" ref -o "$WORK/r.fa" --gc-min 0.7 --gc-max 0.5
expect_rc 2
expect_err "--gc-min 0.7 is above --gc-max 0.5"
run "$SIM" ref -o "$WORK/r.fa" --contigs chrQ
expect_rc 2
expect_err "names no GRCh38 contig"
run "$SIM" panel -r "$TD/ref.fa" -o "$WORK/p.bed" --size-min 300 --size-max 200
expect_rc 2
expect_err "--size-min 300 is above --size-max 200"
run "$SIM" panel -r "$TD/ref.fa" -o "$WORK/p.bed" --n-other 1000000
expect_rc 2
expect_err "too many targets"
expect_no_file "$WORK/p.bed"

# runtime errors leave nothing behind
run "$SIM" reads -r "$WORK/missing.fa" -o "$WORK/x" --wgs
expect_rc 1
expect_err "metcn-sim reads: $WORK/missing.fa: cannot open the FASTA or its index"
expect_no_file "$WORK/x.bam"
expect_no_file "$WORK/x.truth.tsv"
printf 'chr7\t100\t200\tA\nchrQ\t100\t200\tB\n' >"$WORK/bad.bed"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" -b "$WORK/bad.bed"
expect_rc 1
expect_err "chrQ"
expect_no_file "$WORK/x.bam"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --contigs chrQ
expect_rc 1
expect_err "contig chrQ is not in the reference"
expect_no_file "$WORK/x.bam"
run "$SIM" ref -o "$WORK/r1.fa" --contigs chr1 -L 200000
expect_rc 0
run "$SIM" panel -r "$WORK/r1.fa" -o "$WORK/p.bed"
expect_rc 1
expect_err "no full-length chr7"
expect_no_file "$WORK/p.bed"
run "$SIM" reads -r "$WORK/r1.fa" -o "$WORK/nodir/x" --wgs
expect_rc 1
expect_err "cannot open for writing"

# germline sites and the new options of reads: usage and runtime errors
run "$SIM" snps --help
expect_rc 0
expect_out "[0.05]"
run "$SIM" snps -r "$TD/ref.fa" -o "$WORK/s.vcf"
expect_rc 2
expect_err "--out must end in .vcf.gz"
run "$SIM" snps -r "$TD/ref.fa" -o "$WORK/s.vcf.gz" --density 0
expect_rc 2
expect_err "--density: '0' is not a number"
run "$SIM" snps -r "$WORK/missing.fa" -o "$WORK/s.vcf.gz"
expect_rc 1
expect_err "missing.fa: cannot open the FASTA or its index"
expect_no_file "$WORK/s.vcf.gz"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --seg chr3:0-100:1+2
expect_rc 2
expect_err "MAJOR+MINOR (MAJOR >= MINOR)"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --tumour-frag-mean 145
expect_rc 2
expect_err "--tumour-frag-mean 145 is below --frag-min 150 (give --frag-min)"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --frag-min 10
expect_rc 2
expect_err "--frag-min: '10' is not an integer in [20, 2000]"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --snps "$WORK/missing.vcf.gz"
expect_rc 1
expect_err "missing.vcf.gz: cannot read as a VCF/BCF file"
expect_no_file "$WORK/x.bam"
printf '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t50000\t.\tA\tC\t.\t.\t.\n' >"$WORK/noaf.vcf"
run "$SIM" reads -r "$TD/ref.fa" -o "$WORK/x" --wgs --snps "$WORK/noaf.vcf"
expect_rc 1
expect_err "noaf.vcf: record 1 (chr1:50000) has no INFO/AF"
expect_no_file "$WORK/x.bam"

# a small WGS-mode sample on a 200 kb chr1: uniform depth, valid files
run "$SIM" reads -r "$WORK/r1.fa" -o "$WORK/w" --wgs -d 10 --cram --dup 0 --supp 0
expect_rc 0
if [ -s "$WORK/w.truth.tsv" ] && grep -q "	wgs	" "$WORK/w.truth.tsv"; then ok; else bad "no WGS truth"; fi
if command -v samtools >/dev/null; then
    run samtools quickcheck "$WORK/w.bam" "$WORK/w.cram"
    expect_rc 0
    # 180 kb of sequence (10 kb of N at each end) at 10x in 150 bp reads: ~12,000 reads
    run samtools view -c "$WORK/w.bam"
    if [ "$OUT" -gt 10800 ] && [ "$OUT" -lt 13200 ]; then ok; else bad "WGS read count $OUT"; fi
fi
# germline sites over that chr1 and a sample carrying them: a tabix-indexed VCF with AF, the
# genotypes and segments beside the truth
run "$SIM" snps -r "$WORK/r1.fa" -o "$WORK/s.vcf.gz" --density 5 -s 3
expect_rc 0
if [ -s "$WORK/s.vcf.gz.tbi" ]; then ok; else bad "no .tbi"; fi
n_sites=$(zcat "$WORK/s.vcf.gz" | grep -vc '^#')
if [ "$n_sites" -gt 700 ] && [ "$n_sites" -lt 1100 ]; then ok; else bad "$n_sites sites (5 per kb of 180 kb)"; fi
if zcat "$WORK/s.vcf.gz" | awk -F'\t' '!/^#/ && ($4 !~ /^[ACGT]$/ || $5 !~ /^[ACGT]$/ || $4 == $5 || $8 !~ /^AF=0\.[0-9]+$/) {bad=1} END{exit bad}'; then ok; else bad "malformed site"; fi
run "$SIM" reads -r "$WORK/r1.fa" -o "$WORK/g" --wgs -d 10 --snps "$WORK/s.vcf.gz" --seg chr1:0-100000:2+0
expect_rc 0
if [ "$(tail -n +2 "$WORK/g.genotypes.tsv" | wc -l)" -eq "$n_sites" ]; then ok; else bad "genotype rows"; fi
if grep -q "^chr1	0	100000	2	2	0$" "$WORK/g.segments.tsv"; then ok; else bad "segments: $(cat "$WORK/g.segments.tsv")"; fi
finish
