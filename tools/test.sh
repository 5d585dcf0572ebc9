#!/usr/bin/env bash
# test.sh — the README's second command, and what CI runs (.ci/run): installs
# what is needed, then builds and runs the whole test suite twice, as a
# release build with warnings as errors and as an AddressSanitizer +
# UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
wm_install_deps tools/debian-packages.txt
jobs="$(nproc)"
status=0
for config in release sanitize; do
    dir="build-test-$config"
    opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWM_WERROR=ON)
    [ "$config" = sanitize ] && opts=(-DCMAKE_BUILD_TYPE=Debug -DWM_WERROR=ON -DWM_SANITIZE=ON -DWM_BUILD_BENCH=OFF)
    echo "== $config build"
    mkdir -p "$dir"
    if ! { cmake -S . -B "$dir" "${opts[@]}" && cmake --build "$dir" -j"$jobs"; } >"$dir/build.log" 2>&1; then
        cat "$dir/build.log"
        echo "test.sh: the $config build failed" >&2
        exit 1
    fi
    echo "== $config tests"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir "$dir" --output-on-failure -j"$jobs" || status=1
done
exit $status
