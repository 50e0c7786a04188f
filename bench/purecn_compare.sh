#!/usr/bin/env bash
# purecn_compare.sh -- metcn's purity/ploidy estimate beside PureCN's, and CNVkit without purity,
# on the same generated tumours (issue 17, last comparison; docs/validation.md §8).
#
#     bench/purecn_compare.sh BUILD_DIR OUT_DIR
#
# The tumours, normals and SNP sites are purity_grid.sh's (it is run first, into OUT_DIR/grid:
# it generates the grid and makes metcn's two calls per tumour, `call --snps` and the true
# purity given).  On a subset of that grid (PURITIES x GENOMES, default 0.5 0.9 x the four
# genomes = 8 tumours; PureCN.R takes 3-5 min per tumour on the 2-core VM) this runs:
#   - PureCN 2.4 (Debian r-bioc-purecn, with r-cran-optparse and r-cran-r.utils), its documented
#     command-line workflow: IntervalFile.R on the panel and reference (GC from the FASTA; the BED
#     names it drops are put back: gene = the name up to its last '_', MET_ex2 -> MET), Coverage.R
#     on the BAMs, NormalDB.R on the fixture's 12 normals N01-N12 (metcn's PoN), PureCN.R with a
#     VCF of the tumour's allele counts at the same sites (bcftools mpileup -R sites.vcf.gz |
#     bcftools call -m, variant sites, INFO/DB and INFO/POP_AF from the sites file),
#     --max-copy-number MAXCN (default 40: PureCN's default 7 caps every amplification) and
#     the local patch of PureCN's R code that panels of < ~2000 intervals need
#     (bench/purecn_patch.R; docs/validation.md §8 says what it changes).
#   - CNVkit (Debian cnvkit) `batch -m amplicon` with the same normals and no purity: MET's
#     log2 (weighted mean of its bins) -> copy number at purity 1 and with the true purity;
#     chr7 (the C7p/C7q control bins) likewise, for the MET/chr7 ratio and tier.
# Then bench/purecn_compare.py writes OUT_DIR/compare.tsv (one row per tumour and tool) and
# prints the per-tool summary docs/validation.md quotes.  Env: PURITIES, GENOMES, MAXCN, JOBS (2).
set -euo pipefail
BUILD=$(cd "${1:?usage: purecn_compare.sh BUILD_DIR OUT_DIR}" && pwd)
mkdir -p "${2:?usage: purecn_compare.sh BUILD_DIR OUT_DIR}"
OUT=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
D=$BUILD/testdata
read -r -a PUR <<<"${PURITIES:-0.5 0.9}"
read -r -a GEN <<<"${GENOMES:-quiet two four wgd}"
MAXCN=${MAXCN:-40}
JOBS=${JOBS:-2}
PX=$(Rscript -e 'cat(system.file("extdata", package = "PureCN"))' 2>/dev/null || true)
[ -s "$PX/PureCN.R" ] || { echo "purecn_compare: PureCN not found (apt-get install r-bioc-purecn r-cran-optparse r-cran-r.utils)" >&2; exit 1; }
CNVKIT=$(command -v cnvkit.py || command -v cnvkit || true)
[ -n "$CNVKIT" ] || { echo "purecn_compare: cnvkit not found (apt-get install cnvkit)" >&2; exit 1; }
command -v bcftools >/dev/null || { echo "purecn_compare: bcftools not found" >&2; exit 1; }
tm() { # NAME CMD...: run, append the wall seconds to OUT/times.tsv
    local n=$1 t0 t1; shift
    t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
    awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s\t%.1f\n", n, b - a }' >>"$OUT/times.tsv"
}
: >"$OUT/times.tsv"

# (a) the grid and metcn's calls (purity_grid.sh: the same tumours, normals and sites)
tm grid_and_metcn "$HERE/purity_grid.sh" "$BUILD" "$OUT/grid" >"$OUT/grid.summary.txt"
samples=()
for g in "${GEN[@]}"; do for p in "${PUR[@]}"; do samples+=("PG_${g}_p$p"); done; done
printf '%s\n' "${samples[@]}" >"$OUT/samples.txt"

# (b) PureCN
P=$OUT/purecn
mkdir -p "$P/cov" "$P/vcf" "$P/db" "$P/out"
pcn() { # SCRIPT ARGS...: PureCN's script with the small-panel patch (bench/purecn_patch.R)
    local s=$1; shift
    R_PROFILE_USER="$HERE/purecn_patch.R" Rscript "$PX/$s" "$@"
}
if [ ! -s "$P/intervals.txt" ]; then
    Rscript "$PX/IntervalFile.R" --in-file "$D/panel.bed" --fasta "$D/ref.fa" \
        --out-file "$P/intervals.raw.txt" --genome hg38 --force >"$P/intervals.log" 2>&1
    # IntervalFile.R drops the BED names: restore them (gene = name up to its last '_')
    python3 - "$D/panel.bed" "$P/intervals.raw.txt" "$P/intervals.txt" <<'PY'
