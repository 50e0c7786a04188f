# CLI tests of `metcn panel` and of the top-level command table.
. "$(dirname "$0")/lib.bash" "$@"

run "$METCN" --version
expect_rc 0
expect_out "metcn 0.1.0"
expect_out "htslib "
expect_out "GSL "

run "$METCN" --help
expect_rc 0
for c in panel coverage pon call concordance dilute; do expect_out "  $c "; done
run "$METCN"
expect_rc 2
run "$METCN" frobnicate
expect_rc 2
expect_err "metcn: unknown command 'frobnicate'"

run "$METCN" panel --help
expect_rc 0
expect_out "--window INT"
expect_out "[10000000]" # default printed from metcn_panel_opt_init()
expect_out "[100000]"

run "$METCN" panel list
expect_rc 0
expect_out "grch38 "
expect_out "grch37-met "

# show: the built-in exons with the panel's roles (no gene), then MET's roles and arms
run "$METCN" panel show --panel grch38-met
expect_rc 0
expect_out $'chr7\t116699084\t116700284\tMET_ex2\treference\tq'
[ "$(grep -c $'\ttarget\t' "$WORK/.out")" -eq 0 ] && ok || bad "gene roles without --gene"
sum=$(head -n 1 "$WORK/.out" | sed 's/.*checksum=\([0-9a-f]*\).*/\1/')
run "$METCN" panel show --panel grch38-met --gene MET
expect_rc 0
expect_out $'chr7\t116699084\t116700284\tMET_ex2\ttarget\tq'
expect_out "gene=MET"
[ "$(grep -c $'\ttarget\t' "$WORK/.out")" -eq 20 ] && ok || bad "20 MET exons"
# the panel's checksum does not depend on the gene viewed
expect_out "checksum=$sum"

run "$METCN" panel show --panel grch38 --bin-size 5000000 --gene MET -o "$WORK/g.bed"
expect_rc 0
[ "$(awk '$5=="target"' "$WORK/g.bed" | wc -l)" -eq 20 ] && ok || bad "targets in tiled layout"
[ "$(awk '$1=="chr7" && $5=="control" && $6=="p"' "$WORK/g.bed" | wc -l)" -gt 5 ] && ok || bad "7p controls"
[ "$(awk '$1=="chr17" && $5!="reference"' "$WORK/g.bed" | wc -l)" -eq 0 ] && ok || bad "chr17 is reference for MET"
# ERBB2 (chr17, from the built-in gene table): the 5 Mb tile over it is the target, chr17's
# other tiles are its flank / control, with arms from chr17's centromere (22.7-27.4 Mb)
run "$METCN" panel show --panel grch38 --bin-size 5000000 --gene ERBB2 -o "$WORK/e.bed"
expect_rc 0
[ "$(awk '$5=="target"' "$WORK/e.bed")" = $'chr17\t35000000\t40000000\t.\ttarget\tq' ] && ok || bad "ERBB2 target tile"
[ "$(awk '$1=="chr17" && $5=="control" && $6=="p"' "$WORK/e.bed" | wc -l)" -eq 4 ] && ok || bad "17p controls"
[ "$(awk '$1=="chr7" && $5!="reference"' "$WORK/e.bed" | wc -l)" -eq 0 ] && ok || bad "chr7 is reference for ERBB2"

# check: a good BED with counts per role, against a header given as SAM text
printf '@SQ\tSN:7\tLN:159345973\n@SQ\tSN:1\tLN:248956422\n' >"$WORK/h.sam"
printf 'chr7\t116699084\t116700284\tMET_ex2\nchr7\t10000000\t10000100\tc1\nchr1\t1000\t2000\tr1\nchrUn_z\t5\t10\tz\n' >"$WORK/p.bed"
run "$METCN" panel check --panel "$WORK/p.bed" --header "$WORK/h.sam"
expect_rc 0
expect_out $'bins_reference\t3'
expect_out $'bins_other\t1'
expect_out $'gene\tMET'
expect_out $'bins_target\t1'
expect_out $'bins_control\t1'
expect_out "warning"
expect_out "contig chrUn_z is not in the header"
expect_out $'result\tOK'
# a gene the panel does not hold is a warning (the panel still serves coverage), per gene
run "$METCN" panel check --panel "$WORK/p.bed" --header "$WORK/h.sam" --gene MET,ERBB2
expect_rc 0
expect_out $'gene\tMET'
expect_out "warning"$'\t'"panel $WORK/p.bed: gene ERBB2 is on chr17, which the panel does not have"

# check: every problem is listed, exit 1, error names the file
printf 'chr7\t100\t50\nchr7\tx\t5\nchr1\t5\nchr7\t116699084\t116700284\tMET_ex2\nchr7\t116699184\t116700000\tMET\n' >"$WORK/bad.bed"
run "$METCN" panel check --panel "$WORK/bad.bed"
expect_rc 1
expect_out "bad.bed:1: start 100 >= end 50"
expect_out "bad.bed:2: bad start 'x'"
expect_out "bad.bed:3: too few columns"
expect_out "bad.bed:5: region chr7:116699184-116700000 overlaps the region on line 4"
expect_err "metcn panel: $WORK/bad.bed: 4 error(s) found"

# an autosome missing from the header is an error
printf '@SQ\tSN:1\tLN:248956422\n' >"$WORK/h1.sam"
run "$METCN" panel check --panel "$WORK/p.bed" --header "$WORK/h1.sam"
expect_rc 1
expect_out "contig chr7 is not in the header (an autosome: its bins would read nothing)"

# show with --merge accepts what check rejects
run "$METCN" panel show --panel "$WORK/bad.bed"
expect_rc 1
expect_err "metcn panel: $WORK/bad.bed:1: start 100 >= end 50"
printf 'chr7\t116699084\t116700284\tMET_ex2\nchr7\t116699184\t116700000\tMET\n' >"$WORK/ov.bed"
run "$METCN" panel show --panel "$WORK/ov.bed" --merge --gene MET
expect_rc 0
expect_out $'chr7\t116699084\t116700284\tMET_ex2,MET\ttarget'

# usage errors: exit 2, naming the option
run "$METCN" panel show --panel grch38 --bin-size 12x
expect_rc 2
expect_err "--bin-size: '12x' is not a valid number"
run "$METCN" panel show --panel grch38 --window -5
expect_rc 2
expect_err "--window: '-5' is out of range"
run "$METCN" panel show
expect_rc 2
expect_err "--panel is required"
run "$METCN" panel show --panel grch38-met --window 5
expect_rc 2
expect_err "--window needs --gene"
run "$METCN" panel show --panel grch38 --gene NOSUCH
expect_rc 1
expect_err "metcn panel: panel grch38: no bins named after gene NOSUCH"
run "$METCN" panel explode
expect_rc 2
run "$METCN" panel show --panel /nonexistent.bed
expect_rc 1
expect_err "metcn panel: /nonexistent.bed: cannot open"
# no half-written output on failure
run "$METCN" panel show --panel "$WORK/bad.bed" -o "$WORK/never.bed"
expect_no_file "$WORK/never.bed"
# a gzip-compressed BED reads like a plain one
gzip -c "$WORK/p.bed" >"$WORK/p.bed.gz"
run "$METCN" panel show --panel "$WORK/p.bed.gz"
expect_rc 0
expect_out $'chr1\t1000\t2000\tr1\treference'
finish
