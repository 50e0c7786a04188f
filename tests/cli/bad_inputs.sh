# bad_inputs.sh -- the bad-input matrix (docs/reliability.md): one table row per case.
#
# Every row runs one command in a fresh, empty output directory and asserts
#   - the exit code;
#   - that the FIRST stderr line is metcn's ("metcn <cmd>: ...") and contains each expected
#     text (the file it is about and the problem);
#   - that nothing is left in the output directory (no output, no temporary).
# Signal rows assert the exit status of the signal (128 + signal) and the empty directory.
#
# Adding a case: one `row` line (inputs are made below, under $IN):
#   row NAME RC 'TEXT'... -- COMMAND ARGS...
# '@O' in COMMAND or TEXT stands for the case's output directory.  A case that fails today
# because of a known bug in code owned elsewhere gets `known "owner: what"` on the line before:
# it is reported as XFAIL and does not fail the test; once it passes it is reported as XPASS
# and fails the test until the mark is removed.
. "$(dirname "$0")/lib.bash" "$@"

command -v samtools >/dev/null || { echo "samtools not found"; exit 1; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 1; }
D=${METCN_TESTDATA:?}
[ -s "$D/N01.bam" ] || { echo "no test data in $D"; exit 1; }
IN=$WORK/in
mkdir -p "$IN" "$WORK/out"
export REF_PATH=$WORK/no-ref-path REF_CACHE=$WORK/no-ref-cache # never the network

# ---- inputs --------------------------------------------------------------------------------
P=$D/panel.bed
samtools view -b -o "$IN/small.bam" "$D/N01.bam" chr1:1-300000 chr7:116000000-117500000
samtools index "$IN/small.bam"
samtools view -b -o "$IN/t.bam" "$D/T_m12_p0.6_c2.bam" chr1:1-300000 chr7:116000000-117500000
samtools view -C -T "$D/ref.fa" -o "$IN/small.cram" "$IN/small.bam"
samtools index "$IN/small.cram"
size() { stat -c %s "$1"; }
head -c 200000 "$IN/small.bam" >"$IN/trunc.bam"
cp "$IN/trunc.bam" "$IN/trunc_idx.bam" && cp "$IN/small.bam.bai" "$IN/trunc_idx.bam.bai"
head -c $(($(size "$IN/small.bam") - 28)) "$IN/small.bam" >"$IN/noeof.bam" # BGZF EOF block
head -c 40000 "$IN/small.cram" >"$IN/trunc.cram"
head -c $(($(size "$IN/small.cram") - 38)) "$IN/small.cram" >"$IN/noeof.cram" # EOF container
python3 - "$IN/small.bam" "$IN/corrupt.bam" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for i in range(100000, 100400):  # inside a BGZF block: its deflate stream breaks
    d[i] ^= 0x5A
open(sys.argv[2], 'wb').write(d)
EOF
cp "$IN/small.bam.bai" "$IN/corrupt.bam.bai"
cp "$IN/small.bam" "$IN/foreign.bam" && cp "$D/N02.bam.bai" "$IN/foreign.bam.bai"
cp "$IN/small.bam" "$IN/stale.bam" && cp "$IN/small.bam.bai" "$IN/stale.bam.bai"
touch -d '-2 hours' "$IN/stale.bam.bai"
cp "$IN/small.bam" "$IN/garbage.bam"
python3 -c "import random,sys; random.seed(5); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(1000)))" >"$IN/garbage.bam.bai"
: >"$IN/empty.bam"
cp "$P" "$IN/text.bam"
mkdir -p "$IN/adir"
# the reference's MD5 taken from a sequence dictionary beside it (as tests/cli/coverage.sh)
ln -s "$D/ref.fa" "$IN/wrong.fa" && ln -s "$D/ref.fa.fai" "$IN/wrong.fa.fai"
samtools dict -o "$IN/wrong.dict" "$IN/wrong.fa"
sed -i '/SN:chr7\t/s/M5:[0-9a-f]*/M5:00000000000000000000000000000000/' "$IN/wrong.dict"
samtools view -h "$IN/small.bam" | awk '!(/^@SQ/ && /SN:chr2\t/)' | samtools view -b -o "$IN/fewer_contigs.bam" -

# panels
printf 'chr7\t200\t100\tX\n' >"$IN/bad.bed"
: >"$IN/empty.bed"
printf 'chr7 100 200 MET\n' >"$IN/spaces.bed"
python3 -c "import random,sys; random.seed(7); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(300)))" >"$IN/binary.bed"

# a small panel, coverage tables of 12 normals (mosdepth regions) and a PoN built from them
cat >"$IN/p.bed" <<'EOF'
chr1	1000	2000	A1
chr1	3000	4000	A2
chr1	5000	6000	A3
chr2	500	1500	B1
chr2	2500	3500	B2
chr3	100	900	D1
chr3	1100	1900	D2
chr7	100	900	C1
chr7	116700000	116700500	MET_ex2
chr7	116731000	116731500	MET_ex3
chrX	100	600	X1
chrX	1000	1600	X2
EOF
for i in $(seq 1 12); do
    awk -v s="$i" 'BEGIN { OFS = "\t" } {
        d = 100 + ((NR * 37 + s * 11) % 23) + s; if ($1 == "chrX" && s % 2) d /= 2
        print $1, $2, $3, $4, d }' "$IN/p.bed" >"$IN/n$i.regions.bed"
