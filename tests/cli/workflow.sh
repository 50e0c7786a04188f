#!/usr/bin/env bash
# workflow.sh -- the Snakemake workflow (workflow/Snakefile) end to end on the simdata fixture
# with Debian's snakemake and multiqc, --cores 2: 7 normals (one CRAM), 5 tumours (one given as
# a coverage table, one CRAM), a plasma series of one patient, one truncated BAM and one missing
# file.  Checks: the cohort table equals direct `metcn call` runs on the same inputs (and the
# calls from the BAMs within the coverage table's rounding), the broken samples are qc=fail rows
# with metcn's reason, the PoN, concordance, MultiQC from metcn's own files (metcn section, every
# sample), track when metcn has it, a second run does nothing, a bad sheet is refused, and the
# failure capture (exit 1 or 3 = the sample's failure, other exits stop the workflow).
#   bash tests/cli/workflow.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.bash" "$@"

D=${METCN_TESTDATA:?METCN_TESTDATA not set (run through ctest)}
for tool in snakemake multiqc; do
    if ! command -v "$tool" >/dev/null; then
        RC=1 bad "$tool is not installed (apt-get install $tool; see .ci/deps.sh)"
        finish
        exit 1
    fi
done
SNAKEFILE=$SRC/workflow/Snakefile
METCN=$(cd "$(dirname "$METCN")" && pwd)/$(basename "$METCN")
cd "$WORK" || exit 1

