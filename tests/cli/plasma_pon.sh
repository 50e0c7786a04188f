# The plasma PoN (issue 18): `pon build --sample-type` and `--size-select` recorded in the PoN
# and shown by `pon info`; a PoN written before they were recorded reads as tissue, no
# selection; `call` takes the PoN's type (QC sample_type_mismatch when told otherwise) and its
# size selection; a size selection that differs between the PoN and a tumour, or between
# normals, is refused with one line naming the file; bad option values are usage errors.
. "$(dirname "$0")/lib.bash" "$@"
TD=${METCN_TESTDATA:-$BUILD/testdata}
M=$TD/plasma/manifest.tsv
if [ ! -s "$M" ]; then
    echo "FAIL: no plasma fixture manifest at $M (run the simdata fixture: ctest -R simdata)" >&2
    exit 1
fi
cd "$TD/plasma" || exit 1
P=../plasma_panel.bed
normals="PN01.bam PN02.bam PN03.bam PN04.bam"

# usage errors
run "$METCN" pon build --sample-type serum --panel $P -o "$WORK/x.pon" $normals
expect_rc 2
expect_err "metcn pon: --sample-type: 'serum' is not tissue or plasma"
for bad_sel in 150-90 90 a-b 90-1002; do
    run "$METCN" pon build --size-select "$bad_sel" --panel $P -o "$WORK/x.pon" $normals
    expect_rc 2
    expect_err "--size-select: '$bad_sel' is not MIN-MAX"
    run "$METCN" call --size-select "$bad_sel" --pon x -o "$WORK/x" PS_t0.bam
    expect_rc 2
done
expect_no_file "$WORK/x.pon"

# the default: tissue, no selection
# shellcheck disable=SC2086
run "$METCN" pon build -T ../ref.fa --panel $P -o "$WORK/tissue.pon.gz" $normals
expect_rc 0
run "$METCN" pon info "$WORK/tissue.pon.gz"
expect_out "sample_type	tissue"
expect_out "size_select	none"
# plasma, and plasma with a size selection (counted from the reads in the one pass)
# shellcheck disable=SC2086
run "$METCN" pon build -T ../ref.fa --sample-type plasma --panel $P -o "$WORK/plasma.pon.gz" $normals
expect_rc 0
# shellcheck disable=SC2086
run "$METCN" pon build -T ../ref.fa --sample-type plasma --size-select 90-150 --panel $P \
    -o "$WORK/sel.pon" $normals
expect_rc 0
run "$METCN" pon info "$WORK/sel.pon"
expect_out "sample_type	plasma"
expect_out "size_select	90-150"

# a PoN written before the type was recorded (the two param lines removed, checksum redone):
# read as tissue, no selection
run python3 - "$WORK/sel.pon" "$WORK/old.pon" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]).read().split("\n") if l]
keep = [l for l in lines if not l.startswith(("param\tsample_type\t", "param\tsize_select\t", "checksum\t"))]
assert len(keep) == len(lines) - 3, len(lines) - len(keep)
h = 0xcbf29ce484222325
for b in "".join(l + "\n" for l in keep).encode():
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
open(sys.argv[2], "w").write("".join(l + "\n" for l in keep) + "checksum\tfnv1a64\t%016x\n" % h)
PY
expect_rc 0
run "$METCN" pon info "$WORK/old.pon"
expect_rc 0
expect_out "sample_type	tissue"
expect_out "size_select	none"
# a bad recorded type is refused, naming the file and line
sed 's/^param\tsample_type\tplasma$/param\tsample_type\tserum/' "$WORK/sel.pon" >"$WORK/bad.pon"
run python3 - "$WORK/bad.pon" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]).read().split("\n") if l and not l.startswith("checksum\t")]
h = 0xcbf29ce484222325
for b in "".join(l + "\n" for l in lines).encode():
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
open(sys.argv[1], "w").write("".join(l + "\n" for l in lines) + "checksum\tfnv1a64\t%016x\n" % h)
PY
run "$METCN" pon info "$WORK/bad.pon"
expect_rc 1
expect_err "bad parameter sample_type 'serum' (tissue or plasma)"

