#!/usr/bin/env bash
# pon_sites.sh -- purity error of `metcn call --snps` with and without the PoN's site records
# (pon build --snps) on a generated set whose normals and tumours share site artefacts
# (tests/sim/pon_sites_set.sh: 30% of the sites with reference bias, REF 0.625 at a het site;
# 20% paralogous, ALT 0.3 in everybody).  docs/purity.md, "Reference bias from the PoN".
#   bash bench/pon_sites.sh BUILD_DIR TESTDATA OUTDIR
# TESTDATA: the simdata fixture (ref.fa, panel.bed, sites.vcf.gz).  12 normals (200-320x) and
# 12 tumours (400x, MET 10 copies, cnLOH chr3, LOH chr5, gains chr9 and chr10) at purity 0.2 to
# 0.9; about 3 minutes on 2 cores.  Prints one row per tumour and a summary per purity band.
set -euo pipefail
build=$(cd "${1:?usage: pon_sites.sh BUILD_DIR TESTDATA OUTDIR}" && pwd)
td=$(cd "${2:?}" && pwd)
out=${3:?}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
M=$build/metcn
tumours=()
k=0
for p in 0.2 0.25 0.3 0.4 0.45 0.5 0.6 0.65 0.7 0.75 0.8 0.9; do
    k=$((k + 1))
    tumours+=("$(printf 'T%02d' "$k"):$p")
done
bash "$src/tests/sim/pon_sites_set.sh" "$out" "$build/metcn-sim" "$td" 12 "${tumours[@]}"
cd "$out"
"$M" pon build --panel "$td/panel.bed" -T "$td/ref.fa" --snps "$td/sites.vcf.gz" -o sites.pon \
    SN??.bam 2>/dev/null
"$M" pon build --panel "$td/panel.bed" -T "$td/ref.fa" -o plain.pon SN??.bam 2>/dev/null
names=()
for t in "${tumours[@]}"; do names+=("${t%%:*}.bam"); done
"$M" call -@2 --pon sites.pon --snps "$td/sites.vcf.gz" -o with "${names[@]}" >/dev/null 2>&1
"$M" call -@2 --pon plain.pon --snps "$td/sites.vcf.gz" -o without "${names[@]}" >/dev/null 2>&1
python3 - with.json without.json "${tumours[@]}" <<'PY'
import json, sys
truth = dict(t.split(':') for t in sys.argv[3:])
res = {}
for tag, path in (('with', sys.argv[1]), ('without', sys.argv[2])):
    for s in json.load(open(path))['samples']:
        f = s['purity_fit']
        res.setdefault(s['sample'], {})[tag] = (f['purity'], f['purity_low'], f['purity_high'],
                                               f['overdispersion'], f['het_sites'])
print('tumour\ttruth\tpurity_with\tinterval_with\tpurity_without\tinterval_without\t'
      'rho_with\trho_without\thet_with\thet_without')
num = lambda x, f: 'NA' if x is None else format(x, f)  # NA: the fit said undetermined
bands = {}
for name in sorted(res):
    p = float(truth[name])
    w, wo = res[name]['with'], res[name]['without']
    print(f"{name}\t{p}\t{num(w[0], '.3f')}\t{num(w[1], '.3f')}-{num(w[2], '.3f')}\t"
          f"{num(wo[0], '.3f')}\t{num(wo[1], '.3f')}-{num(wo[2], '.3f')}\t"
          f"{num(w[3], '.4f')}\t{num(wo[3], '.4f')}\t{w[4]}\t{wo[4]}")
    b = 'purity < 0.5' if p < 0.5 else 'purity >= 0.5'
    for tag, v in (('with', w), ('without', wo)):
        bands.setdefault((b, tag), []).append(
            (None if v[0] is None else abs(v[0] - p), v[2] - v[1], v[3]))
print('\nband\tPoN sites\ttumours\tundetermined\tmean |error|\tmax |error|\twithin 0.05\t'
      'mean interval width\tmean rho')
for (b, tag), v in sorted(bands.items()):
    e = [x[0] for x in v if x[0] is not None]
    r = [x[2] for x in v if x[2] is not None]
    print(f"{b}\t{tag}\t{len(v)}\t{len(v) - len(e)}\t{sum(e)/max(len(e), 1):.3f}\t"
          f"{max(e, default=float('nan')):.3f}\t{sum(x <= 0.05 + 1e-9 for x in e)}/{len(v)}\t"
          f"{sum(x[1] for x in v)/len(v):.3f}\t{sum(r)/max(len(r), 1):.4f}")
PY
