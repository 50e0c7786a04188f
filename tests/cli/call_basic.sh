# CLI tests of `metcn call`: usage errors (exit 2, naming the option) and runtime errors
# (exit 1, one line naming the file) that need no fixture data.
. "$(dirname "$0")/lib.bash" "$@"

run "$METCN" call --help
expect_rc 0
expect_out "--purity P|P+-D|LO-HI"
expect_out "[camidge]" # default printed from metcn_call_opt_init()
expect_out "[0.95]"

run "$METCN" call
expect_rc 2
expect_err "--pon is required"
run "$METCN" call --pon x.pon
expect_rc 2
expect_err "-o PREFIX is required"
run "$METCN" call --pon x.pon -o "$WORK/o"
expect_rc 2
expect_err "no tumour input given"
for bad in 0 1.5 -0.2 abc 0.5-0.3; do
    run "$METCN" call --pon x.pon -o "$WORK/o" --purity "$bad" t.bam
    expect_rc 2
    expect_err "--purity: '$bad'"
done
run "$METCN" call --pon x.pon -o "$WORK/o" --criteria fish t.bam
expect_rc 2
expect_err "--criteria: unknown preset 'fish'"
run "$METCN" call --pon x.pon -o "$WORK/o" --ploidy 0 t.bam
expect_rc 2
expect_err "--ploidy: '0' is out of range"
run "$METCN" call --pon x.pon -o "$WORK/o" --threads 2x t.bam
expect_rc 2
expect_err "--threads: '2x' is not a valid number"
run "$METCN" call --pon x.pon -o "$WORK/o" --frobnicate t.bam
expect_rc 2

# a PoN that does not exist: runtime error naming it, and no output files
run "$METCN" call --pon "$WORK/missing.pon" -o "$WORK/o" t.bam
expect_rc 1
expect_err "metcn call: "
expect_err "missing.pon"
expect_no_file "$WORK/o.calls.tsv"
expect_no_file "$WORK/o.json"
finish