# call takes the PoN's type; told otherwise, it warns in QC
run "$METCN" call --pon "$WORK/plasma.pon.gz" --tumour-fraction 0.2 -q --no-sample-files \
    -o "$WORK/def" PS_t0.bam
expect_rc 0
run "$METCN" call --pon "$WORK/plasma.pon.gz" --sample-type tissue --purity 0.2 -q \
    --no-sample-files -o "$WORK/mis" PS_t0.bam
expect_rc 0
run "$METCN" call --pon "$WORK/tissue.pon.gz" --tumour-fraction 0.2 -q --no-sample-files \
    -o "$WORK/tis" PS_t0.bam
expect_rc 0
col() { awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } { print $k[c] }' "$1"; }
[ "$(col "$WORK/def.calls.tsv" tumour_fraction_source)" = given ] && ok || bad "plasma default"
case "$(col "$WORK/def.calls.tsv" qc_reasons)" in *sample_type_mismatch*) bad "default: mismatch" ;; *) ok ;; esac
case "$(col "$WORK/mis.calls.tsv" qc_reasons)" in *sample_type_mismatch*) ok ;; *) bad "no mismatch QC" ;; esac
case "$(col "$WORK/tis.calls.tsv" qc_reasons)" in *sample_type_mismatch*) bad "tissue PoN default: mismatch" ;; *) ok ;; esac
grep -q '"sample_type": *"plasma"' "$WORK/def.json" && ok || bad "def.json sample_type"
grep -q '"sample_type": *"tissue"' "$WORK/tis.json" && ok || bad "tis.json sample_type"

# size selection: the PoN's is taken for reads; a table must have been counted with it
run "$METCN" call --pon "$WORK/sel.pon" --tumour-fraction 0.2 -q --no-sample-files \
    -o "$WORK/sel" PS_t0.bam
expect_rc 0
[ "$(col "$WORK/sel.calls.tsv" detection)" = detected ] && ok || bad "selected call not detected"
run "$METCN" coverage --panel $P -o "$WORK/t0.tsv" PS_t0.bam
expect_rc 0
run "$METCN" coverage --size-select 90-150 --panel $P -o "$WORK/t0s.tsv" PS_t0.bam
expect_rc 0
run "$METCN" call --pon "$WORK/sel.pon" -q --no-sample-files -o "$WORK/r1" "$WORK/t0.tsv"
expect_rc 3
expect_err "metcn call: $WORK/t0.tsv: a table counted with size selection none, not the 90-150 asked"
run "$METCN" call --pon "$WORK/plasma.pon.gz" -q --no-sample-files -o "$WORK/r2" "$WORK/t0s.tsv"
expect_rc 3
expect_err "$WORK/t0s.tsv: counted with size selection 90-150, the PoN's normals with none"
run "$METCN" call --pon "$WORK/sel.pon" --size-select 0-0 -q --no-sample-files -o "$WORK/r3" PS_t0.bam
expect_rc 3
expect_err "PS_t0.bam: counted with size selection none, the PoN's normals with 90-150"
# the selected table gives the selected BAM's call
run "$METCN" call --pon "$WORK/sel.pon" --tumour-fraction 0.2 -q --no-sample-files \
    -o "$WORK/selt" "$WORK/t0s.tsv"
expect_rc 0
[ "$(col "$WORK/selt.calls.tsv" plasma_cn)" = "$(col "$WORK/sel.calls.tsv" plasma_cn)" ] && ok ||
    bad "table and reads differ: $(col "$WORK/selt.calls.tsv" plasma_cn) $(col "$WORK/sel.calls.tsv" plasma_cn)"

# normals counted with different selections make no PoN
for n in PN01 PN02 PN03; do
    run "$METCN" coverage --size-select 90-150 --panel $P -o "$WORK/$n.s.tsv" $n.bam
done
run "$METCN" coverage --panel $P -o "$WORK/PN04.tsv" PN04.bam
run "$METCN" pon build --panel $P -o "$WORK/mixed.pon" "$WORK"/PN0?.s.tsv "$WORK/PN04.tsv"
expect_rc 1
expect_err "counted with size selection 0-0, $WORK/PN01.s.tsv with 90-150"
expect_no_file "$WORK/mixed.pon"
finish