done
NORMALS=("$IN"/n{1..6}.regions.bed)
: >"$IN/nempty.regions.bed"
head -n 5 "$IN/n7.regions.bed" >"$IN/nshort.regions.bed"
cp "$IN/n7.regions.bed" "$IN/"$'n\t7\nx.regions.bed'
"$METCN" pon build --panel "$IN/p.bed" --no-gc -o "$IN/good.pon" "$IN"/n{1..12}.regions.bed 2>/dev/null ||
    { echo "cannot build the test PoN"; exit 1; }
: >"$IN/empty.pon"
head -c 1500 "$IN/good.pon" >"$IN/trunc.pon"
sed 's/\treference\t/\tcontrol\t/' "$IN/good.pon" >"$IN/edited.pon"
gzip -c "$IN/good.pon" | head -c 800 >"$IN/trunc.pon.gz"
# issue 20: a later `meta n_samples` larger than the first, under a valid checksum
python3 - "$IN/crafted.pon" <<'EOF'
import sys
lines = ["#metcn-pon\t2", "meta\tn_samples\t1", "sample\ta\tXX" + "\t0" * 10,
         "meta\tn_samples\t5", "sample\tb\tXX" + "\t0" * 10]
h = 0xcbf29ce484222325
for line in lines:
    for c in (line + "\n").encode():
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
open(sys.argv[1], "w").write("\n".join(lines) + "\nchecksum\tfnv1a64\t%016x\n" % h)
EOF

# call: a PoN of the test panel from four whole normals (about a second), a tumour, the same
# tumour with chr7 of GRCh37's length (another build; the simulated chr7 has GRCh38's) and
# without chr2
T=$D/T_m12_p0.6_c2.bam
"$METCN" pon build --panel "$P" -o "$IN/bam.pon" "$D"/N0{1..4}.bam 2>/dev/null ||
    { echo "cannot build the BAM PoN"; exit 1; }
samtools view -H "$T" | sed '/SN:chr7\t/s/LN:[0-9]*/LN:159138663/' >"$IN/build.sam"
samtools reheader "$IN/build.sam" "$T" >"$IN/otherbuild.bam"
samtools view -h "$T" | awk '!(/^@SQ/ && /SN:chr2\t/)' | samtools view -b -o "$IN/nochr2.bam" -

# pon build --snps: three normals' coverage tables with allele tables (N01-N03, whole), and a
# site list with every other site of the tables' list
for k in 1 2 3; do
    "$METCN" coverage --panel "$P" --snps "$D/sites.vcf.gz" -o "$IN/al$k.tsv" "$D/N0$k.bam" 2>/dev/null ||
        { echo "cannot count alleles"; exit 1; }
done
zcat "$D/sites.vcf.gz" | awk '/^#/ || NR % 2' >"$IN/half.vcf"

# concordance tables
H='sample	gene	met_cn	chr7_cn	met_chr7_ratio	tier	qc'
{
    echo "$H"
    printf 'A\tMET\t12\t2\t6\thigh\tpass\nB\tMET\t5\t2\t2.5\tintermediate\tpass\n'
    printf 'C\tMET\t2\t2\t1\tnegative\tpass\nD\tMET\t4\t2\t2\tlow\tpass\n'
} >"$IN/ok.calls.tsv"
printf 'sample,met_cep7_ratio,met_per_nucleus\nA,5.5,11\nB,2.5,5\nC,1.0,2.1\nD,1.7,3.5\n' >"$IN/fish.csv"
printf 'H,3,6\n' | cat "$IN/fish.csv" - >"$IN/fish_extra.csv" # H has no call: a warning
: >"$IN/empty.csv"
printf 'id,met_cep7_ratio\nA,2\n' >"$IN/nosample.csv"
printf 'sample,met_cep7_ratio\n"A,2\n' >"$IN/quote.csv"
printf 'sample,met_cep7_ratio\nA,-2\n' >"$IN/negative.csv"
printf 'sample,met_cep7_ratio\nA,2,7\n' >"$IN/extra_field.csv"
gzip -c "$IN/fish.csv" | head -c 60 >"$IN/trunc.csv.gz"
printf 'sample\tmet_cn\ttier\nA\t3\thigh\n' >"$IN/nocol.calls.tsv"
printf 'sample\tgene\tcn\ttier\nA\tMET\t3\thigh\n' >"$IN/nocol2.calls.tsv" # gene-neutral
sed 's/\thigh\t/\thuge\t/' "$IN/ok.calls.tsv" >"$IN/badtier.calls.tsv"

# ---- the matrix ------------------------------------------------------------------------------
N=0
XFAIL=0
KNOWN=""
known() { KNOWN=$1; }

# Compare the run's first stderr line and leftovers with the row; sets ROW_FAILS.
check_row() { # name rc-wanted out-dir texts...
    local name=$1 want=$2 o=$3 first left
    shift 3
    ROW_FAILS=()
    [ "$RC" -eq "$want" ] || ROW_FAILS+=("exit $RC, expected $want")
    first=$(head -n 1 "$WORK/.err")
    if [ "$want" -ne 0 ]; then
        [[ $first == "metcn "* ]] || ROW_FAILS+=("first stderr line is not metcn's: '$first'")
        for t in "$@"; do
            [[ $first == *"${t//@O/$o}"* ]] || ROW_FAILS+=("first stderr line lacks '${t//@O/$o}': '$first'")
        done
    fi
    left=$(cd "$o" && ls -A | tr '\n' ' ')
    left=${left% }
    if [ -z "${LEFT_WANT:-}" ]; then
        [ -z "$left" ] || ROW_FAILS+=("left behind in the output directory: $left")
    else
        [ "$left" = "$LEFT_WANT" ] || ROW_FAILS+=("output directory holds '$left', expected '$LEFT_WANT'")
    fi
}

