#!/usr/bin/env bash
# test.sh — the README's second command, and what CI runs (.ci/run): installs
# what is needed, then builds and runs the whole test suite twice, as a
# release build with warnings as errors and as an AddressSanitizer +
# UndefinedBehaviorSanitizer build; then the concurrency tests under
# ThreadSanitizer, and each fuzz target for a few seconds with libFuzzer.
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

# ThreadSanitizer: only the concurrency tests (threads over one engine, the
# plugins' and spelling stage's shared state, the batch pipeline, the
# trainer's parallel fits), built with -fsanitize=thread (WM_TSAN). A few
# minutes at most.
tsan_tests='^(api_threads|api_langid|api_spelling|plugin_lexicon|plugin_pattern|reliability_pipeline_threads|supervised_cli_basic)$'
dir=build-test-tsan
echo "== tsan build"
mkdir -p "$dir"
if ! { cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWM_WERROR=ON -DWM_TSAN=ON -DWM_BUILD_BENCH=OFF &&
       cmake --build "$dir" -j"$jobs" --target api_threads api_langid api_spelling plugin_lexicon \
           plugin_pattern whatmatters_cli wm_supervised; } >"$dir/build.log" 2>&1; then
    cat "$dir/build.log"
    echo "test.sh: the tsan build failed" >&2
    exit 1
fi
echo "== tsan tests"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" -R "$tsan_tests" || status=1

# Fuzzing: every target with libFuzzer, ASan and UBSan for WM_CI_FUZZ_SECONDS
# each (default 10; 0 skips), from the checked-in seeds (tests/fuzz/run.sh).
if [ "${WM_CI_FUZZ_SECONDS:-10}" -gt 0 ]; then
    echo "== fuzz (${WM_CI_FUZZ_SECONDS:-10}s a target)"
    FUZZ_BUILD=build-test-fuzz bash tests/fuzz/run.sh all "${WM_CI_FUZZ_SECONDS:-10}" || status=1
fi
exit $status
