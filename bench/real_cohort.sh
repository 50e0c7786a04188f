#!/usr/bin/env bash
# Real capture data (CNVkit's example cohorts) through metcn and CNVkit: QC outcomes and the
# noise diagnostics that calibrate metcn's noise model and QC thresholds (docs/realdata.md).
#
#   bench/real_cohort.sh [-j JOBS] [-c TR,CL,TRoff:4,EXoff] [-k FOLDS] [--no-loo] [--no-cnvkit] \
#       DATA_DIR OUT_DIR [METCN]
#
# DATA_DIR: the files of github.com/etal/cnvkit-examples, either a checkout / extracted copy
# (targeted/, cell/, exome/, reference-tr.cnn, reference-cell.cnn) or the bare git directory
# the `fetch` tool leaves (…/etal+cnvkit-examples/repo/.git): its files are then extracted to
# OUT_DIR/data first.  Never commit them.
# METCN: the metcn binary (default: build/metcn beside this script's tree, else `metcn`).
#
# Per cohort, under OUT_DIR/COHORT/:
#   pon.tsv.gz, calls.*           metcn PoN from all normals, every tumour called against it
#   loo/foldF.pon.tsv.gz, loo/foldF.* held-out normals called against a PoN of the others
#   cnvkit/ref.cnn, cnvkit/NAME.cnr CNVkit reference + fix on the same .cnn (tumours)
#   cnvkit/loo/NAME.cnr            CNVkit, the same held-out folds
# Held-out normals: the normals (sorted) are dealt into FOLDS folds (normal i in fold i mod
# FOLDS); each fold is called against a PoN built from the other folds.  FOLDS >= the number
# of normals (or 0) is leave-one-out.  Default 8 (a metcn PoN with GC correction costs ~3 CPU
# minutes on TR, so leave-one-out over 41 normals is ~2 CPU hours); COHORT:FOLDS overrides it
# per cohort.
# and OUT_DIR/summary.md, OUT_DIR/samples.tsv, OUT_DIR/*.tsv (real_cohort.py summarise).
# Reruns skip finished steps (delete a file to redo it).
# The `bash -c '...'` scripts expand "$1" in the child shell, hence single quotes:
# shellcheck disable=SC2016
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
helper=$here/real_cohort.py
jobs=2 cohorts=TR,CL,TRoff:4,EXoff loo=1 cnv=1 folds=8
usage() { sed -n '5,6p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    -j) jobs=${2:?}; shift 2 ;;
    -c) cohorts=${2:?}; shift 2 ;;
    -k) folds=${2:?}; shift 2 ;;
    --no-loo) loo=0; shift ;;
    --no-cnvkit) cnv=0; shift ;;
    -h | --help) usage ;;
    -*) echo "real_cohort.sh: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
data=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
metcn=${3:-}
if [ -z "$metcn" ]; then
    metcn=$here/../build/metcn
    [ -x "$metcn" ] || metcn=$(command -v metcn || true)
fi
[ -x "$metcn" ] || { echo "real_cohort.sh: no metcn binary (give METCN)" >&2; exit 1; }
metcn=$(cd "$(dirname "$metcn")" && pwd)/$(basename "$metcn")
cnvkit=$(command -v cnvkit.py || command -v cnvkit || true)
[ $cnv = 0 ] || [ -n "$cnvkit" ] || { echo "real_cohort.sh: cnvkit not found (apt-get install cnvkit, or --no-cnvkit)" >&2; exit 1; }
$py -c 'import numpy' 2>/dev/null || { echo "real_cohort.sh: $py lacks numpy (apt-get install python3-numpy)" >&2; exit 1; }

# A bare git directory (the fetched mirror): extract the needed files, once.
if [ -f "$data/HEAD" ] && [ -d "$data/objects" ]; then
    if [ ! -f "$out/data/.complete" ]; then
        rm -rf "$out/data"
        mkdir -p "$out/data"
        git --git-dir="$data" ls-tree -r --name-only HEAD |
            grep -E '^(targeted|cell|exome)/.*\.cnn$|^reference-(tr|cell)\.cnn$' |
            while read -r p; do
                # some large blobs are absent from the snapshot (exome on-target files)
                git --git-dir="$data" cat-file -e "HEAD:$p" 2>/dev/null || continue
                mkdir -p "$out/data/$(dirname "$p")"
                git --git-dir="$data" show "HEAD:$p" >"$out/data/$p"
            done
        git --git-dir="$data" rev-parse HEAD >"$out/data/.complete"
    fi
    data=$out/data
fi
data=$(cd "$data" && pwd)

IFS=, read -r -a cospec <<<"$cohorts"
cos=("${cospec[@]%%:*}")
$py "$helper" prep "$data" "$out" "${cos[@]}"
log=$out/run.log
: >>"$log"
echo "== $(date -u +%FT%TZ) $metcn ($("$metcn" --version | head -1)), cohorts $cohorts" >>"$log"

