#!/usr/bin/env bash
# Before/after comparison of the numbers a change must not move: build a PoN from the fixture
# normals and call every fixture tumour (and the normals) with two metcn binaries, then print,
# per numeric column of the calls table, the largest absolute difference between them (and
# the sample where it is largest), and per text column how many rows differ.
#   bench/compare_calls.sh OLD_METCN NEW_METCN TESTDATA OUT [GENE]
# TESTDATA is the ctest fixture set (tests/sim/fixtures.sh: manifest.tsv, panel.bed, ref.fa,
# BAMs).  Both binaries run the same commands as tests/cli/call_grid.sh: `pon build --panel
# panel.bed --reference ref.fa` over the normals (the outlier normal left out), then `call`
# per (purity, ploidy) group at the true values, and the normals without --purity.  OUT gets
# old/ and new/ (PoNs, calls tables) and diff.tsv.  Last, both call sets are scored against
# the simulation's truth with tests/compare/call_eval.py (one summary line each), so that a
# difference can be judged: closer to the truth or further from it.
# Columns are matched by name; a renamed column is matched through RENAME (old=new,...), e.g.
# RENAME="met_cn=cn,chr7_cn=control_cn" once the calls table is gene-neutral.
set -euo pipefail
old=$(realpath "${1:?usage: compare_calls.sh OLD_METCN NEW_METCN TESTDATA OUT}")
new=$(realpath "${2:?usage: compare_calls.sh OLD_METCN NEW_METCN TESTDATA OUT}")
td=$(cd "${3:?usage: compare_calls.sh OLD_METCN NEW_METCN TESTDATA OUT}" && pwd)
mkdir -p "${4:?usage: compare_calls.sh OLD_METCN NEW_METCN TESTDATA OUT}"
out=$(cd "$4" && pwd)
gene=${5:-}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
M=$td/manifest.tsv
[ -s "$M" ] || { echo "compare_calls.sh: $M missing (run ctest -R simdata)" >&2; exit 1; }
cd "$td"
normals=$(awk -F'\t' 'NR > 1 && $2 == "normal" { print $4 }' "$M")
groups=$(awk -F'\t' 'NR > 1 && $2 == "tumour" { print $12 "\t" $13 }' "$M" | sort -u)

run_one() { # NAME BINARY
    local d=$out/$1 bin=$2 g=0 pur pl bams
    mkdir -p "$d"
    "$bin" pon build --panel panel.bed --reference ref.fa -@ 2 -o "$d/pon.gz" $normals 2>"$d/pon.err"
    local gopt=()
    [ -n "$gene" ] && [ "$1" = new ] && gopt=(--gene "$gene")
    while IFS=$'\t' read -r pur pl; do
        g=$((g + 1))
        bams=$(awk -F'\t' -v p="$pur" -v q="$pl" \
            'NR > 1 && $2 == "tumour" && $12 == p && $13 == q { print $4 }' "$M")
        "$bin" call --pon "$d/pon.gz" --purity "$pur" --ploidy "$pl" -@ 2 -q --no-sample-files \
            "${gopt[@]}" -o "$d/grid$g" $bams 2>>"$d/call.err"
    done <<<"$groups"
    "$bin" call --pon "$d/pon.gz" -@ 2 -q --no-sample-files "${gopt[@]}" -o "$d/normals" \
        $normals 2>>"$d/call.err"
    # one table: the header once, then every row
    { head -n 1 "$d/normals.calls.tsv"; tail -q -n +2 "$d"/grid*.calls.tsv "$d/normals.calls.tsv"; } \
        >"$d/all.calls.tsv"
}

run_one old "$old"
run_one new "$new"
RENAME=${RENAME:-} python3 - "$out/old/all.calls.tsv" "$out/new/all.calls.tsv" "$out/diff.tsv" <<'PY'
import csv, math, os, sys
def load(p):
    with open(p) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {r["sample"]: r for r in rows}, list(rows[0].keys()) if rows else []
old, ocols = load(sys.argv[1])
new, ncols = load(sys.argv[2])
ren = dict(kv.split("=") for kv in os.environ["RENAME"].split(",") if kv)
common = sorted(set(old) & set(new))
print(f"samples: {len(old)} old, {len(new)} new, {len(common)} in both")
def num(x):
    try:
        v = float(x)
        return v
    except ValueError:
        return None
lines = ["column\tkind\tmax_abs_diff\tsample_at_max\tmax_rel_diff\trows_differing"]
changed = {}
for c in ocols:
    nc = ren.get(c, c)
    if c == "sample" or nc not in ncols:
        continue
    worst, at, ndiff, numeric, rel = 0.0, "-", 0, True, 0.0
    for s in common:
        a, b = old[s][c], new[s][nc]
        x, y = num(a), num(b)
        if x is None or y is None:
            if a != b:
                numeric = False
                ndiff += 1
                changed.setdefault(s, []).append(f"{c}: {a} -> {b}")
            if x is None and y is None:
                numeric = False
            continue
        if math.isnan(x) and math.isnan(y):
            continue
        d = abs(x - y) if not (math.isnan(x) or math.isnan(y)) else math.inf
        if d > 0:
            ndiff += 1
            if x != 0:
                rel = max(rel, d / abs(x))
        if d > worst:
            worst, at = d, s
    kind = "numeric" if numeric else "text"
    lines.append(f"{c}{'->' + nc if nc != c else ''}\t{kind}\t{worst:.3g}\t{at}\t{rel:.3g}\t{ndiff}")
open(sys.argv[3], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
keys = ("tier", "equivocal", "high_amp", "gcn_class", "pattern", "qc")
for s, what in sorted(changed.items()):
    shown = [w for w in what if w.split(":")[0] in keys]
    if shown:
        print(f"  {s}: " + "; ".join(shown))
PY
for v in old new; do
    printf '%s: ' "$v"
    python3 "$src/tests/compare/call_eval.py" "$M" "$out/$v"/grid*.calls.tsv \
        "$out/$v/normals.calls.tsv" 2>&1 | tail -n 1
done
