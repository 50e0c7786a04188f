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
# The files as written: one focal tumour through both command lines; .cnr and .seg identical
# bytes, and every calls-table value equal under its 0.1 name (docs/call.md).
s=T_m12_p0.6_c2
"$base_build/metcn" call --pon "$out/pon.tsv.gz" --purity 0.6 -q -o "$out/cli_base" "$s.bam"
"$new_build/metcn" call --pon "$out/pon.tsv.gz" --purity 0.6 -q -o "$out/cli_new" "$s.bam"
cmp "$out/cli_base.$s.cnr" "$out/cli_new.$s.MET.cnr" && cmp "$out/cli_base.$s.seg" "$out/cli_new.$s.MET.seg" &&
    echo "files: .cnr and .seg identical"
python3 - "$out/cli_base.calls.tsv" "$out/cli_new.calls.tsv" <<'PY'
import sys
old = dict(zip(*[l.rstrip("\n").split("\t") for l in open(sys.argv[1])]))
new = dict(zip(*[l.rstrip("\n").split("\t") for l in open(sys.argv[2])]))
ren = {"met_cn": "cn", "met_cn_low": "cn_low", "met_cn_high": "cn_high", "chr7_cn": "control_cn",
       "chr7_cn_low": "control_cn_low", "chr7_cn_high": "control_cn_high",
       "met_chr7_ratio": "ratio", "met_chr7_ratio_low": "ratio_low",
       "met_chr7_ratio_high": "ratio_high", "met_log2": "gene_log2", "chr7_log2": "control_log2",
       "lod_met_cn": "lod_cn"}
bad = [k for k, v in old.items() if k not in ("purity_assumed", "qc_reasons")
       and new.get(ren.get(k, k)) != v]
bad += [] if (old["purity_assumed"] == "no") == (new["purity_source"] == "given") else ["purity"]
print("calls table: %d columns compared, %d differ %s" % (len(old), len(bad), bad))
sys.exit(1 if bad else 0)
PY
