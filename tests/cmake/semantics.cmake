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
