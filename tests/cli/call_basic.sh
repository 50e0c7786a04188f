# CLI tests of `metcn call`: usage errors (exit 2, naming the option) and runtime errors
# (exit 1, one line naming the file) that need no fixture data.
. "$(dirname "$0")/lib.bash" "$@"

run "$METCN" call --help
expect_rc 0
expect_out "--purity P|P+-D|LO-HI"
expect_out "[0.95]" # defaults printed from metcn_call_opt_init()
expect_out "--gene LIST"
expect_out "[MET=camidge,ERBB2=asco-cap-2018,"
expect_out "EGFR=colorado, any other gene ratio2]"
# every threshold is an option with its default
for t in "--high-amp-cn F" "--mapd-warn F" "--mapd-fail F" "--depth-warn F" "--gc-fail F" \
    "--noise-warn F" "--hetero-alpha F" "--control-bins-warn INT" "--min-pon-normals INT" \
    "--focal-min-z F"; do
    expect_out "$t"
done
expect_out "high-level amplification: copies above this [10]"
expect_out "QC warn: noise factor above this [1.5]"
expect_out "QC warn: fewer control bins used [10]"
expect_out "--sample-type T        tissue or plasma [the PoN's type, else tissue]"
expect_out "--tumour-fraction F|F+-D|LO-HI"
expect_out "--vaf V[:DEPTH]"
expect_out "detected: implied tumour-cell gene/control ratio >= this [2]"
expect_out "detected: one-sided level of the gene-over-control test [0.001]"
expect_out "lod_tf_cn5/cn10: detection probability of 5 / 10 copies [0.95]"

run "$METCN" call
expect_rc 2
expect_err "-o PREFIX is required"
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
# plasma options (issue 18): the tumour fraction's grammar, --vaf, the sample type, and one
# tumour fraction per run
for bad in 0 1.5 abc 0.05-0.01; do
    run "$METCN" call --pon x.pon -o "$WORK/o" --tumour-fraction "$bad" t.bam
    expect_rc 2
    expect_err "--tumour-fraction: '$bad'"
done
for bad in 0 0.6 -0.1 0.1:0; do
    run "$METCN" call --pon x.pon -o "$WORK/o" --vaf "$bad" t.bam
    expect_rc 2
    expect_err "--vaf: '$bad': the allele fraction must lie in (0,0.5]"
done
for bad in abc 0.1: 0.1:x 0.1:1.5; do
    run "$METCN" call --pon x.pon -o "$WORK/o" --vaf "$bad" t.bam
    expect_rc 2
    expect_err "--vaf: '$bad' is not V or V:DEPTH"
done
run "$METCN" call --pon x.pon -o "$WORK/o" --sample-type serum t.bam
expect_rc 2
expect_err "--sample-type: 'serum' is not tissue or plasma"
run "$METCN" call --pon x.pon -o "$WORK/o" --purity 0.3 --vaf 0.1 t.bam
expect_rc 2
expect_err "--vaf: --purity was given already (one tumour fraction per run)"
run "$METCN" call --pon x.pon -o "$WORK/o" --tumour-fraction 0.1 --purity 0.3 t.bam
expect_rc 2
expect_err "--purity: --tumour-fraction was given already"
run "$METCN" call --pon x.pon -o "$WORK/o" --detect-alpha 0.7 t.bam
expect_rc 2
expect_err "--detect-alpha: '0.7' is out of range"
run "$METCN" call --pon x.pon -o "$WORK/o" --lod-power 1 t.bam
expect_rc 2
expect_err "--lod-power: '1' is out of range"
run "$METCN" call --pon x.pon -o "$WORK/o" --detect-min-ratio 0.5 t.bam
expect_rc 2
expect_err "--detect-min-ratio: '0.5' is out of range"
run "$METCN" call --pon x.pon -o "$WORK/o" --criteria fish t.bam
expect_rc 2
expect_err "--criteria: unknown preset 'fish'"
run "$METCN" call --pon x.pon -o "$WORK/o" --criteria asco-cap-2018 t.bam
expect_rc 2
expect_err "--criteria: asco-cap-2018 is for gene ERBB2, which --gene does not list"
run "$METCN" call --pon x.pon -o "$WORK/o" --gene MET,EGFR --criteria EGFR=nope t.bam
expect_rc 2
expect_err "--criteria: unknown preset 'nope'"
run "$METCN" call --pon x.pon -o "$WORK/o" --gene MET,met t.bam
expect_rc 2
expect_err "--gene: met given twice"
run "$METCN" call --pon x.pon -o "$WORK/o" --gene , t.bam
expect_rc 2
expect_err "--gene: empty gene list"
run "$METCN" call --pon x.pon -o "$WORK/o" --high-amp-cn ten t.bam
expect_rc 2
expect_err "--high-amp-cn: 'ten' is not a valid number"
run "$METCN" call --pon x.pon -o "$WORK/o" --mapd-warn 0.6 t.bam
expect_rc 2
expect_err "mapd_warn 0.6 must lie in (0, mapd_fail 0.5]"
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
