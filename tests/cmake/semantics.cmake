# Semantics: the schema (compiler/schema.c), the checked model (compiler/model.c), and the
# test that keeps docs/language.md and docs/rules.md in step with the schema and the rules.
octohac_unit_test(test_schema ${CMAKE_SOURCE_DIR}/tests/unit/test_schema.c)
set_tests_properties(test_schema PROPERTIES LABELS semantics)

# Every sample checks clean: exit 0 (no errors) and no schema diagnostic (OH1xxx) at all.
add_test(NAME semantics.samples-check-clean
         COMMAND ${OCTOHAC_BIN} check --format short ${CMAKE_SOURCE_DIR}/samples
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(semantics.samples-check-clean PROPERTIES LABELS semantics
                     FAIL_REGULAR_EXPRESSION "\\[OH1[0-9][0-9][0-9]\\]|: error: ")

# The docs cannot drift: every schema attribute is documented in docs/language.md (whose
# schema reference is generated from schema/octohac.json), every std profile is named
# there, and every code of the rules table has its section in docs/rules.md. The
# self-test proves the script reports a broken copy of the docs.
add_test(NAME semantics.docs-drift
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/docs_drift.py
                 --root ${CMAKE_SOURCE_DIR} --octohac ${OCTOHAC_BIN})
add_test(NAME semantics.docs-drift-self-test
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/docs_drift.py
                 --root ${CMAKE_SOURCE_DIR} --octohac ${OCTOHAC_BIN} --self-test)
set_tests_properties(semantics.docs-drift semantics.docs-drift-self-test PROPERTIES LABELS semantics)

# The libFuzzer target tests/fuzz/fuzz_check.c (resolution, checking and rules on any
# input), built like fuzz_parse (tests/cmake/frontend.cmake, which finds clang with
# libFuzzer and sets OCTOHAC_FUZZ_OK) and run by CTest for 30 seconds.
if(OCTOHAC_FUZZ_OK)
  file(GLOB fuzz_check_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/compiler/*.c)
  list(REMOVE_ITEM fuzz_check_sources ${CMAKE_SOURCE_DIR}/compiler/main.c
       ${CMAKE_SOURCE_DIR}/compiler/embed_gen.c)
  list(SORT fuzz_check_sources)
  set(fuzz_check_bin ${CMAKE_BINARY_DIR}/fuzz_check)
  add_custom_command(
    OUTPUT ${fuzz_check_bin}
    COMMAND ${OCTOHAC_CLANG} -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined
            -fno-sanitize-recover=all -I${CMAKE_SOURCE_DIR}/compiler
            ${CJSON_CFLAGS} ${YAML_CFLAGS} ${PCRE2_CFLAGS}
            -o ${fuzz_check_bin} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_check.c ${fuzz_check_sources}
            ${CMAKE_BINARY_DIR}/embedded.c ${CJSON_LDFLAGS} ${YAML_LDFLAGS} ${PCRE2_LDFLAGS} -lm
    DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_check.c ${fuzz_check_sources}
            ${CMAKE_SOURCE_DIR}/compiler/octohac.h ${CMAKE_BINARY_DIR}/embedded.c
    COMMENT "Building the libFuzzer target fuzz_check with clang"
    VERBATIM)
  add_custom_target(fuzz_check_build ALL DEPENDS ${fuzz_check_bin})
  add_dependencies(fuzz_check_build octohac_core)   # embedded.c is generated in the top-level folder
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-check-corpus)
  add_test(NAME fuzz.check
           COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
                   ${fuzz_check_bin} -max_total_time=30 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                   -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-check-
                   ${CMAKE_BINARY_DIR}/fuzz-check-corpus ${CMAKE_SOURCE_DIR}/samples
                   ${CMAKE_SOURCE_DIR}/tests/diagnostics ${CMAKE_SOURCE_DIR}/stdlib/std)
  set_tests_properties(fuzz.check PROPERTIES LABELS "semantics;fuzz" TIMEOUT 120)
endif()
