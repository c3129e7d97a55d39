# Diagnostic tests: one CTest per tests/diagnostics/*.oha. Each file states in comments
# what `octohac check` must report (`# expect: error OH0004 at 3:9`); the runner checks
# that set, the exit code and the human rendering against NAME.stderr. Adding a file
# adds a test (the glob is re-evaluated at build time). Rewrite the goldens with
#   python3 tests/scripts/diagtest.py --octohac build/octohac --update tests/diagnostics
file(GLOB OCTOHAC_DIAG_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/diagnostics/*.oha)
list(SORT OCTOHAC_DIAG_TESTS)
foreach(oha ${OCTOHAC_DIAG_TESTS})
  get_filename_component(stem ${oha} NAME_WE)
  add_test(NAME diag.${stem}
           COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/diagtest.py
                   --octohac ${OCTOHAC_BIN} ${oha})
  set_tests_properties(diag.${stem} PROPERTIES LABELS diagnostics)
endforeach()
