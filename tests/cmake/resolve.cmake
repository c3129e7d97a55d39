# Resolution: imports, search paths, profiles and the merge (compiler/resolve.c).
# The OH05xx diagnostic tests are tests/diagnostics/oh05*.oha (run by diagnostics.cmake).
octohac_unit_test(test_resolve ${CMAKE_SOURCE_DIR}/tests/unit/test_resolve.c)
set_tests_properties(test_resolve PROPERTIES LABELS "unit;resolve")

# -I and OCTOHAC_PATH precedence, `..`, standard input and loaded-once, through the CLI.
add_test(NAME cli.resolve
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/resolve_cli.py --octohac ${OCTOHAC_BIN})
set_tests_properties(cli.resolve PROPERTIES LABELS "cli;resolve")