report_row() { # name
    if [ ${#ROW_FAILS[@]} -eq 0 ] && [ -z "$KNOWN" ]; then
        ok
    elif [ ${#ROW_FAILS[@]} -eq 0 ]; then
        RC=0
        bad "row '$1' passes now (XPASS): remove its mark 'known \"$KNOWN\"'"
    elif [ -n "$KNOWN" ]; then
        XFAIL=$((XFAIL + 1))
        echo "XFAIL: $1 [$KNOWN]: ${ROW_FAILS[0]}"
        ok
    else
        for f in "${ROW_FAILS[@]}"; do bad "row '$1': $f"; done
    fi
    KNOWN=""
}

row() { # NAME RC TEXT... -- COMMAND...
    local name=$1 want=$2 texts=() cmd=() o
    shift 2
    while [ "$1" != "--" ]; do texts+=("$1"); shift; done
    shift
    N=$((N + 1))
    o=$WORK/out/$N
    mkdir -p "$o"
    for a in "$@"; do cmd+=("${a//@O/$o}"); done
    run "${cmd[@]}"
    check_row "$name" "$want" "$o" "${texts[@]}"
    report_row "$name"
}

# A run that fails in part (exit 3: some inputs left out, the rest written): the exit code, the
# first stderr line as for `row`, and exactly the listed files in the output directory.
row_part() { # NAME RC 'FILE...' TEXT... -- COMMAND...
    local name=$1 want=$2 texts=() cmd=() o
    LEFT_WANT=$3
    shift 3
    while [ "$1" != "--" ]; do texts+=("$1"); shift; done
    shift
    N=$((N + 1))
    o=$WORK/out/$N
    mkdir -p "$o"
    for a in "$@"; do cmd+=("${a//@O/$o}"); done
    run "${cmd[@]}"
    check_row "$name" "$want" "$o" "${texts[@]}"
    LEFT_WANT=""
    LAST_OUT=$o
    report_row "$name"
}

# A run that succeeds: exit 0 and exactly the listed files in the output directory.
row_ok() { # NAME 'FILE...' -- COMMAND...
    local name=$1 files=$2 cmd=() o left
    shift 3
    N=$((N + 1))
    o=$WORK/out/$N
    mkdir -p "$o"
    for a in "$@"; do cmd+=("${a//@O/$o}"); done
    run "${cmd[@]}"
    ROW_FAILS=()
    [ "$RC" -eq 0 ] || ROW_FAILS+=("exit $RC: $(head -n 1 "$WORK/.err")")
    left=$(cd "$o" && ls -A | tr '\n' ' ')
    [ "${left% }" = "$files" ] || ROW_FAILS+=("output directory holds '${left% }', expected '$files'")
    LAST_OUT=$o
    report_row "$name"
}

M=$METCN
# coverage: damaged reads, indexes and references
row "coverage: truncated BAM" 1 "trunc.bam:" "truncated" -- $M coverage --panel $P -o @O/o.tsv $IN/trunc.bam
row "coverage: truncated BAM, indexed" 1 "trunc_idx.bam:" "truncated" -- $M coverage --panel $P -o @O/o.tsv $IN/trunc_idx.bam
row "coverage: BAM without its EOF block" 1 "noeof.bam:" "end-of-file" -- $M coverage --panel $P -o @O/o.tsv $IN/noeof.bam
row "coverage: corrupt BGZF block" 1 "corrupt.bam:" "corrupt" -- $M coverage --panel $P -o @O/o.tsv $IN/corrupt.bam
row "coverage: truncated CRAM" 1 "trunc.cram:" "corrupt" -- $M coverage --panel $P -o @O/o.tsv -T $D/ref.fa $IN/trunc.cram
row "coverage: CRAM without its EOF container" 1 "noeof.cram:" "truncated" -- $M coverage --panel $P -o @O/o.tsv -T $D/ref.fa $IN/noeof.cram
row "coverage: CRAM, wrong reference" 1 "does not match" -- $M coverage --panel $P -o @O/o.tsv -T $IN/wrong.fa $IN/small.cram
row "coverage: CRAM, missing reference" 1 "missing.fa" -- $M coverage --panel $P -o @O/o.tsv -T $IN/missing.fa $IN/small.cram
row "coverage: stale index" 1 "stale.bam:" "stale index" -- $M coverage --panel $P -o @O/o.tsv $IN/stale.bam
row "coverage: foreign index" 1 "foreign.bam:" "index" -- $M coverage --panel $P -o @O/o.tsv $IN/foreign.bam
row "coverage: garbage index" 1 "garbage.bam" "index" -- $M coverage --panel $P -o @O/o.tsv $IN/garbage.bam
row "coverage: empty BAM" 1 "empty.bam:" "empty" -- $M coverage --panel $P -o @O/o.tsv $IN/empty.bam
# the kind comes from the content: a 4-column BED reads as a (mosdepth) table, not as reads
row "coverage: text file as BAM" 1 "text.bam:1:" "bad depth" -- $M coverage --panel $P -o @O/o.tsv $IN/text.bam
row "coverage: directory as BAM" 1 "adir:" "directory" -- $M coverage --panel $P -o @O/o.tsv $IN/adir
row "coverage: missing BAM" 1 "missing.bam:" "No such file" -- $M coverage --panel $P -o @O/o.tsv $IN/missing.bam
row "coverage: missing BAM, a newline in its name" 1 "mi?ssing.bam:" "No such file" -- $M coverage --panel $P -o @O/o.tsv "$IN/"$'mi\nssing.bam'
LONG=$IN$(printf '/%0200d' $(seq 1 15))/missing.bam # 3,000+ bytes: the message is not cut
row "coverage: missing BAM, long path" 1 "$LONG: cannot open: No such file" -- $M coverage --panel $P -o @O/o.tsv "$LONG"
# coverage: panels and tables
row "coverage: BED start after end" 1 "bad.bed:1:" "start 200 >= end 100" -- $M coverage --panel $IN/bad.bed -o @O/o.tsv $IN/small.bam
row "coverage: empty BED" 1 "empty.bed:" "no regions" -- $M coverage --panel $IN/empty.bed -o @O/o.tsv $IN/small.bam
row "coverage: BED with spaces" 1 "spaces.bed:1:" "tab-separated" -- $M coverage --panel $IN/spaces.bed -o @O/o.tsv $IN/small.bam
row "coverage: table of another panel" 1 "n1.regions.bed:" "another panel" -- $M coverage --panel $P --from-table -o @O/o.tsv $IN/n1.regions.bed
row "coverage: table missing bins" 1 "nshort.regions.bed:" "no row for bin" -- $M coverage --panel $IN/p.bed --from-table -o @O/o.tsv $IN/nshort.regions.bed
# coverage: outputs
row "coverage: output is a directory" 1 "@O:" "is a directory" -- $M coverage --panel $P -o @O $IN/small.bam
row "coverage: output directory missing" 1 "@O/no/o.tsv:" "No such file" -- $M coverage --panel $P -o @O/no/o.tsv $IN/small.bam
row "coverage: device full" 1 "/dev/full:" "No space left on device" -- $M coverage --panel $P -o /dev/full $IN/small.bam
row "coverage: new name under /dev" 1 "/dev/metcn-no-such:" "no such device" -- $M coverage --panel $P -o /dev/metcn-no-such $IN/small.bam
row "coverage: file size limit" 1 "@O/o.tsv:" "File too large" -- bash -c 'ulimit -f 4; exec "$@"' sh $M coverage --panel $P -o @O/o.tsv $IN/small.bam
row_ok "coverage: /dev/null" "" -- $M coverage --panel $P -o /dev/null $IN/small.bam
# coverage: extreme but valid options
row_ok "coverage: -Q 255 drops every read" "o.tsv" -- $M coverage --panel $P -Q 255 -o @O/o.tsv $IN/small.bam
[ "$(awk -F'\t' '!/^#/ && $7 != 0' "$LAST_OUT/o.tsv" | wc -l)" -eq 0 ] && ok || bad "-Q 255 counted fragments"
row_ok "coverage: -@ 64 on a small BAM" "o.tsv" -- $M coverage --panel $P -@ 64 -o @O/o.tsv $IN/small.bam
row_ok "coverage: -F 0xFFFF" "o.tsv" -- $M coverage --panel $P -F 0xFFFF -o @O/o.tsv $IN/small.bam
# unsafe names: the table written from an input whose name has a tab and a newline reads back
row_ok "coverage: tab and newline in the input's name" "o.tsv" -- bash -c '"$1" coverage --panel "$2" --from-table -o "$3" "$4" && "$1" coverage --panel "$2" --from-table -o /dev/null "$3"' sh $M $IN/p.bed @O/o.tsv "$IN/"$'n\t7\nx.regions.bed'

# panel
row "panel show: empty BED" 1 "empty.bed:" "no regions" -- $M panel show --panel $IN/empty.bed -o @O/p.bed
row "panel check: empty BED" 1 "empty.bed:" "error" -- $M panel check --panel $IN/empty.bed
row "panel show: binary BED" 1 "binary.bed:1:" "columns" -- $M panel show --panel $IN/binary.bed -o @O/p.bed
row "panel show: missing BED" 1 "missing.bed:" "No such file" -- $M panel show --panel $IN/missing.bed -o @O/p.bed
row "panel show: header from an empty file" 1 "empty.bam:" "empty" -- $M panel show --panel $P --header $IN/empty.bam -o @O/p.bed
row "panel show: device full" 1 "/dev/full:" "No space left on device" -- $M panel show --panel $P -o /dev/full
row "panel show: standard output full" 1 "standard output" "No space left on device" -- bash -c 'exec "$@" >/dev/full' sh $M panel show --panel $P
row "panel list: standard output full" 1 "standard output" "No space left on device" -- bash -c 'exec "$@" >/dev/full' sh $M panel list
row_ok "panel show: --bin-size 2^32" "p.bed" -- $M panel show --panel grch38 --bin-size 4294967296 -o @O/p.bed
row_ok "panel show: --window 2^40" "p.bed" -- $M panel show --panel grch38-met --gene MET --window 1099511627776 -o @O/p.bed

# pon
row "pon info: empty file" 1 "empty.pon:" "not a metcn PoN" -- $M pon info $IN/empty.pon
row "pon info: truncated" 1 "trunc.pon:" "truncated" -- $M pon info $IN/trunc.pon
row "pon info: edited" 1 "edited.pon:" "checksum mismatch" -- $M pon info $IN/edited.pon
row "pon info: truncated gzip" 1 "trunc.pon.gz:" "truncated or corrupt" -- $M pon info $IN/trunc.pon.gz
row "pon info: directory" 1 "adir:" "directory" -- $M pon info $IN/adir
row "pon info: standard output full" 1 "standard output" "No space left on device" -- bash -c 'exec "$@" >/dev/full' sh $M pon info $IN/good.pon
row "pon info: repeated meta n_samples" 1 "crafted.pon:" "n_samples" -- $M pon info $IN/crafted.pon
# issue 19: a normal that fails among enough usable ones is left out and listed in the PoN as
# failed with its reason; the PoN and its MultiQC file are written; exit 3
PONSET="x.pon x.pon.metcn_pon_mqc.json"
row_part "pon build: an empty normal among several" 3 "$PONSET" "nempty.regions.bed:" "empty" -- $M pon build --panel $IN/p.bed --no-gc -o @O/x.pon "${NORMALS[@]}" $IN/nempty.regions.bed
expect_err "1 of 7 normals failed"
run "$M" pon info "$LAST_OUT/x.pon"
expect_rc 0
[ "$(awk -F'\t' '$1 == "nempty" && $10 == "failed" && $11 ~ /nempty.regions.bed: empty/' "$WORK/.out" | wc -l)" -eq 1 ] &&
    ok || bad "pon info does not list nempty as failed with its reason"
row_part "pon build: a missing normal" 3 "$PONSET" "nope.regions.bed:" "No such file" -- $M pon build --panel $IN/p.bed --no-gc -o @O/x.pon "${NORMALS[@]}" $IN/nope.regions.bed
run "$M" pon info "$LAST_OUT/x.pon"
[ "$(awk -F'\t' '$1 == "nope" && $10 == "failed" && $11 ~ /No such file/' "$WORK/.out" | wc -l)" -eq 1 ] &&
    ok || bad "pon info does not list nope as failed with its reason"
# fewer than 3 usable normals remain: no PoN, exit 1
row "pon build: too few usable normals" 1 "nempty.regions.bed:" "empty" -- $M pon build --panel $IN/p.bed --no-gc -o @O/x.pon $IN/n1.regions.bed $IN/n2.regions.bed $IN/nempty.regions.bed $IN/nope.regions.bed
expect_err "only 2 of 4 normals could be used: a panel of normals needs at least 3"
row "pon build: a truncated BAM among normals" 1 "trunc.bam:" "truncated" -- $M pon build --panel $P -o @O/x.pon $IN/small.bam $IN/t.bam $IN/trunc.bam
row "pon build --snps: tables without allele counts" 1 "n1.regions.bed:" "no allele counts" -- $M pon build --panel $IN/p.bed --no-gc --snps $D/sites.vcf.gz -o @O/x.pon "${NORMALS[@]}"
row "pon build --snps: allele tables at other sites" 1 "al1.tsv:" "allele counts at other sites than those of $IN/half.vcf" -- $M pon build --panel $P --snps $IN/half.vcf -o @O/x.pon $IN/al1.tsv $IN/al2.tsv $IN/al3.tsv
row "pon build --snps: a site list that is not a VCF" 1 "$P:" -- $M pon build --panel $P --snps $P -o @O/x.pon $IN/al1.tsv $IN/al2.tsv $IN/al3.tsv
row "pon build: output is a directory" 1 "@O:" "is a directory" -- $M pon build --panel $IN/p.bed --no-gc -o @O "${NORMALS[@]}"
# 12 normals: no "only 6 normals" warning before the write fails
row "pon build: device full" 1 "/dev/full:" "No space left on device" -- $M pon build --panel $IN/p.bed --no-gc -o /dev/full "$IN"/n{1..12}.regions.bed
row "pon build: components out of range" 2 "--components" -- $M pon build --panel $IN/p.bed --no-gc -k 1000000 -o @O/x.pon "${NORMALS[@]}"
row "pon build: --short-max not a class edge" 2 "--short-max" "not an edge" -- $M pon build --panel $IN/p.bed --no-gc --short-max 120 -o @O/x.pon "${NORMALS[@]}"
row "pon build: --dedup unknown" 2 "--dedup" "'maybe'" -- $M pon build --panel $IN/p.bed --no-gc --dedup maybe -o @O/x.pon "${NORMALS[@]}"
row_ok "pon build: unsafe sample name (tab and newline in a file name)" "$PONSET" -- $M pon build --panel $IN/p.bed --no-gc -o @O/x.pon "${NORMALS[@]}" "$IN/"$'n\t7\nx.regions.bed'
run "$M" pon info "$LAST_OUT/x.pon"
expect_rc 0

# call (--no-multiqc: the output set is the calls table and the JSON, plus per-sample files)
C=($M call -q --no-multiqc --pon $IN/bam.pon)
row "call: empty PoN" 1 "empty.pon:" "not a metcn PoN" -- $M call --pon $IN/empty.pon -o @O/c $T
row "call: truncated PoN" 1 "trunc.pon:" "truncated" -- $M call --pon $IN/trunc.pon -o @O/c $T
row "call: edited PoN" 1 "edited.pon:" "checksum mismatch" -- $M call --pon $IN/edited.pon -o @O/c $T
row "call: repeated meta in the PoN" 1 "crafted.pon:4:" "n_samples given twice" -- $M call --pon $IN/crafted.pon -o @O/c $T
row "call: directory as PoN" 1 "adir:" "directory" -- $M call --pon $IN/adir -o @O/c $T
# a tumour that does not fit: its qc=fail row, the other tumour called, exit 3
row_part "call: tumour table of another panel" 3 "c.T_m12_p0.6_c2.MET.cnr c.T_m12_p0.6_c2.MET.seg c.T_m12_p0.6_c2.MET.svg c.T_m12_p0.6_c2.vcf c.calls.tsv c.json" "n1.regions.bed:1:" "another panel" -- "${C[@]}" -o @O/c $T $IN/n1.regions.bed
qc_of() { # calls table, sample: "qc qc_reasons" of the sample's MET row
    awk -F'\t' -v s="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 == s && $c["gene"] == "MET" { print $c["qc"], $c["qc_reasons"] }' "$1"
}
[[ $(qc_of "$LAST_OUT/c.calls.tsv" n1) == "fail input_failed="*"another panel"* ]] && ok ||
    bad "call: n1's row is not qc=fail with the reason: '$(qc_of "$LAST_OUT/c.calls.tsv" n1)'"
[[ $(qc_of "$LAST_OUT/c.calls.tsv" T_m12_p0.6_c2) == @(pass|warn)\ * ]] && ok || bad "call: the good tumour was not called"
row_part "call: tumour without a contig of the panel" 3 "c.calls.tsv c.json" "nochr2.bam:" "no contig chr2" -- "${C[@]}" -o @O/c $IN/nochr2.bam
[[ $(qc_of "$LAST_OUT/c.calls.tsv" T_m12_p0.6_c2) == "fail input_failed="*"no contig chr2"* ]] && ok ||
    bad "call: nochr2.bam's row is not qc=fail with the reason"
row_part "call: tumour of another build" 3 "c.calls.tsv c.json" "otherbuild.bam:" "contig chr7 has length 159138663" "another reference build" -- "${C[@]}" -o @O/c $IN/otherbuild.bam
[[ $(qc_of "$LAST_OUT/c.calls.tsv" T_m12_p0.6_c2) == "fail input_failed="*"another reference build"* ]] && ok ||
    bad "call: otherbuild.bam's row is not qc=fail with the reason"
row "call: gene not in the panel" 1 "bam.pon:" "gene FOO" -- "${C[@]}" --gene FOO -o @O/c $T
row "call: unknown criteria" 2 "--criteria" "unknown preset 'nope'" -- "${C[@]}" --criteria nope -o @O/c $T
row "call: --purity above 1" 2 "--purity" "outside (0,1]" -- "${C[@]}" --purity 1.5 -o @O/c $T
row "call: --purity 0" 2 "--purity" "outside (0,1]" -- "${C[@]}" --purity 0 -o @O/c $T
row "call: --purity NaN" 2 "--purity" "'nan'" -- "${C[@]}" --purity nan -o @O/c $T
row "call: --purity interval past 1" 2 "--purity" "outside (0,1]" -- "${C[@]}" --purity 0.5+-2 -o @O/c $T
row "call: --ploidy 1e9" 2 "--ploidy" "out of range" -- "${C[@]}" --ploidy 1e9 -o @O/c $T
row "call: --conf 1" 2 "--conf" "out of range" -- "${C[@]}" --conf 1 -o @O/c $T
row "call: --dedup unknown" 2 "--dedup" "'maybe'" -- "${C[@]}" --dedup maybe -o @O/c $T
row "call: --frag-tumour-enrichment below 1" 2 "--frag-tumour-enrichment" "out of range" -- "${C[@]}" --frag-tumour-enrichment 0.5 -o @O/c $T
row "call: output directory missing" 1 "@O/no/c:" "No such file" -- "${C[@]}" -o @O/no/c $T
row "call: prefix under /dev" 1 "/dev/full.calls.tsv:" "no such device" -- "${C[@]}" -o /dev/full $T
row "call: prefix is a directory" 2 "-o @O/:" "not a directory" -- "${C[@]}" -o @O/ $T
# a sample named after a file with a tab and a newline: one row, the name made safe
row_part "call: unsafe sample name (tab and newline in a file name)" 3 "c.calls.tsv c.json" -- $M call -q --no-multiqc --pon $IN/good.pon -o @O/c "$IN/"$'n\t7\nx.regions.bed'
[ "$(wc -l <"$LAST_OUT/c.calls.tsv")" -eq 2 ] && [ "$(cut -f1 "$LAST_OUT/c.calls.tsv" | tail -n 1)" = n_7_x ] &&
    ok || bad "call: the calls table of an unsafe name is not one row for n_7_x"

# concordance
row "concordance: empty FISH table" 1 "empty.csv:" "empty file" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/empty.csv -o @O/c
row "concordance: prefix is a directory" 2 "-o @O/:" "not a directory" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/fish.csv -o @O/
row "concordance: FISH without a sample column" 1 "nosample.csv:" "no column 'sample'" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/nosample.csv -o @O/c
row "concordance: unterminated quote" 1 "quote.csv:2:" "unterminated" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/quote.csv -o @O/c
row "concordance: negative ratio" 1 "negative.csv:2:" "not a number >= 0" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/negative.csv -o @O/c
row "concordance: extra field" 1 "extra_field.csv:2:" "fields" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/extra_field.csv -o @O/c
row "concordance: truncated gzip FISH" 1 "trunc.csv.gz:" "read error" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/trunc.csv.gz -o @O/c
row "concordance: calls without met_chr7_ratio" 1 "nocol.calls.tsv:" "no column 'met_chr7_ratio'" -- $M concordance --calls $IN/nocol.calls.tsv --fish $IN/fish.csv -o @O/c
row "concordance: gene-neutral calls without ratio" 1 "nocol2.calls.tsv:" "no column 'ratio'" -- $M concordance --calls $IN/nocol2.calls.tsv --fish $IN/fish.csv -o @O/c
row "concordance: unknown tier" 1 "badtier.calls.tsv:2:" "tier 'huge'" -- $M concordance --calls $IN/badtier.calls.tsv --fish $IN/fish.csv -o @O/c
row "concordance: directory as calls" 1 "adir:" "directory" -- $M concordance --calls $IN/adir --fish $IN/fish.csv -o @O/c
row "concordance: missing FISH table" 1 "nofish.csv:" "No such file" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/nofish.csv -o @O/c
row "concordance: output directory missing" 1 "@O/no/c.json:" "No such file" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/fish_extra.csv -o @O/no/c
row "concordance: --level out of range" 2 "--level" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/fish.csv --level 1 -o @O/c
row_ok "concordance: --level 0.999" "c.json c.roc.svg c.samples.tsv c.scatter.svg c.tsv" -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/fish.csv --level 0.999 -o @O/c

# dilute
DL=(--normal $IN/small.bam --fractions 0.5,0.2)
row "dilute: truncated tumour" 1 "trunc.bam:" "truncated" -- $M dilute --tumour $IN/trunc.bam "${DL[@]}" -o @O/x
row "dilute: tumour without its EOF block" 1 "noeof.bam:" "truncated" -- $M dilute --tumour $IN/noeof.bam "${DL[@]}" -o @O/x
row "dilute: corrupt BGZF block" 1 "corrupt.bam:" "corrupt" -- $M dilute --tumour $IN/corrupt.bam "${DL[@]}" -o @O/x
row "dilute: CRAM without its EOF container" 1 "noeof.cram:" "truncated" -- $M dilute --tumour $IN/noeof.cram --reference $D/ref.fa "${DL[@]}" -o @O/x
row "dilute: empty tumour" 1 "empty.bam:" "header" -- $M dilute --tumour $IN/empty.bam "${DL[@]}" -o @O/x
row "dilute: missing normal" 1 "missing.bam:" "No such file" -- $M dilute --tumour $IN/t.bam --normal $IN/missing.bam --fractions 0.5 -o @O/x
row "dilute: contigs differ" 1 "fewer_contigs.bam" "headers differ" -- $M dilute --tumour $IN/t.bam --normal $IN/fewer_contigs.bam --fractions 0.5 -o @O/x
row "dilute: more templates than the inputs hold" 1 "reach at most" -- $M dilute --tumour $IN/t.bam "${DL[@]}" --templates 9223372036854775807 -o @O/x
row "dilute: sample name with a tab" 2 "--sample" -- $M dilute --tumour $IN/t.bam "${DL[@]}" --sample $'a\tb' -o @O/x
row "dilute: prefix is a directory" 2 "-o @O/:" "not a directory" -- $M dilute --tumour $IN/t.bam "${DL[@]}" -o @O/
row "dilute: output directory missing" 1 "@O/no/x.dilute.tsv:" "No such file" -- $M dilute --tumour $IN/t.bam "${DL[@]}" -o @O/no/x
row_ok "dilute: seed 2^63-1, depth ratio 1e9" "x.dilute.tsv x.f0.2.bam x.f0.2.bam.bai x.f0.5.bam x.f0.5.bam.bai" -- $M dilute --tumour $IN/t.bam "${DL[@]}" --seed 9223372036854775807 --depth-ratio 1e9 -o @O/x
row_ok "dilute: tab in the output name" $'a\tb.dilute.tsv a\tb.f0.5.bam a\tb.f0.5.bam.bai' -- $M dilute --tumour $IN/t.bam --normal $IN/small.bam --fractions 0.5 -o @O/$'a\tb'
# every header field stays key:value (a tab from the name in SM, DS, @CO or @PG CL would not)
samtools view --no-PG -H "$LAST_OUT/"$'a\tb.f0.5.bam' | awk -F'\t' '
    { for (i = 2; i <= NF; i++) if ($1 != "@CO" && $i !~ /^[A-Za-z][A-Za-z0-9]:/) bad = 1 }
    END { exit bad }' && ok || bad "dilute: a tab in the output name broke a header line"

# full disk: a small tmpfs in a private mount namespace, when this machine lets us make one
if unshare -rm true 2>/dev/null; then
    full() { # NAME SIZE TEXT -- COMMAND (the output directory @O is the tmpfs)
        local name=$1 sz=$2 text=$3 cmd=() o
        shift 4
        N=$((N + 1))
        o=$WORK/out/$N
        mkdir -p "$o"
        for a in "$@"; do cmd+=("${a//@O/$o}"); done
        : >"$WORK/left"
        # the tmpfs lives as long as the namespace: what is left is listed from inside
        run unshare -rm bash -c 'd=$2; mount -t tmpfs -o size="$1" tmpfs "$d" || exit 99
            shift 2; "$@"; rc=$?; ls -A "$d" >"$LEFT"; exit $rc' sh "$sz" "$o" "${cmd[@]}"
        if [ "$RC" -eq 99 ]; then
            echo "SKIP: $name (cannot mount a tmpfs)"
            KNOWN=""
            return
        fi
        check_row "$name" 1 "$o" "$text" "No space left on device"
        [ ! -s "$WORK/left" ] || ROW_FAILS+=("left on the full disk: $(tr '\n' ' ' <"$WORK/left")")
        report_row "$name"
    }
    export LEFT=$WORK/left
    full "coverage: disk full" 8k "o.tsv:" -- $M coverage --panel $P -o @O/o.tsv $IN/small.bam
    # htslib 1.16's bgzf_close() returns early on a failed flush and leaks its BGZF
    # (samtools/htslib#1123): no leak check for this one run
    full "dilute: disk full" 64k "x.f0." -- env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" $M dilute --tumour $IN/t.bam "${DL[@]}" -o @O/x
    full "concordance: disk full" 4k "c." -- $M concordance --calls $IN/ok.calls.tsv --fish $IN/fish.csv -o @O/c
else
    echo "SKIP: full-disk rows (cannot mount a tmpfs here: unshare -rm failed)"
fi

# signals: the command blocks reading a FIFO that the test holds open, is killed, and must
# leave nothing behind (temporaries included) and end by the signal
set -m # background jobs keep SIGINT (a non-interactive shell would have them ignore it)
# WAIT: "tmp" (until a temporary appears in the output directory), "blocked" (until the
# process sleeps on the FIFO) or a number of seconds.
sig() { # NAME SIGNAL WAIT FEED_BYTES STDIN(0/1) -- COMMAND ('@F': the FIFO)
    local name=$1 signal=$2 wait_tmp=$3 feed=$4 stdin=$5 cmd=() o fifo pid i want
    shift 6
    N=$((N + 1))
    o=$WORK/out/$N
    fifo=$WORK/fifo.$N.bam
    mkdir -p "$o"
    mkfifo "$fifo"
    for a in "$@"; do a=${a//@O/$o}; cmd+=("${a//@F/$fifo}"); done
    if [ "$stdin" = 1 ]; then
        "${cmd[@]}" <"$fifo" >"$WORK/.out" 2>"$WORK/.err" &
    else
        "${cmd[@]}" </dev/null >"$WORK/.out" 2>"$WORK/.err" &
    fi
    pid=$!
    exec 7<>"$fifo"
    head -c "$feed" "$IN/t.bam" >&7 & # in the background: it blocks once the pipe is full
    local feeder=$!
    for i in $(seq 1 100); do # up to 10 s
        if [ "$wait_tmp" = tmp ]; then
            ls "$o" | grep -q '\.tmp\.' && sleep 0.2 && break
        elif [ "$wait_tmp" = blocked ]; then
            [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = S ] && break
        else
            sleep "$wait_tmp"
            break
        fi
        sleep 0.1
    done
    if [ "$wait_tmp" = tmp ] && ! ls "$o" | grep -q '\.tmp\.'; then
        echo "note: $name: no temporary seen before the signal"
    fi
    kill -s "$signal" "$pid"
    wait "$pid"
    RC=$?
    kill "$feeder" 2>/dev/null
    wait "$feeder" 2>/dev/null
    exec 7>&-
    LAST="$* (SIG$signal)"
    want=$((128 + $(kill -l "$signal")))
    ROW_FAILS=()
    [ "$RC" -eq "$want" ] || ROW_FAILS+=("exit $RC, expected $want: $(head -n 1 "$WORK/.err")")
    [ -z "$(ls -A "$o")" ] || ROW_FAILS+=("left behind: $(ls -A "$o" | tr '\n' ' ')")
    report_row "$name"
}
sig "dilute: SIGTERM while writing" TERM tmp 300000 0 -- $M dilute --tumour @F "${DL[@]}" --depth-ratio 1 -o @O/x
sig "dilute: SIGINT while writing" INT tmp 300000 0 -- $M dilute --tumour @F "${DL[@]}" --depth-ratio 1 -o @O/x
sig "dilute: SIGHUP while writing" HUP tmp 300000 0 -- $M dilute --tumour @F "${DL[@]}" --depth-ratio 1 -o @O/x
sig "dilute: SIGTERM while counting" TERM blocked 100000 0 -- $M dilute --tumour @F "${DL[@]}" -o @O/x
sig "coverage: SIGTERM while reading" TERM blocked 100000 1 -- $M coverage --panel $P -o @O/o.tsv -
sig "coverage: SIGINT while reading" INT blocked 100000 1 -- $M coverage --panel $P -o @O/o.tsv -
# pon build opens each normal twice (header, then reads): no FIFO; six whole normals take
# seconds, the signal comes after 0.5 s
sig "pon build: SIGTERM while reading normals" TERM 0.5 0 0 -- $M pon build --panel $P -o @O/x.pon $D/N0{1..6}.bam
set +m

echo "$N cases, $XFAIL known failures (XFAIL)"
finish
