#!/usr/bin/env bash
# call_cnvkit.sh -- CNVkit on the simulated grid, scored like metcn (docs/validation.md (section 1)).
#   bash tests/compare/call_cnvkit.sh TESTDATA OUTDIR
# TESTDATA is the fixture directory (tests/sim/fixtures.sh).  Runs `cnvkit batch` in
# amplicon mode (the panel has no off-target reads) with the same normals metcn's PoN uses,
# then `cnvkit call --purity P` on each tumour's segments, and writes OUTDIR/cnvkit.calls.tsv
# with sample, met_cn (copy number of the segment holding most MET bins, the way CNVkit
# reports a gene), chr7_cn (bin-weighted median copy number of the other chr7 segments),
# met_chr7_ratio and its Camidge tier.  Then scores it with call_eval.py.
set -euo pipefail
td=$(cd "${1:?TESTDATA}" && pwd)
out=${2:?OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cnvkit=${CNVKIT:-$(command -v cnvkit.py || command -v cnvkit)}
M=$td/manifest.tsv
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print "'"$td"'/" $4 }' "$M")
tumours=$(awk -F'\t' 'NR > 1 && $2 == "tumour" { print "'"$td"'/" $4 }' "$M")
cd "$out"
if [ ! -s batch/done ]; then
    "$cnvkit" batch $tumours --normal $normals --targets "$td/panel.bed" --fasta "$td/ref.fa" \
        --method amplicon --output-reference batch/reference.cnn --output-dir batch -p 2 \
        >batch.log 2>&1
    touch batch/done
fi
awk -F'\t' 'NR > 1 && $2 == "tumour" { print $1 "\t" $12 }' "$M" | while IFS=$'\t' read -r s p; do
    [ -s "batch/$s.call.p.cns" ] ||
        "$cnvkit" call "batch/$s.cns" --purity "$p" -m clonal -o "batch/$s.call.p.cns" >>call.log 2>&1
done
python3 - "$M" "$td/panel.bed" batch >cnvkit.calls.tsv <<'PY'
import sys
man, bed, d = sys.argv[1:4]
met = [tuple(l.split("\t")[:3]) for l in open(bed) if "\tMET" in l]
met = [(c, int(s), int(e)) for c, s, e in met]
def tier(r):
    return "negative" if not r >= 1.8 else "high" if r >= 5 else "intermediate" if r > 2.2 else "low"
print("sample\tmet_cn\tchr7_cn\tmet_chr7_ratio\ttier")
rows = [l.rstrip("\n").split("\t") for l in open(man)][1:]
for r in rows:
    if r[1] != "tumour":
        continue
    segs = []
    with open(f"{d}/{r[0]}.call.p.cns") as f:
        h = f.readline().rstrip("\n").split("\t")
        for l in f:
            v = dict(zip(h, l.rstrip("\n").split("\t")))
            segs.append(v)
    best, bn = None, -1
    for s in segs:
        if s["chromosome"] != "chr7":
            continue
        n = sum(1 for c, a, b in met if a < int(s["end"]) and b > int(s["start"]))
        if n > bn:
            best, bn = s, n
    mcn = float(best["cn"])
    rest = sorted((float(s["cn"]), int(s["probes"])) for s in segs
                  if s["chromosome"] == "chr7" and s is not best)
    tot = sum(p for _, p in rest)
    acc, c7 = 0, float("nan")
    for cn, p in rest:
        acc += p
        if acc >= tot / 2:
            c7 = cn
            break
    ratio = mcn / c7 if c7 > 0 else float("nan")
    print(f"{r[0]}\t{mcn:g}\t{c7:g}\t{ratio:.4g}\t{tier(ratio)}")
PY
python3 "$here/call_eval.py" "$M" cnvkit.calls.tsv --label cnvkit
