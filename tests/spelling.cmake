# The spelling stage (issue 5), through the public API, with Debian's
# Hunspell dictionaries (hunspell-sv, -no, -da, -en-us); included from
# tests/CMakeLists.txt. Without the dictionaries the test reports itself
# skipped (exit 77).
wm_test(api_spelling unit/test_spelling.c)
set_tests_properties(api_spelling PROPERTIES SKIP_RETURN_CODE 77)