# --- inputs ------------------------------------------------------------------------------
truth() { awk -F'\t' -v s="$1" -v c="$2" 'NR == 1 {for (i = 1; i <= NF; i++) k[$i] = i; next}
    $1 == s {print $k[c]}' "$D/manifest.tsv"; }
head -c 40000 "$D/T_m6_p0.6_c2.bam" >broken.bam # a BAM cut short
run "$METCN" coverage --panel "$D/panel.bed" -T "$D/ref.fa" -o T_m20_p0.3_c3.cov.tsv.gz \
    "$D/T_m20_p0.3_c3.bam"
expect_rc 0
tumours="T_m12_p0.6_c2 T_m4_p1.0_c4 T_m2_p0.6_c2 T_m20_p0.3_c3 T_m40_p0.6_c4"
plasma="T_m2_p0.1_c2 T_m8_p0.1_c2 T_m8_p0.3_c2"
{
    printf 'sample\ttype\tpath\tpurity\tpatient\tdate\n'
    printf 'N01\tnormal\t%s\t\t\t\n' "$D/N01.cram"
    for n in N03 N04 N05 N06 N07 N08; do printf '%s\tnormal\t%s\t\t\t\n' "$n" "$D/$n.bam"; done
    for t in $tumours; do
        path=$D/$t.bam
        [ "$t" = T_m20_p0.3_c3 ] && path=T_m20_p0.3_c3.cov.tsv.gz # a table, named like one
        [ "$(truth "$t" cram)" != . ] && path=$D/$(truth "$t" cram)
        printf '%s\ttumour\t%s\t%s\t\t\n' "$t" "$path" "$(truth "$t" purity)"
    done
    printf 'broken\ttumour\tbroken.bam\t0.5\t\t\n'
    d=1
    for p in $plasma; do
        printf '%s\tplasma\t%s\t\tP1\t2026-0%d-05\n' "$p" "$D/$p.bam" "$d"
        d=$((d + 2))
    done
    printf 'missing\tplasma\tno_such.bam\t\tP2\tNA\n'
} >samples.tsv
{
    printf 'sample\tmet_cep7_ratio\n'
    for t in $tumours $plasma; do printf '%s\t%s\n' "$t" "$(truth "$t" fish_ratio)"; done
} >fish.tsv
cat >config.yaml <<EOF
samples: samples.tsv
outdir: out
panel: $D/panel.bed
reference: $D/ref.fa
metcn: $METCN
fish: fish.tsv
track: false
threads: {pon: 2}
EOF
called="$tumours broken $plasma missing"

# --- the run -----------------------------------------------------------------------------
t0=$(date +%s)
run snakemake -s "$SNAKEFILE" --cores 2 --configfile config.yaml
expect_rc 0
echo "workflow: snakemake ran in $(($(date +%s) - t0)) s" >&2
[ "$RC" -eq 0 ] || { tail -40 "$WORK/.err" >&2; finish; exit 1; }

T=out/calls.tsv
[ -s "$T" ] && ok || bad "no $T"
[ "$(grep -c '^sample	' "$T")" -eq 1 ] && ok || bad "$T: header not exactly once"
[ "$(tail -n +2 "$T" | cut -f1 | tr '\n' ' ')" = "$(tr -s ' ' <<<"$called ")" ] && ok ||
    bad "$T: samples $(tail -n +2 "$T" | cut -f1 | tr '\n' ' ') not in sheet order"
col() { awk -F'\t' -v s="$2" -v c="$3" 'NR == 1 {for (i = 1; i <= NF; i++) k[$i] = i; next}
    $1 == s {print $k[c]}' "$1"; }

# the broken and the missing sample: qc=fail rows with metcn's one-line reason, NA numbers
[ "$(col "$T" broken qc)" = fail ] && ok || bad "broken: qc is '$(col "$T" broken qc)'"
reason=$(col "$T" broken qc_reasons)
[[ $reason == "coverage_failed=metcn coverage: $WORK/broken.bam: "* ]] && ok ||
    bad "broken: qc_reasons '$reason'"
[ "$(col "$T" missing qc)" = fail ] && ok || bad "missing: qc is '$(col "$T" missing qc)'"
[[ $(col "$T" missing qc_reasons) == *"no_such.bam: cannot open"* ]] && ok ||
    bad "missing: qc_reasons '$(col "$T" missing qc_reasons)'"
[ "$(col "$T" broken gene)" = "$(col "$T" T_m12_p0.6_c2 gene)" ] && ok || bad "broken: gene"
nas=$(awk -F'\t' '$1 == "broken" {n = 0; for (i = 2; i <= NF; i++) n += ($i == "NA"); print n}' "$T")
[ "$nas" -eq $(($(head -1 "$T" | awk -F'\t' '{print NF}') - 4)) ] && ok ||
    bad "broken: $nas NA fields (all but sample, gene, qc, qc_reasons expected)"

# the cohort table = direct `metcn call` on the same inputs (the coverage tables): tumours one
# by one (each its own purity), the plasma series in one multi-sample call
tables() { for s in "$@"; do printf '%s ' "out/samples/$s/$s.coverage.tsv.gz"; done; }
expected=$WORK/expected.tsv
: >"$expected"
for t in $tumours; do
    run "$METCN" call --pon out/pon/pon.gz --purity "$(truth "$t" purity)" -q -o "direct.$t" \
        $(tables "$t")
    expect_rc 0
    if [ -s "$expected" ]; then tail -n +2 "direct.$t.calls.tsv"; else cat "direct.$t.calls.tsv"; fi >>"$expected"
done
run "$METCN" call --pon out/pon/pon.gz -q -o direct.plasma $(tables $plasma)
expect_rc 0
tail -n +2 direct.plasma.calls.tsv >>"$expected"
grep -v -e '^broken	' -e '^missing	' "$T" >got.tsv
if cmp -s got.tsv "$expected"; then ok; else
    bad "cohort table differs from direct metcn call:"
    diff got.tsv "$expected" | head -10 >&2
fi

# ... and the calls from the BAM/CRAM files themselves agree up to the table's rounding of
# mean depth (4 decimals): categories equal, numbers within one unit of the fourth significant
# digit the calls table prints (a difference far below that can still move a printed digit:
# lod_tf_cn5 0.1812 vs 0.1811), or 1e-5
: >bam.tsv
for t in $tumours $plasma; do
    in=$D/$t.bam
    [ "$(truth "$t" cram)" != . ] && in=$D/$(truth "$t" cram)
    pur=()
    [[ " $tumours " == *" $t "* ]] && pur=(--purity "$(truth "$t" purity)")
    run "$METCN" call --pon out/pon/pon.gz "${pur[@]}" -T "$D/ref.fa" -q -o "bam.$t" "$in"
    expect_rc 0
    if [ -s bam.tsv ]; then tail -n +2 "bam.$t.calls.tsv"; else cat "bam.$t.calls.tsv"; fi >>bam.tsv
done
run awk -F'\t' 'NR == FNR {a[FNR] = $0; next}
    { n = split(a[FNR], x, "\t"); if (n != NF) {print "row " FNR ": field count"; bad++; next}
      for (i = 1; i <= NF; i++) {
        if (x[i] == $i) continue
        if ($i ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ && x[i] ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) {
          d = x[i] - $i; if (d < 0) d = -d; m = $i < 0 ? -$i : $i
          e = m > 0 ? log(m) / log(10) : 0; f = int(e); if (f > e) f--
          if (d <= 1e-5 || d <= 1.0001 * 10 ^ (f - 3)) continue
        }
        print "row " FNR " field " i ": " x[i] " vs " $i; bad++
      } }
    END { exit bad > 0 }' got.tsv bam.tsv
expect_rc 0
[ -n "$OUT" ] && echo "$OUT" | head -5 >&2

# a known truth still comes through: the focal 12-copy tumour is high, the 2-copy one negative
[ "$(col "$T" T_m12_p0.6_c2 tier)" = high ] && ok || bad "T_m12_p0.6_c2 tier $(col "$T" T_m12_p0.6_c2 tier)"
[ "$(col "$T" T_m2_p0.6_c2 tier)" = negative ] && ok || bad "T_m2_p0.6_c2 tier"

# per-sample outputs and the panel of normals
for s in $tumours $plasma; do
    [ -s "out/samples/$s/$s.json" ] && ok || bad "no out/samples/$s/$s.json"
done
[ "$(awk -F'\t' 'NR > 1 && $2 == "ok"' out/pon/normals.tsv | wc -l)" -eq 7 ] && ok ||
    bad "pon/normals.tsv: not 7 normals ok"
grep -q "^N01	" out/pon/pon_info.tsv && ok || bad "pon_info.tsv lacks the CRAM normal N01"

# concordance against the FISH table (failed rows are left out by metcn concordance)
[ -s out/concordance/concordance.json ] && ok || bad "no concordance.json"
n=$(awk -F'\t' '$2 == "matched"' out/concordance/concordance.samples.tsv | wc -l)
[ "$n" -eq 8 ] && ok || bad "concordance: $n samples matched, not 8"

# MultiQC: the report, its metcn section, every called sample in the calls table; made from the
# files metcn call and pon build wrote (listed in multiqc/files.txt), the failed samples added
[ -s out/multiqc_report.html ] && ok || bad "no multiqc_report.html"
grep -q 'mqc-module-section-metcn' out/multiqc_report.html && ok || bad "no metcn section"
for s in $tumours $plasma; do
    grep -qx "out/samples/$s/$s.metcn_calls_mqc.json" out/multiqc/files.txt && ok ||
        bad "multiqc/files.txt lacks metcn call's own file of $s"
done
grep -qx out/pon/pon.metcn_pon_mqc.json out/multiqc/files.txt && ok || bad "no PoN MultiQC file"
data=out/multiqc_report_data/multiqc_metcn_calls_table.txt
for s in $called; do
    grep -q "^$s	" "$data" && ok || bad "MultiQC calls table lacks $s"
done
grep -q "^broken	.*fail" out/multiqc_report_data/multiqc_general_stats.txt && ok ||
    bad "MultiQC general statistics: broken is not fail"
[ "$(awk -F'\t' 'NR > 1 && $1 ~ /^N0[1345678]$/' out/multiqc_report_data/multiqc_metcn_pon_table.txt | wc -l)" -eq 7 ] &&
    ok || bad "MultiQC PoN table: not the 7 normals"

# metcn track per patient (a second run with track on: only the track jobs run), when the binary
# has the command and writes the gene-neutral calls table that track reads
if ! "$METCN" --help | grep -q '^  track '; then
    echo "workflow: metcn has no 'track' command: track not tested" >&2
elif ! head -1 "$T" | tr '\t' '\n' | grep -qx cn; then
    echo "workflow: the calls table has no 'cn' column (0.1 format): track not tested" >&2
else
    run snakemake -s "$SNAKEFILE" --cores 2 --configfile config.yaml --config track=true
    expect_rc 0
    for p in $plasma; do
        grep -q "	$p	" out/track/P1.track.tsv && ok || bad "track: P1 lacks $p"
    done
    [ ! -e out/track/P2.track.tsv ] && ok || bad "track: P2 (no date) should not be tracked"
    [ ! -e out/track/P2.sheet.tsv ] && ok || bad "track: a sheet for P2"
fi

# a second run has nothing to do
run snakemake -s "$SNAKEFILE" --cores 2 --configfile config.yaml
expect_rc 0
expect_err "Nothing to be done"

# allele counts and purity from the reads (config snps): the germline tumour G_T1 (purity 0.6,
# LOH and gains elsewhere) against the PoN of the first run; coverage counts the alleles in the
# same pass and the call estimates the purity from them
# and the sheet's somatic column: a tumour (purity 0.3) carrying three clonal somatic SNVs
# (metcn-sim --somatic), its fraction from their reads (coverage and call --somatic)
awk '$1 != "chr7" && NR % 40 == 7 { print $1, int(($2 + $3) / 2) }' "$D/panel.bed" | head -3 >som.pos
{
    printf '##fileformat=VCFv4.2\n'
    cut -d' ' -f1 som.pos | sort -u | sed 's/.*/##contig=<ID=&>/'
    printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
    while read -r c p; do
        b=$(samtools faidx "$D/ref.fa" "$c:$p-$p" | tail -n 1 | tr 'acgt' 'ACGT')
        case $b in A) a=C ;; C) a=G ;; G) a=T ;; *) a=A ;; esac
        printf '%s\t%s\t.\t%s\t%s\t.\tPASS\t.\n' "$c" "$p" "$b" "$a"
    done <som.pos
} >som.vcf
run "${METCN_SIM:-$BUILD/metcn-sim}" reads -r "$D/ref.fa" -b "$D/panel.bed" --capture-seed 7 \
    --capture-sd 0.3 --read-len 150 --frag-mean 300 --frag-sd 50 -d 300 -s 5701 --sex XX \
    --purity 0.3 --met-cn 8 --somatic som.vcf -o S_T1
