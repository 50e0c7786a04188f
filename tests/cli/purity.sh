# CLI tests of `metcn call` with the purity from the reads (--snps, --normal, --estimate-purity)
# on the germline fixtures (one XY individual, tumours G_T1-G_T3 with known purity, ploidy and
# allele-specific copy numbers, germline/manifest.tsv): the estimate against the truth, the
# copy number inside its interval, "cannot tell" said plainly, a given purity checked against
# the estimate, the JSON's solutions / segments / sites, and every bad input with its message.
. "$(dirname "$0")/lib.bash" "$@"
D=${METCN_TESTDATA:?}
cd "$D" || exit 1
# truth of a germline sample: column by name
truth() { awk -F'\t' -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    $1 == s { print $k[c] }' germline/manifest.tsv; }
# a calls-table field of the first row, by column name
col() { awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    NR == 2 { print $k[c] }' "$1"; }
# awk test of numbers: exit 0 when the expression holds
holds() { awk "BEGIN { exit !($1) }"; }

"$METCN" pon build --panel panel.bed -T ref.fa -o "$WORK/n.pon" N0{1..9}.bam N1{0,1,2}.bam \
    2>/dev/null || { echo "FAIL: pon build" >&2; exit 1; }

run "$METCN" call --help
expect_rc 0
expect_out "--snps FILE            VCF/BCF of germline SNP sites"
expect_out "--purity-disagree F    purity_disagrees: intervals further apart than F [0.05]"

# G_T1: LOH (1,0) and cnLOH (2,0) pin the purity: estimated within 0.05, the call made at it
p1=$(truth G_T1 purity) met1=$(truth G_T1 met_cn)
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz -o "$WORK/t1" germline/G_T1.bam
expect_rc 0
expect_out "estimated"
T="$WORK/t1.calls.tsv"
[ "$(col "$T" purity_source)" = estimated ] && ok || bad "G_T1 purity_source $(col "$T" purity_source)"
[ "$(col "$T" purity_estimate_status)" = estimated ] && ok || bad "G_T1 status"
pe=$(col "$T" purity) lo=$(col "$T" purity_low) hi=$(col "$T" purity_high)
holds "$pe - $p1 <= 0.05 && $p1 - $pe <= 0.05" && ok || bad "G_T1 purity $pe, truth $p1"
holds "$lo <= $p1 && $p1 <= $hi" && ok || bad "G_T1 purity interval $lo-$hi misses $p1"
[ "$(col "$T" purity_estimate)" = "$pe" ] && ok || bad "G_T1 purity_estimate differs from purity"
holds "$(col "$T" ploidy) > 1.8 && $(col "$T" ploidy) < 2.2" && ok || bad "G_T1 ploidy $(col "$T" ploidy)"
cl=$(col "$T" cn_low) ch=$(col "$T" cn_high)
holds "$cl <= $met1 && $met1 <= $ch" && ok || bad "G_T1 MET cn $cl-$ch misses $met1"
# its doubled twin (all states doubled at p/(2-p)) fits as well: a remark with the twin's
# purity, not a warning (true of every genome without an odd state); the QC passes
q1=$(col "$T" qc_reasons) tw=$(awk -v p="$pe" 'BEGIN {printf "%.4f", p / (2 - p)}')
[[ $q1 == doubling_unresolved=* ]] && ok || bad "G_T1 qc_reasons $q1"
# (the image p/(2-p), or a listed solution within 0.02 of it: purity.md section 6)
holds "${q1#doubling_unresolved=} - $tw <= 0.025 && $tw - ${q1#doubling_unresolved=} <= 0.025" && ok ||
    bad "G_T1 twin purity ${q1#doubling_unresolved=}, expected about $tw"
[ "$(col "$T" qc)" = pass ] && ok || bad "G_T1 qc $(col "$T" qc)"
# the JSON: ranked solutions, segments with (major, minor): MET's (9,1), chr5 LOH (1,0),
# chr9 (2,1), chr10 (3,1); chr3's cnLOH (2,0) has 8 het sites, fewer than the fit's
# min_het_informative (10), but the segment is the whole contig (the scan chose none of its
# ends), so its allele fraction (the truth's 0.8 at purity 0.6) enters the fit and gives (2,0);
# the sites used are heterozygous (inferred without a normal)
python3 - "$WORK/t1.json" <<'EOF' && ok || bad "G_T1 JSON purity_fit"
import json, sys
f = json.load(open(sys.argv[1]))["samples"][0]["purity_fit"]
assert f["status"] == "estimated" and f["solutions"][0]["relative_likelihood"] == 1
assert all(a["relative_likelihood"] >= b["relative_likelihood"]
           for a, b in zip(f["solutions"], f["solutions"][1:]))
seg = {(s["chromosome"], s["is_gene"]): (s["major"], s["minor"]) for s in f["segments"]}
assert seg[("chr7", True)] == (9, 1), seg[("chr7", True)]
assert seg[("chr5", False)] == (1, 0) and seg[("chr9", False)] == (2, 1), seg
assert seg[("chr10", False)] == (3, 1), seg
chr3 = [s for s in f["segments"] if s["chromosome"] == "chr3"][0]
assert abs(chr3["baf"] - 0.8) < 0.05, chr3
assert (chr3["major"], chr3["minor"]) == (2, 0), chr3
assert len(f["sites"]) == f["het_sites"] > 100
assert {s["status"] for s in f["sites"]} == {"het_inferred"}
EOF

# allele-specific outputs: SEG and .cnr with CNVkit's baf cn1 cn2 (MET's segment (9,1) at baf
# near the truth's, the expected BAF of (9,1) at the true purity), VCF MAJOR_CN/MINOR_CN
bexp=$(awk -v p="$p1" 'BEGIN { printf "%.4f", (9 * p + 1 - p) / (10 * p + 2 * (1 - p)) }')
head -1 "$WORK/t1.G_T1.MET.seg" | grep -q 'seg.mean	baf	cn1	cn2$' && ok || bad "SEG columns"
head -1 "$WORK/t1.G_T1.MET.cnr" | grep -q 'use	baf	cn1	cn2$' && ok || bad ".cnr columns"
awk -F'\t' -v b="$bexp" '$2 == "chr7" && $8 == 9 && $9 == 1 { n++; if ($7 - b > 0.03 || b - $7 > 0.03) bad = 1 }
    END { exit !(n >= 1 && !bad) }' "$WORK/t1.G_T1.MET.seg" && ok || bad "SEG MET (9,1) baf vs $bexp"
awk -F'\t' '$2 == "chr5" && $8 == 1 && $9 == 0 { n++ } END { exit !(n == 1) }' "$WORK/t1.G_T1.MET.seg" &&
    ok || bad "SEG chr5 LOH (1,0)"
awk -F'\t' 'NR > 1 && $8 == "target" && !($11 == 9 && $12 == 1) { n++ } END { exit n > 0 }' \
    "$WORK/t1.G_T1.MET.cnr" && ok || bad ".cnr MET bins not (9,1)"
grep -q 'MAJOR_CN=9;MINOR_CN=1;BAF=' "$WORK/t1.G_T1.vcf" && ok || bad "VCF MAJOR_CN/MINOR_CN"
grep -q '^##INFO=<ID=PURITY_ESTIMATE,' "$WORK/t1.G_T1.vcf" && ok || bad "VCF PURITY_ESTIMATE header"
grep -q '>allele fraction<' "$WORK/t1.G_T1.MET.svg" && grep -q '>(9,1)<' "$WORK/t1.G_T1.MET.svg" && ok ||
    bad "SVG allele-fraction track"

# the matched normal: genotypes from it, same answer
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz --normal germline/G_N.bam \
    -o "$WORK/t1n" -q germline/G_T1.bam
expect_rc 0
pn=$(col "$WORK/t1n.calls.tsv" purity)
holds "$pn - $p1 <= 0.05 && $p1 - $pn <= 0.05" && ok || bad "G_T1 with normal: purity $pn"
# the normal's heterozygous sites are the simulator's (genotypes.tsv: hap0 != hap1)
python3 - "$WORK/t1n.json" germline/G_N.genotypes.tsv <<'EOF' && ok || bad "G_T1 normal genotypes"
import json, sys
f = json.load(open(sys.argv[1]))["samples"][0]["purity_fit"]
het = set()
for line in open(sys.argv[2]):
    t = line.rstrip("\n").split("\t")
    if t[0] != "chrom" and t[5] != t[6]:
        het.add((t[0], int(t[1])))
used = {(s["chromosome"], s["pos"]) for s in f["sites"]}
assert {s["status"] for s in f["sites"]} == {"het_normal"}
assert used <= het and len(used) > 100, (len(used), len(used - het))
EOF

# G_T3: a quiet genome with a (C-1,1) amplicon does not pin the purity: said plainly, and the
# copy-number interval carries the whole range (it holds the truth)
met3=$(truth G_T3 met_cn)
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz -o "$WORK/t3" -q germline/G_T3.bam
expect_rc 0
T="$WORK/t3.calls.tsv"
[ "$(col "$T" purity_estimate_status)" = undetermined ] && ok || bad "G_T3 status $(col "$T" purity_estimate_status)"
[ "$(col "$T" purity_estimate)" = NA ] && ok || bad "G_T3 purity_estimate not NA"
case "$(col "$T" qc_reasons)" in *purity_undetermined=*) ok ;; *) bad "G_T3 no purity_undetermined" ;; esac
[ "$(col "$T" equivocal)" = yes ] && ok || bad "G_T3 not equivocal"
cl=$(col "$T" cn_low) ch=$(col "$T" cn_high)
holds "$cl <= $met3 && $met3 <= $ch" && ok || bad "G_T3 MET cn $cl-$ch misses $met3"

