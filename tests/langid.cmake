# Language detection (included from tests/CMakeLists.txt): wm_engine_detect_lang()
# through the public API, with the accuracy on the gold corpora's test splits.
# The CSV reader of the command-line tool, which depends on nothing of the
# library, reads those files.
wm_test(api_langid unit/test_langid.c ARGS ${PROJECT_SOURCE_DIR}/corpora/gold)
target_sources(api_langid PRIVATE ${PROJECT_SOURCE_DIR}/engine/cli/csv_reader.c)
target_include_directories(api_langid PRIVATE ${PROJECT_SOURCE_DIR}/engine/cli)