expect_rc 0
{
    printf 'sample\ttype\tpath\tpurity\tpatient\tdate\tsomatic\n'
    printf 'G_T1\ttumour\t%s\t\t\t\t\n' "$D/germline/G_T1.bam"
    printf 'S_T1\ttumour\tS_T1.bam\t\t\t\tsom.vcf\n'
    for n in N03 N04 N05 N06 N07 N08; do printf '%s\tnormal\t%s\t\t\t\t\n' "$n" "$D/$n.bam"; done
} >snps.tsv
run snakemake -s "$SNAKEFILE" --cores 2 --configfile config.yaml \
    --config samples=snps.tsv outdir=out_snps snps="$D/sites.vcf.gz" multiqc=false fish=
expect_rc 0
# the PoN holds the sites (pon build --snps from the normals' allele tables)
n_sites=$(awk -F'\t' '$1 == "sites" {print $2}' out_snps/pon/pon_info.tsv)
[ "${n_sites:-0}" -gt 100 ] && ok || bad "snps: the PoN has '${n_sites}' sites"
gp=$(awk -F'\t' 'NR == 1 {for (i = 1; i <= NF; i++) k[$i] = i; next} {print $k["purity"]}' \
    "$D/germline/G_T1.truth.tsv")
[ -s out_snps/samples/G_T1/G_T1.coverage.alleles.tsv.gz ] && ok || bad "snps: no allele table"
[ "$(col out_snps/calls.tsv G_T1 purity_source)" = estimated ] && ok ||
    bad "snps: purity_source '$(col out_snps/calls.tsv G_T1 purity_source)', not estimated"
