# Fuzzing: five libFuzzer targets (tests/fuzz/): the front end (fuzz_parse), resolution and
# checking (fuzz_check), the whole pipeline to in-memory YAML and JSON (fuzz_pipeline), fmt's
# guarantees (fuzz_fmt), and plan on templates: reader, diff, findings, reports (fuzz_plan, also seeded with
# tests/fuzz/plan-seeds/).
# fuzz.build compiles them with clang in a separate project (tests/fuzz/CMakeLists.txt), and
# each fuzz.<target> test runs one for 30 seconds over the samples, the diagnostics tests and
# the stdlib as seeds. They run in the normal pass only: the fuzzers carry their own
# AddressSanitizer and UBSan, and the ASan pass would only repeat them.
if(OCTOHAC_SANITIZE)
  return()
endif()
find_program(OCTOHAC_CLANG NAMES clang clang-17 clang-16 clang-15 clang-14)
if(NOT OCTOHAC_CLANG)
  message(STATUS "clang not found: the fuzz tests are skipped")
  return()
endif()

set(fuzz_dir ${CMAKE_BINARY_DIR}/fuzz)
add_test(NAME fuzz.build
         COMMAND ${CMAKE_COMMAND} -E env CC=${OCTOHAC_CLANG}
                 sh -c "${CMAKE_COMMAND} -S ${CMAKE_SOURCE_DIR}/tests/fuzz -B ${fuzz_dir} -DCMAKE_BUILD_TYPE= -DOCTOHAC_EMBEDDED_C=${CMAKE_BINARY_DIR}/embedded.c >/dev/null && ${CMAKE_COMMAND} --build ${fuzz_dir} -j2")
set_tests_properties(fuzz.build PROPERTIES LABELS fuzz FIXTURES_SETUP fuzz_bins TIMEOUT 900)

foreach(target parse check pipeline fmt plan)
  set(corpus ${fuzz_dir}/corpus-${target})
  file(MAKE_DIRECTORY ${corpus})
  # The first folder is the scratch working corpus; the others are read-only seeds.
  add_test(NAME fuzz.${target}
           COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
                   ${fuzz_dir}/fuzz_${target} -max_total_time=30 -timeout=10 -rss_limit_mb=2048
                   -print_final_stats=1 -artifact_prefix=${fuzz_dir}/crash-${target}-
                   ${corpus} ${CMAKE_SOURCE_DIR}/samples ${CMAKE_SOURCE_DIR}/tests/diagnostics
                   ${CMAKE_SOURCE_DIR}/stdlib/std ${CMAKE_SOURCE_DIR}/tests/fuzz/plan-seeds)
  set_tests_properties(fuzz.${target} PROPERTIES LABELS fuzz TIMEOUT 180 FIXTURES_REQUIRED fuzz_bins)
endforeach()
