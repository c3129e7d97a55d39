# CLI tests (tests/cli/): every command, flag, exit code and diagnostics format of
# docs/cli.md, run against the real binary. Each case of cli_test.py is one CTest test,
# named cli.CASE; the case list is read from the script at configure time. Run one by hand:
#   python3 tests/cli/cli_test.py --bin build/octohac check_werror
set(OCTOHAC_CLI_SCRIPT ${CMAKE_SOURCE_DIR}/tests/cli/cli_test.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${OCTOHAC_CLI_SCRIPT})
execute_process(COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_CLI_SCRIPT} --list
                OUTPUT_VARIABLE OCTOHAC_CLI_CASES RESULT_VARIABLE OCTOHAC_CLI_LIST_RC)
if(NOT OCTOHAC_CLI_LIST_RC EQUAL 0)
  message(FATAL_ERROR "tests/cli/cli_test.py --list failed")
endif()
string(REPLACE "\n" ";" OCTOHAC_CLI_CASES "${OCTOHAC_CLI_CASES}")
foreach(case ${OCTOHAC_CLI_CASES})
  if(case)
    add_test(NAME cli.${case}
             COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_CLI_SCRIPT} --bin ${OCTOHAC_BIN} ${case})
    set_tests_properties(cli.${case} PROPERTIES LABELS cli)
  endif()
endforeach()

# Exit code 3: an internal error (BUG) is not a user error.
octohac_unit_test(cli.internal_error ${CMAKE_SOURCE_DIR}/tests/cli/test_internal_error.c)
# util.c: edit distance, did-you-mean and atomic writes.
octohac_unit_test(cli.util ${CMAKE_SOURCE_DIR}/tests/cli/test_util.c)
set_tests_properties(cli.internal_error cli.util PROPERTIES LABELS cli)
