#!/usr/bin/env bash
# pon_cnvkit.sh -- per-bin noise after normalisation: metcn's PoN vs CNVkit reference + fix,
# on the same generated normals and tumours (the ctest fixture set).
#   bash tests/compare/pon_cnvkit.sh BUILD_DIR [OUTDIR]
# Needs BUILD_DIR/libmetcn.a, BUILD_DIR/testdata (run `ctest -R simdata` first) and cnvkit.py.
# Both tools start from the same per-bin depths: `cnvkit.py coverage` on each BAM over
# panel.bed, and metcn (libmetcn via tests/compare/pon_driver.c) reads those .cnn files (so differences come from normalisation only).
# Normals: leave-one-out (reference built from the other normals, the held-out one
# normalised).  Tumours: reference from all normals.  Noise = 1.4826*MAD and MAPD of log2
# over the autosomal bins off chr7 that both tools keep.  Output: OUTDIR/noise.tsv and a
# summary on standard output.
set -euo pipefail
build=$(cd "${1:?usage: pon_cnvkit.sh BUILD_DIR [OUTDIR]}" && pwd)
out=${2:-$build/compare-pon}
td=$build/testdata
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cnvkit=${CNVKIT:-$(command -v cnvkit.py || command -v cnvkit || echo cnvkit.py)}
ntum=${NTUMOURS:-12}
command -v "$cnvkit" >/dev/null || { echo "pon_cnvkit.sh: $cnvkit not found" >&2; exit 1; }
[ -s "$td/manifest.tsv" ] || { echo "pon_cnvkit.sh: $td/manifest.tsv missing" >&2; exit 1; }
mkdir -p "$out/cov" "$out/cnvkit" "$out/metcn"
mapfile -t normals < <(awk -F'\t' 'NR > 1 && $2 == "normal" {print $1}' "$td/manifest.tsv")
mapfile -t tumours < <(awk -F'\t' 'NR > 1 && $2 == "tumour" {print $1}' "$td/manifest.tsv" |
    awk -v n="$ntum" 'NR % 8 == 1 && c < n {print; c++}')
bam() { awk -F'\t' -v s="$1" '$1 == s {print $4}' "$td/manifest.tsv"; }
empty_anti() { printf 'chromosome\tstart\tend\tgene\tdepth\tlog2\n' >"$1"; }

for s in "${normals[@]}" "${tumours[@]}"; do
    c=$out/cov/$s.targetcoverage.cnn
    [ -s "$c" ] || "$cnvkit" coverage -q 0 "$td/$(bam "$s")" "$td/panel.bed" -o "$c" 2>/dev/null
    empty_anti "$out/cov/$s.antitargetcoverage.cnn"
done

cnvkit_ref() { # OUT.cnn NORMAL...
    local o=$1 s
    shift
    local args=()
    for s in "$@"; do args+=("$out/cov/$s.targetcoverage.cnn" "$out/cov/$s.antitargetcoverage.cnn"); done
    "$cnvkit" reference "${args[@]}" -f "$td/ref.fa" -o "$o" >/dev/null 2>&1
}
cnvkit_fix() { # SAMPLE REF.cnn OUT.cnr
    "$cnvkit" fix "$out/cov/$1.targetcoverage.cnn" "$out/cov/$1.antitargetcoverage.cnn" "$2" \
        -o "$3" >/dev/null 2>&1
}
# metcn side: tests/compare/pon_driver.c, linked against BUILD_DIR/libmetcn.a, builds the PoN
# from the same .cnn depths and writes OUTDIR/<sample>.cnr with metcn_pon_normalize().
drv=$out/pon_driver
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src/include" \
    "$src/tests/compare/pon_driver.c" "$build/libmetcn.a" \
    $(pkg-config --cflags --libs htslib gsl) -lm -lpthread -o "$drv"
