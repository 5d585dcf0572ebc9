# The supervised plugin (issue 7): train, eval --model, eval --cv and
# classify --model through the command line (run_supervised_tests.sh), and
# model files through the public API (test_supervised.c): round trip,
# determinism, a separable set learned exactly, --cv's arithmetic, every
# truncation and many corruptions of a model refused with the file named,
# and an accuracy floor on the external pxtextmining benchmark.

set(WM_SV_OUT ${CMAKE_CURRENT_BINARY_DIR}/supervised)
foreach(group basic pxtextmining)
  add_test(NAME supervised_cli_${group}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/supervised/run_supervised_tests.sh
                   $<TARGET_FILE:whatmatters_cli> ${PROJECT_SOURCE_DIR} ${WM_TESTDATA}
                   $<TARGET_FILE:wm_supervised> ${WM_SV_OUT}/${group} ${group})
  set_tests_properties(supervised_cli_${group} PROPERTIES LABELS cli TIMEOUT 300)
endforeach()
# The basic group leaves the model that the API test corrupts.
set_tests_properties(supervised_cli_basic PROPERTIES FIXTURES_SETUP sv_model)

wm_test(api_supervised unit/test_supervised.c
        ARGS ${WM_SV_OUT}/basic/separable.model ${WM_SV_OUT})
set_tests_properties(api_supervised PROPERTIES FIXTURES_REQUIRED sv_model)
