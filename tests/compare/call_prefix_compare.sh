#!/usr/bin/env bash
# call_prefix_compare.sh -- a change that only ADDS outputs must leave every earlier one as it
# was: the same calls through two `metcn call` binaries of the gene-neutral caller (BASE, e.g.
# main before the plasma columns, and NEW), on the whole fixture grid (every tumour at its true
# purity and ploidy, the normals without one, MET and EGFR), with every per-sample file.
# Compared: the calls table's first BASE columns byte for byte, .cnr and .seg files byte for
# byte, the VCF with NEW's added INFO fields and their header lines removed, and every JSON
# value BASE writes (NEW may only add keys).
#   bash tests/compare/call_prefix_compare.sh BASE_METCN NEW_METCN TESTDATA OUTDIR
# e.g. git archive a880c04 | tar -x -C /tmp/base && cmake -S /tmp/base -B /tmp/base/build &&
#      cmake --build /tmp/base/build --target metcn &&
#      bash tests/compare/call_prefix_compare.sh /tmp/base/build/metcn build/metcn \
#           build/testdata /tmp/cmp
set -euo pipefail
base=$(cd "$(dirname "${1:?BASE_METCN}")" && pwd)/$(basename "$1")
new=$(cd "$(dirname "${2:?NEW_METCN}")" && pwd)/$(basename "$2")
td=$(cd "${3:?TESTDATA}" && pwd)
out=${4:?OUTDIR}
mkdir -p "$out/base" "$out/new"
out=$(cd "$out" && pwd)
M=$td/manifest.tsv
cd "$td"
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $4 }' "$M")
# shellcheck disable=SC2086
[ -s "$out/pon.tsv.gz" ] || "$base" pon build --panel panel.bed --reference ref.fa -@ 2 \
    -o "$out/pon.tsv.gz" $normals 2>/dev/null
{
    awk -F'\t' 'NR > 1 && $2 == "tumour" { k = $12 "\t" $13; b[k] = b[k] " " $4 } END { for (k in b) print k "\t" b[k] }' "$M" | sort
    printf 'NA\tNA\t%s\n' "$(echo $normals)"
} >"$out/runs.tsv"
for v in base new; do
    bin=${!v}
    g=0
    while IFS=$'\t' read -r pur pl bams; do
        g=$((g + 1))
        args=()
        [ "$pur" = NA ] || args=(--purity "$pur" --ploidy "$pl")
        # shellcheck disable=SC2086
        "$bin" call --pon "$out/pon.tsv.gz" "${args[@]}" --gene MET,EGFR -@ 2 -q \
            -o "$out/$v/run$g" $bams
    done <"$out/runs.tsv"
done
python3 - "$out" <<'PY'
import glob, json, os, re, sys
out = sys.argv[1]
bad, n = [], {"tsv": 0, "cnr/seg": 0, "vcf": 0, "json values": 0}
def leaves(x, p=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from leaves(v, p + "." + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from leaves(v, "%s[%d]" % (p, i))
    else:
        yield p, x
for b in sorted(glob.glob(os.path.join(out, "base", "*"))):
    name = os.path.basename(b)
    nw = os.path.join(out, "new", name)
    if not os.path.exists(nw):
        bad.append("missing " + name)
        continue
    if name.endswith(".calls.tsv"):
        bl, nl = open(b).read().splitlines(), open(nw).read().splitlines()
        k = len(bl[0].split("\t"))
        for x, y in zip(bl, nl):
            n["tsv"] += 1
            if x.split("\t") != y.split("\t")[:k]:
                bad.append("%s: %s" % (name, x[:60]))
    elif name.endswith((".cnr", ".seg")):
        n["cnr/seg"] += 1
        if open(b, "rb").read() != open(nw, "rb").read():
            bad.append(name)
    elif name.endswith(".vcf"):
        n["vcf"] += 1
        strip = lambda s: [l for l in s.splitlines() if not l.startswith("##fileDate")]
        added = "SAMPLE_TYPE|TUMOUR_FRACTION|TUMOUR_FRACTION_CI|TUMOUR_FRACTION_SOURCE|PLASMA_CN|PLASMA_CN_CI|DETECTION|LOD_TF_CN5|LOD_TF_CN10"
        ns = [l for l in strip(open(nw).read()) if not re.match("##INFO=<ID=(%s)," % added, l)]
        ns = [re.sub(";(%s)=[^;\t]*" % added, "", l) for l in ns]
        bs = [re.sub("given or assumed \\(1\\)", "given, vaf or assumed (1)", l) for l in strip(open(b).read())]
        if bs != ns:
            bad.append(name)
    elif name.endswith(".json"):
        bj = dict(leaves(json.load(open(b))))
        nj = dict(leaves(json.load(open(nw))))
        for k, v in bj.items():
            n["json values"] += 1
            if k == ".command_line":
                continue
            if k not in nj or nj[k] != v:
                bad.append("%s %s: %r -> %r" % (name, k, v, nj.get(k)))
print("compared:", ", ".join("%s %d" % kv for kv in n.items()), "; differences:", len(bad))
for x in bad[:20]:
    print("  DIFF", x)
sys.exit(1 if bad else 0)
PY