# the estimate within 0.05 of the truth, or flagged ambiguous with the truth inside its range
pe=$(col out_snps/calls.tsv G_T1 purity) pl=$(col out_snps/calls.tsv G_T1 purity_low)
ph=$(col out_snps/calls.tsv G_T1 purity_high) qr=$(col out_snps/calls.tsv G_T1 qc_reasons)
awk -v a="$pe" -v b="$gp" -v l="$pl" -v h="$ph" -v amb="$([[ $qr == *purity_ambiguous* ]] && echo 1)" \
    'BEGIN {d = a - b; exit !(l <= b && b <= h && (amb || (d <= 0.05 && d >= -0.05)))}' && ok ||
    bad "snps: G_T1 purity $pe ($pl-$ph, qc $qr), truth $gp"
# S_T1: the fraction from its somatic variants, the interval holding the truth 0.3
[ "$(col out_snps/calls.tsv S_T1 purity_source)" = somatic ] && ok ||
    bad "somatic: purity_source '$(col out_snps/calls.tsv S_T1 purity_source)', not somatic"
pl=$(col out_snps/calls.tsv S_T1 purity_low) ph=$(col out_snps/calls.tsv S_T1 purity_high)
awk -v l="$pl" -v h="$ph" 'BEGIN {exit !(l <= 0.3 && 0.3 <= h && h - l < 0.2)}' && ok ||
    bad "somatic: S_T1 fraction $pl-$ph, truth 0.3"
