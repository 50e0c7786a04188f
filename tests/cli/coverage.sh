# CLI tests of `metcn coverage` on the generated fixtures: BAM == CRAM, index == stream,
# table conversion, and every bad input with its message and exit code.
. "$(dirname "$0")/lib.bash" "$@"
D=${METCN_TESTDATA:?}
cd "$D" || exit 1
body() { grep -v '^##' "$1"; }

run "$METCN" coverage --help
expect_rc 0
expect_out "-Q, --min-mapq INT     drop reads with MAPQ below INT [0]"
expect_out "[0xf04]"

run "$METCN" coverage --panel panel.bed -o "$WORK/idx.tsv" -T ref.fa --gc -v N01.bam
expect_rc 0
expect_err "index (multi-region iterator) mode"
grep -qF "debug:" "$WORK/.err" && bad "-v alone logs debug lines" || ok
run "$METCN" coverage --panel panel.bed -o "$WORK/idx2.tsv" -v -v N01.bam
expect_rc 0
expect_err "reader 0 mate tables: primary 1024 slots"
run "$METCN" coverage --panel panel.bed -o "$WORK/str.tsv.gz" -T ref.fa --gc --stream N01.bam
expect_rc 0
run "$METCN" coverage --panel panel.bed -o "$WORK/cram.tsv" -T ref.fa --gc -@ 2 N01.cram
expect_rc 0
cat N01.bam | "$METCN" coverage --panel panel.bed -o "$WORK/stdin.tsv" -T ref.fa --gc - 2>"$WORK/e"
[ $? -eq 0 ] && ok || bad "stdin run"
body "$WORK/idx.tsv" >"$WORK/a"
zcat "$WORK/str.tsv.gz" | grep -v '^##' >"$WORK/b"
body "$WORK/cram.tsv" >"$WORK/c"
body "$WORK/stdin.tsv" >"$WORK/d"
cmp -s "$WORK/a" "$WORK/b" && ok || bad "index and stream tables differ"
cmp -s "$WORK/a" "$WORK/c" && ok || bad "BAM and CRAM tables differ"
cmp -s "$WORK/a" "$WORK/d" && ok || bad "file and stdin tables differ"
# the kind is read from the content: a BAM named .txt (no index found: streamed), the table
# named .bam converts back to itself; -T alone decodes CRAM and adds no gc column
cp N01.bam "$WORK/n01.txt"
run "$METCN" coverage --panel panel.bed -o "$WORK/txt.tsv" -T ref.fa --gc "$WORK/n01.txt"
expect_rc 0
body "$WORK/txt.tsv" | cmp -s - "$WORK/a" && ok || bad "BAM named .txt"
cp "$WORK/idx.tsv" "$WORK/table.bam"
run "$METCN" coverage --panel panel.bed -o "$WORK/tab.tsv" "$WORK/table.bam"
expect_rc 0
body "$WORK/tab.tsv" | cmp -s - "$WORK/a" && ok || bad "table named .bam"
run "$METCN" coverage --panel panel.bed -o "$WORK/nogc.tsv" -T ref.fa N01.cram
expect_rc 0
grep -q $'\tmean_depth\tdropped_unmapped' "$WORK/nogc.tsv" && ok || bad "-T alone added a gc column"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" --gc N01.bam
expect_rc 2
expect_err "--gc needs the reference FASTA"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" --gene MET N01.bam
expect_rc 2
expect_err "--gene: a coverage table is gene-independent"
printf 'hello\tworld\n' >"$WORK/junk.bam"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" "$WORK/junk.bam"
expect_rc 1
expect_err "junk.bam: unrecognised content: not a BAM, CRAM or SAM file, nor a coverage table"
expect_no_file "$WORK/o.tsv"
grep -q '^##sample=N01$' "$WORK/idx.tsv" && ok || bad "sample name header"
grep -q '^##filters=min_mapq:0 exclude_flags:0xf04' "$WORK/idx.tsv" && ok || bad "filters header"
grep -q '^##command=metcn coverage' "$WORK/idx.tsv" && ok || bad "command header"
[ "$(wc -l <"$WORK/a")" -eq $(($(grep -vc '^#' panel.bed) + 1)) ] && ok || bad "one row per bin"
# every bin has a GC value and the targets have reads
awk -F'\t' 'NR>1 && ($9=="NA" || $9<0.2 || $9>0.8){bad=1} END{exit bad}' "$WORK/a" && ok || bad "gc column"
awk -F'\t' 'NR>1 && $4 ~ /^MET/ && $7<10{bad=1} END{exit bad}' "$WORK/a" && ok || bad "MET bins counted"

# mosdepth and CNVkit outputs of the same bins read back to the same depths
if command -v mosdepth >/dev/null; then
    mosdepth -n -F 3844 -b panel.bed "$WORK/md" N01.bam
    run "$METCN" coverage --panel panel.bed -o "$WORK/md.tsv" --from-table "$WORK/md.regions.bed.gz"
    expect_rc 0
    paste <(body "$WORK/md.tsv" | cut -f8) <(cut -f8 "$WORK/a") | tail -n +2 |
        awk '{d=$1-$2; if(d<0)d=-d; if(d>0.006) bad=1} END{exit bad}' && ok || bad "mosdepth depths differ from metcn's"
