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

# show: the built-in exons with roles and arms
run "$METCN" panel show --panel grch38-met
expect_rc 0
expect_out $'chr7\t116699084\t116700284\tMET_ex2\ttarget\tq'
[ "$(grep -c $'\ttarget\t' "$WORK/.out")" -eq 20 ] && ok || bad "20 MET exons"

run "$METCN" panel show --panel grch38 --bin-size 5000000 -o "$WORK/g.bed"
expect_rc 0
[ "$(awk '$5=="target"' "$WORK/g.bed" | wc -l)" -eq 20 ] && ok || bad "targets in tiled layout"
[ "$(awk '$1=="chr7" && $5=="control" && $6=="p"' "$WORK/g.bed" | wc -l)" -gt 5 ] && ok || bad "7p controls"

# check: a good BED with counts per role, against a header given as SAM text
printf '@SQ\tSN:7\tLN:159345973\n@SQ\tSN:1\tLN:248956422\n' >"$WORK/h.sam"
printf 'chr7\t116699084\t116700284\tMET_ex2\nchr7\t10000000\t10000100\tc1\nchr1\t1000\t2000\tr1\nchr9\t5\t10\tz\n' >"$WORK/p.bed"
run "$METCN" panel check --panel "$WORK/p.bed" --header "$WORK/h.sam"
expect_rc 0
expect_out $'bins_target\t1'
expect_out $'bins_control\t1'
expect_out $'bins_reference\t2'
expect_out "warning"
expect_out "contig chr9 is not in the header"
expect_out $'result\tOK'

# check: every problem is listed, exit 1, error names the file
printf 'chr7\t100\t50\nchr7\tx\t5\nchr1\t5\nchr7\t116699084\t116700284\tMET_ex2\nchr7\t116699184\t116700000\tMET\n' >"$WORK/bad.bed"
run "$METCN" panel check --panel "$WORK/bad.bed"
expect_rc 1
expect_out "bad.bed:1: start 100 >= end 50"
expect_out "bad.bed:2: bad start 'x'"
expect_out "bad.bed:3: too few columns"
expect_out "bad.bed:5: region chr7:116699184-116700000 overlaps the region on line 4"
expect_err "metcn panel: $WORK/bad.bed: 4 error(s) found"

# the target chromosome missing from the header is an error
printf '@SQ\tSN:1\tLN:248956422\n' >"$WORK/h1.sam"
run "$METCN" panel check --panel "$WORK/p.bed" --header "$WORK/h1.sam"
expect_rc 1
expect_out "contig chr7 is not in the header (it is the target gene's chromosome)"

# show with --merge accepts what check rejects
run "$METCN" panel show --panel "$WORK/bad.bed"
expect_rc 1
expect_err "metcn panel: $WORK/bad.bed:1: start 100 >= end 50"
printf 'chr7\t116699084\t116700284\tMET_ex2\nchr7\t116699184\t116700000\tMET\n' >"$WORK/ov.bed"
run "$METCN" panel show --panel "$WORK/ov.bed" --merge
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
