# Semantics: the schema (compiler/schema.c), the checked model (compiler/model.c), and the
# test that keeps docs/language.md and docs/rules.md in step with the schema and the rules.
octohac_unit_test(test_schema ${CMAKE_SOURCE_DIR}/tests/unit/test_schema.c)
set_tests_properties(test_schema PROPERTIES LABELS semantics)