fi
awk -F'\t' 'BEGIN{OFS="\t"; print "chromosome","start","end","gene","depth","log2"} NR>1{print $1,$2,$3,$4,$8,($8>0?log($8)/log(2):-20)}' "$WORK/a" >"$WORK/x.targetcoverage.cnn"
run "$METCN" coverage --panel panel.bed -o "$WORK/cnn.tsv" --from-table "$WORK/x.targetcoverage.cnn"
expect_rc 0
paste <(body "$WORK/cnn.tsv" | cut -f8) <(cut -f8 "$WORK/a") | tail -n +2 |
    awk '{d=$1-$2; if(d<0)d=-d; if(d>0.0001) bad=1} END{exit bad}' && ok || bad "cnn depths"

# bad inputs: one clear line, non-zero exit, no output left behind
run "$METCN" coverage -o "$WORK/o.tsv" N01.bam
expect_rc 2
expect_err "--panel is required"
run "$METCN" coverage --panel panel.bed N01.bam
expect_rc 2
expect_err "-o/--output is required"
# several inputs go with --outdir (tests/cli/batch.sh), not with -o
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" N01.bam N02.bam
expect_rc 2
expect_err "-o takes exactly one input file; give several with --outdir DIR"
expect_no_file "$WORK/o.tsv"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" --outdir "$WORK" N01.bam
expect_rc 2
expect_err "give either -o/--output (one input) or --outdir"
run "$METCN" coverage --panel panel.bed --outdir "$WORK" - N01.bam
expect_rc 2
expect_err "--outdir: standard input ('-') has no file name"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" -Q 9x N01.bam
expect_rc 2
expect_err "-Q/--min-mapq: '9x' is not a valid number"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" -F NOTAFLAG N01.bam
expect_rc 2
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" "$WORK/none.bam"
expect_rc 1
expect_err "none.bam: cannot open"
expect_no_file "$WORK/o.tsv"
# unsorted
{
    samtools view -H N01.bam
    samtools view N01.bam | awk 'BEGIN{srand(3)} {print rand()"\t"$0}' | sort -k1,1 | cut -f2-
} >"$WORK/unsorted.sam"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" "$WORK/unsorted.sam"
expect_rc 1
expect_err "not coordinate-sorted"
expect_no_file "$WORK/o.tsv"
# truncated
head -c $(($(stat -c %s N01.bam) / 2)) N01.bam >"$WORK/trunc.bam"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" --stream "$WORK/trunc.bam"
expect_rc 1
expect_err "trunc.bam: truncated"
expect_no_file "$WORK/o.tsv"
# stale index
cp N01.bam "$WORK/stale.bam"
cp N01.bam.bai "$WORK/stale.bam.bai"
touch -d '-2 hours' "$WORK/stale.bam.bai"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" "$WORK/stale.bam"
expect_rc 1
expect_err "stale.bam: the index is older than the file"
# CRAM with a wrong reference (same names and lengths, other bases)
awk '!/^>/{gsub(/A/,"T")} {print}' ref.fa >"$WORK/wrong.fa"
samtools faidx "$WORK/wrong.fa"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" -T "$WORK/wrong.fa" N01.cram
expect_rc 1
expect_err "does not match"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" -T "$WORK/missing.fa" N01.cram
expect_rc 1
expect_err "missing.fa"
# The FASTA's MD5 is taken from its sequence dictionary when one sits beside it: a dictionary
# with another M5 for chr7 is a mismatch; one written by samtools dict passes.
ln -s "$D/ref.fa" "$WORK/r2.fa"
ln -s "$D/ref.fa.fai" "$WORK/r2.fa.fai"
samtools dict -o "$WORK/r2.dict" "$WORK/r2.fa"
run "$METCN" coverage --panel panel.bed -o "$WORK/dict.tsv" -T "$WORK/r2.fa" --gc N01.cram
expect_rc 0
body "$WORK/dict.tsv" | cmp -s - "$WORK/a" && ok || bad "table with a .dict differs"
sed -i '/SN:chr7\t/s/M5:[0-9a-f]*/M5:00000000000000000000000000000000/' "$WORK/r2.dict"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" -T "$WORK/r2.fa" N01.cram
expect_rc 1
expect_err "does not match the file's chr7 (MD5 00000000000000000000000000000000"
expect_no_file "$WORK/o.tsv"
# header without the panel's autosomes (chr2 is the first the panel has and the header lacks)
printf '@SQ\tSN:chr1\tLN:2000000\n' >"$WORK/noc7.sam"
run "$METCN" coverage --panel panel.bed -o "$WORK/o.tsv" "$WORK/noc7.sam"
expect_rc 1
expect_err "noc7.sam: the header has no contig chr2 (nor an alias)"
# a table made with another panel
head -n 50 panel.bed >"$WORK/small.bed"
run "$METCN" coverage --panel "$WORK/small.bed" -o "$WORK/o.tsv" --from-table "$WORK/idx.tsv"
expect_rc 1
expect_err "matches no bin of panel"
expect_no_file "$WORK/o.tsv"
finish
