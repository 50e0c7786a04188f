#!/usr/bin/env bash
# call_base_compare.sh -- every number of the MET calls on the fixture grid, before and after a
# change of the caller: the caller of BASE_TREE (built in BASE_BUILD; e.g. 0.1 at 2f6e834, with
# -DBASE_API) against this tree's (NEW_BUILD), same PoN, same inputs, dumped at %.17g by
# call_dump_driver.c and compared by call_base_compare.py (tolerance 1e-9, QC remarks mapped
# from the 0.1 strings to the gene-neutral records).
#   bash tests/compare/call_base_compare.sh BASE_TREE BASE_BUILD NEW_BUILD TESTDATA OUTDIR
# e.g. git worktree add --detach /tmp/base 2f6e834 && cmake -S /tmp/base -B /tmp/base/build &&
#      cmake --build /tmp/base/build --target metcn && \
#      bash tests/compare/call_base_compare.sh /tmp/base /tmp/base/build build build/testdata /tmp/cmp
set -euo pipefail
base_tree=$(cd "${1:?BASE_TREE}" && pwd)
base_build=$(cd "${2:?BASE_BUILD}" && pwd)
new_build=$(cd "${3:?NEW_BUILD}" && pwd)
td=$(cd "${4:?TESTDATA}" && pwd)
out=${5:?OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
libs=$(pkg-config --cflags --libs htslib gsl)
# shellcheck disable=SC2086
cc -std=c11 -O2 -D_DEFAULT_SOURCE -DBASE_API -I"$base_tree/include" "$here/call_dump_driver.c" \
    "$base_build/libmetcn.a" $libs -lm -lpthread -o "$out/dump_base"
# shellcheck disable=SC2086
cc -std=c11 -O2 -D_DEFAULT_SOURCE -I"$src/include" "$here/call_dump_driver.c" \
    "$new_build/libmetcn.a" $libs -lm -lpthread -o "$out/dump_new"
M=$td/manifest.tsv
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $4 }' "$M")
cd "$td"
[ -s "$out/pon.tsv.gz" ] || "$base_build/metcn" pon build --panel panel.bed --reference ref.fa \
    -@ 2 -o "$out/pon.tsv.gz" $normals 2>/dev/null
# one line per run: purity ploidy inputs (normals without purity)
{
    awk -F'\t' 'NR > 1 && $2 == "tumour" { k = $12 "\t" $13; b[k] = b[k] " " $4 } END { for (k in b) print k "\t" b[k] }' "$M"
    printf '0\t2\t%s\n' "$(echo $normals)"
} >"$out/runs.tsv"
for v in base new; do
    : >"$out/$v.dump"
    while IFS=$'\t' read -r pur pl bams; do
        # shellcheck disable=SC2086
        "$out/dump_$v" "$out/pon.tsv.gz" "$pur" "$pl" $bams >>"$out/$v.dump"
    done <"$out/runs.tsv" &
done
wait
python3 "$here/call_base_compare.py" "$out/base.dump" "$out/new.dump"
