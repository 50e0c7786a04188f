# Off-target bins on a small panel (MET exons and flanks, 6 EGFR exons, 4 other chr7 targets:
# the chr7 control rests on 10 target bins): generated reads with off-target depth 0.3% of the
# on-target depth; `panel show --off-target` derives the bins (CNVkit's rule: clear of every
# target by the pad, out of N gaps, ~150 kb), their coverage equals an independent count
# (samtools depth over the bin), and `pon build --off-target` makes the chr7 control level of
# generated tumours (chr7 at 2, 3 and 4 copies) cover the truth with a narrower interval than
# the targets alone give.
. "$(dirname "$0")/lib.bash" "$@"
TD=$(cd "${METCN_TESTDATA:-$BUILD/testdata}" && pwd)
SIM=${METCN_SIM:-$BUILD/metcn-sim}
[ -s "$TD/ref.fa.fai" ] || { echo "FAIL: no fixture reference at $TD (ctest -R simdata)" >&2; exit 1; }
[ -x "$SIM" ] || { echo "FAIL: no metcn-sim at $SIM" >&2; exit 1; }
cd "$WORK" || exit 1
run "$SIM" panel -r "$TD/ref.fa" -o small.bed --seed 11 --n-other 120 --n-control 4 --n-egfr 6
expect_rc 0
common=(-r "$TD/ref.fa" -b small.bed --capture-seed 7 --capture-sd 0.3 --read-len 150
    --frag-mean 300 --frag-sd 50 --error 0.002 --dup 0.05 --lowmapq 0.01 --supp 0.005
    --offtarget 0.003 -l 1)
{
    for i in 1 2 3 4; do
        sex=XX; [ $((i % 2)) = 0 ] && sex=XY
        printf '%s\n' "-o N$i -s $((400 + i)) --sex $sex -d $((120 + 20 * i)) --gc-slope 0.$i --gc-curv -3"
    done
    for c7 in 2 3 4; do
        printf '%s\n' "-o T_c$c7 -s $((500 + c7)) --sex XX -d 140 --gc-slope -0.5 --gc-curv -4 --purity 0.8 --chr7-cn $c7 --met-cn 8"
    done
} >jobs.txt
# shellcheck disable=SC2016
xargs -P 2 -L 1 -a jobs.txt -- bash -c '"$0" reads "${@:1}" >/dev/null 2>&1' "$SIM" "${common[@]}"
for s in N1 N2 N3 N4 T_c2 T_c3 T_c4; do [ -s "$s.bam" ] && ok || bad "$s.bam not generated"; done

# the bins: clear of targets by 500 bp, out of N runs of 5 kb or more, ~150 kb on average
run "$METCN" panel show --panel small.bed --off-target -T "$TD/ref.fa" -o off.bed
expect_rc 0
run python3 - "$TD/ref.fa" off.bed small.bed <<'PY'
import sys
fa, off, tgt = sys.argv[1:4]
def bed(p, anti):
    out = {}
    for l in open(p):
        if l.startswith('#'):
            continue
        f = l.split('\t')
        if (len(f) > 3 and f[3].strip() == 'Antitarget') == anti:
            out.setdefault(f[0], []).append((int(f[1]), int(f[2])))
    return out
bins, targets = bed(off, True), bed(tgt, False)
seq, name, gaps = [], None, {}
def flush():
    if name is None:
        return
    s = ''.join(seq).upper()
    i, g = 0, []
    while True:
        i = s.find('N', i)
        if i < 0:
            break
        j = i
        while j < len(s) and s[j] == 'N':
            j += 1
        if j - i >= 5000:
            g.append((i, j))
        i = j
    gaps[name] = g
for l in open(fa):
    if l.startswith('>'):
        flush()
        name, seq = l[1:].split()[0], []
    else:
        seq.append(l.strip())
flush()
bad, sizes = 0, []
for c, bl in bins.items():
    for s, e in bl:
        sizes.append(e - s)
        for ts, te in targets.get(c, []):
            if s < te + 500 and e > ts - 500:
                bad += 1
        for gs, ge in gaps.get(c, []):
            if s < ge and e > gs:
                bad += 1
mean = sum(sizes) / len(sizes)
print('off-target bins %d, mean size %.0f, on targets or gaps %d, gaps %d' %
      (len(sizes), mean, bad, sum(len(g) for g in gaps.values())))
sys.exit(0 if bad == 0 and 100000 <= mean <= 200000 and len(sizes) > 500 else 1)
PY
echo "$OUT"
expect_rc 0

# coverage of off-target bins: mean depth equals samtools depth (-s: overlapping mates once)
run "$METCN" coverage --panel off.bed -o N1.cov.tsv N1.bam
expect_rc 0
awk -F'\t' '$4 == "Antitarget" && $1 == "chr7" && NR % 97 == 0 { print $1 "\t" $2 "\t" $3 "\t" $8 }' N1.cov.tsv | head -12 >pick.tsv
[ "$(wc -l <pick.tsv)" -ge 8 ] && ok || bad "too few off-target bins picked"
while IFS=$'\t' read -r c s e d; do
    sd=$(samtools depth -a -s -G 0xF04 -r "$c:$((s + 1))-$e" N1.bam | awk -v L=$((e - s)) '{ t += $3 } END { printf "%.4f", t / L }')
    awk -v a="$d" -v b="$sd" 'BEGIN { exit !(a - b < 0.0051 && b - a < 0.0051) }' && ok ||
        bad "$c:$s-$e: metcn mean_depth $d, samtools depth $sd"
done <pick.tsv

# the chr7 control level: targets alone vs with off-target bins
run "$METCN" pon build --panel small.bed -T "$TD/ref.fa" -o tgt.pon.gz N1.bam N2.bam N3.bam N4.bam
expect_rc 0
run "$METCN" pon build --panel small.bed -T "$TD/ref.fa" --off-target -o off.pon.gz N1.bam N2.bam N3.bam N4.bam
expect_rc 0
[ "$(zcat off.pon.gz | grep -c Antitarget)" -gt 500 ] && ok || bad "no off-target bins in the PoN"
for p in tgt off; do
    run "$METCN" call --pon $p.pon.gz --purity 0.8 -q --no-sample-files -o $p T_c2.bam T_c3.bam T_c4.bam
    expect_rc 0
done
c() { awk -F'\t' -v s="$2" -v k="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == s { print $h[k] }' "$1.calls.tsv"; }
for c7 in 2 3 4; do
    for p in tgt off; do
        lo=$(c $p T_c$c7 control_cn_low) hi=$(c $p T_c$c7 control_cn_high)
        echo "T_c$c7 $p: chr7 $(c $p T_c$c7 control_cn) [$lo, $hi], truth $c7"
        awk -v lo="$lo" -v hi="$hi" -v t="$c7" 'BEGIN { exit !(lo <= t && t <= hi) }' && ok || bad "T_c$c7 $p: [$lo, $hi] misses $c7"
    done
    awk -v a="$(c off T_c$c7 control_cn_low)" -v b="$(c off T_c$c7 control_cn_high)" \
        -v x="$(c tgt T_c$c7 control_cn_low)" -v y="$(c tgt T_c$c7 control_cn_high)" \
        'BEGIN { exit !(b - a < 0.75 * (y - x)) }' && ok || bad "T_c$c7: off-target bins did not narrow the chr7 interval"
done
finish
