# lib.bash -- helpers for the CLI tests (tests/cli/*.sh). Source it:
#   . "$(dirname "$0")/lib.bash" "$@"
# Sets BUILD, SRC, METCN, WORK (a temporary directory removed at exit) and provides
#   run CMD...            run a command, capturing $OUT (stdout), $ERR (stderr), $RC
#   expect_rc N           fail unless the last run exited with N
#   expect_err TEXT       fail unless stderr contains TEXT (fixed string)
#   expect_out TEXT       fail unless stdout contains TEXT (fixed string)
#   expect_no_file PATH   fail if PATH (or PATH.tmp.*) exists
#   finish                print the summary line and exit non-zero on any failure
set -u
BUILD=${1:?build dir}
SRC=${2:?source dir}
METCN=${METCN_BIN:-$BUILD/metcn}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/metcn_cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PASS=0
FAIL=0
LAST=""

run() {
    LAST="$*"
    "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

ok() { PASS=$((PASS + 1)); }
bad() {
    FAIL=$((FAIL + 1))
    echo "FAIL: $1" >&2
    echo "  command: $LAST" >&2
    echo "  exit $RC; stderr: $(head -c 600 "$WORK/.err")" >&2
}
expect_rc() { if [ "$RC" -eq "$1" ]; then ok; else bad "expected exit $1"; fi; }
expect_err() { if grep -qF -- "$1" "$WORK/.err"; then ok; else bad "stderr lacks '$1'"; fi; }
expect_out() { if grep -qF -- "$1" "$WORK/.out"; then ok; else bad "stdout lacks '$1'"; fi; }
expect_no_file() {
    if ls "$1" "$1".tmp.* >/dev/null 2>&1; then bad "file $1 exists"; else ok; fi
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
