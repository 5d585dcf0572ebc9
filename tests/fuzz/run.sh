#!/usr/bin/env bash
# run.sh — runs a fuzz target with libFuzzer for a while, on demand.
#
#   tests/fuzz/run.sh TARGET SECONDS   one target (analyze, taxonomy, lexicon,
#                                      pattern, model, csv_reader, input_csv,
#                                      input_jsonl, input_msgpack)
#   tests/fuzz/run.sh all SECONDS      each target in turn, SECONDS each
#
# Builds the targets with clang, libFuzzer, ASan and UBSan in build-fuzz/
# (once; again when sources change), then fuzzes from a copy of the seed
# corpus in build-fuzz/corpus/TARGET (new inputs libFuzzer finds stay there
# between runs; the checked-in seeds are never written). A crash leaves its
# input in build-fuzz/crashes/ and the script fails; turn a crash into a
# seed (tests/fuzz/corpus/TARGET/) once it is fixed, so ctest keeps it.
# Environment: FUZZ_JOBS (parallel jobs, default 1), FUZZ_BUILD (the build
# folder, default build-fuzz), FUZZ_FLAGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=(analyze taxonomy lexicon pattern model csv_reader input_csv input_jsonl input_msgpack)
[ $# -eq 2 ] || { echo "usage: $0 TARGET|all SECONDS (targets: ${targets[*]})" >&2; exit 2; }
what="$1" secs="$2"
build="${FUZZ_BUILD:-build-fuzz}"
command -v clang >/dev/null || { echo "run.sh: needs clang (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWM_FUZZ=ON \
        -DWM_SANITIZE=ON -DWM_BUILD_BENCH=OFF >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
fi
cmake --build "$build" --target wm_fuzz -j"$(nproc)" >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
[ "$what" = all ] && list=("${targets[@]}") || list=("$what")
mkdir -p "$build/crashes"
# -jobs makes libFuzzer write fuzz-N.log files in the current folder: only
# when asked for.
jobs=""
[ -n "${FUZZ_JOBS:-}" ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
status=0
for t in "${list[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "run.sh: no target '$t' (targets: ${targets[*]})" >&2; exit 2; }
    mkdir -p "$build/corpus/$t"
    echo "== fuzz_$t: ${secs}s" >&2
    # -rss_limit_mb: a parser that takes over 2 GiB on a small input is a bug.
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 $jobs \
        -artifact_prefix="$build/crashes/$t-" ${FUZZ_FLAGS:-} \
        "$build/corpus/$t" "tests/fuzz/corpus/$t" 2>"$build/fuzz_$t.log"; then
        tail -40 "$build/fuzz_$t.log" >&2
        echo "run.sh: fuzz_$t failed; the input is in $build/crashes/" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$t.log" | tr '\n' ' ' >&2
        echo >&2
    fi
done
exit $status
