#!/usr/bin/env bash
# Install every build and test dependency of metcn on Debian 12 (run as root or with sudo).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config ca-certificates \
    libhts-dev libgsl-dev check zlib1g-dev \
    samtools tabix bcftools python3 gzip gawk \
    valgrind clang libclang-rt-14-dev util-linux procps >/dev/null
# packaging: man pages (help2man, man-db), the .deb (dpkg-dev: dpkg-shlibdeps), the workflow
# test (Debian's snakemake and multiqc)
$SUDO apt-get install -y -qq --no-install-recommends \
    help2man man-db dpkg-dev snakemake multiqc >/dev/null
# CNVkit results as input (tests/cli/cnvkit_input.sh): Debian's cnvkit builds the .cnr files
$SUDO apt-get install -y -qq --no-install-recommends cnvkit >/dev/null
echo "deps: installed"
