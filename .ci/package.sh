#!/usr/bin/env bash
# CI job: build the Debian package with CPack, check its Depends, install it with apt-get, and
# run the INSTALLED metcn: --version, its man pages, bash completion, pkg-config, and the bundled
# example (tests/example.sh with METCN_BIN=/usr/bin/metcn).  The package is removed at the end.
#   bash .ci/package.sh [BUILD_DIR (default build-pkg)] [EXAMPLE_BUILD_DIR (default build)]
set -euo pipefail
cd "$(dirname "$0")/.."
pkg_build=${1:-build-pkg}
example_build=${2:-build}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() { echo "package: $*" >&2; exit 1; }

if dpkg -s metcn >/dev/null 2>&1; then
    echo "package: removing the metcn package already installed"
    $SUDO apt-get purge -y -qq metcn >/dev/null
fi
rm -rf "$pkg_build"
cmake -S . -B "$pkg_build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DBUILD_TESTING=OFF -DMETCN_WERROR=ON >/dev/null
cmake --build "$pkg_build" -j2 >/dev/null
(cd "$pkg_build" && cpack -G DEB >/dev/null)
debs=("$pkg_build"/metcn_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one metcn_*.deb in $pkg_build"
deb=${debs[0]}
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: Depends: $depends"
for need in libc6 libhts3 libgsl27; do
    grep -Eq "(^|, )$need( |,|$)" <<<"$depends" || fail "Depends lacks $need"
done
# every Depends entry is a package Debian has
for name in $(sed 's/([^)]*)//g; s/,/ /g' <<<"$depends"); do
    apt-cache show "$name" >/dev/null 2>&1 || fail "Depends names $name, which apt does not know"
done

trap '$SUDO apt-get purge -y -qq metcn >/dev/null 2>&1 || true' EXIT
$SUDO apt-get install -y -qq "./$deb" >/dev/null
[ "$(command -v metcn)" = /usr/bin/metcn ] || fail "metcn is not /usr/bin/metcn after install"
metcn --version
man -w metcn
for cmd in $(metcn --help | awk '/^Commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
    man -w "metcn-$cmd" >/dev/null || fail "no man page metcn-$cmd"
done
[ -s /usr/share/bash-completion/completions/metcn ] || fail "no bash completion"
# grep reads the whole listing: with pipefail, grep -q's early exit can kill ldconfig -p by
# SIGPIPE and fail the check although the library is there (seen once in CI)
ldconfig -p | grep 'libmetcn.so.0 ' >/dev/null || fail "libmetcn.so.0 is not in the ld.so cache"
[ "$(pkg-config --modversion metcn)" = "$(metcn --version | awk 'NR == 1 {print $2}')" ] ||
    fail "pkg-config --modversion metcn differs from metcn --version"
[ -s /usr/share/metcn/workflow/Snakefile ] || fail "no workflow in /usr/share/metcn/workflow"

out=$example_build/example-installed
rm -rf "$out"
METCN_BIN=/usr/bin/metcn bash tests/example.sh "$example_build" "$out"
grep -q "$(printf '\thigh\t')" "$out/calls.focal.calls.tsv" ||
    fail "the installed metcn did not call the example's focal tumour high"
echo "package: installed, ran and removed"
