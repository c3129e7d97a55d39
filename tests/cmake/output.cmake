# Output: the emitters, the verify stage, and the checks on every sample's generated
# template (goldens, YAML/JSON round trip, AWS schemas, references, determinism, policy).
octohac_unit_test(test_emit ${CMAKE_SOURCE_DIR}/tests/unit/test_emit.c)
octohac_unit_test(test_verify ${CMAKE_SOURCE_DIR}/tests/unit/test_verify.c)
set_tests_properties(test_emit test_verify PROPERTIES LABELS output)