# G_T2: a doubled genome whose states are all even is not identifiable: never confidently
# wrong (within 0.05 of the truth, or flagged)
p2=$(truth G_T2 purity)
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz -o "$WORK/t2" -q germline/G_T2.bam
expect_rc 0
T="$WORK/t2.calls.tsv"
pe=$(col "$T" purity) q=$(col "$T" qc_reasons)
if holds "$pe - $p2 <= 0.05 && $p2 - $pe <= 0.05"; then ok; else
    case "$q" in *purity_ambiguous=* | *purity_undetermined=* | *doubling_unresolved=*) ok ;; *) bad "G_T2 purity $pe confidently wrong" ;; esac
fi
# ... and, whatever the prior chose, flagged, with the doubled solution (the chosen one or the
# listed twin) at the truth, and MET's interval (the hull over both) holding the truth
met2=$(truth G_T2 met_cn)
case "$q" in *purity_ambiguous=* | *purity_undetermined=* | *doubling_unresolved=*) ok ;; *) bad "G_T2 not flagged: $q" ;; esac
cl=$(col "$T" cn_low) ch=$(col "$T" cn_high)
holds "$cl <= $met2 && $met2 <= $ch" && ok || bad "G_T2 MET cn $cl-$ch misses $met2"
python3 - "$WORK/t2.json" "$p2" <<'EOF' && ok || bad "G_T2 JSON: doubled solution"
import json, sys
f = json.load(open(sys.argv[1]))["samples"][0]["purity_fit"]
sol = f["solutions"]
dbl = sol[0] if sol[0]["wgd"] else next(s for s in sol if s["doubling_twin"] and s["wgd"])
assert abs(dbl["purity"] - float(sys.argv[2])) <= 0.05, dbl
assert "doubling" in f["flags"] or "twin" in f["flags"], f["flags"]
EOF

