# CLI tests of `metcn pon build --snps` and its use by `metcn call --snps` (docs/pon.md,
# "Sites"; docs/purity.md, "Reference bias from the PoN"), on a generated set whose normals and
# tumours share site artefacts (tests/sim/pon_sites_set.sh: 30% of the sites with reference
# bias, REF 0.625 at a het site; 20% paralogous, ALT 0.3 in everybody):
#   - the PoN's per-site REF bias matches the simulated one (median error <= 0.03, mean offset
#     under 0.02: a fragment lost for the ALT of a neighbouring biased site takes this site's
#     allele on the same haplotype with it, so the truth 1/(2-LOSS) is a little high);
#   - the paralogous sites are flagged (recall and precision against the truth);
#   - the PoN round-trips through `pon info`, and tables with their allele tables give the same
#     site records as the BAMs;
#   - purity from `call --snps` within 0.05 of the truth with the sites-PoN, and measurably
#     worse with a PoN of the same normals without sites (both numbers asserted), on three
#     tumours of bench/pon_sites.sh (its T06, T11, T12: two where the artefact sites lead the
#     fit without the PoN's sites to a wrong solution, one where both are right); and on every
#     one the over-dispersion the fit estimates at least 3 times lower with the PoN's sites.
. "$(dirname "$0")/lib.bash" "$@"
D=${METCN_TESTDATA:?}
SIM=${METCN_SIM:-$BUILD/metcn-sim}
[ -s "$D/sites.vcf.gz" ] || { echo "no test data in $D"; exit 1; }
S=$WORK/set
bash "$SRC/tests/sim/pon_sites_set.sh" "$S" "$SIM" "$D" 12 T50:0.5:6 T80:0.8:11 T90:0.9:12 || {
    echo "cannot generate the set"
    exit 1
}
cd "$S" || exit 1

run "$METCN" pon build --help
expect_rc 0
expect_out "--snps FILE"
expect_out "--site-max-bias FLOAT    biased: |median REF fraction - 0.5| above this [0.15]"
expect_out "--snp-flank INT          sites within INT bp of a bin are counted [150]"

# the sites-PoN from the BAMs (counted in the same pass), and one of the same normals without
run "$METCN" pon build --panel "$D/panel.bed" -T "$D/ref.fa" --snps "$D/sites.vcf.gz" \
    -o "$WORK/sites.pon" SN*.bam
expect_rc 0
run "$METCN" pon build --panel "$D/panel.bed" -T "$D/ref.fa" -o "$WORK/plain.pon" SN*.bam
expect_rc 0
grep -q '^site	' "$WORK/plain.pon" && bad "a PoN without --snps has site lines" || ok
grep -q '^meta	n_sites	' "$WORK/plain.pon" && bad "a PoN without --snps declares sites" || ok
run "$METCN" pon info "$WORK/sites.pon"
expect_rc 0
n_site=$(grep -c '^site	' "$WORK/sites.pon")
expect_out "sites	$n_site"
for f in never_het biased constant noisy; do
    n=$(awk -F'\t' -v f="$f" '$1 == "site" && ("," $11 ",") ~ ("," f ",")' "$WORK/sites.pon" | wc -l)
    expect_out "sites_$f	$n"
done
run "$METCN" pon info "$WORK/plain.pon"
expect_out "sites	0"

# per-site bias and flags against the truth (site_artefacts.tsv: every artefact site)
python3 - "$WORK/sites.pon" site_artefacts.tsv >"$WORK/eval" <<'EOF'
import sys
truth = {}
for line in open(sys.argv[2]):
    f = line.rstrip('\n').split('\t')
    if f[0] != 'chrom':
        truth[(f[0], f[1])] = (f[4], float(f[5]))
err = {'ref_bias': [], 'plain': []}
par = par_flag = const = const_par = 0
for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    if f[0] != 'site':
        continue
    kind, rf = truth.get((f[1], f[2]), ('plain', 0.5))
    n_depth, flags = int(f[5]), f[10].split(',')
    if kind == 'paralog' and n_depth >= 5:  # enough normals to tell (chrY: none; chrX: XX)
        par += 1
        par_flag += 'constant' in flags or 'biased' in flags
    if 'constant' in flags:
        const += 1
        const_par += kind == 'paralog'
    if kind != 'paralog' and f[8] != 'NA' and flags == ['.']:
        err[kind].append(float(f[8]) - rf)
