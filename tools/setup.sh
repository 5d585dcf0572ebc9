#!/usr/bin/env bash
# setup.sh — the README's first command: installs what is needed, builds
# whatmatters into build/, and runs the main job on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
wm_install_deps tools/debian-packages.txt
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo
echo "== whatmatters tokenize --lang sv --lines corpora/sample/answers_sv.txt (first 25 tokens)"
build/whatmatters tokenize --lang sv --lines < corpora/sample/answers_sv.txt | head -n 25