metcn_run() { # OUTDIR "NORMAL..." SAMPLE...
    local o=$1 ns=$2 s
    shift 2
    local nargs=() sargs=()
    for s in $ns; do nargs+=("$out/cov/$s.targetcoverage.cnn"); done
    for s in "$@"; do sargs+=("$out/cov/$s.targetcoverage.cnn"); done
    mkdir -p "$o"
    "$drv" "$td/panel.bed" "$td/ref.fa" "$o" --normals "${nargs[@]}" --samples "${sargs[@]}" 2>>"$out/metcn.log"
}

# leave-one-out normals
for s in "${normals[@]}"; do
    others=()
    for t in "${normals[@]}"; do [ "$t" = "$s" ] || others+=("$t"); done
    [ -s "$out/cnvkit/$s.cnr" ] || { cnvkit_ref "$out/cnvkit/ref-$s.cnn" "${others[@]}" &&
        cnvkit_fix "$s" "$out/cnvkit/ref-$s.cnn" "$out/cnvkit/$s.cnr"; }
    metcn_run "$out/metcn/$s" "${others[*]}" "$s"
done
# tumours against all normals
cnvkit_ref "$out/cnvkit/ref-all.cnn" "${normals[@]}"
for s in "${tumours[@]}"; do
    cnvkit_fix "$s" "$out/cnvkit/ref-all.cnn" "$out/cnvkit/$s.cnr"
done
metcn_run "$out/metcn/T" "${normals[*]}" "${tumours[@]}"

python3 - "$out" "$td/manifest.tsv" <<'PY'
import math, os, sys, glob
out, manifest = sys.argv[1], sys.argv[2]
kind = {}
for i, line in enumerate(open(manifest)):
    f = line.rstrip('\n').split('\t')
    if i: kind[f[0]] = f[1]
def read_cnr(path):
    d = {}
    if not os.path.exists(path): return d
    hdr = None
    for line in open(path):
        f = line.rstrip('\n').split('\t')
        if hdr is None: hdr = f; continue
        r = dict(zip(hdr, f))
        c = r['chromosome']
        if c.replace('chr', '') in ('7', 'X', 'Y'): continue
        try: v = float(r['log2'])
        except ValueError: continue
        if not math.isfinite(v): continue
        if 'weight' in r:
            try:
                if float(r['weight']) <= 0: continue
            except ValueError: continue
        d[(c, int(r['start']), int(r['end']))] = v
    return d
def med(v):
    v = sorted(v); n = len(v)
    return float('nan') if n == 0 else (v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2]))
def noise(keys, d):
    v = [d[k] for k in keys]
    m = med(v)
    return 1.4826 * med([abs(x - m) for x in v]), med([abs(v[i + 1] - v[i]) for i in range(len(v) - 1)])
rows = []
for s in sorted(kind):
    if kind[s] not in ('normal', 'tumour'): continue
    a = read_cnr(os.path.join(out, 'metcn', s if kind[s] == 'normal' else 'T', s + '.cnr'))
    b = read_cnr(os.path.join(out, 'cnvkit', s + '.cnr'))
    keys = sorted(set(a) & set(b))
    if len(keys) < 20: continue
    (ms, mm), (cs, cm) = noise(keys, a), noise(keys, b)
    rows.append((s, kind[s], len(keys), ms, cs, mm, cm))
with open(os.path.join(out, 'noise.tsv'), 'w') as fo:
    fo.write('sample\tkind\tbins\tmetcn_sd\tcnvkit_sd\tmetcn_mapd\tcnvkit_mapd\n')
    for r in rows: fo.write('%s\t%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\n' % r)
for k in ('normal', 'tumour'):
    rs = [r for r in rows if r[1] == k]
    if not rs: continue
    print('%s\tn=%d\tmedian robust SD metcn %.4f cnvkit %.4f\tmedian MAPD metcn %.4f cnvkit %.4f\tmetcn <= cnvkit (SD) in %d/%d' % (
        k, len(rs), med([r[3] for r in rs]), med([r[4] for r in rs]), med([r[5] for r in rs]),
        med([r[6] for r in rs]), sum(r[3] <= r[4] for r in rs), len(rs)))
PY
