#!/usr/bin/env bash
# run_r_tests.sh BUILD_DIR SOURCE_DIR RSCRIPT — installs the build into a
# temporary prefix, installs the R package (r/whatmatters) against it as a
# user would (pkg-config finds the library, the package records its folder
# as the run path, so no LD_LIBRARY_PATH), and runs the package's tests.
set -u
build="$1" src="$2" rscript="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! command -v "$rscript" >/dev/null; then
    echo "FAIL: no Rscript: apt-get install r-base-core" >&2
    exit 1
fi
cmake --install "$build" --prefix "$work/prefix" >/dev/null || exit 1
libdir=$(dirname "$(ls "$work"/prefix/lib*/libwhatmatters.so.0 | head -n 1)")
cp -r "$src/r/whatmatters" "$work/rpkg"  # R CMD INSTALL builds in place
mkdir -p "$work/R"
PKG_CONFIG_PATH="$libdir/pkgconfig" \
    "$(dirname "$(command -v "$rscript")")/R" CMD INSTALL --no-docs \
    --library="$work/R" "$work/rpkg" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; echo "FAIL: R CMD INSTALL" >&2; exit 1; }
WM_R_LIB="$work/R" "$rscript" "$src/r/whatmatters/tests/test-whatmatters.R"