# a sheet giving both a purity and somatic variants is refused, naming the row
awk -F'\t' -v OFS='\t' '$1 == "S_T1" {$4 = "0.3"} {print}' snps.tsv >both.tsv
run snakemake -s "$SNAKEFILE" --cores 1 -n --configfile config.yaml --config samples=both.tsv
[ "$RC" -ne 0 ] && ok || bad "a sheet with purity and somatic was accepted"
expect_out "both.tsv: line 3: purity and somatic both give the tumour fraction: one of them"

# a bad sample sheet is refused before any job, naming the row
sed 's/^N03	normal/N03	blood/' samples.tsv >bad_samples.tsv
run snakemake -s "$SNAKEFILE" --cores 1 -n --configfile config.yaml --config samples=bad_samples.tsv
[ "$RC" -ne 0 ] && ok || bad "a sheet with type 'blood' was accepted"
expect_out "bad_samples.tsv: line 3: 'blood' is not one of"
run snakemake -s "$SNAKEFILE" --cores 1 -n --config samples=samples.tsv panel=x
[ "$RC" -ne 0 ] && ok || bad "a config without 'reference' was accepted"
expect_out "'reference' is a required property"

# the SLURM profile with Debian's snakemake: stand-ins for sbatch, srun, sacct, sacctmgr, sinfo
# record each submission and start it in the background, so the sbatch lines the profile and the rules'
# resources produce are checked (a small cohort: 3 normals, 1 tumour, no MultiQC; sacct asked
# once a second instead of the SLURM executor's default of once in 33 s)
mkdir -p slurm-bin slurm-state
cat >slurm-bin/sbatch <<'EOF'
#!/usr/bin/env bash
# stand-in sbatch: log the arguments, start --wrap in -D in the background (as a cluster would),
# its exit status in ID.rc when it ends
state=$SLURM_MOCK_STATE
id=$(($(cat "$state/last" 2>/dev/null || echo 100) + 1))
echo "$id" >"$state/last"
printf '%s\n' "$*" >>"$state/sbatch.log"
dir=. wrap=""
while [ $# -gt 0 ]; do
    case $1 in
    -D) dir=$2; shift ;;
    --wrap=*) wrap=${1#--wrap=} ;;
    esac
    shift
done
(cd "$dir" && bash -c "$wrap"; echo $? >"$state/$id.rc.tmp"; mv "$state/$id.rc.tmp" "$state/$id.rc") \
    </dev/null >"$state/$id.out" 2>&1 &
echo "Submitted batch job $id"
EOF
cat >slurm-bin/sacct <<'EOF'
#!/usr/bin/env bash
# stand-in sacct: "-j ID" -> ID|RUNNING, ID|COMPLETED or ID|FAILED; anything else: the account
id="" ; while [ $# -gt 0 ]; do [ "$1" = -j ] && id=$2; shift; done
[ -n "$id" ] || { echo testacct; exit 0; }
rc=$(cat "$SLURM_MOCK_STATE/$id.rc" 2>/dev/null)
case $rc in
"") echo "$id|RUNNING" ;;
0) echo "$id|COMPLETED" ;;
*) echo "$id|FAILED" ;;
esac
EOF
printf '#!/bin/sh\necho testacct\n' >slurm-bin/sacctmgr
printf '#!/bin/sh\necho PARTITION; echo testpart\n' >slurm-bin/sinfo
printf '#!/usr/bin/env bash\nwhile [[ $1 == -* ]]; do shift; done\nexec "$@"\n' >slurm-bin/srun
chmod +x slurm-bin/*
cp -r "$SRC/workflow/profiles/slurm" profile
sed -i 's/YOUR_ACCOUNT/testacct/; s/YOUR_PARTITION/testpart/; s/^latency-wait: 60/latency-wait: 5/' \
    profile/config.yaml
awk -F'\t' 'NR == 1 || $1 ~ /^N0[345]$/ || $1 == "T_m12_p0.6_c2"' samples.tsv >small.tsv
t0=$(date +%s)
run env PATH="$WORK/slurm-bin:$PATH" SLURM_MOCK_STATE="$WORK/slurm-state" USER="${USER:-root}" \
    snakemake -s "$SNAKEFILE" --profile "$WORK/profile" --configfile config.yaml \
    --max-status-checks-per-second 1 --config samples=small.tsv outdir=out_slurm multiqc=false fish=
expect_rc 0
[ "$RC" -eq 0 ] || tail -20 "$WORK/.out" >&2
echo "workflow: the SLURM run took $(($(date +%s) - t0)) s" >&2
sb=slurm-state/sbatch.log
[ "$(grep -c . "$sb")" -eq 7 ] && ok || bad "SLURM: $(grep -c . "$sb") sbatch calls, not 7 (4 coverage, pon, pon_info, call)"
[ "$(grep -c -- '-A testacct -p testpart -t 60 --mem 2000' "$sb")" -eq 2 ] && ok ||
    bad "SLURM: the defaults (account, partition, 60 min, 2000 MB) are not on pon_info and call"
grep -q -- "rule_pon/.* -p testpart -t 120 --mem 4000 --cpus-per-task=2" "$sb" && ok ||
    bad "SLURM: pon is not submitted with 120 min, 4000 MB and 2 cpus"
[ "$(col out_slurm/calls.tsv T_m12_p0.6_c2 tier)" = high ] && ok || bad "SLURM: no high call"

# failure capture: exit 1 or 3 is the sample's failure; a usage error (2) or a crash stops the job
cap=$SRC/workflow/scripts/capture.sh
run bash "$cap" st.tsv st.log s1 call -- bash -c 'echo "metcn call: x.bam: bad" >&2; exit 1'
expect_rc 0
[ "$(tail -1 st.tsv)" = "$(printf 's1\tcall\tfail\tmetcn call: x.bam: bad')" ] && ok || bad "capture of exit 1"
run bash "$cap" st2.tsv st2.log s1 call -- bash -c 'echo "metcn call: --bogus: unknown" >&2; exit 2'
expect_rc 2
expect_no_file st2.tsv
# a one-sample metcn call whose sample fails exits 3: that sample's failure, with metcn's line
run bash "$cap" st4.tsv st4.log s2 call -- "$METCN" call --pon out/pon/pon.gz -q -o st4 no_such.tsv
expect_rc 0
[ "$(tail -1 st4.tsv)" = "$(printf 's2\tcall\tfail\tmetcn call: no_such.tsv: cannot open: No such file or directory')" ] &&
    ok || bad "capture of exit 3: $(tail -1 st4.tsv)"
run bash "$cap" st3.tsv st3.log s1 call --after st.tsv -- true
expect_rc 0
[ "$(tail -1 st3.tsv)" = "$(printf 's1\tcall\tfail\tmetcn call: x.bam: bad')" ] && ok || bad "capture --after"

finish
