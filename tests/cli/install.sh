#!/usr/bin/env bash
# install.sh -- `cmake --install` into a staging prefix, then check what a Debian user or a
# developer gets: the binary, a man page per command (help2man), bash completion, the public
# headers, libmetcn.a and libmetcn.so.0 (SONAME), and a pkg-config file with which a small
# program using the public headers compiles, links (shared and static) and runs.
#   bash tests/cli/install.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.bash" "$@"

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
CC=$(cache_value CMAKE_C_COMPILER)
CC=${CC:-cc}
STAGE=$WORK/stage
run cmake --install "$BUILD" --prefix "$STAGE"
expect_rc 0

libdir=$(cache_value CMAKE_INSTALL_LIBDIR)
libdir=${libdir:-lib}
pcdir=$STAGE/$libdir/pkgconfig
check_file() { if [ -s "$1" ]; then ok; else RC=1 bad "not installed: $1"; fi; }

# The binary, and the same one as the build tree's.
check_file "$STAGE/bin/metcn"
run "$STAGE/bin/metcn" --version
expect_rc 0
installed_version=$OUT
run "$METCN" --version
[ "$OUT" = "$installed_version" ] && ok || bad "installed --version differs from the build's"
version=$(head -1 <<<"$OUT" | awk '{print $2}')

# A man page for metcn and for every command `metcn --help` lists, found by man through MANPATH.
commands=$("$METCN" --help | awk '/^Commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}')
[ -n "$commands" ] && ok || bad "no commands in metcn --help"
if grep -q '^HELP2MAN_EXECUTABLE:FILEPATH=.*NOTFOUND' "$BUILD/CMakeCache.txt"; then
    RC=1 bad "help2man was not found when $BUILD was configured: run .ci/deps.sh"
fi
for page in metcn $(sed 's/^/metcn-/' <<<"$commands"); do
    check_file "$STAGE/share/man/man1/$page.1"
    run env MANPATH="$STAGE/share/man" man -w "$page"
    expect_rc 0
    [ "$OUT" = "$STAGE/share/man/man1/$page.1" ] && ok || bad "man -w $page gave '$OUT'"
    # rendered, the page names itself and shows the version
    run env MANWIDTH=80 man -l "$STAGE/share/man/man1/$page.1"
    expect_rc 0
    expect_out "$page"
    expect_out "$version"
done
run env MANWIDTH=200 man -l "$STAGE/share/man/man1/metcn-call.1"
expect_out "--purity"

# bash completion: commands, sub-commands, options and built-in panels, from the binary's help.
comp=$STAGE/share/bash-completion/completions/metcn
check_file "$comp"
complete_words() { # complete_words WORD... -> COMPREPLY for the last word, one line
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _metcn
             printf "%s\n" "${COMPREPLY[*]}"' _ "$comp" "$@"
}
[ "$(complete_words "$METCN" ca)" = "call" ] && ok || bad "completion of 'metcn ca'"
[ "$(complete_words "$METCN" pon "")" = "build info" ] && ok || bad "completion of 'metcn pon '"
[ "$(complete_words "$METCN" pon build --refer)" = "--reference" ] && ok ||
    bad "completion of 'metcn pon build --refer'"
[ "$(complete_words "$METCN" call --pur)" = "--purity --purity-disagree" ] && ok || bad "completion of --pur"
got=$(complete_words "$METCN" coverage --panel grch38)
want=$("$METCN" panel list | awk '$1 ~ /^grch38/ {print $1}' | tr '\n' ' ')
[ "$got " = "$want" ] && ok || bad "completion of --panel grch38: '$got' vs '$want'"

