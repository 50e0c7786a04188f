#!/usr/bin/env bash
# Generate the coverage-benchmark inputs with metcn-sim (fixed seeds):
#   ref.fa      chr1, chr2, chr3 of 20 Mb each (plus full-length chr7) with isochore GC
#   panel.bed   5,000 targets of 200 bp spread over chr1-chr3 (1.0 Mb of targets)
#   tiles.bed   10 kb tiles over chr1-chr3 (6,000 bins)
#   small.bed   a clustered hotspot-style panel: 20 genes of 20 exons (150 bp, 1.5 kb apart),
#               400 targets, 60 kb of targets inside 0.6 Mb (the index can skip ~99% of wgs.bam)
#   deep.bam    ~2,000x over the panel targets (capture-like), + deep.cram
#   wgs.bam     ~15x uniform over chr1-chr3 (60 Mb), + wgs.cram
#   sites.vcf.gz  germline SNP sites, 2 per kb within 200 bp of panel.bed's targets (5,823; for
#               metcn coverage --snps and bcftools mpileup -R; the reads carry reference
#               alleles, which costs the counting what any allele would)
# Usage: bench/make_inputs.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
out=${2:?output dir}
mkdir -p "$out"
cd "$out"
sim="$build/metcn-sim"
[ -s ref.fa.fai ] || "$sim" ref -o ref.fa -s 11 -L 20000000 --contigs chr1,chr2,chr3,chr7
if [ ! -s panel.bed ]; then
    awk 'BEGIN{OFS="\t"; for(c=1;c<=3;c++) for(i=0;i<1667;i++){s=100000+i*11900; print "chr"c, s, s+200, "T"c"_"i}}' |
        head -n 5000 >panel.bed
fi
[ -s small.bed ] || awk 'BEGIN{OFS="\t"; for(c=1;c<=3;c++) for(g=0;g<7;g++) if (c<3 || g<6) for(e=0;e<20;e++){s=1000000+g*2800000+e*1500; print "chr"c, s, s+150, "G"c"_"g"_"e}}' >small.bed
[ -s tiles.bed ] || awk 'BEGIN{OFS="\t"; for(c=1;c<=3;c++) for(s=0;s<20000000;s+=10000) print "chr"c, s, s+10000}' >tiles.bed
[ -s deep.bam ] || "$sim" reads -r ref.fa -o deep -n deep -b panel.bed --contigs chr1,chr2,chr3 \
    -d 2000 --offtarget 0.00001 -s 21 --cram -@ 2 -l 4
[ -s wgs.bam ] || "$sim" reads -r ref.fa -o wgs -n wgs --wgs --contigs chr1,chr2,chr3 \
    -d 15 -s 22 --cram -@ 2 -l 4
[ -s sites.vcf.gz ] || "$sim" snps -r ref.fa -b panel.bed -o sites.vcf.gz --density 2 --flank 200 -s 23
ls -l "$out"