# metcn: PoN from NORMAL_LIST into PON, then call SAMPLE... with prefix PREFIX
metcn_pon() { # PON LISTFILE
    [ -s "$1" ] && return 0
    # shellcheck disable=SC2046
    "$metcn" pon build $(cat "$co_dir/panel.opts") -o "$1" --list "$2" 2>>"$log.$co" ||
        { echo "real_cohort.sh: metcn pon build failed for $1 (see $log.$co)" >&2; return 1; }
}
metcn_call() { # PON PREFIX SAMPLE...
    local pon=$1 prefix=$2
    shift 2
    [ -s "$prefix.calls.tsv" ] && return 0
    # shellcheck disable=SC2046
    "$metcn" call -q $(cat "$co_dir/gene.opts") --pon "$pon" -o "$prefix" "$@" 2>>"$log.$co" ||
        { echo "real_cohort.sh: metcn call failed for $prefix (see $log.$co)" >&2; return 1; }
}
fold_one() { # F: PoN of the normals outside fold F, call the fold's normals
    local d=$co_dir/loo
    awk -v f="$1" -v k="$nfolds" '(NR - 1) % k != f' "$co_dir/normals.list" >"$d/fold$1.pon.list"
    awk -v f="$1" -v k="$nfolds" '(NR - 1) % k == f' "$co_dir/normals.list" >"$d/fold$1.held.list"
    mapfile -t held <"$d/fold$1.held.list"
    metcn_pon "$d/fold$1.pon.tsv.gz" "$d/fold$1.pon.list" &&
        metcn_call "$d/fold$1.pon.tsv.gz" "$d/fold$1" "${held[@]}"
}
cnvkit_ref() { # OUT.cnn NAME...
    [ -s "$1" ] && return 0
    local o=$1 s
    shift
    local args=()
    for s in "$@"; do args+=("$co_dir/cov/$s.targetcoverage.cnn" "$co_dir/cov/$s.antitargetcoverage.cnn"); done
    "$cnvkit" reference "${args[@]}" -o "$o.tmp.cnn" >>"$log.$co.cnvkit" 2>&1 && mv "$o.tmp.cnn" "$o"
}
cnvkit_fix() { # NAME REF OUT.cnr
    [ -s "$3" ] && return 0
    "$cnvkit" fix "$co_dir/cov/$1.targetcoverage.cnn" "$co_dir/cov/$1.antitargetcoverage.cnn" "$2" \
        -o "$3.tmp.cnr" >>"$log.$co.cnvkit" 2>&1 && mv "$3.tmp.cnr" "$3"
}
cnvkit_fold_one() { # F
    local d=$co_dir/cnvkit/loo s
    local others held
    mapfile -t others < <(xargs -n1 basename <"$co_dir/loo/fold$1.pon.list" | sed 's/\.cnn$//')
    mapfile -t held < <(xargs -n1 basename <"$co_dir/loo/fold$1.held.list" | sed 's/\.cnn$//')
    cnvkit_ref "$d/fold$1.ref.cnn" "${others[@]}" || return 1
    for s in "${held[@]}"; do cnvkit_fix "$s" "$d/fold$1.ref.cnn" "$d/$s.cnr" || return 1; done
}
export -f metcn_pon metcn_call fold_one cnvkit_ref cnvkit_fix cnvkit_fold_one
export metcn cnvkit log

for spec in "${cospec[@]}"; do
    co=${spec%%:*}
    co_dir=$out/$co
    nn_count=$(wc -l <"$co_dir/normals.list")
    nfolds=$folds
    [ "$spec" = "$co" ] || nfolds=${spec#*:}
    { [ "$nfolds" = 0 ] || [ "$nfolds" -gt "$nn_count" ]; } && nfolds=$nn_count
    export co co_dir nfolds
    mkdir -p "$co_dir/loo"
    echo "$co: metcn PoN and tumour calls" >&2
    metcn_pon "$co_dir/pon.tsv.gz" "$co_dir/normals.list"
    mapfile -t tumours <"$co_dir/tumours.list"
    metcn_call "$co_dir/pon.tsv.gz" "$co_dir/calls" "${tumours[@]}"
    if [ $loo = 1 ]; then
        echo "$co: metcn on $nn_count held-out normals, $nfolds folds" >&2
        echo "$nfolds" >"$co_dir/loo/folds"
        seq 0 $((nfolds - 1)) | xargs -P "$jobs" -I{} bash -c 'fold_one "$1"' _ {}
    fi
    if [ $cnv = 1 ] && [ "$(cat "$co_dir/cnvkit.use")" = 1 ]; then
        mkdir -p "$co_dir/cnvkit/loo"
        echo "$co: CNVkit reference and fix" >&2
        mapfile -t nn < <(xargs -n1 basename <"$co_dir/normals.list" | sed 's/\.cnn$//')
        cnvkit_ref "$co_dir/cnvkit/ref.cnn" "${nn[@]}"
        xargs -n1 basename <"$co_dir/tumours.list" | sed 's/\.cnn$//' |
            xargs -P "$jobs" -I{} bash -c 'cnvkit_fix "$1" "$co_dir/cnvkit/ref.cnn" "$co_dir/cnvkit/$1.cnr"' _ {}
        if [ $loo = 1 ]; then
            echo "$co: CNVkit on the same held-out folds" >&2
            seq 0 $((nfolds - 1)) | xargs -P "$jobs" -I{} bash -c 'cnvkit_fold_one "$1"' _ {}
        fi
    fi
done
$py "$helper" summarise "$out" "${cos[@]}"
echo "summary: $out/summary.md" >&2
