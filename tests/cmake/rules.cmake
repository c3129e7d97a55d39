# rules.c: unit tests of every OH2xxx/OH4xxx check on hand-built models and of the
# explain table, and the check that docs/rules.md matches that table.
octohac_unit_test(test_rules ${CMAKE_SOURCE_DIR}/tests/unit/test_rules.c)
add_test(NAME rules_docs COMMAND test_rules --check-docs docs/rules.md
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