import sys
bed = {}
for l in open(sys.argv[1]):
    c, s, e, n = l.split()[:4]
    bed.setdefault(c, []).append((int(s), int(e), n.rsplit("_", 1)[0]))
with open(sys.argv[3], "w") as out:
    gi = None
    for l in open(sys.argv[2]):
        f = l.rstrip("\n").split("\t")
        if l.startswith("@") or f[0] == "Target":
            if f[0] == "Target": gi = f.index("Gene")
            out.write(l); continue
        c, r = f[0].rsplit(":", 1); s, e = (int(x) for x in r.split("-"))
        # resized or split targets: the BED record with the largest overlap (or the nearest)
        best = max(bed.get(c, []), key=lambda b: (min(e, b[1]) - max(s - 1, b[0]), -abs(b[0] - s)), default=None)
        if best is not None: f[gi] = best[2]
        out.write("\t".join(f) + "\n")
PY
fi
normals=("$D"/N0{1..9}.bam "$D"/N1{0,1,2}.bam)
covjobs=()
for b in "${normals[@]}"; do covjobs+=("$b"); done
for s in "${samples[@]}"; do covjobs+=("$OUT/grid/$s.bam"); done
t0=$(date +%s.%N)
printf '%s\n' "${covjobs[@]}" | xargs -P "$JOBS" -I{} sh -c "n=\$(basename {} .bam); \
    [ -s '$P/cov/'\${n}_coverage_loess.txt.gz ] || [ -s '$P/cov/'\${n}_coverage_loess.txt ] || \
    Rscript '$PX/Coverage.R' --out-dir '$P/cov' --bam {} --intervals '$P/intervals.txt' --force \
    >'$P/cov/'\$n.log 2>&1 || echo \"Coverage.R failed on \$n (see $P/cov/\$n.log)\" >&2"
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "purecn_coverage_all\t%.1f\n", b - a }' >>"$OUT/times.tsv"
ls "$P"/cov/N[01]*_coverage_loess.txt* >"$P/normals.list"
[ -s "$P/db/normalDB.rds" ] || { tm purecn_normaldb Rscript "$PX/NormalDB.R" --out-dir "$P/db" \
    --coverage-files "$P/normals.list" --genome hg38 --assay metcn --force >"$P/db/normaldb.log" 2>&1 &&
    ln -sf "$(ls "$P"/db/normalDB_*.rds | head -1)" "$P/db/normalDB.rds"; }
SITES=$D/sites.vcf.gz
for s in "${samples[@]}"; do
    v=$P/vcf/$s.vcf.gz
    [ -s "$v" ] && continue
    bcftools mpileup -f "$D/ref.fa" -R "$SITES" -a FORMAT/AD,FORMAT/DP -d 100000 -q 20 -Q 20 \
        -Ou "$OUT/grid/$s.bam" 2>/dev/null | bcftools call -m -v -Oz -o "$v.call.vcf.gz" 2>/dev/null
    bcftools index -f -t "$v.call.vcf.gz"
    bcftools annotate -a "$SITES" -c INFO/POP_AF:=INFO/AF -m +DB -Oz -o "$v" "$v.call.vcf.gz"
    bcftools index -f -t "$v"
done
run_purecn() {
    local s=$1 cov
    cov=$(ls "$P"/cov/"${s}"_coverage_loess.txt* | head -1)
    [ -s "$P/out/$s/$s.genes.tsv" ] && return 0
    mkdir -p "$P/out/$s"
    tm "purecn_$s" pcn PureCN.R --out "$P/out/$s" --sampleid "$s" --tumor "$cov" \
        --vcf "$P/vcf/$s.vcf.gz" --normaldb "$P/db/normalDB.rds" --intervals "$P/intervals.txt" \
        --genome hg38 --max-copy-number "$MAXCN" --seed 123 --force >"$P/out/$s.log" 2>&1 ||
        echo "PureCN.R failed on $s: $(grep -i 'error\|stop' "$P/out/$s.log" | tail -1)" >&2
    [ ! -s "$P/out/$s/$s.rds" ] || Rscript "$HERE/purecn_genes.R" "$P/out/$s/$s.rds" "$P/out/$s/$s.genes.tsv"
}
export -f run_purecn pcn tm
export P PX HERE OUT MAXCN
printf '%s\n' "${samples[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_purecn {}'

# (c) CNVkit batch, no purity
C=$OUT/cnvkit
mkdir -p "$C"
bams=()
for s in "${samples[@]}"; do bams+=("$OUT/grid/$s.bam"); done
[ -s "$C/ref.cnn" ] || tm cnvkit_batch "$CNVKIT" batch "${bams[@]}" --normal "${normals[@]}" \
    --targets "$D/panel.bed" --fasta "$D/ref.fa" -m amplicon --output-reference "$C/ref.cnn" \
    -d "$C" -p "$JOBS" >"$C/batch.log" 2>&1 || echo "cnvkit batch failed (see $C/batch.log)" >&2

python3 "$HERE/purecn_compare.py" "$OUT"
