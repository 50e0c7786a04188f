#!/usr/bin/env bash
# call_bedcov.sh -- score metcn's caller on the simulated grid with coverage from
# `samtools bedcov` (independent of metcn's coverage engine).
#   bash tests/compare/call_bedcov.sh BUILD_DIR TESTDATA OUTDIR
set -euo pipefail
build=$(cd "${1:?BUILD_DIR}" && pwd)
td=$(cd "${2:?TESTDATA}" && pwd)
out=${3:?OUTDIR}
mkdir -p "$out/bedcov"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' "$td/manifest.tsv" | while IFS=$'\t' read -r s bam; do
    [ -s "$out/bedcov/$s.tsv" ] || samtools bedcov -Q 1 "$td/panel.bed" "$td/$bam" >"$out/bedcov/$s.tsv"
done
cc -std=c11 -D_DEFAULT_SOURCE -I"$src/include" "$here/call_bedcov_driver.c" "$build/libmetcn.a" \
    $(pkg-config --cflags --libs htslib gsl) -lm -lpthread -o "$out/driver"
"$out/driver" "$td/panel.bed" "$td/ref.fa" "$td/manifest.tsv" "$out/bedcov" "$out/tumours.calls.tsv" tumour
"$out/driver" "$td/panel.bed" "$td/ref.fa" "$td/manifest.tsv" "$out/bedcov" "$out/normals.calls.tsv" normal
python3 "$here/call_eval.py" "$td/manifest.tsv" "$out/tumours.calls.tsv" "$out/normals.calls.tsv" \
    --label "metcn (samtools bedcov coverage)" "${@:4}"
