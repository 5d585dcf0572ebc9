# The pattern plugin's test (included from tests/CMakeLists.txt): through
# the public API with the built-in plugin, and its loadable module by path.
wm_test(plugin_pattern unit/test_pattern_plugin.c
        ARGS $<TARGET_FILE:wm_pattern>)
add_dependencies(plugin_pattern wm_pattern)