# a given purity stays, the estimate beside it; far from it: purity_disagrees
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz --purity 0.3 -o "$WORK/g" -q germline/G_T1.bam
expect_rc 0
T="$WORK/g.calls.tsv"
[ "$(col "$T" purity)" = 0.3 ] && [ "$(col "$T" purity_source)" = given ] && ok || bad "given purity not kept"
case "$(col "$T" qc_reasons)" in *purity_disagrees=*'>0.05'*) ok ;; *) bad "no purity_disagrees: $(col "$T" qc_reasons)" ;; esac
holds "$(col "$T" purity_estimate) - $p1 <= 0.05 && $p1 - $(col "$T" purity_estimate) <= 0.05" && ok ||
    bad "estimate beside a given purity"
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa --snps sites.vcf.gz --purity "$p1" -o "$WORK/g2" -q germline/G_T1.bam
case "$(col "$WORK/g2.calls.tsv" qc_reasons)" in *purity_disagrees*) bad "true purity disagrees" ;; *) ok ;; esac
# without --snps nothing changes: purity assumed, no estimate
run "$METCN" call --pon "$WORK/n.pon" -T ref.fa -o "$WORK/a" -q germline/G_T1.bam
[ "$(col "$WORK/a.calls.tsv" purity_source)" = assumed ] &&
    [ "$(col "$WORK/a.calls.tsv" purity_estimate_status)" = none ] && ok || bad "no --snps: assumed"
