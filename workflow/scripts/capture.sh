#!/usr/bin/env bash
# capture.sh -- run one per-sample metcn step and record its outcome, so that a sample that
# cannot be processed becomes a qc=fail row instead of stopping the cohort.
#   capture.sh STATUS LOG SAMPLE STEP [--after STATUS0] -- COMMAND...
# Writes STATUS (TSV: sample step status reason) atomically:
#   ok    COMMAND exited 0
#   fail  COMMAND exited 1 (metcn's runtime error: this sample's input is unreadable or does not
#         fit), or 3 (metcn's "some samples failed": the step runs one sample, so that sample
#         failed; metcn wrote its qc=fail row); reason = metcn's first one-line message
#   fail  STATUS0 (an earlier step of this sample) failed: COMMAND is not run; that step and
#         its reason are recorded
# Any other exit (2: usage error, i.e. a bad option in the config; 126/127: no metcn; killed by a
# signal, e.g. out of memory on a cluster) is not the sample's fault: this script then fails
# the job with that status, and Snakemake reports it (and may retry it).
# COMMAND's standard error and output go to LOG.
set -uo pipefail
status=${1:?usage: capture.sh STATUS LOG SAMPLE STEP [--after STATUS0] -- COMMAND...}
log=${2:?} sample=${3:?} step=${4:?}
shift 4
after=""
if [ "${1:-}" = --after ]; then
    after=${2:?}
    shift 2
fi
[ "${1:-}" = -- ] || { echo "capture.sh: expected -- before the command" >&2; exit 2; }
shift
mkdir -p "$(dirname "$status")" "$(dirname "$log")"
tmp="$status.tmp.$$"
trap 'rm -f "$tmp" "$log.err.$$"' EXIT

record() { # record STATUS REASON
    # one field: no tabs or newlines; ';' separates qc_reasons entries, so it is replaced too
    local reason
    reason=$(printf '%s' "$2" | tr '\t\n;' '  ,')
    printf 'sample\tstep\tstatus\treason\n%s\t%s\t%s\t%s\n' "$sample" "$step" "$1" \
        "${reason:-.}" >"$tmp" && mv -f "$tmp" "$status"
}

if [ -n "$after" ]; then
    prev=$(awk -F'\t' 'NR == 2 {print $3}' "$after")
    if [ "$prev" != ok ]; then
        # the failure keeps the step where it happened
        step=$(awk -F'\t' 'NR == 2 {print $2}' "$after")
        echo "not run: $step of $sample failed" >"$log"
        record fail "$(awk -F'\t' 'NR == 2 {print $4}' "$after")"
        exit $?
    fi
fi

"$@" >"$log" 2>"$log.err.$$"
rc=$?
cat "$log.err.$$" >>"$log"
case $rc in
0) record ok "." ;;
1 | 3)
    # metcn's own line names the command, the file and the problem; else the last line
    reason=$(grep -m1 '^metcn' "$log.err.$$")
    [ -n "$reason" ] || reason=$(grep -v '^[[:space:]]*$' "$log.err.$$" | tail -n1)
    record fail "${reason:-$step exited $rc with no message}"
    ;;
*)
    echo "capture.sh: $step of $sample exited $rc, which is not a per-sample error; see $log" >&2
    exit "$rc"
    ;;
esac
