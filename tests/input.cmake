# The CLI's streaming record readers (engine/cli/input*.c), tested on
# their own (included from tests/CMakeLists.txt). They use no engine code:
# the test compiles them in and links msgpack-c, which they decode with and
# the test packs with. The test makes up 1 GiB inputs as it reads them
# (WM_TEST_INPUT_BIG sets the size); a few seconds under the sanitizers.
set(WM_INPUT_SOURCES
  ${PROJECT_SOURCE_DIR}/engine/cli/input.c
  ${PROJECT_SOURCE_DIR}/engine/cli/input_csv.c
  ${PROJECT_SOURCE_DIR}/engine/cli/input_jsonl.c
  ${PROJECT_SOURCE_DIR}/engine/cli/input_text.c
  ${PROJECT_SOURCE_DIR}/engine/cli/input_msgpack.c)
add_executable(unit_input
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_input.c
  ${WM_INPUT_SOURCES}
  ${CMAKE_CURRENT_SOURCE_DIR}/support/wm_test.c)
target_include_directories(unit_input PRIVATE
  ${PROJECT_SOURCE_DIR}/engine/cli ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(unit_input PRIVATE wm::MSGPACK)
add_test(NAME unit_input COMMAND unit_input)