# Headers: every public header of the source tree, installed.
for h in "$SRC"/include/metcn/*.h; do
    check_file "$STAGE/include/metcn/$(basename "$h")"
done

# Libraries.
check_file "$STAGE/$libdir/libmetcn.a"
shared=$(cache_value METCN_SHARED)
if [ "$shared" = ON ]; then
    check_file "$STAGE/$libdir/libmetcn.so.0"
    run readelf -d "$STAGE/$libdir/libmetcn.so.0"
    expect_out "Library soname: [libmetcn.so.0]"
    # only the public API is exported
    exported=$(nm -D --defined-only "$STAGE/$libdir/libmetcn.so.0" | awk 'NF == 3 {print $3}')
    foreign=$(grep -cv '^metcn_' <<<"$exported")
    [ "$foreign" -eq 0 ] && ok || bad "libmetcn.so exports $foreign symbols outside metcn_*"
    grep -qx metcn_version <<<"$exported" && ok || bad "libmetcn.so lacks metcn_version"
fi

# A program that includes every public header and calls the library.
check_file "$pcdir/metcn.pc"
prog=$WORK/prog.c
{
    for h in "$STAGE"/include/metcn/*.h; do printf '#include "metcn/%s"\n' "$(basename "$h")"; done
    cat <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    char *contig = NULL;
    int64_t start = 0, end = 0;
    metcn_init();
    if (argc != 2 || metcn_parse_region("chr7:116699086-116798386", &contig, &start, &end) != 0)
        return 1;
    metcn_ofile_t *f = metcn_ofile_open(argv[1]);
    if (!f || metcn_ofile_printf(f, "%s\t%lld\t%lld\n", contig, (long long)start,
                                 (long long)end) != 0 || metcn_ofile_close(f, 1) != 0)
        return 1;
    printf("%s %s\n", metcn_version(), METCN_VERSION);
    free(contig);
    return 0;
}
EOF
} >"$prog"
cflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror)
if [ "$(cache_value METCN_SANITIZE)" = ON ]; then
    cflags+=(-fsanitize=address,undefined)
fi
export PKG_CONFIG_PATH=$pcdir
run pkg-config --cflags --libs metcn
expect_rc 0
expect_out "-lmetcn"
read -r -a pc_flags <<<"$OUT"
run pkg-config --modversion metcn
[ "$OUT" = "$version" ] && ok || bad "pkg-config --modversion gave '$OUT', not $version"

check_prog() { # check_prog BINARY [ENV...]: runs it, checks the region file and the versions
    rm -f "$WORK/region.tsv"
    run env "${@:2}" "$1" "$WORK/region.tsv"
    expect_rc 0
    [ "$OUT" = "$version $version" ] && ok || bad "$1 printed '$OUT'"
    [ "$(cat "$WORK/region.tsv" 2>/dev/null)" = "$(printf 'chr7\t116699085\t116798386')" ] && ok ||
        bad "$1 wrote '$(cat "$WORK/region.tsv" 2>/dev/null)'"
}
if [ "$shared" = ON ]; then
    run "$CC" "${cflags[@]}" "$prog" -o "$WORK/prog_shared" "${pc_flags[@]}"
    expect_rc 0
    run readelf -d "$WORK/prog_shared"
    expect_out "Shared library: [libmetcn.so.0]"
    check_prog "$WORK/prog_shared" LD_LIBRARY_PATH="$STAGE/$libdir"
fi
# static: the archive itself, then the shared libraries of its dependencies (Requires and
# Requires.private; Debian's htslib.pc names a libhtscodecs.a that libhts-dev does not ship, so
# a fully static `pkg-config --static` link is not possible there).
read -r -a static_libs <<<"$(pkg-config --libs metcn gsl | sed 's/-lmetcn//') -lm -pthread"
run "$CC" "${cflags[@]}" $(pkg-config --cflags metcn) "$prog" -o "$WORK/prog_static" \
    "$STAGE/$libdir/libmetcn.a" "${static_libs[@]}"
expect_rc 0
run readelf -d "$WORK/prog_static"
[[ $OUT != *libmetcn* ]] && ok || bad "the static program still needs libmetcn.so"
check_prog "$WORK/prog_static"

finish
