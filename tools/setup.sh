#!/usr/bin/env bash
# setup.sh — the README's first command: installs what is needed, builds
# whatmatters into build/, and runs the main job on the bundled sample:
# codes the sample answers into the nine areas and reports on them.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
wm_install_deps tools/debian-packages.txt
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p build/sample
echo
echo "== whatmatters classify: the bundled sample answers (sv, nb, en) into build/sample/"
for lang in sv nb en; do
    build/whatmatters classify --lang "$lang" -o "build/sample/coded_$lang.csv" \
        "corpora/sample/answers_$lang.txt"
done
echo
echo "== whatmatters report build/sample/coded_sv.csv (also as HTML: build/sample/report_sv.html)"
build/whatmatters report --html build/sample/report_sv.html build/sample/coded_sv.csv
