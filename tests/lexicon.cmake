# The lexicon plugin's unit test (included from tests/CMakeLists.txt).
# It drives the plugin through its descriptor with a host of its own, so it
# compiles the plugin's source in, with the static entry point, beside the
# public library that its fake host uses for analysis.
wm_test(plugin_lexicon unit/test_lexicon_plugin.c)
target_sources(plugin_lexicon PRIVATE
  ${PROJECT_SOURCE_DIR}/plugins/lexicon/lexicon.c)
target_compile_definitions(plugin_lexicon PRIVATE WM_PLUGIN_STATIC)
target_link_libraries(plugin_lexicon PRIVATE m)
target_include_directories(plugin_lexicon PRIVATE ${PROJECT_SOURCE_DIR}/plugins/common)