for k, e in err.items():
    a = sorted(abs(x) for x in e)
    print(k, len(e), a[len(a) // 2], sum(e) / len(e))
print('paralog', par, par_flag / par, const_par / const)
EOF
cat "$WORK/eval"
awk '$1 == "ref_bias" { b = 1; if (!($2 >= 50 && $3 <= 0.03 && $4 > -0.02 && $4 < 0.02)) exit 1 }
    $1 == "plain" { p = 1; if (!($2 >= 50 && $3 <= 0.03 && $4 > -0.02 && $4 < 0.02)) exit 1 }
    END { exit !(b && p) }' "$WORK/eval" && ok || bad "bias: $(tr '\n' ' ' <"$WORK/eval")"
awk '$1 == "paralog" { exit !($2 >= 50 && $3 >= 0.95 && $4 >= 0.95) }' "$WORK/eval" && ok ||
    bad "paralogous sites not flagged: $(grep paralog "$WORK/eval")"

# coverage tables with their allele tables give the same site records as the BAMs
for b in SN*.bam; do
    "$METCN" coverage --panel "$D/panel.bed" --snps "$D/sites.vcf.gz" -o "$WORK/tab_${b%.bam}.tsv" \
        "$b" 2>/dev/null || bad "coverage --snps $b"
done
run "$METCN" pon build --panel "$D/panel.bed" -T "$D/ref.fa" --snps "$D/sites.vcf.gz" \
    -o "$WORK/tables.pon" "$WORK"/tab_SN??.tsv
expect_rc 0
cmp -s <(grep '^site' "$WORK/sites.pon") <(grep '^site' "$WORK/tables.pon") && ok ||
    bad "site records from tables differ from those from BAMs"

# purity with and without the PoN's sites (truth 0.6 and 0.8)
run "$METCN" call --pon "$WORK/sites.pon" --snps "$D/sites.vcf.gz" -o "$WORK/with" T??.bam
expect_rc 0
run "$METCN" call --pon "$WORK/plain.pon" --snps "$D/sites.vcf.gz" -o "$WORK/without" T??.bam
expect_rc 0
python3 - "$WORK/with.json" "$WORK/without.json" "$WORK/sites.pon" >"$WORK/pur" <<'EOF'
import json, sys
truth = {"T50": 0.5, "T80": 0.8, "T90": 0.9}
rho = {}
flagged = sum(1 for l in open(sys.argv[3]) if l.startswith('site\t') and l.split('\t')[10] != '.\n')
for tag, path in (('with', sys.argv[1]), ('without', sys.argv[2])):
    errs = []
    for s in json.load(open(path))['samples']:
        f = s['purity_fit']
        errs.append(abs(f['purity'] - truth[s['sample']]))
        rho.setdefault(s['sample'], []).append(f['overdispersion'])
        st = [x['status'] for x in f['sites']]
        if tag == 'with':
            u = f['pon_sites']
            # every flagged PoN site the tumour has is dropped and listed as such
            ok = u['dropped'] == flagged == st.count('pon_flagged') and u['known'] > 0
            print('dropped', s['sample'], int(ok), u['dropped'], flagged, st.count('pon_flagged'))
        else:
            print('nokey', s['sample'], int('pon_sites' not in f and 'pon_flagged' not in st))
    print(tag, max(errs), sum(errs) / len(errs))
# the artefact sites inflate the allele counts' over-dispersion the fit estimates
print('rho', int(all(w * 3 < wo for w, wo in rho.values())), rho)
EOF
cat "$WORK/pur"
awk '$1 == "dropped" || $1 == "nokey" || $1 == "rho" { if (!($1 == "rho" ? $2 : $3)) exit 1 }' "$WORK/pur" && ok ||
    bad "pon_sites in the JSON: $(tr '\n' ' ' <"$WORK/pur")"
awk '$1 == "with" { w = $3; m = $2 } $1 == "without" { wo = $3 }
    END { exit !(m <= 0.0501 && wo - w >= 0.05) }' "$WORK/pur" && ok ||
    bad "purity with / without the PoN's sites: $(tr '\n' ' ' <"$WORK/pur")"

# bad inputs: a table without allele counts; a site list other than the tables' (nothing written)
"$METCN" coverage --panel "$D/panel.bed" -o "$WORK/noal.tsv" SN01.bam 2>/dev/null || bad "coverage"
run "$METCN" pon build --panel "$D/panel.bed" --snps "$D/sites.vcf.gz" -o "$WORK/x.pon" \
    "$WORK/noal.tsv" "$WORK"/tab_SN0[2-4].tsv
expect_rc 1
expect_err "metcn pon: $WORK/noal.tsv: no allele counts"
expect_no_file "$WORK/x.pon"
zcat "$D/sites.vcf.gz" | awk '/^#/ || NR % 2' >"$WORK/half.vcf"
run "$METCN" pon build --panel "$D/panel.bed" --snps "$WORK/half.vcf" -o "$WORK/x.pon" \
    "$WORK"/tab_SN0[1-4].tsv
expect_rc 1
expect_err "tab_SN01.tsv: allele counts at other sites than those of $WORK/half.vcf"
expect_no_file "$WORK/x.pon"
# the loader on site records: each bad variant of a valid file (checksum made right, so that
# the parser itself answers) is refused with one message naming the file and line
python3 - "$SRC/fuzz/corpus/pon/sites.pon" "$WORK" <<'EOF'
import sys
def fnv(data, h):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
lines = [l for l in open(sys.argv[1]).read().split('\n') if l and not l.startswith('checksum')]
first = [i for i, l in enumerate(lines) if l.startswith('site\t')][0]
cases = {
    'order': 'site\tchr7\t116700300\tA\tG\t12\t5\t110\t0.52\t0.02\t.',
    'flag': 'site\tchr1\t1500\tA\tG\t12\t5\t110\t0.52\t0.02\tweird',
    'het': 'site\tchr1\t1500\tA\tG\t5\t12\t110\t0.52\t0.02\t.',
    'contig': 'site\tchr9\t1500\tA\tG\t12\t5\t110\t0.52\t0.02\t.',
    'allele': 'site\tchr1\t1500\tA\tA\t12\t5\t110\t0.52\t0.02\t.',
    'bias': 'site\tchr1\t1500\tA\tG\t12\t5\t110\t1.52\t0.02\t.',
    'fields': 'site\tchr1\t1500\tA\tG\t12\t5\t110\t0.52\t0.02',
    'count': None,
}
for name, new in cases.items():
    v = list(lines)
    if new is None:
        del v[first]
    else:
        v[first] = new
    h = 0xcbf29ce484222325
    for l in v:
        h = fnv((l + '\n').encode(), h)
    open(f'{sys.argv[2]}/bad_{name}.pon', 'w').write(''.join(l + '\n' for l in v) +
                                                     'checksum\tfnv1a64\t%016x\n' % h)
EOF
for c in order:"out of panel order" flag:"unknown site flag" het:"bad site normal counts" \
    contig:"contig 'chr9' not declared" allele:"site alleles" bias:"outside [0,1]" \
    fields:"expected 11 fields" count:"meta declares 3 site lines, the file has 2"; do
    run "$METCN" pon info "$WORK/bad_${c%%:*}.pon"
    expect_rc 1
    expect_err "bad_${c%%:*}.pon"
    expect_err "${c#*:}"
done
run "$METCN" pon info "$SRC/fuzz/corpus/pon/sites.pon"
expect_rc 0
expect_out "sites_never_het	1"

# a call whose site list the PoN does not know: a warning, the sample's own bias everywhere
zcat "$D/sites.vcf.gz" | awk '/^#/' >"$WORK/none.vcf"
zcat "$D/sites.vcf.gz" | awk -F'\t' -v OFS='\t' '!/^#/ { $2 = $2 + 1; print }' >>"$WORK/none.vcf"
run "$METCN" call --pon "$WORK/sites.pon" --snps "$WORK/none.vcf" -o "$WORK/none" T90.bam
expect_rc 0
expect_err "none of its"
finish
