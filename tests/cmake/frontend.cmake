# Front end: source.c, lex.c, parse.c and the diag.c renderers.
octohac_unit_test(test_lex ${CMAKE_SOURCE_DIR}/tests/unit/test_lex.c)
octohac_unit_test(test_parse ${CMAKE_SOURCE_DIR}/tests/unit/test_parse.c)
set_tests_properties(test_lex test_parse PROPERTIES LABELS frontend)

# OH0007 for an input over 8 MiB, through standard input (too big to keep as a file).
add_test(NAME frontend.oversized-stdin
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/oversize_test.py ${OCTOHAC_BIN})
set_tests_properties(frontend.oversized-stdin PROPERTIES LABELS frontend)

# The libFuzzer target (tests/fuzz/fuzz_parse.c), when clang with libFuzzer is available:
# clang is invoked directly on the compiler's sources, so the fuzzer does not depend on
# the compiler CMake was configured with. It is not part of the default build (it costs
# a full sanitized compile on every change); the fuzz.build test builds it, and fuzz.parse
# then runs it for 30 seconds. `cmake --build BUILD --target fuzz_parse` builds it by hand.
find_program(OCTOHAC_CLANG NAMES clang clang-17 clang-16 clang-15 clang-14)
set(OCTOHAC_FUZZ_OK FALSE)
if(OCTOHAC_CLANG)
  set(probe_dir ${CMAKE_BINARY_DIR}/fuzz-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c
       "#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\n"
       "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
  execute_process(COMMAND ${OCTOHAC_CLANG} -fsanitize=fuzzer,address,undefined -o ${probe_dir}/probe ${probe_dir}/probe.c
                  RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
  if(probe_rc EQUAL 0)
    set(OCTOHAC_FUZZ_OK TRUE)
  endif()
endif()

if(OCTOHAC_FUZZ_OK)
  file(GLOB fuzz_compiler_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/compiler/*.c)
  list(REMOVE_ITEM fuzz_compiler_sources ${CMAKE_SOURCE_DIR}/compiler/main.c
       ${CMAKE_SOURCE_DIR}/compiler/embed_gen.c)
  list(SORT fuzz_compiler_sources)
  set(fuzz_bin ${CMAKE_BINARY_DIR}/fuzz/fuzz_parse)
  add_custom_command(
    OUTPUT ${fuzz_bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/fuzz
    COMMAND ${OCTOHAC_CLANG} -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined
            -fno-sanitize-recover=all -I${CMAKE_SOURCE_DIR}/compiler
            ${CJSON_CFLAGS} ${YAML_CFLAGS} ${PCRE2_CFLAGS}
            -o ${fuzz_bin} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_parse.c ${fuzz_compiler_sources}
            ${CMAKE_BINARY_DIR}/embedded.c ${CJSON_LDFLAGS} ${YAML_LDFLAGS} ${PCRE2_LDFLAGS}
    DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_parse.c ${fuzz_compiler_sources}
            ${CMAKE_SOURCE_DIR}/compiler/octohac.h ${CMAKE_BINARY_DIR}/embedded.c
    COMMENT "Building the libFuzzer target fuzz_parse with clang"
    VERBATIM)
  add_custom_target(fuzz_parse DEPENDS ${fuzz_bin})
  add_dependencies(fuzz_parse octohac_core)
  add_test(NAME fuzz.build COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target fuzz_parse)
  set_tests_properties(fuzz.build PROPERTIES LABELS "frontend;fuzz" FIXTURES_SETUP fuzz_parse_bin
                       TIMEOUT 900)
  add_dependencies(fuzz_parse octohac_core)   # embedded.c is generated in the top-level folder
  # The first folder is the (scratch) working corpus; the others are read-only seeds.
  add_test(NAME fuzz.parse
           COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
                   ${fuzz_bin} -max_total_time=30 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                   -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz/crash-
                   ${CMAKE_BINARY_DIR}/fuzz/corpus ${CMAKE_SOURCE_DIR}/samples
                   ${CMAKE_SOURCE_DIR}/tests/diagnostics ${CMAKE_SOURCE_DIR}/stdlib/std)
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz/corpus)
  set_tests_properties(fuzz.parse PROPERTIES LABELS "frontend;fuzz" TIMEOUT 120
                       FIXTURES_REQUIRED fuzz_parse_bin)
else()
  message(STATUS "clang with libFuzzer not found: the fuzz.parse test is skipped")
endif()
