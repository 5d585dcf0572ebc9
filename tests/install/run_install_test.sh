#!/usr/bin/env bash
# run_install_test.sh BUILD_DIR SOURCE_DIR — installs the build into a
# temporary prefix and checks what a user of the installed library sees:
# the files, the SONAME, the exported symbols (only the public wm_ API), and
# a consumer program built once with pkg-config and once with CMake's
# find_package, each of which must run and print the right stems.
set -u
build="$1" src="$2"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what" >&2; fi
}
want="vårdcentral lyssn int"

cmake --install "$build" --prefix "$prefix" >/dev/null
lib=$(ls "$prefix"/lib*/libwhatmatters.so.*.*.* 2>/dev/null | head -n 1)
libdir=$(dirname "${lib:-$prefix/lib/x}")
check "header installed" test -f "$prefix/include/whatmatters.h"
check "library installed" test -n "$lib"
check "CLI installed" test -x "$prefix/bin/whatmatters"
check "pkg-config file installed" test -f "$libdir/pkgconfig/whatmatters.pc"
check "CMake package installed" test -f "$libdir/cmake/whatmatters/whatmattersConfig.cmake"
check "SONAME is libwhatmatters.so.0" \
    sh -c "objdump -p '$lib' | grep -q 'SONAME *libwhatmatters.so.0\$'"
others=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^wm_' || true)
check "only wm_ symbols are exported (others: ${others:-none})" test -z "$others"

# pkg-config
out="$prefix/c1"
if PKG_CONFIG_PATH="$libdir/pkgconfig" cc -std=c11 -Wall -Wextra -o "$out" \
       "$src/tests/install/consumer/consumer.c" \
       $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs whatmatters); then
    got=$(LD_LIBRARY_PATH="$libdir" "$out")
    check "pkg-config consumer prints '$want' (got '$got')" test "$got" = "$want"
else
    check "pkg-config consumer builds" false
fi

# CMake find_package
if cmake -S "$src/tests/install/consumer" -B "$prefix/cb" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null &&
   cmake --build "$prefix/cb" >/dev/null; then
    got=$(LD_LIBRARY_PATH="$libdir" "$prefix/cb/consumer")
    check "find_package consumer prints '$want' (got '$got')" test "$got" = "$want"
else
    check "find_package consumer builds" false
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