# a coverage table with its allele table: the same estimate as from the BAM
"$METCN" coverage --panel panel.bed -T ref.fa --snps sites.vcf.gz -o "$WORK/t1cov.tsv" germline/G_T1.bam 2>/dev/null
run "$METCN" call --pon "$WORK/n.pon" --estimate-purity -o "$WORK/tab" -q "$WORK/t1cov.tsv"
expect_rc 0
[ "$(col "$WORK/tab.calls.tsv" purity)" = "$(col "$WORK/t1.calls.tsv" purity)" ] && ok ||
    bad "table: purity $(col "$WORK/tab.calls.tsv" purity) vs BAM $(col "$WORK/t1.calls.tsv" purity)"

# plasma: the estimate is the tumour fraction (source estimated, its range holds the truth) and
# feeds detection: PS_t0 (TF 0.2, MET 12) detected; a quiet plasma genome cannot tell its
# fraction, which the columns say
"$METCN" pon build --panel plasma_panel.bed -T ref.fa -o "$WORK/p.pon" plasma/PN0{1,2,3,4}.bam 2>/dev/null
run "$METCN" call --pon "$WORK/p.pon" -T ref.fa --sample-type plasma --snps sites.vcf.gz -o "$WORK/ps" -q plasma/PS_t0.bam
expect_rc 0
T="$WORK/ps.calls.tsv"
tf=$(awk -F'\t' '$1 == "PS_t0" { print $8 }' plasma/manifest.tsv)
[ "$(col "$T" tumour_fraction_source)" = estimated ] && ok || bad "plasma tumour_fraction_source"
holds "$(col "$T" tumour_fraction_low) <= $tf && $tf <= $(col "$T" tumour_fraction_high)" && ok ||
    bad "plasma TF range misses $tf"
[ "$(col "$T" detection)" = detected ] && ok || bad "PS_t0 detection $(col "$T" detection)"

# bad input: one line, the right exit code, nothing written
run "$METCN" call --pon "$WORK/n.pon" --normal germline/G_N.bam -o "$WORK/x" germline/G_T1.bam
expect_rc 2
expect_err "metcn call: --normal needs --snps"
run "$METCN" call --pon "$WORK/n.pon" --snps sites.vcf.gz --normal germline/G_N.bam -o "$WORK/x" germline/G_T1.bam germline/G_T3.bam
expect_rc 2
expect_err "--normal: one tumour per run with a matched normal (2 given)"
run "$METCN" call --pon "$WORK/n.pon" --snps "$WORK/nope.vcf.gz" -o "$WORK/x" germline/G_T1.bam
expect_rc 1
expect_err "nope.vcf.gz: cannot open"
run "$METCN" call --pon "$WORK/n.pon" --snps ref.fa -o "$WORK/x" germline/G_T1.bam
expect_rc 1
expect_err "ref.fa: not a VCF or BCF file"
run "$METCN" call --pon "$WORK/n.pon" --snps sites.vcf.gz --normal "$WORK/t1cov.tsv.missing" -o "$WORK/x" germline/G_T1.bam
expect_rc 1
expect_err "t1cov.tsv.missing"
expect_no_file "$WORK/x.calls.tsv"
run "$METCN" call --pon "$WORK/n.pon" --purity-disagree 2 -o "$WORK/x" germline/G_T1.bam
expect_rc 2
expect_err "--purity-disagree"
finish
