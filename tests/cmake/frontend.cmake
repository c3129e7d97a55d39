# Front end: arena.c, source.c, lex.c, parse.c and the diag.c renderers.
octohac_unit_test(test_arena ${CMAKE_SOURCE_DIR}/tests/unit/test_arena.c)
octohac_unit_test(test_lex ${CMAKE_SOURCE_DIR}/tests/unit/test_lex.c)
octohac_unit_test(test_parse ${CMAKE_SOURCE_DIR}/tests/unit/test_parse.c)
set_tests_properties(test_arena test_lex test_parse PROPERTIES LABELS frontend)

# OH0007 for an input over 8 MiB, through standard input (too big to keep as a file).
add_test(NAME frontend.oversized-stdin
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/oversize_test.py ${OCTOHAC_BIN})
set_tests_properties(frontend.oversized-stdin PROPERTIES LABELS frontend)

# The fuzz targets (tests/fuzz/) are built and run by tests/cmake/fuzz.cmake.
