#!/bin/sh
# build_example_alone.sh CC NM SOURCE_DIR WORK_DIR — builds the example
# plugin as the README tells a plugin author to (the plugin header alone,
# no libwhatmatters, undefined symbols refused, warnings as errors) and
# checks that the shared object exports wm_plugin_entry and nothing else.
set -u
cc="$1" nm="$2" src="$3" work="$4"
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    what="$1"; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what" >&2; fi
}

rm -rf "$work" && mkdir -p "$work" || exit 1
# Only the two public headers are visible: a copy of them alone in a folder.
mkdir -p "$work/include"
cp "$src/engine/include/whatmatters.h" "$src/engine/include/whatmatters_plugin.h" "$work/include/"
so="$work/example.so"
if "$cc" -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$work/include" \
        "$src/plugins/example/example_plugin.c" -Wl,--no-undefined -o "$so"; then
    pass=$((pass + 1))
    syms=$("$nm" -D --defined-only "$so" | awk 'NF >= 3 {print $3}' | sort | tr '\n' ' ')
    check "exports only wm_plugin_entry (exports: $syms)" test "$syms" = "wm_plugin_entry "
    needed=$(objdump -p "$so" 2>/dev/null | awk '$1 == "NEEDED" {print $2}' | tr '\n' ' ')
    case "$needed" in
        *whatmatters*) check "does not need libwhatmatters (needs: $needed)" false ;;
        *) pass=$((pass + 1)) ;;
    esac
else
    check "example_plugin.c builds against the plugin header alone" false
fi
echo "$pass passed, $fail failed"
test "$fail" -eq 0
